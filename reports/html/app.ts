/**
 * The browser side of report.html: draws every chart with Chart.js, shows a hovered point's value and
 * parameters, filters by suite, node kind and backend, and sorts the tables. Its source text is inlined
 * in the page, so it uses nothing outside its body; the page passes what it needs.
 */
import type { Chart, ChartConfiguration } from 'chart.js';
import type { ChartRuntime } from '../charts/runtime.js';
import type { ScoreTable } from './tables.js';

/** One chart as the page gets it (the chart plan's spec and the title of its kind). */
export interface PageChart {
  readonly kind: string;
  readonly file: string;
  readonly title: string;
  readonly caption: string;
  readonly height?: number;
  readonly suite?: string;
  readonly nodeKind?: string;
  readonly configuration: ChartConfiguration;
}

/** Everything the page shows, inlined as JSON. */
export interface PageData {
  readonly charts: readonly PageChart[];
  readonly skipped: readonly string[];
  readonly tables: readonly ScoreTable[];
  readonly suites: readonly string[];
  readonly nodeKinds: readonly string[];
  readonly backends: readonly string[];
  readonly width: number;
  readonly defaultHeight: number;
  readonly fontFamily: string;
}

/** What the page exposes on `window.estibench` once drawn (the browser test reads it). */
export interface PageState {
  readonly charts: Chart[];
  readonly ready: true;
}

