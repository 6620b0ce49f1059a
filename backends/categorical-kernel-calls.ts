import { evaluationCount, exponentialsPerUnit, noiseRowsPerSample, type CategoricalKernels, type EstimatorDefinition } from '../core/estimator.js';
import { numericValues, type ParameterValues } from '../core/parameters.js';
import type { HardNodeRequest } from '../core/backend.js';
import { callExpression, literalBindings, namedFunctionSource, numberLiteral, unrolledEvaluations } from '../core/kernel-source.js';
import { stateBindings } from '../core/estimator-state.js';

/** Expressions (in the generated code's own names) for one element of a categorical unit. */
export interface CategoricalElementArguments {
  /** Flat arrays and the index of this unit's first entry in them. */
  readonly logits: string;
  readonly probabilities: string;
  readonly exponentials: string;
  readonly unitStart: string;
  readonly noiseStart: string;
  readonly classIndex: string;
  readonly unit: string;
  readonly evaluation: string;
  readonly step: string;
}

/** What the gradient kernel sees beyond the element's own arguments; null where the estimator does not need it. */
export interface CategoricalGradientArguments {
  readonly hValues: string;
  readonly hStart: string;
  readonly dLdhValues: string | null;
  readonly objective: string | null;
  readonly objectiveSum: string | null;
  /** The array of this sample's objective values, and the index of its evaluation 0 in it. */
  readonly objectives: string | null;
  readonly objectivesStart: string | null;
  /** The row term's sum (see `CategoricalKernels.rowTerm`): its variable, or '0'; absent where it may not be read (in `rowTerm` itself). */
  readonly rowTermSum?: string;
}

/** Binds the objective's names the estimator needs (the rest stay unbound, so that reading them fails by name). */
function objectiveBindings(bindings: Record<string, string>, more: CategoricalGradientArguments): void {
  for (const name of ['objective', 'objectiveSum', 'objectives', 'objectivesStart', 'rowTermSum'] as const) {
    const expression = more[name];
    if (expression !== null && expression !== undefined) bindings[name] = expression;
  }
}

/** The shape of a categorical hard node: its units, classes, evaluations and noise per row. */
export interface CategoricalShape {
  readonly width: number;
  readonly classes: number;
  readonly units: number;
  readonly evaluations: number;
  /** Exponential draws per unit and evaluation. */
  readonly exponentialsPerUnit: number;
  /** Exponential draws per row (every evaluation's, when each draws its own). */
  readonly noiseWidth: number;
  /** Offset between evaluations' draws within a row: 0 when the evaluations share them. */
  readonly noiseEvaluationStride: number;
}

/** The estimator's categorical kernels, or an error naming what is missing. */
export function categoricalKernelsOf(estimator: EstimatorDefinition): CategoricalKernels {
  if (!estimator.categoricalKernels) throw new Error(`${estimator.id} defines no categoricalKernels, so it cannot run on categorical nodes`);
  return estimator.categoricalKernels;
}

/** Checks a categorical hard-node request and derives its shape. */
export function categoricalShape(request: HardNodeRequest): CategoricalShape {
  const { estimator, estimatorParams, width } = request;
  const classes = request.classes ?? 0;
  if (!Number.isInteger(classes) || classes < 2 || width % classes !== 0) {
    throw new Error(`a categorical node needs classes K >= 2 dividing its width (got width ${width}, K = ${classes})`);
  }
  const units = width / classes;
  const perUnit = exponentialsPerUnit(estimator, estimatorParams, classes);
  const perEvaluation = units * perUnit;
  const noiseRows = noiseRowsPerSample(estimator, estimatorParams);
  return {
    width, classes, units, exponentialsPerUnit: perUnit,
    evaluations: evaluationCount(estimator, estimatorParams),
    noiseWidth: perEvaluation * noiseRows,
    noiseEvaluationStride: noiseRows === 1 ? 0 : perEvaluation,
  };
}

/** Sources of the estimator's categorical kernels and their helpers, each once, helpers first. */
export function categoricalKernelSources(estimator: EstimatorDefinition): string[] {
  const kernels = categoricalKernelsOf(estimator);
  const seen = new Map<string, string>();
  for (const fn of [...(kernels.helpers ?? []), kernels.forward, kernels.gradient, ...(kernels.rowTerm ? [kernels.rowTerm] : [])]) {
    const { name, source } = namedFunctionSource(fn, `categorical kernel of ${estimator.id}`);
    seen.set(name, source);
  }
  return [...seen.values()];
}

