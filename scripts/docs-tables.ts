#!/usr/bin/env node
/**
 * Writes the README's estimator and suite tables from the registries, between the markers
 * `<!-- estimators:start -->` … `<!-- estimators:end -->` and `<!-- suites:start -->` … `<!-- suites:end -->`.
 * `npm run docs:tables` rewrites README.md; `--check` exits 1 when README.md differs from what the
 * registries give (test/scripts/docs-tables.test.ts holds the README to the same), so a new estimator or
 * suite cannot land without its row.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EstimatorDefinition } from '../core/estimator.js';
import { isStringSpec, type ParameterSpecs, withDefaults } from '../core/parameters.js';
import type { SuiteDefinition } from '../core/suite.js';
import { builtInEstimators } from '../estimators/index.js';
import { builtInSuites } from '../suites/index.js';

/** The README sections this script owns, by marker name. */
export const tableMarkers = ['estimators', 'suites'] as const;
export type TableMarker = (typeof tableMarkers)[number];

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** `name` (default) for each parameter, or — when there are none. */
function parameterList(params: ParameterSpecs): string {
  const entries = Object.entries(params).map(([name, spec]) => `\`${name}\` (${isStringSpec(spec) ? (spec.default === '' ? 'none' : spec.default) : spec.default})`);
  return entries.length > 0 ? entries.join(', ') : '—';
}

/** Objective evaluations per estimate at the estimator's default parameters. */
function defaultEvaluations(estimator: EstimatorDefinition): number {
  return typeof estimator.evaluations === 'function' ? estimator.evaluations(withDefaults(estimator.params)) : estimator.evaluations;
}

/** The estimator table: one row per registered estimator, in registry order. */
export function estimatorTable(estimators: ReadonlyMap<string, EstimatorDefinition>): string {
  const rows = [...estimators.values()].map((estimator) =>
    `| \`${estimator.id}\` | ${cell(estimator.title)} | ${estimator.family} | ${estimator.nodeKinds.join(', ')} | ${estimator.claimsUnbiased ? 'yes' : 'no'} | ` +
    `${defaultEvaluations(estimator)} | ${cell(parameterList(estimator.params))} | ${cell(estimator.citation)} |`);
  return [
    '| id | estimator | family | node kinds | claims unbiased | evaluations per estimate | parameters (default) | citation |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The suite table: one row per registered suite, linking its page under docs/suites/. */
export function suiteTable(suites: ReadonlyMap<string, SuiteDefinition>): string {
  const rows = [...suites.values()].map((suite) => {
    const references = suite.referenceKinds === undefined ? 'not declared' : suite.referenceKinds.length === 0 ? 'none (no gradient scores)' : suite.referenceKinds.join(' or ');
    return `| [\`${suite.id}\`](docs/suites/${suite.id}.md) | ${cell(suite.title)} | ${suite.nodeKind} | ${references} | ${suite.inDefaultRun === false ? 'no (run with `--suite ' + suite.id + '`)' : 'yes'} |`;
  });
  return ['| id | suite | node kind | reference | in the default run |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** Both tables from the built-in registries. */
export function builtInTables(): Record<TableMarker, string> {
  return { estimators: estimatorTable(builtInEstimators), suites: suiteTable(builtInSuites) };
}

/** `document` with the text between each pair of markers replaced by its table; throws when a marker is missing. */
export function replaceTables(document: string, tables: Record<TableMarker, string>): string {
  let result = document;
  for (const marker of tableMarkers) {
    const start = `<!-- ${marker}:start -->`;
    const end = `<!-- ${marker}:end -->`;
    const from = result.indexOf(start);
    const to = result.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${start} … ${end}`);
    result = `${result.slice(0, from + start.length)}\n${tables[marker]}\n${result.slice(to)}`;
  }
  return result;
}

function main(): number {
  const check = process.argv.includes('--check');
  const path = resolve('README.md');
  const current = readFileSync(path, 'utf8');
  const updated = replaceTables(current, builtInTables());
  if (check) {
    if (updated === current) return 0;
    process.stderr.write('docs-tables: README.md tables differ from the registries; run npm run docs:tables\n');
    return 1;
  }
  if (updated !== current) writeFileSync(path, updated);
  process.stdout.write(`docs-tables: ${updated === current ? 'README.md already up to date' : 'rewrote the tables in README.md'}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.exit(main());
  } catch (error) {
    process.stderr.write(`docs-tables: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
