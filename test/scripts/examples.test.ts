/**
 * The plug-in examples of docs/extending.md run as shown and compute what their comments say: the
 * JavaScript suite's closed-form gradient and loss against enumeration of all 2^D states, and the
 * unbiased estimators (the example REINFORCE among them) against that gradient, through the CLI.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { gradientScores, type BenchResults } from '../../core/types.js';
import { runCli } from '../support/run-cli.js';

const outDir = mkdtempSync(join(tmpdir(), 'estibench-examples-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** E[f] by enumerating every state of D independent Bernoulli(sigmoid(theta)) units. */
function enumeratedLoss(logits: readonly number[], target: number): number {
  const dim = logits.length;
  const p = logits.map((theta) => 1 / (1 + Math.exp(-theta)));
  let expectation = 0;
  for (let state = 0; state < 1 << dim; state++) {
    let probability = 1;
    let sum = 0;
    for (let unit = 0; unit < dim; unit++) {
      const bit = (state >> unit) & 1;
      probability *= bit ? p[unit] : 1 - p[unit];
      sum += bit * ((unit + 1) / dim);
    }
    expectation += probability * (sum - target) ** 2;
  }
  return expectation;
}

describe('examples/plugins', () => {
  it('the weighted-sum suite: closed-form loss and gradient equal enumeration and its central differences', async () => {
    const { weightedSum } = await import(pathToFileURL(resolve('examples/plugins/weighted-sum-suite.js')).href);
    const target = 1.7;
    const problem = weightedSum.create({ dim: 6, target });
    const logits = Array.from(problem.initialLogits as Float64Array);
    expect(problem.exactLoss(problem.initialLogits)).toBeCloseTo(enumeratedLoss(logits, target), 12);
    const gradient = problem.exactGradient(problem.initialLogits) as Float64Array;
    const step = 1e-5;
    logits.forEach((_, unit) => {
      const shifted = (delta: number) => enumeratedLoss(logits.map((theta, index) => (index === unit ? theta + delta : theta)), target);
      expect(gradient[unit]).toBeCloseTo((shifted(step) - shifted(-step)) / (2 * step), 7);
    });
  });

  it('runs through the CLI: unbiased estimators, the REINFORCE plug-in included, are within noise of the exact gradient', () => {
    const run = runCli('bench', [
      '--plugin', 'examples/plugins/weighted-sum-suite.js,examples/plugins/reinforce.js', '--suite', 'weighted-sum',
      '--estimator', 'reinforce,bengio-unbiased,arm,disarm,ste-identity', '--backend', 'cpu',
      '--samples', '20000', '--steps', '0', '--timing-iterations', '0', '--no-report', '--out', outDir,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const results: BenchResults = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8'));
    expect(results.cells).toHaveLength(5);
    for (const cell of results.cells) {
      expect(cell.state, cell.estimator).toBe('completed');
      if (cell.state !== 'completed') continue;
      const scores = gradientScores(cell.metrics)!;
      expect(scores.referenceKind).toBe('closed-form');
      // bias is the norm of D noisy entries: about biasStdErr when unbiased; the biased STE is far beyond.
      if (cell.estimator === 'ste-identity') expect(scores.bias).toBeGreaterThan(20 * scores.biasStdErr);
      else expect(scores.bias, cell.estimator).toBeLessThan(3 * scores.biasStdErr);
    }
  });
});
