import type { EstimatorDefinition, KernelFunction, UnitKernelFunction } from '../../core/estimator.js';
import { evaluationCount, exponentialsPerUnit } from '../../core/estimator.js';
import { errorMessage } from '../../core/errors.js';
import { kernelParameterNames } from '../../core/kernel-source.js';
import { withDefaults } from '../../core/parameters.js';

/** A kernel with the role that names it in messages. */
interface NamedKernel {
  readonly role: string;
  readonly kernel: KernelFunction | UnitKernelFunction;
  /** Whether the kernel runs in the backward pass (where the objective's names are bound). */
  readonly backward: boolean;
}

/** Every kernel of the estimator that some node kind it declares will compile. */
function declaredKernels(estimator: EstimatorDefinition): NamedKernel[] {
  const kernels: NamedKernel[] = [];
  if (estimator.nodeKinds.some((kind) => kind !== 'categorical')) {
    const { forward, gradient, baselineWeight } = estimator.kernels;
    kernels.push({ role: 'kernels.forward', kernel: forward, backward: false }, { role: 'kernels.gradient', kernel: gradient, backward: true });
    if (baselineWeight) kernels.push({ role: 'kernels.baselineWeight', kernel: baselineWeight, backward: false });
  }
  const categorical = estimator.categoricalKernels;
  if (estimator.nodeKinds.includes('categorical') && categorical) {
    kernels.push({ role: 'categoricalKernels.forward', kernel: categorical.forward, backward: false });
    kernels.push({ role: 'categoricalKernels.gradient', kernel: categorical.gradient, backward: true });
    if (categorical.unitForward) kernels.push({ role: 'categoricalKernels.unitForward', kernel: categorical.unitForward, backward: false });
    if (categorical.unitGradient) kernels.push({ role: 'categoricalKernels.unitGradient', kernel: categorical.unitGradient, backward: true });
  }
  return kernels;
}

/** A kernel's body without comments, where the names it reads appear. */
function kernelBody(kernel: KernelFunction | UnitKernelFunction): string {
  const source = kernel.toString();
  return source.slice(source.indexOf('{', source.indexOf(')'))).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

/**
 * Problems of the estimator's declarations against what its kernels read, which the harness would
 * not report itself: a noise draw read but never declared (it is then always 0), the objective's value
 * or derivative read without `needs` asking for it, exponential draws read with none per unit, and
 * counts (evaluations, draws per unit) that are not whole numbers at the default parameters.
 */
export function declarationProblems(estimator: EstimatorDefinition): string[] {
  const problems: string[] = [];
  const params = withDefaults(estimator.params);
  try {
    evaluationCount(estimator, params);
  } catch (error) {
    problems.push(errorMessage(error));
  }
  if (estimator.nodeKinds.includes('categorical') && !estimator.categoricalKernels) {
    problems.push(`nodeKinds includes 'categorical' but the estimator defines no categoricalKernels`);
  }
  let exponentials = 0;
  if (estimator.nodeKinds.includes('categorical') && estimator.categoricalKernels) {
    try {
      exponentials = exponentialsPerUnit(estimator, params, 3);
    } catch (error) {
      problems.push(errorMessage(error));
    }
  }
  for (const { role, kernel, backward } of declaredKernels(estimator)) {
    let names: string[];
    try {
      names = kernelParameterNames(kernel, role);
    } catch (error) {
      problems.push(errorMessage(error));
      continue;
    }
    const body = kernelBody(kernel);
    // A name counts as read when it is declared and used in the body: declaring a name and not using it is harmless.
    const reads = (name: string) => names.includes(name) && new RegExp(`(?<![\\w$.])${name}(?![\\w$])`).test(body);
    if (reads('u') && estimator.noise.length < 1) problems.push(`${role} reads u, but noise declares no draw: u would always be 0`);
    if (reads('v') && estimator.noise.length < 2) problems.push(`${role} reads v, but noise declares fewer than two draws: v would always be 0`);
    if (reads('exponentials') && exponentials === 0 && role.startsWith('categorical')) {
      problems.push(`${role} reads exponentials, but exponentialsPerUnit is 0 at the default parameters`);
    }
    if (backward && (reads('objective') || reads('objectiveSum') || reads('objectiveSquareSum')) && !estimator.needs.objective) {
      problems.push(`${role} reads the objective's value, but needs.objective is false`);
    }
    if (backward && (reads('dLdh') || reads('dLdhValues')) && !estimator.needs.objectiveGradient) {
      problems.push(`${role} reads dL/dh, but needs.objectiveGradient is false`);
    }
  }
  return problems;
}
