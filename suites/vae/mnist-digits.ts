import { createRequire } from 'node:module';

/** Pixels of one MNIST digit (28 × 28). */
export const mnistPixels = 784;

/** Images of one part of the split. */
export interface MnistSet {
  readonly count: number;
  /** [count × 784] grey levels in [0, 1], row-major. */
  readonly images: Float32Array;
}

/** The fixed train/test split of the `mnist` package's 10 000 digits. */
export interface MnistSplit {
  readonly train: MnistSet;
  readonly test: MnistSet;
}

/**
 * Interim loader, until the model layer's MNIST loader (suites/mnist-data.ts) is on main; it builds
 * the same split: for each class, in the package's order, the last round(n/5) digits are test digits
 * and the others training digits (8000 and 2000 of the package's 10 000). No randomness.
 */
export class MnistDigits {
  private split: MnistSplit | null = null;

  load(): MnistSplit {
    this.split ??= splitDigits();
    return this.split;
  }
}

function splitDigits(): MnistSplit {
  const require = createRequire(import.meta.url);
  const train: number[][] = [];
  const test: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const raw = (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data;
    const count = raw.length / mnistPixels;
    const testCount = Math.round(count / 5);
    for (let index = 0; index < count; index++) (index >= count - testCount ? test : train).push(raw.slice(index * mnistPixels, (index + 1) * mnistPixels));
  }
  const pack = (images: number[][]): MnistSet => {
    const packed = new Float32Array(images.length * mnistPixels);
    images.forEach((image, row) => packed.set(image, row * mnistPixels));
    return { count: images.length, images: packed };
  };
  return { train: pack(train), test: pack(test) };
}
