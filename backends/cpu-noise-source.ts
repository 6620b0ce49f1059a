import type { NoiseKind } from '../core/estimator.js';

/**
 * Source of `fillChunkNoise(rng, rows, u, v)` for the CPU hard nodes' tasks: a chunk's `rows` rows of
 * `width` draws from the chunk's `rng`, in exactly the order of `fillNoise` (backends/noise.ts), so a
 * chunk drawn in a worker holds the numbers `fillNoise` gives for the whole call. It is generated
 * rather than taken from `fillNoise.toString()` because module loaders (vitest among them) rewrite
 * references to imports inside a function's text; this text names nothing but its arguments. With
 * `exponentials`, u holds standard exponentials instead, as `fillExponentials` draws them.
 */
export function chunkNoiseSource(kinds: readonly NoiseKind[], width: number, exponentials = false): string {
  const [firstKind, secondKind] = kinds;
  const draw = (kind: NoiseKind | undefined) => (kind === 'uniform' ? 'rng.nextUniform()' : kind === 'normal' ? 'rng.nextNormal()' : '0');
  const fill = exponentials
    ? `rng.fillExponential(u, rows * ${width});`
    : !firstKind
    ? ''
    : !secondKind
      // Same order as element-by-element draws: the chunk's rows are consecutive.
      ? `rng.${firstKind === 'uniform' ? 'fillUniform' : 'fillNormal'}(u, rows * ${width});`
      : `for (let index = 0; index < rows * ${width}; index++) {
          u[index] = ${draw(firstKind)};
          const second = ${draw(secondKind)};
          if (v.length > 0) v[index] = second;
        }`;
  return `function fillChunkNoise(rng, rows, u, v) {
    ${fill}
  }`;
}
