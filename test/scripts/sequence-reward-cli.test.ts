/** `npm run bench -- --suite sequence-reward` as a user runs it, at small settings. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, readResults, runCli } from '../support/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'estibench-sequence-'));

describe('npm run bench -- --suite sequence-reward', () => {
  it('scores REINFORCE-LOO, GRPO and Dr. GRPO against the enumeration and trains them, on the CPU', () => {
    const out = join(work, 'small');
    const run = runCli('bench', [
      '--suite', 'sequence-reward', '--set', 'dim=3', '--set', 'classes=3', '--backend', 'cpu', '--threads', '1',
      '--estimator', 'reinforce-loo,grpo,dr-grpo', '--samples', '4000', '--steps', '4', '--timing-iterations', '0', '--no-report', '--out', out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const { cells } = readResults(out);
    expect(cells.map((cell) => cell.estimator)).toEqual(['reinforce-loo', 'grpo', 'dr-grpo']);
    for (const cell of cells) {
      if (cell.state !== 'completed') throw new Error(`${cell.estimator}: ${cell.state}`);
      expect(cell.suiteParams).toMatchObject({ dim: 3, classes: 3, beta: 0.05, seed: 1 });
      expect(cell.metrics.referenceKind).toBe('enumeration');
      expect(cell.metrics.exactGradient).toHaveLength(9);
      for (const key of ['bias', 'biasStdErr', 'variance', 'mse', 'finalLoss'] as const) expect(Number.isFinite(cell.metrics[key]), key).toBe(true);
    }
  });

  it('refuses more than 2^16 sequences before running anything (exit 2, one line)', () => {
    const run = runCli('bench', ['--suite', 'sequence-reward', '--set', 'dim=9', '--set', 'classes=4', '--no-report', '--out', join(work, 'never')]);
    expectUsageError(run, /sequence-reward: classes\^dim = 4\^9 = 262144 sequences, more than the 65536/);
  });
});
