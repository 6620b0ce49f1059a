import { evaluationCount, noiseRowsPerSample } from '../core/estimator.js';
import { noiseChunkSamples, type Rng } from '../core/rng.js';
import type { CellRequest } from '../core/backend.js';
import { elementLoopWithNoise, rngConstants, rngStateDeclaration } from './cpu-rng-source.js';
import { estimatorKernelCalls, objectiveKernelCalls, type ElementArguments, type GradientArguments } from './kernel-calls.js';
import { kernelReadsArgument, objectiveGradientAtElement, objectiveKernelOnRow } from './kernel-body.js';
import { helperSources, namedFunctionSource, unrolledEvaluations } from '../core/kernel-source.js';

/**
 * Numbers per noise chunk in a loop's output: 2 * dim sums (estimate: sum then sum of squares; pilot:
 * sum of w L then sum of w), padded to whole 64-byte cache lines so that threads writing neighbouring
 * chunks never share a line.
 */
export function chunkStride(dim: number): number {
  return Math.ceil((2 * dim) / 8) * 8;
}

/**
 * Sums over the samples of chunks [firstChunk, endChunk) of one call. `out` covers the whole call:
 * chunk c's sums go to out[c * chunkStride(dim) …], so threads sharing one output array never touch
 * each other's chunks.
 */
export type ChunkLoop = (
  logits: Float64Array, probabilities: Float64Array, baseline: Float64Array, seeds: Uint32Array,
  firstChunk: number, endChunk: number, count: number, out: Float64Array, step: number,
) => void;

export interface CompiledLoops {
  readonly estimate: ChunkLoop;
  readonly pilot: ChunkLoop | null;
  /** How the estimate loop is shaped (`one-pass` or `row-passes`), for the results and the tests. */
  readonly shape: LoopShape;
}

/**
 * `one-pass`: noise, forward, dL/dh, gradient and accumulation element by element, nothing stored
 * between them; used when the gradient needs no objective value and either no dL/dh or the dL/dh of a
 * `separable` objective whose gradient kernel reads h only at [row][element] (checked on its body, so
 * that a wrong declaration costs speed, never correctness). `row-passes`: noise and forward for the
 * whole row, then the objective, then the gradients. `pipelined-rows`: row passes where the gradient
 * pass reads the stored rows only at its own element (one evaluation, one noise row, dL/dh absent or
 * of a `separable` objective), folded into the next sample's forward pass: element i of sample s − 1
 * is finished just before element i of sample s overwrites its row entries, so one loop per sample
 * does both (each element's sums still add the samples in order: the same numbers).
 */
export type LoopShape = 'one-pass' | 'pipelined-rows' | 'row-passes';

/** Whether the estimate loop of this cell can run in one pass per sample (see LoopShape). */
export function estimateLoopShape(request: CellRequest): LoopShape {
  const { estimator, problem, estimatorParams } = request;
  const evaluations = evaluationCount(estimator, estimatorParams);
  const drawsPerEvaluation = noiseRowsPerSample(estimator, estimatorParams) > 1;
  const elementwiseObjectiveGradient = !estimator.needs.objectiveGradient
    || (problem.objective.separable === true && objectiveGradientAtElement(problem.objective.gradient, 'objective gradient') !== null);
  // Each evaluation drawing its own row makes the draws evaluation-major: the forward pass must follow them.
  if (!estimator.needs.objective && elementwiseObjectiveGradient && !(drawsPerEvaluation && evaluations > 1)) return 'one-pass';
  return evaluations === 1 && !drawsPerEvaluation && elementwiseObjectiveGradient ? 'pipelined-rows' : 'row-passes';
}

/**
 * Generates the body of `function (Rng) { ... return { estimate, pilot, shape } }`: the cell's loops,
 * fused from the kernel functions' sources. The RNG state lives in locals and each element's noise is
 * drawn where it is used (in the stream's order: sample, evaluation row, element, then u before v);
 * parameters, `dim` and the evaluation index of single-evaluation estimators are literals, so V8
 * compiles each loop to straight-line code. Worker threads compile the same text, so in-thread and
 * threaded runs agree exactly.
 */
