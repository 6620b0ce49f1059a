import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (...args: string[]) => spawnSync(process.execPath, ['dist/scripts/adam-speed.js', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('adam-speed', () => {
  it('checks the WebAssembly pass against the float64 loop before timing both', () => {
    const result = run('1000', '5');
    expect(result.status, result.stderr).toBe(0);
    const agreement = /max \|float32 WebAssembly − float64\| after 5 steps (\S+); NaN reported: true/.exec(result.stdout);
    expect(agreement, result.stdout).not.toBeNull();
    expect(Number(agreement![1])).toBeLessThan(1e-5);
    expect(result.stdout).toMatch(/WebAssembly SIMD float32: fastest [\d.]+ ms, median [\d.]+ ms/);
    expect(result.stdout).toMatch(/JavaScript float64: +fastest [\d.]+ ms, median [\d.]+ ms/);
  });

  it('exits 2 with one line on bad input', () => {
    const result = run('many');
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
