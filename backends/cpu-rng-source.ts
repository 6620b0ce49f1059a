import type { NoiseKind } from '../estimators/estimator.js';

/**
 * Source text of the `Rng` stream inlined into the CPU backend's generated loops: the xoshiro128**
 * state lives in four int32 locals (`rngS0`…`rngS3`), so a draw costs a dozen integer operations and no
 * call. Every snippet mirrors `Rng` (harness/rng.ts) operation for operation, and the rare slow path of
 * a normal hands the state back to an `Rng` object (`rngState`), so the generated loops consume exactly
 * the stream that `nextUniform` / `nextNormal` calls would (test/cpu-reference.test.ts checks it bit for bit).
 */

/** Declares the state locals for the stream of `seedExpression`, and the ziggurat tables when normals are drawn. */
export function rngStateDeclaration(seedExpression: string): string {
  return `const rngState = new Rng(${seedExpression});
        let rngS0 = rngState.s0 | 0, rngS1 = rngState.s1 | 0, rngS2 = rngState.s2 | 0, rngS3 = rngState.s3 | 0;`;
}

/** Module-level constants the snippets read (the ziggurat tables); empty when no normal is drawn. */
export function rngConstants(kinds: readonly NoiseKind[]): string {
  return kinds.includes('normal') ? 'const zigguratThreshold = Rng.zigguratThreshold, zigguratWidth = Rng.zigguratWidth;' : '';
}

/** Statements that advance the state once and leave the 32 output bits (int32) in `bitsName`. */
function nextBits(bitsName: string): string {
  return `const ${bitsName}Scrambled = Math.imul(rngS1, 5);
          const ${bitsName} = Math.imul((${bitsName}Scrambled << 7) | (${bitsName}Scrambled >>> 25), 9);
          const ${bitsName}Shifted = rngS1 << 9;
          rngS2 ^= rngS0; rngS3 ^= rngS1; rngS1 ^= rngS2; rngS0 ^= rngS3; rngS2 ^= ${bitsName}Shifted;
          rngS3 = (rngS3 << 11) | (rngS3 >>> 21);`;
}

/**
 * Statements that draw one value of `kind` into a new local `target` (a `let` for normals, whose slow
 * path assigns it; a `const` otherwise).
 */
export function drawStatement(kind: NoiseKind, target: string): string {
  const bits = `${target}Bits`;
  if (kind === 'uniform') return `${nextBits(bits)}
          const ${target} = ((${bits} >>> 9) + 0.5) * 1.1920928955078125e-7;`;
  // Ziggurat: the rectangle test inline (about 99% of draws), the rest in Rng.normalAfterRejection.
  return `${nextBits(bits)}
          let ${target} = (${bits} >> 7) * zigguratWidth[${bits} & 127];
          if (!(Math.abs(${bits} >> 7) < zigguratThreshold[${bits} & 127])) {
            rngState.s0 = rngS0; rngState.s1 = rngS1; rngState.s2 = rngS2; rngState.s3 = rngS3;
            ${target} = rngState.normalAfterRejection(${bits});
            rngS0 = rngState.s0 | 0; rngS1 = rngState.s1 | 0; rngS2 = rngState.s2 | 0; rngS3 = rngState.s3 | 0;
          }`;
}
