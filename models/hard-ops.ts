import { kernelParameterNames } from '../core/kernel-source.js';
import type { HardOp } from '../core/suite.js';

/** Binary step 1{theta > 0}: the binary activation of Yin et al. (2019). */
function binaryStep(theta: number): number {
  return theta > 0 ? 1 : 0;
}

/** sign(theta) in {-1, 0, 1}: the activation of binarized networks (0 only at exactly 0). */
function signOf(theta: number): number {
  if (theta > 0) return 1;
  if (theta < 0) return -1;
  return 0;
}

/**
 * The k-bit uniform activation quantizer q(x) = round(clip(x, 0, 1)·levels)/levels with
 * levels = 2^k − 1. Rounding is floor(y + 0.5) rather than Math.round so that every backend rounds
 * halves the same way (GLSL leaves round(0.5) to the implementation).
 */
function uniformQuantizer(theta: number, levels: number): number {
  const clipped = Math.min(Math.max(theta, 0), 1);
  return Math.floor(clipped * levels + 0.5) / levels;
}

/** h = 1{theta > 0}. */
export const stepOp: HardOp = Object.freeze({ id: 'step', kernel: binaryStep, constants: Object.freeze({}) });

/** h = sign(theta). */
export const signOp: HardOp = Object.freeze({ id: 'sign', kernel: signOf, constants: Object.freeze({}) });

/** The k-bit quantizer q(x) = round(clip(x, 0, 1)(2^k − 1))/(2^k − 1); with k = 1 a step at 0.5. */
export function quantizerOp(bits: number): HardOp {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) throw new Error(`quantizer bits must be a whole number from 1 to 16, got ${bits}`);
  return Object.freeze({ id: `quantizer-${bits}bit`, kernel: uniformQuantizer, constants: Object.freeze({ levels: 2 ** bits - 1 }) });
}

/**
 * The op as a host function of theta, its arguments bound by name as the backends bind them (for
 * reference computations and tests; the backends compile the same kernel function).
 */
export function hostHardOp(op: HardOp, dim = 1): (theta: number, unit?: number) => number {
  const names = kernelParameterNames(op.kernel, `hard op ${op.id}`);
  return (theta, unit = 0) => {
    const bound: Record<string, number> = { ...op.constants, theta, unit, dim };
    return op.kernel(...names.map((name) => bound[name]));
  };
}
