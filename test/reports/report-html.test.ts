/**
 * report.html in a real browser: headless Chromium opens the page from disk with the network cut off,
 * and the test checks that every chart rendered, that hovering shows a point's value, that legend,
 * filters and sorting work, and keeps a screenshot in test-artifacts/report-html/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../core/types.js';
import { pageData, renderReportHtml } from '../../reports/html/report-html.js';
import { chromiumAvailable, chromiumPath, openBrowserPage, type BrowserPage } from '../support/chromium.js';
import { fixtureResults, manyEstimatorResults } from '../support/many-estimators.js';

const artifacts = resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'report-html');

interface Rendered { charts: number; blank: string[]; canvases: number }

async function openReport(page: BrowserPage, results: BenchResults, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, `${name}.html`);
  writeFileSync(path, await renderReportHtml(results));
  await page.send('Page.navigate', { url: pathToFileURL(path).href });
  for (let tries = 0; tries < 200; tries++) {
    if (await page.evaluate<boolean>('Boolean(window.estibench && window.estibench.ready)')) return;
    await new Promise((wake) => setTimeout(wake, 100));
  }
  throw new Error(`report.html did not finish drawing: ${JSON.stringify(page.events.filter((event) => event.method === 'Runtime.exceptionThrown'))}`);
}

/** Every canvas and the share of its pixels that are not white or transparent. */
const renderedScript = `(() => {
  const blank = [];
  const canvases = [...document.querySelectorAll('figure canvas')];
  for (const canvas of canvases) {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let offset = 0; offset < data.length; offset += 4) if (data[offset + 3] > 0 && data[offset] + data[offset + 1] + data[offset + 2] < 3 * 235) ink++;
    if (ink / (data.length / 4) < 0.005) blank.push(canvas.getAttribute('aria-label'));
  }
  return { charts: window.estibench.charts.length, canvases: canvases.length, blank };
})()`;

/** Page coordinates of a chart's element (a point, or the middle of a bar), scrolled into view. */
async function elementPosition(page: BrowserPage, chart: number, dataset: number, index: number): Promise<{ x: number; y: number }> {
  return page.evaluate(`(() => {
    const chart = window.estibench.charts[${chart}];
    chart.canvas.scrollIntoView({ block: 'center' });
    const element = chart.getDatasetMeta(${dataset}).data[${index}];
    const box = chart.canvas.getBoundingClientRect();
    const x = element.base !== undefined && chart.options.indexAxis === 'y' ? (element.x + element.base) / 2 : element.x;
    return { x: box.left + x, y: box.top + element.y };
  })()`);
}

async function hover(page: BrowserPage, position: { x: number; y: number }): Promise<string> {
  await page.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: position.x, y: position.y });
  await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
  return page.evaluate<string>(`(() => { const tip = document.getElementById('tooltip'); return tip.hidden ? '' : tip.innerText; })()`);
}

async function click(page: BrowserPage, position: { x: number; y: number }): Promise<void> {
  for (const type of ['mousePressed', 'mouseReleased']) await page.send('Input.dispatchMouseEvent', { type, x: position.x, y: position.y, button: 'left', clickCount: 1 });
  // Chart.js handles the click in its event loop: let two frames pass before reading the state.
  await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
}

async function screenshot(page: BrowserPage, name: string): Promise<void> {
  const metrics = await page.send<{ cssContentSize: { width: number; height: number } }>('Page.getLayoutMetrics');
  await page.evaluate('window.scrollTo(0, 0)');
  await page.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: Math.min(Math.ceil(metrics.cssContentSize.height), 16000), deviceScaleFactor: 1, mobile: false });
  const { data } = await page.send<{ data: string }>('Page.captureScreenshot', { format: 'png' });
  writeFileSync(join(artifacts, `${name}.png`), Buffer.from(data, 'base64'));
  await page.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
}

const available = chromiumAvailable();
if (!available) {
  describe('report.html in headless Chromium', () => {
    it.skip(`skipped: no Chromium at ${chromiumPath} (install it with bash scripts/install-system-deps.sh, or set CHROMIUM_PATH)`, () => undefined);
  });
}

