/**
 * report.md and summary.md on a crafted results file with ties: they name a Pareto set per suite and
 * never call a difference that is within noise.
 *
 * test/fixtures/results-ties.json holds real cells (a default CPU run: bernoulli-toy, categorical-toy;
 * mnist-binary-vae: disarm, ste-identity, reinforce-loo; mnist-quantized-mlp after 20 steps), numbers
 * rounded to 5 digits and curves thinned, with these changes: every bernoulli-toy cell again as a `gpu`
 * backend (times × 7.5; gumbel-softmax's variance × 1.5 there, a difference beyond noise; its
 * multiplicative-noise errored with a comma and quotes in the message), and four ties made on
 * bernoulli-toy: stochastic-times-smooth's MSE within noise of reinforce-loo's, its final loss within
 * noise of reinforce-loo's, disarm's variance × 2 evaluations within noise of bengio-unbiased's variance
 * (its bias deviations shrunk with it, so the bias test sees the same z-scores), and ste-identity's CPU
 * time within noise of ste-sigmoid's. The test checks that the ties are there before reading the reports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResults } from '../../harness/results-file.js';
import type { BenchResults, CellResult } from '../../core/types.js';
import { planCharts } from '../../reports/charts/index.js';
import { renderConsoleTable } from '../../reports/console-table.js';
import { renderMarkdownReport } from '../../reports/markdown.js';
import { renderSummary } from '../../reports/summary.js';

const results = parseResults(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'results-ties.json'), 'utf8'), 'results-ties.json');
const report = renderMarkdownReport(results);
const summary = renderSummary(results);

type Metrics = Record<string, number>;
function metricsOf(suite: string, estimator: string, backend = 'cpu'): Metrics {
  const cell = results.cells.find((candidate) => candidate.suite === suite && candidate.estimator === estimator && candidate.backend === backend) as CellResult & { metrics: Metrics };
  return cell.metrics;
}

/** Standard errors as docs/reports.md defines them, written out here. */
const N = 20000;
const varianceError = (m: Metrics) => m.variance * Math.sqrt(2 / (N - 1));
const mseError = (m: Metrics) => Math.sqrt(varianceError(m) ** 2 + (2 * m.bias * m.biasStdErr) ** 2);
const medianError = (m: Metrics) => (1.2533 * 1.4826 * m.nsPerEstimateMad) / Math.sqrt(m.timedBatches);
const within = (a: number, sa: number, b: number, sb: number) => Math.abs(a - b) <= 2 * Math.hypot(sa, sb);

