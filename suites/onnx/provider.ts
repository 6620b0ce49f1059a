import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMissingPackage, missingPackageMessage } from '../../core/optional-packages.js';
import type { OnnxModelContract } from './model-contract.js';

/** Execution providers `onnx.provider` accepts (onnxruntime-node's names). */
export const onnxProviders: readonly string[] = ['cpu', 'cuda', 'webgpu'];

/** The provider a cell runs its model on, and why not the requested one when it fell back. */
export interface ProviderChoice {
  readonly requested: string;
  readonly used: string;
  /** `provider: reason` when the requested provider could not load the model; null otherwise. */
  readonly fallback: string | null;
}

/** How long a provider may take to open the model in the probe (a GPU provider compiles kernels). */
const probeTimeoutMs = 120_000;

/** Opens the model on the provider in a child process and prints the outcome as JSON. */
const probeScript = `
const [runtimeUrl, modelPath, provider] = process.argv.slice(1);
try {
  const ort = await import(runtimeUrl);
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: [provider], logSeverityLevel: 4 });
  await session.release();
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error?.message ?? error).split('\\n')[0].trim() }));
}`;

/**
 * Tries the requested execution provider on the model and falls back to cpu, recording why. Suites
 * build their problems synchronously and the cell records its parameters before it runs, so the
 * attempt is a real session opened in a child process (only for a provider other than cpu): the
 * recorded choice is what the cell's own session then uses.
 */
export function chooseProvider(contract: OnnxModelContract, requested: string): ProviderChoice {
  if (requested === 'cpu') return { requested, used: 'cpu', fallback: null };
  let runtime: string;
  try {
    runtime = pathToFileURL(createRequire(import.meta.url).resolve('onnxruntime-node')).href;
  } catch (error) {
    if (!isMissingPackage(error, 'onnxruntime-node')) throw error;
    return { requested, used: 'cpu', fallback: `${requested}: ${missingPackageMessage('onnxruntime-node')}` };
  }
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', probeScript, runtime, contract.absolutePath, requested], {
    encoding: 'utf8', timeout: probeTimeoutMs,
  });
  let outcome: { ok: boolean; error?: string };
  try {
    outcome = JSON.parse(probe.stdout.trim().split('\n').pop() ?? '');
  } catch {
    const reason = probe.error ? probe.error.message : `probe exited with ${probe.status ?? probe.signal}`;
    outcome = { ok: false, error: reason };
  }
  return outcome.ok ? { requested, used: requested, fallback: null } : { requested, used: 'cpu', fallback: `${requested}: ${outcome.error}` };
}