/** The CPU's sources: `categoricalKernelSources` and the optional unit forms (`unitPrepare`, `unitForward`, `unitGradient`). */
export function categoricalCpuKernelSources(estimator: EstimatorDefinition): string[] {
  const { unitPrepare, unitForward, unitGradient } = categoricalKernelsOf(estimator);
  const units = [unitPrepare, unitForward, unitGradient].flatMap((fn) => (fn ? [namedFunctionSource(fn, `categorical unit kernel of ${estimator.id}`).source] : []));
  return [...new Set([...categoricalKernelSources(estimator), ...units])];
}

/** Literal bindings every categorical kernel call shares: the estimator's parameters, `dim`, `evaluations`, `classes`. */
function categoricalConstants(estimatorParams: ParameterValues, shape: CategoricalShape): Record<string, string> {
  return {
    ...literalBindings(numericValues(estimatorParams)),
    dim: numberLiteral(shape.width), evaluations: numberLiteral(shape.evaluations), classes: numberLiteral(shape.classes),
  };
}

/**
 * The estimator's state values (see EstimatorState) bound by name to entries of the runtime array
 * `state`, as element kernels read them: every generated categorical kernel has `state` in scope (the
 * CPU tasks and fused loop as a variable, the gpu.js kernels as their last argument).
 */
function categoricalStateBindings(estimator: EstimatorDefinition): Record<string, string> {
  return stateBindings(estimator, 'state');
}

/** Expressions for a whole unit's call (a unit form): the element's, less the class, plus where it writes. */
export type CategoricalUnitArguments = Omit<CategoricalElementArguments, 'classIndex'> & {
  /** Output array, index of the unit's first class in it, and a scratch array of 2 · K numbers. */
  readonly out: string;
  readonly outStart: string;
  readonly scratch: string;
  /** The array `unitPrepare` wrote, indexed like `probabilities` (bound only when the estimator has one). */
  readonly prepared: string;
};

/** Expressions for a `unitPrepare` call: the unit's logits and where its numbers go. */
export type CategoricalPrepareArguments = Pick<CategoricalUnitArguments, 'logits' | 'probabilities' | 'unitStart' | 'unit' | 'step' | 'out' | 'outStart' | 'scratch'>;

/** Whether the CPU runs the estimator's `unitPrepare`: it has one, and a unit form to read what it prepares. */
export function preparesUnits(estimator: EstimatorDefinition): boolean {
  const { unitPrepare, unitForward, unitGradient } = categoricalKernelsOf(estimator);
  return unitPrepare !== undefined && (unitForward !== undefined || unitGradient !== undefined);
}

/**
 * Calls of the estimator's unit forms (see `CategoricalKernels.unitForward`), bound by name as the
 * element kernels are; null for a form the estimator does not define (the CPU then calls the element
 * kernel once per class, and prepares nothing).
 */
export function categoricalUnitCalls(estimator: EstimatorDefinition, estimatorParams: ParameterValues, shape: CategoricalShape) {
  const kernels = categoricalKernelsOf(estimator);
  const constants = { ...categoricalConstants(estimatorParams, shape), ...categoricalStateBindings(estimator) };
  const role = (kernel: string) => `${estimator.id} categorical ${kernel}`;
  const { unitPrepare, unitForward, unitGradient } = kernels;
  // `prepared` is a name only where there is something prepared, so that reading it otherwise fails by name.
  const unitBindings = ({ prepared, ...unit }: CategoricalUnitArguments): Record<string, string> =>
    ({ ...constants, ...unit, ...(unitPrepare ? { prepared } : {}) });
  return {
    prepare: unitPrepare && preparesUnits(estimator)
      ? (unit: CategoricalPrepareArguments) => callExpression(unitPrepare, { ...constants, ...unit }, role('unitPrepare'))
      : null,
    forward: unitForward ? (unit: CategoricalUnitArguments) => callExpression(unitForward, unitBindings(unit), role('unitForward')) : null,
    gradient: unitGradient
      ? (unit: CategoricalUnitArguments, more: CategoricalGradientArguments) => {
        const bindings: Record<string, string> = { ...unitBindings(unit), hValues: more.hValues, hStart: more.hStart };
        if (more.dLdhValues !== null) bindings.dLdhValues = more.dLdhValues;
        objectiveBindings(bindings, more);
        return callExpression(unitGradient, bindings, role('unitGradient'));
      }
      : null,
  };
}