/** Builds the page inside `root`. */
export function estibenchApp(runtime: ChartRuntime, data: PageData, ChartClass: new (canvas: HTMLCanvasElement, configuration: ChartConfiguration) => Chart, root: HTMLElement): PageState {
  const element = <K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  (ChartClass as unknown as { defaults: { font: { family: string }; color: string } }).defaults.font.family = data.fontFamily;
  (ChartClass as unknown as { defaults: { font: { family: string }; color: string } }).defaults.color = '#222';

  // Filters.
  const filters = element('form', { class: 'filters', id: 'filters' });
  const select = (id: string, label: string, values: readonly string[]) => {
    const wrapper = element('label', {}, `${label} `);
    const control = element('select', { id });
    control.append(element('option', { value: '' }, 'all'), ...values.map((value) => element('option', { value }, value)));
    wrapper.append(control);
    filters.append(wrapper);
    return control;
  };
  const suiteFilter = select('filter-suite', 'suite', data.suites);
  const kindFilter = select('filter-node-kind', 'node kind', data.nodeKinds);
  const backendBoxes = data.backends.map((backend) => {
    const wrapper = element('label', { class: 'backend' });
    const box = element('input', { type: 'checkbox', value: backend, id: `filter-backend-${backend}` });
    box.checked = true;
    wrapper.append(box, ` ${backend}`);
    filters.append(wrapper);
    return box;
  });
  root.append(filters);

  // Tables, sortable by a click on a column head.
  const tableSections: Array<{ section: HTMLElement; table: ScoreTable; body: HTMLTableSectionElement; rows: HTMLTableRowElement[] }> = [];
  const tablesHeading = element('h2', {}, 'Scores');
  root.append(tablesHeading);
  for (const table of data.tables) {
    const section = element('section', { class: 'score-table' });
    section.append(element('h3', {}, table.title));
    const node = element('table', { class: 'sortable' });
    const head = element('tr');
    const body = element('tbody');
    const rows = table.rows.map((row) => {
      const tr = element('tr', { 'data-backend': row.backend });
      for (const entry of row.entries) {
        const td = element('td', entry.value !== undefined ? { 'data-value': String(entry.value), class: 'number' } : {}, entry.text);
        tr.append(td);
      }
      return tr;
    });
    table.columns.forEach((column, columnIndex) => {
      const th = element('th', { scope: 'col', 'aria-sort': 'none', title: 'click to sort' }, column);
      th.addEventListener('click', () => {
        const ascending = th.getAttribute('aria-sort') !== 'ascending';
        for (const other of head.children) other.setAttribute('aria-sort', 'none');
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        const key = (tr: HTMLTableRowElement) => {
          const cell = tr.children[columnIndex] as HTMLElement;
          return cell.dataset.value !== undefined ? Number(cell.dataset.value) : cell.textContent ?? '';
        };
        const sorted = [...rows].sort((left, right) => {
          const [a, b] = [key(left), key(right)];
          const order = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
          return ascending ? order : -order;
        });
        body.append(...sorted);
      });
      head.append(th);
    });
    body.append(...rows);
    node.append(element('thead'), body);
    node.tHead!.append(head);
    section.append(node);
    root.append(section);
    tableSections.push({ section, table, body, rows });
  }

  // Charts.
  const tooltip = element('div', { id: 'tooltip', role: 'status', hidden: '' });
  document.body.append(tooltip);
  root.append(element('h2', {}, 'Charts'));
  const figures: Array<{ figure: HTMLElement; spec: PageChart; chart: Chart }> = [];
  let currentKind = '';
  for (const spec of data.charts) {
    if (spec.kind !== currentKind) { root.append(element('h3', {}, spec.kind)); currentKind = spec.kind; }
    const figure = element('figure', { 'data-file': spec.file });
    const canvas = element('canvas', { width: String(data.width), height: String(spec.height ?? data.defaultHeight), 'aria-label': spec.title, role: 'img' });
    const holder = element('div', { class: 'canvas-holder' });
    holder.style.width = `${data.width}px`;
    holder.style.height = `${spec.height ?? data.defaultHeight}px`;
    holder.append(canvas);
    figure.append(holder, element('figcaption', {}, spec.caption));
    root.append(figure);
    const configuration = runtime.hydrate(spec.configuration) as ChartConfiguration & { options: Record<string, any> };
    const plugins = (configuration.options.plugins ??= {});
    plugins.tooltip = {
      ...plugins.tooltip,
      enabled: false,
      // An HTML tooltip: several lines (value ± standard error, then the cell's parameters) that a test can read.
      external: (context: { chart: Chart; tooltip: { opacity: number; title?: string[]; body?: Array<{ lines: string[] }>; caretX: number; caretY: number } }) => {
        const state = context.tooltip;
        if (state.opacity === 0 || !state.body || state.body.length === 0) { tooltip.hidden = true; return; }
        tooltip.replaceChildren(
          element('strong', {}, (state.title ?? []).join(' ')),
          ...state.body.flatMap((part) => part.lines).map((line) => element('div', {}, line)),
        );
        const box = context.chart.canvas.getBoundingClientRect();
        tooltip.style.left = `${window.scrollX + box.left + state.caretX + 14}px`;
        tooltip.style.top = `${window.scrollY + box.top + state.caretY + 14}px`;
        tooltip.hidden = false;
      },
    };
    configuration.options.interaction = { mode: 'nearest', intersect: true };
    configuration.options.responsive = false;
    configuration.options.animation = false;
    const chart = new ChartClass(canvas, { ...configuration, plugins: [...(configuration.plugins ?? []), ...runtime.plugins] });
    figures.push({ figure, spec, chart });
  }
  if (data.skipped.length > 0) {
    root.append(element('h3', {}, 'Not drawn'));
    const list = element('ul');
    list.append(...data.skipped.map((note) => element('li', {}, note)));
    root.append(list);
  }

  const apply = () => {
    const suite = suiteFilter.value;
    const kind = kindFilter.value;
    const backends = new Set(backendBoxes.filter((box) => box.checked).map((box) => box.value));
    const shows = (entry: { suite?: string; nodeKind?: string }) => (!suite || !entry.suite || entry.suite === suite) && (!kind || !entry.nodeKind || entry.nodeKind === kind);
    for (const { figure, spec, chart } of figures) {
      figure.hidden = !shows(spec);
      chart.data.datasets.forEach((dataset, index) => {
        const of = (dataset as { backends?: string[] }).backends;
        if (of) chart.setDatasetVisibility(index, of.some((backend) => backends.has(backend)));
      });
      chart.update();
    }
    for (const { section, table, rows } of tableSections) {
      section.hidden = !shows(table);
      for (const row of rows) row.hidden = !backends.has(row.dataset.backend ?? '');
    }
  };
  filters.addEventListener('change', apply);
  return { charts: figures.map(({ chart }) => chart), ready: true };
}
