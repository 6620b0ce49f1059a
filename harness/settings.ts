/**
 * `--set` overrides of suite and estimator parameters, single values or grids:
 * `--set dim=256`, `--set gumbel-softmax.tau=0.1,0.5,1`, `--set tau=0.1:1:4` (4 values from 0.1 to 1),
 * `--set onnx.model=path/x.onnx` (string parameters take the text verbatim).
 */
import { UsageError } from '../core/errors.js';
import { isStringSpec, parameterProblem, type ParameterGrid, type ParameterSpec, type ParameterSpecs, type ParameterValue } from '../core/parameters.js';

/** Most values one parameter may take in a grid. */
export const maxGridValues = 1000;

/** One `key=value` or `id.key=value` override, its value still text. */
export interface Setting {
  readonly text: string;
  readonly scope: string | null;
  readonly name: string;
  readonly value: string;
}

const settingPattern = /^(?:([a-z0-9][a-z0-9-]*)\.)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/**
 * Splits `--set` flags into settings. A flag may hold several settings separated by commas
 * (`--set dim=8,tau=0.7`); a comma followed by something that is not `key=` continues the value
 * (`--set tau=0.1,0.5`), so grids and several settings mix freely.
 */
export function parseSettings(flags: readonly string[]): Setting[] {
  const settings: Setting[] = [];
  for (const flag of flags) {
    const pieces: string[] = [];
    for (const piece of String(flag).split(',')) {
      if (pieces.length === 0 || settingPattern.test(piece.trim())) pieces.push(piece.trim());
      else pieces[pieces.length - 1] += `,${piece}`;
    }
    for (const piece of pieces) {
      const match = settingPattern.exec(piece);
      if (!match || match[3].trim() === '') {
        throw new UsageError(`malformed --set '${piece}': use --set key=value or --set id.key=value (for example --set dim=256 or --set gumbel-softmax.tau=0.1,0.5,1)`);
      }
      settings.push({ text: piece, scope: match[1] ?? null, name: match[2], value: match[3].trim() });
    }
  }
  return settings;
}

/** Rounds away float noise of a range (0.30000000000000004 becomes 0.3) so that labels and keys stay clean. */
function clean(value: number): number {
  return Number(value.toPrecision(12));
}

/** The numbers of one comma-separated item: a number, or a range `start:stop:count` (count values, both ends included). */
function numbersOf(item: string, setting: Setting): number[] {
  const parts = item.split(':').map((part) => part.trim());
  const numbers = parts.map(Number);
  if (parts.some((part) => part === '') || numbers.some((value) => !Number.isFinite(value))) {
    throw new UsageError(`malformed --set '${setting.text}': '${item}' is not a finite number${parts.length > 1 ? ' range start:stop:count' : ''}`);
  }
  if (parts.length === 1) return numbers;
  const [start, stop, count] = numbers;
  if (parts.length !== 3 || !Number.isInteger(count) || count < 2 || count > maxGridValues) {
    throw new UsageError(`malformed --set '${setting.text}': a range is start:stop:count with a whole count from 2 to ${maxGridValues} (for example tau=0.1:1:4)`);
  }
  return Array.from({ length: count }, (_, index) => clean(start + ((stop - start) * index) / (count - 1)));
}

/** The values a setting gives a parameter of this spec, each checked against it. */
export function settingValues(setting: Setting, spec: ParameterSpec, owner: string): ParameterValue[] {
  const values: ParameterValue[] = isStringSpec(spec)
    ? (spec.choices ? setting.value.split(',').map((item) => item.trim()) : [setting.value])
    : setting.value.split(',').flatMap((item) => numbersOf(item.trim(), setting));
  const unique = [...new Set(values)];
  if (unique.length > maxGridValues) throw new UsageError(`--set '${setting.text}': ${unique.length} values, more than the ${maxGridValues} a grid axis may have`);
  for (const value of unique) {
    const problem = parameterProblem(setting.name, spec, value);
    if (problem) throw new UsageError(`invalid parameter for ${owner}: ${problem} (${spec.description})`);
  }
  return unique;
}

/**
 * Applies settings to the parameters of the selected suites and estimators, giving each a grid: its
 * default alone, or the values set. An unscoped key sets every selected plug-in that declares it; a
 * scoped one sets that plug-in only (and is ignored when that plug-in is registered but not selected).
 */
export function resolveGrids(
  settings: readonly Setting[], plugins: ReadonlyMap<string, ParameterSpecs>, registeredIds: ReadonlySet<string>,
): Record<string, ParameterGrid> {
  const overrides = new Map<string, Record<string, ParameterValue[]>>([...plugins.keys()].map((id) => [id, {}]));
  for (const setting of settings) {
    if (setting.scope !== null && !registeredIds.has(setting.scope)) {
      throw new UsageError(`--set '${setting.text}': no suite or estimator '${setting.scope}'; valid ids: ${[...registeredIds].join(', ')}`);
    }
    const targets = [...plugins].filter(([id, specs]) => (setting.scope === null || setting.scope === id) && setting.name in specs);
    if (targets.length === 0) {
      if (setting.scope !== null && !plugins.has(setting.scope)) continue; // a plug-in that is not selected in this run
      const known = [...plugins].flatMap(([id, specs]) => Object.keys(specs).map((name) => `${id}.${name}`));
      throw new UsageError(`--set '${setting.text}': unknown parameter '${setting.name}'; parameters of the selected suites and estimators: ${known.join(', ') || 'none'}`);
    }
    for (const [id, specs] of targets) overrides.get(id)![setting.name] = settingValues(setting, specs[setting.name], id);
  }
  const grids: Record<string, ParameterGrid> = {};
  for (const [id, specs] of plugins) {
    const set = overrides.get(id)!;
    const grid: Record<string, readonly ParameterValue[]> = {};
    for (const [name, spec] of Object.entries(specs)) {
      if (set[name]) {
        grid[name] = Object.freeze(set[name]);
        continue;
      }
      // A default that fails its own spec is the plug-in's bug; say so rather than run with it.
      const problem = parameterProblem(name, spec, spec.default);
      if (problem) throw new UsageError(`${id}: the default of parameter ${problem}; fix the plug-in or --set ${id}.${name}=...`);
      grid[name] = Object.freeze([spec.default]);
    }
    grids[id] = Object.freeze(grid);
  }
  return grids;
}
