/** Parameters of suites and estimators: documented, defaulted and checked in one place. */

/** A numeric parameter (the default kind): a temperature, a dimension, a count. */
export interface NumberParameterSpec {
  readonly type?: 'number';
  /** What the parameter means, shown in `--help` and in errors. */
  readonly description: string;
  readonly default: number;
  /** Smallest valid value (inclusive unless `exclusiveMinimum`). */
  readonly minimum?: number;
  /** The minimum itself is invalid (for example a temperature must be > 0). */
  readonly exclusiveMinimum?: boolean;
  /** Largest valid value (inclusive). */
  readonly maximum?: number;
  /** Only whole numbers are valid (dimensions, counts). */
  readonly integer?: boolean;
}

/** A string parameter (a model file, a dataset name): taken verbatim from `--set`, never bound into kernels. */
export interface StringParameterSpec {
  readonly type: 'string';
  readonly description: string;
  readonly default: string;
  /** Returns what is wrong with a value (one line), or null when it is valid. */
  readonly check?: (value: string) => string | null;
  /**
   * The only valid values, when the parameter names a choice (a policy, a placement): `--set` then
   * splits its value at commas into a grid (`--set kl=k1-reward,k3-loss`), as for numbers.
   */
  readonly choices?: readonly string[];
}

export type ParameterSpec = NumberParameterSpec | StringParameterSpec;
export type ParameterSpecs = Readonly<Record<string, ParameterSpec>>;
/** One parameter's value: a number, or a string for string specs. */
export type ParameterValue = number | string;
export type ParameterValues = Readonly<Record<string, ParameterValue>>;
/** Every value each parameter takes in a run: one, or several for a grid (`--set tau=0.1,0.5,1`). */
export type ParameterGrid = Readonly<Record<string, readonly ParameterValue[]>>;

/** Whether a spec takes strings. */
export function isStringSpec(spec: ParameterSpec): spec is StringParameterSpec {
  return spec.type === 'string';
}

/**
 * Checks one value against its spec.
 * @returns null when valid, otherwise a message saying what the valid values are.
 */
export function parameterProblem(name: string, spec: ParameterSpec, value: ParameterValue): string | null {
  if (isStringSpec(spec)) {
    if (typeof value !== 'string') return `${name} must be a string, got ${value}`;
    if (spec.choices && !spec.choices.includes(value)) return `${name} must be one of ${spec.choices.join(', ')}, got ${value}`;
    const problem = spec.check?.(value) ?? null;
    return problem === null ? null : `${name}: ${problem}`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} must be a finite number, got ${value}`;
  if (spec.integer && !Number.isInteger(value)) return `${name} must be a whole number, got ${value}`;
  if (spec.minimum !== undefined) {
    if (spec.exclusiveMinimum ? value <= spec.minimum : value < spec.minimum) {
      return `${name} must be ${spec.exclusiveMinimum ? '>' : '>='} ${spec.minimum}, got ${value}`;
    }
  }
  if (spec.maximum !== undefined && value > spec.maximum) {
    return `${name} must be <= ${spec.maximum}, got ${value}`;
  }
  return null;
}

/** The defaults of a spec table, overridden by `overrides`. Values are not validated here. */
export function withDefaults(specs: ParameterSpecs, overrides: ParameterValues = {}): Record<string, ParameterValue> {
  const values: Record<string, ParameterValue> = {};
  for (const [name, spec] of Object.entries(specs)) values[name] = overrides[name] ?? spec.default;
  return values;
}

/** The numeric values only: what kernels may see as literals (string parameters never reach a kernel). */
export function numericValues(values: ParameterValues): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
}

/** `name=value` pairs, for reports and labels. */
export function formatParameters(values: ParameterValues, separator = ', '): string {
  return Object.entries(values).map(([name, value]) => `${name}=${value}`).join(separator);
}

/** The parameters of a grid that take more than one value: those labels must show. */
export function varyingNames(grid: ParameterGrid | undefined): string[] {
  return Object.entries(grid ?? {}).filter(([, values]) => values.length > 1).map(([name]) => name);
}