export function cpuLoopSource(request: CellRequest): string {
  const { estimator, problem } = request;
  const dim = problem.dim;
  const calls = estimatorKernelCalls(estimator, request.estimatorParams, dim);
  const objectiveCalls = objectiveKernelCalls(problem.objective, dim);
  const evaluations = evaluationCount(estimator, request.estimatorParams);
  const noiseRows = noiseRowsPerSample(estimator, request.estimatorParams);
  const [firstNoise, secondNoise] = estimator.noise;
  /** Sources the loops add (a rewritten objective gradient). */
  const extraSources: string[] = [];
  const kernelSources = [
    ...helperSources(estimator, problem.objective),
    ...[estimator.kernels.forward, estimator.kernels.gradient, estimator.kernels.baselineWeight].flatMap((fn, index) =>
      fn ? [namedFunctionSource(fn, `${estimator.id} ${['forward', 'gradient', 'baselineWeight'][index]}`).source] : []),
    namedFunctionSource(problem.objective.value, 'objective value').source,
    namedFunctionSource(problem.objective.gradient, 'objective gradient').source,
  ];

  // The evaluation index as generated code sees it: a literal up to unrolledEvaluations evaluations
  // (ARM's and DisARM's pairs; each body in its own block, in evaluation order, so the same sums), where
  // V8 then folds a kernel's branch on the evaluation and keeps each h row in a local.
  const forEachEvaluation = (count: number, body: (evaluation: string) => string) =>
    count === 1 ? body('0')
      : count <= unrolledEvaluations ? Array.from({ length: count }, (_, evaluation) => `{ ${body(String(evaluation))} }`).join(' ')
        : `for (let evaluation = 0; evaluation < ${count}; evaluation++) { ${body('evaluation')} }`;
  const evaluationLoop = (body: (evaluation: string) => string) => forEachEvaluation(evaluations, body);
  const hRowLocals = Math.min(evaluations, unrolledEvaluations);
  const hRow = (evaluation: string) => (/^\d+$/.test(evaluation) && Number(evaluation) < hRowLocals ? `hRow${evaluation}` : `hRows[${evaluation}]`);
  type KernelName = 'forward' | 'gradient' | 'baselineWeight';
  const kernelReads = (kernel: KernelName, argument: string) => {
    const fn = estimator.kernels[kernel];
    return fn !== undefined && kernelReadsArgument(fn, argument, `${estimator.id} ${kernel}`);
  };
  /** A kernel's element arguments; the logit and probability as 0 where its body never reads them (their loads are skipped). */
  const element = (kernel: KernelName, evaluation: string, u: string, v: string): ElementArguments => ({
    theta: kernelReads(kernel, 'theta') ? 'thetaI' : '0', probability: kernelReads(kernel, 'p') ? 'pI' : '0',
    u, v, evaluation, unit: 'i', step: 'step',
  });
  /** The gradient kernel's extra arguments, each as 0 where its body never reads it (no load, no objective gradient call). */
  const gradientArguments = (more: GradientArguments): GradientArguments =>
    Object.fromEntries(Object.entries(more).map(([name, expression]) => [name, kernelReads('gradient', name) ? expression : '0'])) as unknown as GradientArguments;
  /** Loads of the element's logit and probability, only where a kernel of the loop reads them (each costs a bounds check). */
  const elementHeader = (...kernels: KernelName[]) =>
    `${kernels.some((kernel) => kernelReads(kernel, 'theta')) ? 'const thetaI = logits[i];' : ''} ${kernels.some((kernel) => kernelReads(kernel, 'p')) ? 'const pI = probabilities[i];' : ''}`;
  const drawnU = firstNoise ? 'drawnU' : '0';
  const drawnV = secondNoise ? 'drawnV' : '0';
  const accumulate = (first: string, second: string) => `out[offset + i] += ${first}; out[offset + ${dim} + i] += ${second};`;
  // The objective kernels read one row of h directly where their bodies allow it (see objectiveKernelOnRow).
  const valueOnRow = objectiveKernelOnRow(problem.objective.value, 'objective value');
  const gradientOnRow = objectiveKernelOnRow(problem.objective.gradient, 'objective gradient');
  const onRowCalls = objectiveKernelCalls({ ...problem.objective, value: valueOnRow ?? problem.objective.value, gradient: gradientOnRow ?? problem.objective.gradient }, dim);
  const objectiveValue = (evaluation: string) =>
    (valueOnRow ? onRowCalls.value(hRow(evaluation), evaluation) : objectiveCalls.value('hRows', evaluation));
  const dLdh = (evaluation: string) => (!estimator.needs.objectiveGradient ? '0'
    : gradientOnRow ? onRowCalls.gradient(hRow(evaluation), evaluation, 'i') : objectiveCalls.gradient('hRows', evaluation, 'i'));
  // The separable objective's gradient rewritten to take the element's h itself (one-pass and pipelined loops).
  const atElement = estimator.needs.objectiveGradient ? objectiveGradientAtElement(problem.objective.gradient, 'objective gradient') : null;
  const elementCalls = atElement ? objectiveKernelCalls({ ...problem.objective, gradient: atElement }, dim) : null;
  const elementDLdh = (hName: string, evaluation: string) => (elementCalls ? elementCalls.gradient(hName, evaluation, 'i') : '0');

  /** One pass per sample: each element's estimate is complete before the next element's noise is drawn. */
  const onePassSample = () => {
    // h never leaves a register: the objective gradient takes the element's h itself.
    const evaluationTerm = (evaluation: string, hName: string) => ({
      head: `const ${hName} = ${calls.forward(element('forward', evaluation, drawnU, drawnV))};`,
      gradient: calls.gradient(element('gradient', evaluation, drawnU, drawnV), gradientArguments({
        h: hName, dLdh: elementDLdh(hName, evaluation),
        objective: '0', objectiveSum: '0', objectiveSquareSum: '0', baseline: 'baseline[i]',
      })),
    });
    const single = evaluationTerm('0', 'hValue0');
    const estimate = evaluations === 1
      ? `${single.head} const estimate = ${single.gradient};`
      : `let estimate = 0;
            ${evaluationLoop((evaluation) => { const term = evaluationTerm(evaluation, 'hValue'); return `${term.head} estimate += ${term.gradient};`; })}`;
    return elementLoopWithNoise(estimator.noise, dim, `
            ${elementHeader('forward', 'gradient')}
            ${estimate}
            ${accumulate('estimate', 'estimate * estimate')}`);
  };

  /**
   * The samples of a chunk (from `chunk * noiseChunkSamples` to `end`) in row passes: noise and
   * forward for every evaluation row (and the noise kept where a later kernel reads it), then the
   * objective values, then `perElement` for each element; `pipelined`: see LoopShape.
   */
  const rowPassesSample = (
    forwardEvaluations: number, withObjective: boolean, elementKernel: 'gradient' | 'baselineWeight', perElement: string, pipelined: boolean,
  ) => {
    const keepU = kernelReads(elementKernel, 'u');
    const keepV = kernelReads(elementKernel, 'v');
    const keep = (noiseIndex: string) =>
      `${keepU && firstNoise ? `noiseU[${noiseIndex}] = drawnU;` : ''} ${keepV && secondNoise ? `noiseV[${noiseIndex}] = drawnV;` : ''}`;
    const forwardInto = (evaluation: string) => `${hRow(evaluation)}[i] = ${calls.forward(element('forward', evaluation, drawnU, drawnV))};`;
    let forwardPass: string;
    if (noiseRows > 1) {
      // Each evaluation draws its own row: evaluation-major, as the stream is laid out.
      forwardPass = Array.from({ length: noiseRows }, (_, row) => elementLoopWithNoise(estimator.noise, dim, `
            ${keep(`${row * dim} + i`)}
            ${row < forwardEvaluations ? `${elementHeader('forward')} ${forwardInto(String(row))}` : ''}`)).join('\n');
    } else {
      const forwardAll = forEachEvaluation(forwardEvaluations, forwardInto);
      forwardPass = elementLoopWithNoise(estimator.noise, dim, `
            ${keep('i')}
            ${elementHeader('forward')} ${forwardAll}`);
    }
    const objectivePass = !withObjective ? ''
      : forwardEvaluations === 1 ? `const objective0 = ${objectiveValue('0')}; let objectiveSum = 0; objectiveSum += objective0; const objectiveSquareSum = objective0 * objective0;`
        : `let objectiveSum = 0, objectiveSquareSum = 0;
          ${forEachEvaluation(forwardEvaluations, (evaluation) => `objectives[${evaluation}] = ${objectiveValue(evaluation)}; objectiveSum += objectives[${evaluation}]; objectiveSquareSum += objectives[${evaluation}] * objectives[${evaluation}];`)}`;
    const elementPass = `for (let i = 0; i < ${dim}; i++) {
            ${elementHeader(elementKernel)}
            ${perElement}
          }`;
    if (!pipelined) return `for (let s = chunk * ${noiseChunkSamples}; s < end; s++) { ${forwardPass} ${objectivePass} ${elementPass} }`;
    // Pipelined (one evaluation, one noise row): the first sample's forward pass alone, then each
    // later sample's forward pass finishing the previous sample's element i before overwriting row
    // entry i, then the last sample's element pass. The objective values carry over in locals.
    const fusedPass = elementLoopWithNoise(estimator.noise, dim, `
            { ${elementHeader(elementKernel)} ${perElement} }
            { ${keep('i')} ${elementHeader('forward')} ${forwardInto('0')} }`);
    const objectiveUpdate = withObjective ? `objective0 = ${objectiveValue('0')}; objectiveSum = 0; objectiveSum += objective0; objectiveSquareSum = objective0 * objective0;` : '';
    return `if (chunk * ${noiseChunkSamples} < end) {
          let objective0 = 0, objectiveSum = 0, objectiveSquareSum = 0;
          ${forwardPass} ${objectiveUpdate}
          for (let s = chunk * ${noiseChunkSamples} + 1; s < end; s++) { ${fusedPass} ${objectiveUpdate} }
          ${elementPass}
        }`;
  };
  /** Element arguments in the per-element pass of the row passes: the noise as kept by the forward pass. */
  const storedElement = (kernel: KernelName, evaluation: string) => {
    const noiseIndex = noiseRows > 1 ? (evaluation === '0' ? 'i' : `${evaluation} * ${dim} + i`) : 'i';
    const kept = (noise: string | undefined, array: string, argument: string) =>
      (noise && kernelReads(kernel, argument) ? `${array}[${noiseIndex}]` : '0');
    return element(kernel, evaluation, kept(firstNoise, 'noiseU', 'u'), kept(secondNoise, 'noiseV', 'v'));
  };
  const objectiveOf = (evaluation: string) => (!estimator.needs.objective ? '0' : evaluations === 1 ? 'objective0' : `objectives[${evaluation}]`);
  const shape = estimateLoopShape(request);
  const gradientTerm = (evaluation: string) => calls.gradient(storedElement('gradient', evaluation), gradientArguments({
    h: `${hRow(evaluation)}[i]`, dLdh: shape === 'pipelined-rows' ? elementDLdh('hRow0[i]', evaluation) : dLdh(evaluation), objective: objectiveOf(evaluation),
    objectiveSum: estimator.needs.objective ? 'objectiveSum' : '0', objectiveSquareSum: estimator.needs.objective ? 'objectiveSquareSum' : '0', baseline: 'baseline[i]',
  }));
  // One evaluation: the term itself rather than 0 + term (V8 cannot drop the addition, which might
  // turn −0 into 0; the sums come out the same either way).
  const rowPassesEstimate = () => rowPassesSample(evaluations, estimator.needs.objective, 'gradient', `
            ${evaluations === 1 ? `const estimate = ${gradientTerm('0')};`
              : `let estimate = 0; ${evaluationLoop((evaluation) => `estimate += ${gradientTerm(evaluation)};`)}`}
            ${accumulate('estimate', 'estimate * estimate')}`, shape === 'pipelined-rows');
  // The pilot needs evaluation 0 only, but draws every row so that the stream stays in step.
  // Pipelined when there is one noise row: the weight reads the rows only at its element.
  const pilotSample = () => rowPassesSample(1, true, 'baselineWeight', `
            const weight = ${calls.baselineWeight(storedElement('baselineWeight', '0'), 'hRow0[i]')};
            ${accumulate('weight * objective0', 'weight')}`, noiseRows === 1);

  /** A loop's function: `samples` runs the samples of one chunk (see rowPassesSample). */
  const chunkLoop = (name: string, samples: string) => `
    function ${name}(logits, probabilities, baseline, seeds, firstChunk, endChunk, count, out, step) {
      ${Array.from({ length: hRowLocals }, (_, evaluation) => `const hRow${evaluation} = hRows[${evaluation}];`).join(' ')}
      for (let chunk = firstChunk; chunk < endChunk; chunk++) {
        ${rngStateDeclaration('seeds[chunk]')}
        const offset = chunk * ${chunkStride(dim)};
        const end = Math.min(count, (chunk + 1) * ${noiseChunkSamples});
        ${samples}
      }
    }`;
  if (atElement) extraSources.push(namedFunctionSource(atElement, 'objective gradient').source);
  const estimateLoop = chunkLoop('estimate', shape === 'one-pass'
    ? `for (let s = chunk * ${noiseChunkSamples}; s < end; s++) { ${onePassSample()} }` : rowPassesEstimate());
  for (const rewritten of [valueOnRow, gradientOnRow]) if (rewritten) extraSources.push(namedFunctionSource(rewritten, 'objective kernel').source);
  const pilotLoop = estimator.kernels.baselineWeight ? chunkLoop('pilot', pilotSample()) : 'const pilot = null;';
  return `"use strict";
    ${[...kernelSources, ...extraSources].join('\n')}
    ${rngConstants(estimator.noise)}
    const noiseU = new Float64Array(${noiseRows * dim});
    const noiseV = new Float64Array(${noiseRows * dim});
    const hRows = [];
    for (let evaluation = 0; evaluation < ${evaluations}; evaluation++) hRows.push(new Float64Array(${dim}));
    const objectives = new Float64Array(${evaluations});
    ${estimateLoop}
    ${pilotLoop}
    return { estimate, pilot, shape: '${shape}' };`;
}

/** Compiles the loops in this thread. */
export function compileCpuLoops(source: string, rngClass: typeof Rng): CompiledLoops {
  return new Function('Rng', source)(rngClass) as CompiledLoops;
}
