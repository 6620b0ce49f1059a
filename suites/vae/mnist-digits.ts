import { createRequire } from 'node:module';
import type { Rng } from '../../harness/rng.js';

/** Pixels of one MNIST digit (28 × 28). */
export const mnistPixels = 784;

/** Grey-level images, [count × 784] intensities in [0, 1], row-major. */
export interface ImageSet {
  readonly count: number;
  readonly intensities: Float32Array;
}

/** The fixed train/test split of the `mnist` package's 10 000 digits. */
export interface MnistSplit {
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/** Every fifth digit of each class (positions 4, 9, 14, … within the class) is a test digit: 2000 test, 8000 train. */
const testEvery = 5;

/**
 * Loads the `mnist` package's digits (1.1.0: 10 000 digits, 863 to 1127 per class, stored per class)
 * and splits them deterministically, class by class in package order: within each class, every fifth
 * digit goes to the test set and the rest to the training set. The package's own `set()` shuffles with
 * Math.random, so it is not used. Takes about half a second (the package is 21 MB of JSON).
 */
export function loadMnistSplit(): MnistSplit {
  const require = createRequire(import.meta.url);
  const train: number[][] = [];
  const test: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const raw = (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data;
    const count = Math.floor(raw.length / mnistPixels);
    for (let index = 0; index < count; index++) {
      const image = raw.slice(index * mnistPixels, (index + 1) * mnistPixels);
      (index % testEvery === testEvery - 1 ? test : train).push(image);
    }
  }
  const pack = (images: number[][]): ImageSet => {
    const intensities = new Float32Array(images.length * mnistPixels);
    images.forEach((image, row) => intensities.set(image, row * mnistPixels));
    return { count: images.length, intensities };
  };
  return { train: pack(train), test: pack(test) };
}

/**
 * Dynamic binarisation: pixel j of image i becomes 1 with probability its intensity, drawn afresh
 * from `rng` (one uniform per pixel, image by image), as in the REBAR, ARM and DisARM experiments.
 * `indices` picks the images (repeats allowed); the result is [indices.length × 784].
 */
export function binarise(images: ImageSet, indices: ArrayLike<number>, rng: Rng): Float32Array {
  const out = new Float32Array(indices.length * mnistPixels);
  const uniforms = new Float64Array(mnistPixels);
  for (let row = 0; row < indices.length; row++) {
    const source = indices[row] * mnistPixels;
    rng.fillUniform(uniforms, mnistPixels);
    const base = row * mnistPixels;
    for (let pixel = 0; pixel < mnistPixels; pixel++) out[base + pixel] = uniforms[pixel] < images.intensities[source + pixel] ? 1 : 0;
  }
  return out;
}
