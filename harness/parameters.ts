/** A numeric parameter of a suite or an estimator: documented, defaulted and range-checked in one place. */
export interface ParameterSpec {
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

export type ParameterSpecs = Readonly<Record<string, ParameterSpec>>;
export type ParameterValues = Readonly<Record<string, number>>;

/**
 * Checks one value against its spec.
 * @returns null when valid, otherwise a message saying what the valid range is.
 */
export function parameterProblem(name: string, spec: ParameterSpec, value: number): string | null {
  if (!Number.isFinite(value)) return `${name} must be a finite number, got ${value}`;
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
export function withDefaults(specs: ParameterSpecs, overrides: ParameterValues = {}): Record<string, number> {
  const values: Record<string, number> = {};
  for (const [name, spec] of Object.entries(specs)) values[name] = overrides[name] ?? spec.default;
  return values;
}
