import { evaluationCount, noiseRowsPerSample } from '../estimators/estimator.js';
import { nodeProbabilities } from '../harness/node-kinds.js';
import { chunkSeeds, type Rng } from '../harness/rng.js';
import type { HardNodeForward, HardNodeStage } from '../suites/suite.js';
import type { HardNodeRequest } from './backend.js';
import { deterministicOp, hardNodeNoiseWidth } from './hard-node-request.js';
import { estimatorKernelCalls, hardOpCall } from './kernel-calls.js';
import { helperSources, namedFunctionSource } from './kernel-source.js';
import { fillNoise } from './noise.js';

/** The CPU hard node's loops over rows, compiled from the estimator's kernel sources. */
interface HardNodeLoops {
  forward(logits: Float64Array, probabilities: Float64Array, noiseU: Float64Array, noiseV: Float64Array, rows: number, step: number, h: Float64Array): void;
  backward(
    logits: Float64Array, probabilities: Float64Array, noiseU: Float64Array, noiseV: Float64Array, h: Float64Array,
    objectives: Float64Array, dLdh: Float64Array, baseline: Float64Array, rows: number, step: number, out: Float64Array,
  ): void;
  pilot: null | ((
    logits: Float64Array, probabilities: Float64Array, noiseU: Float64Array, noiseV: Float64Array, h: Float64Array,
    objectives: Float64Array, rows: number, step: number, sums: Float64Array,
  ) => void);
}

/** Noise of one forward pass, kept for the backward pass (the estimator's gradient reads u and v again). */
interface CpuNodeState {
  readonly probabilities: Float64Array;
  readonly noiseU: Float64Array;
  readonly noiseV: Float64Array;
}

/**
 * Generates the hard node's three loops (forward, backward, baseline pilot) over rows of per-row
 * logits. Row s, evaluation e, element i reads noise column i (or e·width + i when every evaluation
 * draws its own), as the fused loops do, so a staged cell reproduces a fused cell's estimates. A
 * deterministic node computes h with the suite's op and its kernels read u = v = 0.
 */
export function cpuHardNodeSource(request: HardNodeRequest): string {
  const { estimator, estimatorParams, width } = request;
  const op = deterministicOp(request);
  const evaluations = evaluationCount(estimator, estimatorParams);
  const noiseRows = noiseRowsPerSample(estimator, estimatorParams);
  const calls = estimatorKernelCalls(estimator, estimatorParams, width);
  const noiseColumn = (evaluation: string) => (noiseRows === 1 ? 'i' : `${evaluation} * ${width} + i`);
  const elementAt = (evaluation: string) => ({
    // p = theta on a deterministic node: read the logits rather than a copy of them.
    theta: 'logits[base + i]', probability: op ? 'logits[base + i]' : 'probabilities[base + i]',
    u: op ? '0' : `noiseU[noiseBase + ${noiseColumn(evaluation)}]`,
    v: op ? '0' : `noiseV[noiseBase + ${noiseColumn(evaluation)}]`,
    evaluation, unit: 'i', step: 'step',
  });
  const forwardCall = (evaluation: string) => (op ? hardOpCall(op, width, elementAt(evaluation)) : calls.forward(elementAt(evaluation)));
  const weight = estimator.kernels.baselineWeight;
  const rowHeader = `const base = s * ${width}; const noiseBase = s * ${noiseRows * width};`;
  return `"use strict";
    ${helperSources(estimator, null).join('\n')}
    ${op ? namedFunctionSource(op.kernel, `hard op ${op.id}`).source : ''}
    ${namedFunctionSource(estimator.kernels.forward, `${estimator.id} forward`).source}
    ${namedFunctionSource(estimator.kernels.gradient, `${estimator.id} gradient`).source}
    ${weight ? namedFunctionSource(weight, `${estimator.id} baselineWeight`).source : ''}
    function forward(logits, probabilities, noiseU, noiseV, rows, step, h) {
      for (let s = 0; s < rows; s++) {
        ${rowHeader}
        for (let e = 0; e < ${evaluations}; e++) {
          const hBase = (s * ${evaluations} + e) * ${width};
          for (let i = 0; i < ${width}; i++) h[hBase + i] = ${forwardCall('e')};
        }
      }
    }
    function backward(logits, probabilities, noiseU, noiseV, h, objectives, dLdh, baseline, rows, step, out) {
      const hasObjectives = objectives.length > 0;
      const hasGradient = dLdh.length > 0;
      const hasBaseline = baseline.length > 0;
      for (let s = 0; s < rows; s++) {
        ${rowHeader}
        let objectiveSum = 0;
        if (hasObjectives) for (let e = 0; e < ${evaluations}; e++) objectiveSum += objectives[s * ${evaluations} + e];
        for (let i = 0; i < ${width}; i++) {
          let g = 0;
          for (let e = 0; e < ${evaluations}; e++) {
            const row = s * ${evaluations} + e;
            g += ${calls.gradient(elementAt('e'), {
              h: `h[row * ${width} + i]`,
              dLdh: `(hasGradient ? dLdh[row * ${width} + i] : 0)`,
              objective: '(hasObjectives ? objectives[row] : 0)',
              objectiveSum: 'objectiveSum',
              baseline: '(hasBaseline ? baseline[i] : 0)',
            })};
          }
          out[base + i] = g;
        }
      }
    }
    ${weight ? `function pilot(logits, probabilities, noiseU, noiseV, h, objectives, rows, step, sums) {
      for (let s = 0; s < rows; s++) {
        ${rowHeader}
        const objective = objectives[s * ${evaluations}];
        for (let i = 0; i < ${width}; i++) {
          const w = ${calls.baselineWeight(elementAt('0'), `h[s * ${evaluations * width} + i]`)};
          sums[i] += w * objective;
          sums[${width} + i] += w;
        }
      }
    }` : 'const pilot = null;'}
    return { forward, backward, pilot };`;
}

