import type { NoiseKind } from '../core/estimator.js';

/**
 * Source text of the `Rng` stream inlined into the CPU backend's generated loops: the xoshiro128**
 * state lives in four int32 locals (`rngS0`…`rngS3`), so a draw costs a dozen integer operations and no
 * call. Every snippet mirrors `Rng` (harness/rng.ts) operation for operation, and the rare slow path of
 * a ziggurat draw (normal, exponential) hands the state back to an `Rng` object (`rngState`), so the generated loops consume exactly
 * the stream that `nextUniform` / `nextNormal` / `nextExponential` calls would (test/cpu-reference.test.ts checks it bit for bit).
 */

/** Declares the state locals (and `rngState`, the object the slow path of a ziggurat draw works on) for the stream of `seedExpression`. */
export function rngStateDeclaration(seedExpression: string): string {
  return `const rngState = new Rng(${seedExpression});
        let rngS0 = rngState.s0 | 0, rngS1 = rngState.s1 | 0, rngS2 = rngState.s2 | 0, rngS3 = rngState.s3 | 0;`;
}

/** What a generated loop can draw: the estimators' noise kinds, and the exponentials of categorical nodes. */
export type DrawKind = NoiseKind | 'exponential';

/** Kinds drawn by a ziggurat, whose rare slow path leaves the hot loop: the `Rng` method that finishes each. */
const afterRejection: Partial<Record<DrawKind, string>> = { normal: 'normalAfterRejection', exponential: 'exponentialAfterRejection' };

/** Module-level constants the snippets read (the ziggurat tables); empty when no ziggurat draw is made. */
export function rngConstants(kinds: readonly DrawKind[]): string {
  return [
    kinds.includes('normal') ? 'const zigguratThreshold = Rng.zigguratThreshold, zigguratWidth = Rng.zigguratWidth;' : '',
    kinds.includes('exponential') ? 'const exponentialThreshold = Rng.exponentialThreshold, exponentialWidth = Rng.exponentialWidth;' : '',
  ].join(' ');
}

/** Statements that advance the state once and leave the 32 output bits (int32) in `bitsName`. */
function nextBits(bitsName: string): string {
  return `const ${bitsName}Scrambled = Math.imul(rngS1, 5);
          const ${bitsName} = Math.imul((${bitsName}Scrambled << 7) | (${bitsName}Scrambled >>> 25), 9);
          const ${bitsName}Shifted = rngS1 << 9;
          rngS2 ^= rngS0; rngS3 ^= rngS1; rngS1 ^= rngS2; rngS0 ^= rngS3; rngS2 ^= ${bitsName}Shifted;
          rngS3 = (rngS3 << 11) | (rngS3 >>> 21);`;
}

/** Draws that never fail: a uniform, or the common case of a ziggurat draw (`rejected` runs when the draw missed its layer's rectangle). */
function fastDraw(kind: DrawKind, target: string, rejected: string): string {
  const bits = `${target}Bits`;
  if (kind === 'uniform') return `${nextBits(bits)}
            const ${target} = ((${bits} >>> 9) + 0.5) * 1.1920928955078125e-7;`;
  if (kind === 'exponential') return `${nextBits(bits)}
            const ${target}Value = (${bits} >>> 8) + 0.5;
            if (!(${target}Value < exponentialThreshold[${bits} & 255])) { ${rejected.replaceAll('BITS', bits)} }
            const ${target} = ${target}Value * exponentialWidth[${bits} & 255];`;
  // Ziggurat: the rectangle test inline (about 35 draws in 36); the rest leaves the loop (see elementLoopWithNoise).
  return `${nextBits(bits)}
            if (!(Math.abs(${bits} >> 7) < zigguratThreshold[${bits} & 127])) { ${rejected.replaceAll('BITS', bits)} }
            const ${target} = (${bits} >> 7) * zigguratWidth[${bits} & 127];`;
}

const nextMethod: Record<DrawKind, string> = { uniform: 'nextUniform', normal: 'nextNormal', exponential: 'nextExponential' };

/**
 * A loop over `i` in [0, count) that draws each element's noise (`drawnU`, then `drawnV` when there
 * are two kinds) and then runs `body`. With uniforms only, that is one plain loop. A ziggurat draw that
 * misses its ziggurat rectangle (about 1 in 36) breaks out of the inner loop instead of calling out from
 * inside it, so that the hot loop keeps the RNG state and the body's values in registers: the element is
 * finished outside (the state handed to `rngState` for its `…AfterRejection` method) and the loop resumes.
 * `body` appears twice in the generated text.
 */
export function elementLoopWithNoise(kinds: readonly DrawKind[], count: number, body: string): string {
  const [first, second] = kinds;
  if (!kinds.some((kind) => afterRejection[kind])) {
    return `for (let i = 0; i < ${count}; i++) {
            ${first ? fastDraw(first, 'drawnU', '') : ''} ${second ? fastDraw(second, 'drawnV', '') : ''}
            ${body}
          }`;
  }
  const saveState = 'rngState.s0 = rngS0; rngState.s1 = rngS1; rngState.s2 = rngS2; rngState.s3 = rngS3;';
  const loadState = 'rngS0 = rngState.s0 | 0; rngS1 = rngState.s1 | 0; rngS2 = rngState.s2 | 0; rngS3 = rngState.s3 | 0;';
  const finishU = afterRejection[first] ? `rejectedDraw === 1 ? rngState.${afterRejection[first]}(rejectedBits) : keptU` : 'keptU';
  const finishV = second && afterRejection[second]
    ? `rejectedDraw === 2 ? rngState.${afterRejection[second]}(rejectedBits) : rngState.${nextMethod[second]}()`
    : `rngState.${nextMethod[second ?? 'uniform']}()`;
  return `for (let i = 0; i < ${count}; ) {
          let rejectedBits = 0, rejectedDraw = 0, keptU = 0;
          for (; i < ${count}; i++) {
            ${fastDraw(first, 'drawnU', 'rejectedBits = BITS; rejectedDraw = 1; break;')}
            ${second ? fastDraw(second, 'drawnV', 'rejectedBits = BITS; rejectedDraw = 2; keptU = drawnU; break;') : ''}
            ${body}
          }
          if (i === ${count}) break;
          {
            ${saveState}
            const drawnU = ${finishU};
            ${second ? `const drawnV = ${finishV};` : ''}
            ${loadState}
            ${body}
          }
          i++;
        }`;
}