/**
 * Builds the calls of an estimator's categorical kernels with arguments bound by name (see
 * `CategoricalKernels` for the names), shared by the CPU and GPU categorical nodes. Parameters, `dim`,
 * `evaluations` and `classes` are bound as literals; `theta`, `p`, `h` and `dLdh` as reads of the arrays.
 */
export function categoricalKernelCalls(estimator: EstimatorDefinition, estimatorParams: ParameterValues, shape: CategoricalShape) {
  const kernels = categoricalKernelsOf(estimator);
  const constants = { ...categoricalConstants(estimatorParams, shape), ...categoricalStateBindings(estimator) };
  const elementBindings = (element: CategoricalElementArguments): Record<string, string> => ({
    ...constants,
    ...element,
    theta: `${element.logits}[${element.unitStart} + ${element.classIndex}]`,
    p: `${element.probabilities}[${element.unitStart} + ${element.classIndex}]`,
  });
  const role = (kernel: string) => `${estimator.id} categorical ${kernel}`;
  return {
    forward: (element: CategoricalElementArguments) => callExpression(kernels.forward, elementBindings(element), role('forward')),
    /** `hostTerms`: the expressions of the estimator's host terms for this element (see core/host-terms.ts), on the hard-node stages. */
    gradient: (element: CategoricalElementArguments, more: CategoricalGradientArguments, hostTerms: Readonly<Record<string, string>> = {}) => {
      const bindings: Record<string, string> = {
        ...hostTerms,
        ...elementBindings(element),
        hValues: more.hValues, hStart: more.hStart, h: `${more.hValues}[${more.hStart} + ${element.classIndex}]`,
      };
      if (more.dLdhValues !== null) {
        bindings.dLdhValues = more.dLdhValues;
        bindings.dLdh = `${more.dLdhValues}[${more.hStart} + ${element.classIndex}]`;
      }
      objectiveBindings(bindings, more);
      return callExpression(kernels.gradient, bindings, role('gradient'));
    },
  };
}

/**
 * The call of the estimator's categorical `rowTerm`, bound by name exactly as `gradient` is (the same
 * names, less `rowTermSum`), or null when it has none. (It is `categoricalKernelCalls`'s gradient call
 * of an estimator whose gradient is the row term, so the two bindings cannot drift apart.)
 */
export function categoricalRowTermCall(estimator: EstimatorDefinition, estimatorParams: ParameterValues, shape: CategoricalShape) {
  const kernels = categoricalKernelsOf(estimator);
  if (!kernels.rowTerm) return null;
  const asGradient: EstimatorDefinition = { ...estimator, id: `${estimator.id}'s rowTerm, bound as the`, categoricalKernels: { ...kernels, gradient: kernels.rowTerm } };
  const calls = categoricalKernelCalls(asGradient, estimatorParams, shape);
  return (element: CategoricalElementArguments, more: CategoricalGradientArguments) => calls.gradient(element, { ...more, rowTermSum: undefined });
}

/** What a categorical gradient (or row-term) call reads beyond its element, from the generated code's places, as the estimator's `needs` declare. */
export function categoricalGradientArguments(
  estimator: EstimatorDefinition, places: Pick<CategoricalUnitPlaces, 'h' | 'dLdh' | 'objective' | 'objectives' | 'objectivesStart'>, hStart: string,
): CategoricalGradientArguments {
  const { needs } = estimator;
  return {
    hValues: places.h, hStart,
    dLdhValues: needs.objectiveGradient ? places.dLdh : null,
    objective: needs.objective ? places.objective : null,
    objectiveSum: needs.objective ? 'objectiveSum' : null,
    objectives: needs.objective ? places.objectives : null,
    objectivesStart: needs.objective ? places.objectivesStart : null,
  };
}

/** Names a row-term sum declares (see `categoricalRowTermSum`): its loop counters and per-unit offsets. */
export interface CategoricalRowTermNames {
  readonly unit: string;
  readonly evaluation: string;
  readonly classIndex: string;
  readonly unitStart: string;
  readonly noiseStart: string;
  readonly hStart: string;
}

/**
 * Statements that declare `rowTermSum`, the sum of the estimator's categorical `rowTerm` over every
 * unit, class and evaluation of one row (see `CategoricalKernels.rowTerm`), or '' when it has none (the
 * gradient then reads `rowTermSum` as 0). `places` are expressions in `names` (the unit and evaluation
 * counters this statement declares), as `CategoricalUnitPlaces` are in `unit` and `e`; `objectiveSum`
 * must be in scope where the estimator reads objective values.
 */