describe.runIf(available)('report.html in headless Chromium', () => {
  let page: BrowserPage;
  beforeAll(async () => {
    page = await openBrowserPage();
    await page.send('Runtime.enable');
    await page.send('Network.enable');
    await page.send('Page.enable');
  });
  afterAll(async () => { await page?.close(); });

  for (const [name, make] of [['fixture', fixtureResults], ['24-estimators', manyEstimatorResults]] as const) {
    it(`draws every chart of the PNG set (${name}), with no network request and no script error`, async () => {
      const results = make();
      await openReport(page, results, `report-${name}`);
      const rendered = await page.evaluate<Rendered>(renderedScript);
      const expected = pageData(results).charts.length;
      expect(expected).toBeGreaterThan(3);
      expect(rendered).toEqual({ charts: expected, canvases: expected, blank: [] });
      const requests = page.events.filter((event) => event.method === 'Network.requestWillBeSent')
        .map((event) => String((event.params.request as { url: string }).url)).filter((url) => !url.startsWith('file:') && !url.startsWith('data:'));
      expect(requests).toEqual([]);
      expect(page.events.filter((event) => event.method === 'Runtime.exceptionThrown')).toEqual([]);
      await screenshot(page, `report-${name}`);
    });
  }

  it('shows a hovered point\'s value ± standard error and its cell\'s parameters', async () => {
    const results = manyEstimatorResults();
    await openReport(page, results, 'report-24-estimators');
    const charts = pageData(results).charts;
    const scatter = charts.findIndex((chart) => chart.file.startsWith('bias-variance'));
    const first = (charts[scatter].configuration.data.datasets[0].data[0] as unknown as { tip: string[] }).tip;
    expect(first[0]).toMatch(/^bias [\d.e-]+ ± [\d.e-]+$/);
    const text = await hover(page, await elementPosition(page, scatter, 0, 0));
    for (const line of first) expect(text).toContain(line);
    expect(text).toContain('suite: bernoulli-toy');

    const speed = charts.findIndex((chart) => chart.file.startsWith('speed'));
    const speedText = await hover(page, await elementPosition(page, speed, 1, 5));
    expect(speedText).toContain('gpu: software rasteriser');
    expect(speedText).toMatch(/median [\d.,]+ ns per estimate/);
    expect(speedText).toContain('estimator: plugin-06');
  });

  it('hides an estimator when its legend entry is clicked', async () => {
    const charts = pageData(manyEstimatorResults()).charts;
    const scatter = charts.findIndex((chart) => chart.file.startsWith('bias-variance'));
    const entry = await page.evaluate<{ x: number; y: number }>(`(() => {
      const chart = window.estibench.charts[${scatter}];
      chart.canvas.scrollIntoView({ block: 'center' });
      const box = chart.canvas.getBoundingClientRect();
      const hit = chart.legend.legendHitBoxes[2];
      return { x: box.left + hit.left + hit.width / 2, y: box.top + hit.top + hit.height / 2 };
    })()`);
    await click(page, entry);
    expect(await page.evaluate(`window.estibench.charts[${scatter}].isDatasetVisible(2)`)).toBe(false);
    expect(await page.evaluate(`window.estibench.charts[${scatter}].isDatasetVisible(1)`)).toBe(true);
  });

  it('filters by backend and sorts a table by a column', async () => {
    const charts = pageData(manyEstimatorResults()).charts;
    const speed = charts.findIndex((chart) => chart.file.startsWith('speed'));
    await page.evaluate(`(() => { const box = document.getElementById('filter-backend-gpu'); box.click(); })()`);
    expect(await page.evaluate(`window.estibench.charts[${speed}].isDatasetVisible(1)`)).toBe(false);
    expect(await page.evaluate(`window.estibench.charts[${speed}].isDatasetVisible(0)`)).toBe(true);
    expect(await page.evaluate(`[...document.querySelectorAll('tbody tr')].filter((row) => !row.hidden).map((row) => row.dataset.backend).every((backend) => backend === 'cpu')`)).toBe(true);
    const sorted = await page.evaluate<number[]>(`(() => {
      const head = [...document.querySelectorAll('th')].find((th) => th.textContent === 'bias ± SE');
      head.click();
      const column = [...head.parentElement.children].indexOf(head);
      return [...head.closest('table').querySelectorAll('tbody tr')].map((row) => Number(row.children[column].dataset.value));
    })()`);
    expect(sorted.length).toBe(48);
    expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
    expect(sorted[0]).toBeLessThan(sorted[sorted.length - 1]);
  });
});
