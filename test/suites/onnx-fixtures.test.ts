import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnxFixtures } from '../fixtures/onnx/models.js';

const directory = join(import.meta.dirname, '..', 'fixtures', 'onnx');

describe('ONNX fixtures', () => {
  // ESTIBENCH_WRITE_FIXTURES=1 rewrites the checked-in files from the builder.
  const write = process.env.ESTIBENCH_WRITE_FIXTURES === '1';
  it.each([...onnxFixtures()])('%s is checked in exactly as test/fixtures/onnx/models.ts builds it', (name, bytes) => {
    const path = join(directory, name);
    if (write) writeFileSync(path, bytes);
    expect(existsSync(path), `${path} is missing: run ESTIBENCH_WRITE_FIXTURES=1 npx vitest run test/onnx-fixtures.test.ts`).toBe(true);
    expect(Buffer.compare(readFileSync(path), Buffer.from(bytes))).toBe(0);
  });
});