export function categoricalRowTermSum(
  estimator: EstimatorDefinition, estimatorParams: ParameterValues, shape: CategoricalShape, names: CategoricalRowTermNames,
  places: Pick<CategoricalUnitPlaces, 'unitStart' | 'exponentials' | 'noiseStart' | 'h' | 'dLdh' | 'hStart' | 'objective' | 'objectives' | 'objectivesStart'>,
): string {
  const call = categoricalRowTermCall(estimator, estimatorParams, shape);
  if (!call) return '';
  const { units, classes, evaluations } = shape;
  const term = call({
    logits: 'logits', probabilities: 'probabilities', exponentials: places.exponentials, unitStart: names.unitStart, noiseStart: names.noiseStart,
    classIndex: names.classIndex, unit: names.unit, evaluation: names.evaluation, step: 'step',
  }, categoricalGradientArguments(estimator, places, names.hStart));
  return `let rowTermSum = 0;
    for (let ${names.unit} = 0; ${names.unit} < ${units}; ${names.unit}++) {
      for (let ${names.evaluation} = 0; ${names.evaluation} < ${evaluations}; ${names.evaluation}++) {
        const ${names.unitStart} = ${places.unitStart}; const ${names.noiseStart} = ${places.noiseStart}; const ${names.hStart} = ${places.hStart};
        for (let ${names.classIndex} = 0; ${names.classIndex} < ${classes}; ${names.classIndex}++) {
          rowTermSum += ${term};
        }
      }
    }`;
}

/**
 * `body` (code that reads the evaluation as `e`) for e = 0 … count − 1 in order: one block per
 * evaluation with `e` a constant up to `unrolledEvaluations`, a loop beyond.
 */
export function forEachCategoricalEvaluation(count: number, body: string): string {
  if (count > unrolledEvaluations) return `for (let e = 0; e < ${count}; e++) { ${body} }`;
  return Array.from({ length: count }, (_, evaluation) => `{ const e = ${evaluation}; ${body} }`).join(' ');
}

/**
 * Where the CPU's generated code keeps one unit's numbers, as expressions in its own names; they may
 * read `unit` (the unit's index), `e` (the evaluation) and the loop variables of the code around them.
 */
export interface CategoricalUnitPlaces {
  /** Index of the unit's first logit (and probability) in `logits` and `probabilities`. */
  readonly unitStart: string;
  /** The array of exponential draws, and the index of evaluation e's first draw of the unit in it. */
  readonly exponentials: string;
  readonly noiseStart: string;
  /** The arrays of h and dL/dh, and the index of evaluation e's first class of the unit in them. */
  readonly h: string;
  readonly dLdh: string;
  readonly hStart: string;
  /** Evaluation e's objective value; the array of the sample's values, and the index of its evaluation 0. */
  readonly objective: string;
  readonly objectives: string;
  readonly objectivesStart: string;
  /** The array dL/dlogits is written to, and the index of the unit's first class in it. */
  readonly out: string;
  readonly outStart: string;
  /**
   * Whether each evaluation has its own logits and output (`HardNodeOptions.logitsPerEvaluation`):
   * `unitStart` and `outStart` then read `e`, and `backward` writes each evaluation's share to its own
   * place instead of adding the shares up.
   */
  readonly perEvaluation?: boolean;
  /**
   * The estimator's host terms (see core/host-terms.ts) as expressions that may read `unitStart` and the
   * class `c` (the staged node's; the fused loop has none): bound to the element `gradient` call.
   */
  readonly hostTerms?: Readonly<Record<string, string>>;
}

/**
 * Statements of the CPU's categorical loops for one unit, shared by the staged node and the fused loop
 * so that both compute the same numbers: `prepare` (null when the estimator has no `unitPrepare` in
 * use) writes the unit's prepared numbers to `prepared`, indexed like `probabilities`, and must run
 * before the other two whenever the logits change; `forward` computes h of the unit for evaluation `e`
 * (one unit-form call, or one element call per class); `backward` writes the unit's dL/dlogits, each
 * evaluation's contribution added in evaluation order (0 + e0 + e1 + ...) in either form. All expect
 * `logits`, `probabilities`, `step`, `unit` and a `scratch` array of 2 · K numbers in scope, and
 * `prepared` when `prepare` is not null; `backward` also `objectiveSum` when the estimator needs
 * objective values, and `forward` the evaluation `e`. `rowTermSum` (see `categoricalRowTermSum`) declares
 * the row term's sum and must run once per row, after the row's objective values and dL/dh and before
 * the units' `backward` (it is '' for an estimator without a row term, whose gradient reads 0).
 */
