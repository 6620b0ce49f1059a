import type { EstimatorDefinition } from '../../core/estimator.js';
import { errorMessage } from '../../core/errors.js';
import { hashSeed, Rng } from '../../core/rng.js';
import { parametersAsLogits, singleNodeEstimates, type SingleNodeStages } from '../../models/single-node.js';
import type { ReferenceGradient, StagedEstimates, StagedProblem } from '../../core/suite.js';
import { initialLogits } from './initial-logits.js';
import { OnnxModelError, readModelContract, type OnnxModelContract } from './model-contract.js';
import { openOrtObjective, type OnnxObjective, type OpenObjective } from './objective-session.js';
import { chooseProvider, type ProviderChoice } from './provider.js';
import { enumeratedExpectation, enumerateObjective, monteCarloGradient, monteCarloLoss, stateCount, unitsLayout } from './reference.js';

/** The `onnx` suite's parameters, resolved. */
export interface OnnxSettings {
  readonly model: string;
  readonly node: string;
  readonly logit: string;
  readonly provider: string;
  readonly maxStates: number;
  readonly referenceSamples: number;
  readonly lossSamples: number;
}

/** Where the ONNX export example lives, for messages that say how to add a `grad` output. */
export const exportExample = 'examples/onnx/export_objective.py';

/** A problem whose every cell is refused or failed with one line, before anything runs. */
function refusedProblem(nodeKind: StagedProblem['nodeKind'], reason: { unsupported?: string; error?: string }, recordedParams = {}): StagedProblem {
  return {
    kind: 'staged',
    nodeKind,
    initialParameters: new Float64Array(0),
    recordedParams,
    unsupportedReason: () => reason.unsupported ?? null,
    prepare() {
      throw new OnnxModelError(reason.error ?? reason.unsupported ?? 'no model');
    },
  };
}

/** Whether the reference gradient (and the training loss) come from enumerating every state: 2^D (or K^D) of them. */
function enumerates(contract: OnnxModelContract, maxStates: number): boolean {
  return stateCount(unitsLayout(contract)) <= maxStates;
}

/**
 * The staged cell of a valid model: no upstream layer (every row's logits are the trained
 * parameters), the model as the objective stage, identity backward. The session opens on first use
 * and is released with the cell.
 */
function prepareOnnx(
  contract: OnnxModelContract, settings: OnnxSettings, provider: ProviderChoice, openObjective: OpenObjective, context: Parameters<StagedProblem['prepare']>[0],
): StagedEstimates {
  const { width, units, sha256 } = contract;
  const layout = unitsLayout(contract);
  const node = contract.nodeKind === 'categorical' ? context.hardNode(width, { classes: contract.classes }) : context.hardNode(width);
  let session: Promise<OnnxObjective> | null = null;
  const objective = () => (session ??= openObjective(contract, provider.used));
  let enumerated: Promise<Float64Array> | null = null;
  const stateValues = async () => (enumerated ??= enumerateObjective(await objective(), layout));
  let lossUniforms: Float32Array | null = null;
  const stages: SingleNodeStages<null> = {
    ...parametersAsLogits(width),
    async objective(_pass, h, _evaluations, wantGradient) {
      return (await objective()).evaluate(h, h.length / width, wantGradient);
    },
  };
  return {
    estimates: (params, count, rng, step) => singleNodeEstimates(stages, node, context.estimator, params, count, rng, step),
    async referenceGradient(params): Promise<ReferenceGradient> {
      if (enumerates(contract, settings.maxStates)) return { kind: 'enumeration', gradient: enumeratedExpectation(layout, await stateValues(), params).gradient };
      // One stream per model and sample count: every cell of a run is scored against the same reference.
      const rng = new Rng(hashSeed('onnx-reference', sha256, settings.referenceSamples));
      const { gradient, stdErr } = await monteCarloGradient(await objective(), layout, params, settings.referenceSamples, rng);
      return { kind: 'monte-carlo', gradient, stdErr };
    },
    async evaluate(params) {
      if (enumerates(contract, settings.maxStates)) return { loss: enumeratedExpectation(layout, await stateValues(), params).loss };
      if (!lossUniforms) {
        lossUniforms = new Float32Array(settings.lossSamples * units);
        new Rng(hashSeed('onnx-loss', sha256, settings.lossSamples)).fillUniform(lossUniforms, lossUniforms.length);
      }
      return { loss: await monteCarloLoss(await objective(), layout, params, lossUniforms) };
    },
    dispose() {
      // Releasing is synchronous inside onnxruntime-node; a session still opening is released once open.
      session?.then((open) => open.release(), () => {}).catch(() => {});
      session = null;
    },
  };
}

/** Why an estimator cannot run on a valid model, or null. */
function modelUnsupportedReason(contract: OnnxModelContract, estimator: EstimatorDefinition): string | null {
  if (estimator.needs.objectiveGradient && !contract.hasGradient) {
    return `${estimator.id} needs dL/dh and model '${contract.path}' has no output grad; export one with the shape of h (${exportExample} adds it with autograd)`;
  }
  return null;
}

/**
 * The `onnx` suite's problem for one set of parameters. Never throws: without a model every cell is
 * unsupported with a reason saying how to give one, and a bad model (or logits file) fails its cells
 * with one line when they run, so that nothing else in the run is lost.
 */
export function createOnnxProblem(settings: OnnxSettings, openObjective: OpenObjective = openOrtObjective): StagedProblem {
  const requestedKind = settings.node === 'categorical' ? 'categorical' : 'bernoulli';
  if (settings.model === '') {
    return refusedProblem(requestedKind, { unsupported: 'no ONNX model given: set onnx.model to the path of an .onnx file (docs/suites/onnx.md)' });
  }
  let contract: OnnxModelContract;
  let logits: Float64Array;
  let provider: ProviderChoice;
  try {
    contract = readModelContract(settings.model, settings.node);
    logits = initialLogits(settings.logit, contract.width);
    provider = chooseProvider(contract, settings.provider);
  } catch (error) {
    return refusedProblem(requestedKind, { error: errorMessage(error) });
  }
  const enumerated = enumerates(contract, settings.maxStates);
  return {
    kind: 'staged',
    nodeKind: contract.nodeKind,
    initialParameters: logits,
    recordedParams: {
      modelSha256: contract.sha256,
      units: contract.units,
      ...(contract.nodeKind === 'categorical' ? { classes: contract.classes } : {}),
      logits: Array.from(logits),
      providerUsed: provider.used,
      ...(provider.fallback ? { providerFallback: provider.fallback } : {}),
      trainingLoss: enumerated ? 'enumeration' : `monte-carlo (${settings.lossSamples} samples)`,
    },
    unsupportedReason: (estimator) => modelUnsupportedReason(contract, estimator),
    prepare: (context) => prepareOnnx(contract, settings, provider, openObjective, context),
  };
}