/** A hard node on the CPU: generated loops over rows, noise drawn on the host from the fused cells' streams. */
export class CpuHardNode implements HardNodeStage {
  readonly width: number;
  readonly evaluations: number;
  private readonly loops: HardNodeLoops;
  private readonly noiseWidth: number;

  constructor(private readonly request: HardNodeRequest) {
    this.width = request.width;
    this.evaluations = evaluationCount(request.estimator, request.estimatorParams);
    this.noiseWidth = hardNodeNoiseWidth(request);
    this.loops = new Function(cpuHardNodeSource(request))() as HardNodeLoops;
  }

  async forward(logits: Float64Array, rows: number, rng: Rng, step: number): Promise<HardNodeForward> {
    const { estimator } = this.request;
    const noiseU = new Float64Array(rows * this.noiseWidth);
    const noiseV = new Float64Array(estimator.noise.length > 1 ? rows * this.noiseWidth : 0);
    if (this.noiseWidth > 0) fillNoise(estimator.noise, chunkSeeds(rng, rows), rows, this.noiseWidth, noiseU, estimator.noise.length > 1 ? noiseV : null);
    const probabilities = this.request.op ? logits : nodeProbabilities(this.request.nodeKind, logits.subarray(0, rows * this.width));
    const h = new Float64Array(rows * this.evaluations * this.width);
    this.loops.forward(logits, probabilities, noiseU, noiseV, rows, step, h);
    const state: CpuNodeState = { probabilities, noiseU, noiseV };
    return { rows, logits, h, state };
  }

  async backward(
    pass: HardNodeForward, objectives: Float64Array | null, objectiveGradient: Float64Array | null, baseline: Float64Array | null, step: number,
  ): Promise<Float64Array> {
    const { probabilities, noiseU, noiseV } = pass.state as CpuNodeState;
    const out = new Float64Array(pass.rows * this.width);
    const empty = new Float64Array(0);
    this.loops.backward(
      pass.logits, probabilities, noiseU, noiseV, pass.h, objectives ?? empty, objectiveGradient ?? empty, baseline ?? empty, pass.rows, step, out,
    );
    return out;
  }

  async baselineSums(pass: HardNodeForward, objectives: Float64Array, step: number) {
    if (!this.loops.pilot) throw new Error(`${this.request.estimator.id} declares no baseline`);
    const { probabilities, noiseU, noiseV } = pass.state as CpuNodeState;
    const sums = new Float64Array(2 * this.width);
    this.loops.pilot(pass.logits, probabilities, noiseU, noiseV, pass.h, objectives, pass.rows, step, sums);
    return { weightedObjective: sums.slice(0, this.width), weight: sums.slice(this.width) };
  }

  dispose(): void {}
}