export function categoricalUnitStatements(
  estimator: EstimatorDefinition, estimatorParams: ParameterValues, shape: CategoricalShape, places: CategoricalUnitPlaces,
): { prepare: string | null; forward: string; backward: string; rowTermSum: string } {
  const { classes, evaluations } = shape;
  const calls = categoricalKernelCalls(estimator, estimatorParams, shape);
  const unitCalls = categoricalUnitCalls(estimator, estimatorParams, shape);
  const { needs } = estimator;
  const element = {
    logits: 'logits', probabilities: 'probabilities', exponentials: places.exponentials, unitStart: 'unitStart', noiseStart: 'noiseStart',
    classIndex: 'c', unit: 'unit', evaluation: 'e', step: 'step',
  };
  const unitArguments = (out: string, outStart: string) => ({ ...element, out, outStart, scratch: 'scratch', prepared: 'prepared' });
  const gradientArguments = { ...categoricalGradientArguments(estimator, places, 'hStart'), rowTermSum: categoricalKernelsOf(estimator).rowTerm ? 'rowTermSum' : '0' };
  const offsets = `const unitStart = ${places.unitStart}; const noiseStart = ${places.noiseStart};`;
  const hostTerms = places.hostTerms ?? {};
  if (Object.keys(hostTerms).length > 0 && (unitCalls.gradient || places.perEvaluation)) {
    throw new Error(`${estimator.id}: host terms on categorical nodes reach the element gradient kernel only, with logits shared by the evaluations (no unitGradient, no logits per evaluation)`);
  }
  // Declares rowTermSum over the whole row: the caller puts it before the units' backward statements.
  const rowTermSum = categoricalRowTermSum(estimator, estimatorParams, shape, { unit: 'unit', evaluation: 'e', classIndex: 'c', unitStart: 'unitStart', noiseStart: 'noiseStart', hStart: 'hStart' }, places);
  const prepare = unitCalls.prepare
    ? `{ const unitStart = ${places.unitStart}; ${unitCalls.prepare({
      logits: 'logits', probabilities: 'probabilities', unitStart: 'unitStart', unit: 'unit', step: 'step', out: 'prepared', outStart: 'unitStart', scratch: 'scratch',
    })}; }`
    : null;
  const forward = unitCalls.forward
    ? `{ ${offsets} ${unitCalls.forward(unitArguments(places.h, places.hStart))}; }`
    : `{ ${offsets} for (let c = 0; c < ${classes}; c++) ${places.h}[${places.hStart} + c] = ${calls.forward(element)}; }`;
  if (places.perEvaluation) {
    return { prepare, forward, rowTermSum, backward: perEvaluationBackward(classes, evaluations, offsets, places, unitCalls.gradient
      ? (outStart) => `${unitCalls.gradient!(unitArguments(places.out, outStart), gradientArguments)};`
      : (outStart) => `for (let c = 0; c < ${classes}; c++) ${places.out}[${outStart} + c] = ${calls.gradient(element, gradientArguments)};`) };
  }
  const backward = unitCalls.gradient
    ? `{
        const outStart = ${places.outStart};
        for (let c = 0; c < ${classes}; c++) ${places.out}[outStart + c] = 0;
        ${forEachCategoricalEvaluation(evaluations, `
          ${offsets} const hStart = ${places.hStart};
          ${unitCalls.gradient(unitArguments(places.out, 'outStart'), gradientArguments)};`)}
      }`
    : `{
        const outStart = ${places.outStart};
        for (let c = 0; c < ${classes}; c++) {
          let g = 0;
          ${forEachCategoricalEvaluation(evaluations, `
            ${offsets} const hStart = ${places.hStart};
            g += ${calls.gradient(element, gradientArguments, hostTerms)};`)}
          ${places.out}[outStart + c] = g;
        }
      }`;
  return { prepare, forward, backward, rowTermSum };
}

/**
 * The backward statements of a node whose evaluations have their own logits: for each evaluation, its
 * unit's output zeroed and then written by `write` (one unit-form call, or one element call per class),
 * which reads the output's start as `outStart`.
 */
function perEvaluationBackward(classes: number, evaluations: number, offsets: string, places: CategoricalUnitPlaces, write: (outStart: string) => string): string {
  return `{ ${forEachCategoricalEvaluation(evaluations, `
    ${offsets} const hStart = ${places.hStart}; const outStart = ${places.outStart};
    for (let c = 0; c < ${classes}; c++) ${places.out}[outStart + c] = 0;
    ${write('outStart')}`)} }`;
}