/** The section of a Markdown document about one suite, up to the next suite's heading. */
function section(text: string, suite: string): string {
  const start = text.indexOf(`### ${suite}`);
  const end = text.indexOf('\n### ', start + 4);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The neighbours of every ranking line: `[label, value, stdErr]` pairs with the symbol between them. */
function rankingPairs(text: string): Array<{ line: string; left: number[]; right: number[]; symbol: string }> {
  const pairs: Array<{ line: string; left: number[]; right: number[]; symbol: string }> = [];
  for (const line of text.split('\n').filter((candidate) => candidate.startsWith('- **'))) {
    const body = line.slice(line.indexOf('**:') + 3).replace(/ _\(.*\)_$/, '');
    const items = [...body.matchAll(/(^|[<>≈·]) ?([\w.=-]+(?: [\w.=-]+)*?) (-?[\d.]+(?:e[-+]?\d+)?)(?: ± ([\d.]+(?:e[-+]?\d+)?))?/g)];
    for (let index = 1; index < items.length; index++) {
      const [left, right] = [items[index - 1], items[index]];
      pairs.push({ line, symbol: right[1], left: [Number(left[3]), Number(left[4] ?? Number.NaN)], right: [Number(right[3]), Number(right[4] ?? Number.NaN)] });
    }
  }
  return pairs;
}

describe('the crafted ties are there', () => {
  it('in MSE, final loss, variance at equal evaluations and time', () => {
    const [loo, sts] = [metricsOf('bernoulli-toy', 'reinforce-loo'), metricsOf('bernoulli-toy', 'stochastic-times-smooth')];
    expect(within(loo.mse, mseError(loo), sts.mse, mseError(sts))).toBe(true);
    expect(within(loo.finalLoss, loo.finalLossStdErr, sts.finalLoss, sts.finalLossStdErr)).toBe(true);
    const [disarm, bengio] = [metricsOf('bernoulli-toy', 'disarm'), metricsOf('bernoulli-toy', 'bengio-unbiased')];
    expect(within(2 * disarm.variance, 2 * varianceError(disarm), bengio.variance, varianceError(bengio))).toBe(true);
    const [identity, sigmoid] = [metricsOf('bernoulli-toy', 'ste-identity'), metricsOf('bernoulli-toy', 'ste-sigmoid')];
    expect(within(identity.nsPerEstimate, medianError(identity), sigmoid.nsPerEstimate, medianError(sigmoid))).toBe(true);
  });
});

describe.each([['report.md', report], ['summary.md', summary]])('%s', (_, text) => {
  it('never calls a difference within noise, and calls the ties ties', () => {
    const pairs = rankingPairs(text);
    expect(pairs.length).toBeGreaterThan(50);
    for (const { line, left, right, symbol } of pairs) {
      // Displayed numbers have 3 digits (errors 2): a margin of 10% keeps rounding from deciding.
      const threshold = 2 * Math.hypot(left[1], right[1]);
      const difference = Math.abs(left[0] - right[0]);
      if (symbol === '<' || symbol === '>') expect(difference, line).toBeGreaterThan(0.9 * threshold);
      if (symbol === '≈') expect(difference, line).toBeLessThanOrEqual(1.1 * threshold);
    }
    const toy = section(text, 'bernoulli-toy');
    expect(toy).toMatch(/\*\*lowest MSE per estimate\*\*: reinforce-loo [\d.e± -]+ ≈ stochastic-times-smooth/);
    expect(toy).toMatch(/bengio-unbiased [\d.e± -]+ \(1 eval\.\) ≈ disarm [\d.e± -]+ \(2 eval\.\)/);
    expect(toy).toMatch(/\*\*fastest on cpu:fused-js \(time per estimate\)\*\*: ste-sigmoid [\d.e± -]+ µs ≈ ste-identity/);
    expect(toy).toContain('the best final loss: reinforce-loo 3.2684 ± 5.7e-4, tied within noise with stochastic-times-smooth');
    expect(toy).toContain('The best biased estimator, stochastic-times-smooth (biased, relative bias 2.07), ties with the best unbiased one, reinforce-loo');
    expect(toy).toContain('At equal variance, bengio-unbiased and disarm tie for the fewest objective evaluations');
  });

  it('names a Pareto set per suite with a reference gradient, ties kept in it', () => {
    for (const suite of ['bernoulli-toy', 'categorical-toy', 'mnist-binary-vae']) expect(section(text, suite), suite).toContain('Pareto set over (MSE, objective evaluations per estimate)');
    const toy = section(text, 'bernoulli-toy');
    // stochastic-times-smooth and reinforce-loo tie in time and in MSE on the CPU: neither dominates, both stay.
    const cpuSet = toy.match(/Pareto set over \(MSE, time per estimate on cpu:fused-js\): ([^.]*(?:\.\d[^.]*)*)\./)![1];
    expect(cpuSet).toContain('stochastic-times-smooth');
    expect(cpuSet).toContain('reinforce-loo');
    expect(section(text, 'mnist-quantized-mlp')).not.toContain('Pareto set');
  });

  it('flags final-loss winners that are biased, after the steps they trained', () => {
    expect(section(text, 'mnist-binary-vae')).toMatch(/\*\*lowest final loss after 200 steps\*\*: ste-identity [\d.e± -]+ \(biased\).*the best, ste-identity, is biased, relative bias 4.11/);
    expect(section(text, 'mnist-quantized-mlp')).toMatch(/\*\*highest test accuracy after 20 steps\*\*: ste-clipped-relu 73.45 ± 0.13% \(biased\) > ste-identity 55.3 ± 2% \(biased\) ≈ ste-hardtanh/);
  });
});

describe('backends and units', () => {
  it('fold agreeing backends into one row, with a row for the one that differs and a speed column per backend', () => {
    const toy = section(report, 'bernoulli-toy');
    expect(toy).toMatch(/\| ste-sigmoid \| cpu:fused-js, gpu:headlessgl \|/);
    expect(toy).toMatch(/\| gumbel-softmax \| gpu:headlessgl \(differs: variance\) \|/);
    expect(toy).toContain('ns/estimate ± MAD cpu:fused-js | ns/estimate ± MAD gpu:headlessgl');
    expect(toy).toContain('Backends disagree beyond noise for gumbel-softmax (gpu: variance)');
    const table = renderConsoleTable(results).split('\n');
    expect(table.filter((line) => /^bernoulli-toy\s+ste-sigmoid /.test(line))).toHaveLength(1);
    expect(table.filter((line) => /^bernoulli-toy\s+gumbel-softmax /.test(line))).toHaveLength(2);
  });

  it('show network metrics in their units, accuracy in percent everywhere', () => {
    const table = renderConsoleTable(results);
    expect(table).toMatch(/mnist-quantized-mlp\s+ste-clipped-relu\s+cpu:fused-js\s+-.*\s73\.5%/);
    expect(table).toMatch(/mnist-binary-vae\s+reinforce-loo .*\s204 nats/);
    expect(section(report, 'mnist-quantized-mlp')).toContain('| 73.45 ± 0.13% |');
    expect(report).not.toMatch(/\b0\.735\b/);
  });

  it('draw the Pareto charts from the same sets: filled markers are the members', () => {
    const specs = planCharts(results).find(({ definition }) => definition.id === 'pareto')!.specs;
    expect(specs.map((spec) => spec.file)).toEqual([
      'pareto-evaluations-bernoulli-toy.png', 'pareto-time-cpu-bernoulli-toy.png', 'pareto-time-gpu-bernoulli-toy.png',
      'pareto-evaluations-categorical-toy.png', 'pareto-time-categorical-toy.png', 'pareto-evaluations-mnist-binary-vae.png',
    ]);
    const cpu = specs[1];
    const filled = (cpu.configuration.data.datasets as Array<{ label: string; backgroundColor: string }>)
      .filter((dataset) => dataset.label !== 'Pareto front' && dataset.backgroundColor !== '#ffffff').map((dataset) => dataset.label);
    const named = section(report, 'bernoulli-toy').match(/Pareto set over \(MSE, time per estimate on cpu:fused-js\): ([^.]*(?:\.\d[^.]*)*)\./)![1];
    for (const label of filled) expect(named).toContain(`${label} (`);
    expect(filled.length).toBe(named.split(' µs, MSE').length - 1);
    expect(cpu.caption).toContain('Pareto set over (MSE, time per estimate on cpu:fused-js)');
  });
});

describe('results of other shapes', () => {
  it('a file where a whole suite lacks gradient scores still gets its training verdict', () => {
    const mlpOnly: BenchResults = { ...results, config: { ...results.config, suites: ['mnist-quantized-mlp'] }, cells: results.cells.filter((cell) => cell.suite === 'mnist-quantized-mlp') };
    expect(renderSummary(mlpOnly)).toContain('After 20 steps, the best test accuracy: ste-clipped-relu 73.45 ± 0.13% (biased).');
  });
});
