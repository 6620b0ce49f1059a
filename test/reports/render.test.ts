import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseResults } from '../../harness/results-file.js';
import { chartPixels, chartsReporter, planCharts } from '../../reports/charts/index.js';
import { chartScale, chartSize } from '../../reports/charts/render.js';
import { createMarkdownReporter, renderMarkdownReport } from '../../reports/markdown.js';
import { createSummaryReporter } from '../../reports/summary.js';

/** A small fixed run (cpu, 2000 samples, both sweeps): charts from it are reproducible. */
const fixture = parseResults(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'results.json'), 'utf8'), 'fixture');

/** Share of pixels that are not (near) white, on a 1/4-size copy, and whether the top-left corner is white. */
async function inkShare(path: string): Promise<{ ink: number; whiteCorner: boolean }> {
  const image = await loadImage(path);
  const canvas = createCanvas(Math.round(image.width / 4), Math.round(image.height / 4));
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  let ink = 0;
  for (let offset = 0; offset < data.length; offset += 4) if (data[offset] + data[offset + 1] + data[offset + 2] < 3 * 235) ink++;
  return { ink: ink / (data.length / 4), whiteCorner: data[0] === 255 && data[1] === 255 && data[2] === 255 && data[3] === 255 };
}

describe('charts and report.md from a fixed results.json', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'estibench-report-'));
  let written: string[] = [];
  beforeAll(async () => {
    written = await chartsReporter.report(fixture, outDir);
    written.push(...(await createMarkdownReporter().report(fixture, outDir)));
  });

  it('draws every chart kind, the sweeps included', () => {
    const files = planCharts(fixture).flatMap(({ specs }) => specs.map((spec) => spec.file));
    expect(files).toEqual([
      'bias-variance-bernoulli-toy.png', 'logit-variance.png', 'logit-bias.png', 'training-bernoulli-toy.png',
      'speed-bernoulli-toy.png', 'scaling-samples.png', 'scaling-dim.png', 'pareto-time-bernoulli-toy.png',
    ]);
    // Every estimator of the fixture takes one objective evaluation: variance at equal cost would repeat variance.
    const varianceCost = planCharts(fixture).find(({ definition }) => definition.id === 'variance-cost')!;
    expect(varianceCost.skipped).toEqual([expect.stringMatching(/^variance-cost-bernoulli-toy\.png: not drawn, every estimator .* takes 1 objective evaluation per estimate/)]);
    expect(readdirSync(outDir).filter((name) => name.endsWith('.png')).sort()).toEqual([...files].sort());
  });

  it('writes each chart as a PNG of the declared size, with a white background, not blank', async () => {
    const pngs = written.filter((path) => path.endsWith('.png'));
    expect(pngs.length).toBeGreaterThan(0);
    for (const path of pngs) {
      const bytes = readFileSync(path);
      expect(bytes.subarray(0, 8).toString('hex'), path).toBe('89504e470d0a1a0a');
      expect(bytes.subarray(12, 16).toString('ascii'), path).toBe('IHDR');
      const spec = planCharts(fixture).flatMap(({ specs }) => specs).find((candidate) => path.endsWith(candidate.file))!;
      expect({ width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }, path).toEqual({ width: chartPixels.width, height: (spec.height ?? chartSize.height) * chartScale });
      expect(bytes.readUInt32BE(20), path).toBeGreaterThanOrEqual(chartPixels.height);
      expect(chartPixels.width).toBeGreaterThanOrEqual(1200);
      const { ink, whiteCorner } = await inkShare(path);
      expect(ink, path).toBeGreaterThan(0.01); // something is drawn
      expect(ink, path).toBeLessThan(0.6);
      expect(whiteCorner, path).toBe(true); // an opaque white background, not a transparent one
    }
  });

  it('links every chart from report.md, with the environment, tables and ranking', () => {
    const report = readFileSync(join(outDir, 'report.md'), 'utf8');
    const linked = [...report.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((match) => match[1]);
    const pngs = readdirSync(outDir).filter((name) => name.endsWith('.png'));
    expect([...linked].sort()).toEqual([...pngs].sort());
    expect(report).toContain(fixture.env.node);
    expect(report).toMatch(/\| bias ± SE \|/);
    for (const title of ['lowest MSE per estimate', 'fastest (time per estimate)', 'lowest final loss after 20 steps']) expect(report).toContain(`**${title}**`);
    expect(report).toContain('Pareto set over (MSE, time per estimate)');
    for (const cell of fixture.cells) expect(report).toContain(`| ${cell.estimator} |`);
  });

  it('says how to get the sweep charts when results have no sweeps', () => {
    const { sweeps: _sweeps, scaling: _scaling, ...withoutSweeps } = fixture;
    const report = renderMarkdownReport(withoutSweeps);
    expect(report).toContain('--sweep logit');
    expect(report).toContain('--sweep scaling');
    expect(report).not.toContain('logit-variance.png');
    expect(report).toContain('bias-variance-bernoulli-toy.png');
  });

  it('writes summary.md and appends it to $GITHUB_STEP_SUMMARY when set', async () => {
    const stepSummary = join(outDir, 'step-summary.md');
    await createSummaryReporter([], { GITHUB_STEP_SUMMARY: stepSummary }).report(fixture, outDir);
    const summary = readFileSync(join(outDir, 'summary.md'), 'utf8');
    expect(readFileSync(stepSummary, 'utf8')).toBe(summary);
    expect(summary).toContain('**lowest MSE per estimate**');
    expect(summary).toContain('### bernoulli-toy');
  });
});
