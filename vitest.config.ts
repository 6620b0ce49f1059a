import { defineConfig } from 'vitest/config';

// Three projects: `unit` runs files in parallel; `gpu` (one headless-gl context and one Xvfb at a time) and
// `cli` (spawned estibench processes, each of which may use both cores) run their files one after another.
const gpuTests = 'test/**/*.gpu.test.ts';
const cliTests = 'test/scripts/**/*.test.ts';
// GPU (headless-gl on a software rasteriser) and statistical tests are slow on a 2-core machine.
const slow = { testTimeout: 120_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [gpuTests, cliTests], ...slow } },
      { test: { name: 'gpu', include: [gpuTests], fileParallelism: false, ...slow } },
      { test: { name: 'cli', include: [cliTests], exclude: [gpuTests], fileParallelism: false, ...slow } },
    ],
  },
});
