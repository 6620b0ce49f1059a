import { readFileSync, statSync } from 'node:fs';
import { OnnxModelError } from './model-contract.js';

/** What `onnx.logit` accepts, for its description and its check. */
export const logitSpecHelp = "'linspace' (evenly from -2 to 2 over the logits, as bernoulli-toy), a number for every logit, or a file of D (D·K for categorical units) numbers (JSON array or separated by spaces, commas or newlines)";

/** Whether a value of `onnx.logit` is well formed (a file's contents are checked when its cells run). */
export function logitSpecProblem(value: string): string | null {
  return value.trim() === '' ? `give ${logitSpecHelp}` : null;
}

function constantLogit(spec: string): number | null {
  const value = Number(spec);
  return spec.trim() !== '' && Number.isFinite(value) ? value : null;
}

/**
 * The logits gradients are scored at and training starts from: `linspace`, a constant, or `width`
 * numbers read from a file.
 * @throws OnnxModelError when the file is missing or does not hold `width` finite numbers.
 */
export function initialLogits(spec: string, width: number): Float64Array {
  if (spec === 'linspace') {
    return Float64Array.from({ length: width }, (_, index) => (width === 1 ? 0 : -2 + (4 * index) / (width - 1)));
  }
  const constant = constantLogit(spec);
  if (constant !== null) return new Float64Array(width).fill(constant);
  let text: string;
  try {
    if (!statSync(spec).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    text = readFileSync(spec, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new OnnxModelError(`logits file '${spec}' ${code === 'ENOENT' ? 'not found' : `cannot be read (${code})`}; onnx.logit takes ${logitSpecHelp}`);
  }
  const trimmed = text.trim();
  const values = trimmed.startsWith('[') ? parseJsonNumbers(trimmed, spec) : trimmed.split(/[\s,]+/).filter(Boolean).map(Number);
  if (values.length !== width || values.some((value) => !Number.isFinite(value))) {
    throw new OnnxModelError(`logits file '${spec}' must hold ${width} finite numbers (one per element of h), found ${values.length}${values.some((value) => !Number.isFinite(value)) ? ' with some not finite' : ''}`);
  }
  return Float64Array.from(values);
}

function parseJsonNumbers(text: string, path: string): number[] {
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed.flat(2).map((value) => (typeof value === 'number' ? value : Number.NaN));
  } catch {
    // reported below
  }
  throw new OnnxModelError(`logits file '${path}' starts with '[' but is not a JSON array of numbers`);
}
