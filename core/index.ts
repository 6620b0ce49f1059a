/**
 * The public API of the `estibench` package: what a plug-in author imports
 * (`import { defineEstimator, defineSuite } from 'estibench'`). Only contracts and vocabularies from
 * `core/` are exported; the harness, backends and reports are reached through the `estibench` CLI.
 * @packageDocumentation
 */

/** Type-checks an estimator definition (metadata beside its kernels) and freezes it. */
export { defineEstimator, noElementKernels, reservedKernelArgumentNames, runsOnHardNodeStages } from './estimator.js';
export type {
  CategoricalKernels, EstimatorDefinition, EstimatorFamily, EstimatorKernels, KernelFunction, NodeKind, NoiseKind, UnitKernelFunction,
} from './estimator.js';

/** The contract of a vector-quantized node's estimator rule, and the shared auxiliary losses. */
export { addCodebookAndCommitment, nearestCode } from './vector-quantizer.js';
export type { QuantizedVector, VectorQuantizerRule } from './vector-quantizer.js';

/** Trainable estimator state (REBAR's η, NVIL's baseline): values kernels read by name, updated once per training step. */
export { initialStateArray, stateArray, stateValues } from './estimator-state.js';
export type {
  EstimatorState, StateShape, StateUpdateInput, StateValues, StepGradientMoments, StepObjectiveMoments,
} from './estimator-state.js';

/** Array state and host terms: an estimator's own small model (RELAX's surrogate, NVIL's baseline network), run on the host per batch. */
export { arrayNorm, checkedHostTerms } from './host-terms.js';
export type { ArrayState, ArrayStateValues, HostTermInput, HostTerms, HostTermValues, NodeSamples } from './host-terms.js';

/** Type-checks a suite definition (a problem family with its parameters) and freezes it. */
export { defineSuite, isStagedProblem } from './suite.js';
export type {
  HardNodeForward, HardNodeOptions, HardNodeStage, HardOp, ObjectiveKernels, Problem, ProblemEvaluation, ReferenceGradient,
  ScoringTarget, StagedContext, StagedEstimates, StagedProblem, SuiteDefinition, TensorOps, TrainingDefaults,
} from './suite.js';

export type {
  NumberParameterSpec, ParameterGrid, ParameterSpec, ParameterSpecs, ParameterValue, ParameterValues, StringParameterSpec,
} from './parameters.js';

/** Seeded random streams: a suite that draws data or targets uses these so a seed reproduces it. */
export { hashSeed, Rng } from './rng.js';

/** Throw a UsageError from a plug-in for bad input (a parameter out of range): one line, exit 2. */
export { UsageError } from './errors.js';

/** The shape of results.json, for code that reads results (the `estibench report` input). */
export { resultsSchemaVersion } from './types.js';
export type { BenchResults, CellResult, EstimatorTraits, ReferenceKind, RunEnvironment } from './types.js';
