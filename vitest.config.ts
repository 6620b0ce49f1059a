import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // GPU (headless-gl on a software rasteriser) and statistical tests are slow on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One GL context and one Xvfb at a time: files run one after another.
    fileParallelism: false,
  },
});
