import { describe, expect, it } from 'vitest';
import { builtInBackends } from '../../backends/index.js';
import { builtInEstimators } from '../../estimators/index.js';
import { resolveConfig, type RawBenchOptions } from '../../harness/config.js';
import { UsageError } from '../../core/errors.js';
import { builtInSuites } from '../../suites/index.js';

const registries = { suites: builtInSuites, estimators: builtInEstimators, backends: builtInBackends };

describe('resolveConfig', () => {
  it('fills defaults and applies --set to the plug-ins that declare the key', () => {
    const config = resolveConfig({ set: ['dim=16', 'gumbel-softmax.tau=0.25', 'sigma=2'] }, registries);
    // Suites marked inDefaultRun: false (a model file to give, minutes of training) run only when named.
    expect(config.suites).toEqual([...builtInSuites].filter(([, suite]) => suite.inDefaultRun !== false).map(([id]) => id));
    expect(config.suites).not.toContain('onnx');
    expect(resolveConfig({ suite: 'onnx', set: ['onnx.model=x.onnx'] }, registries).suites).toEqual(['onnx']);
    expect(config.estimators).toEqual([...builtInEstimators.keys()]);
    expect(config.backends).toEqual(['cpu', 'gpu']);
    expect(config.suiteParams['bernoulli-toy']).toEqual({ dim: [16], t: [0.45], power: [2] });
    expect(config.suiteParams['bernoulli-quadratic']).toEqual({ dim: [16], objectiveSeed: [1] });
    expect(config.estimatorParams['gumbel-softmax']).toEqual({ tau: [0.25] });
    expect(config.estimatorParams['additive-noise']).toEqual({ sigma: [2] });
    expect(config.estimatorParams['multiplicative-noise']).toEqual({ sigma: [2] });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('accepts comma-separated and repeated lists', () => {
    const config = resolveConfig({ estimator: ['ste-identity,ste-sigmoid', 'gumbel-softmax'], backend: 'cpu' }, registries);
    expect(config.estimators).toEqual(['ste-identity', 'ste-sigmoid', 'gumbel-softmax']);
    expect(config.backends).toEqual(['cpu']);
  });

  const badInputs: Array<[string, RawBenchOptions, RegExp]> = [
    ['unknown suite', { suite: 'nope' }, /unknown suite 'nope'.*valid suites: bernoulli-toy/],
    ['unknown estimator', { estimator: 'ste-magic' }, /unknown estimator 'ste-magic'.*valid estimators: ste-identity/],
    ['unknown backend', { backend: 'tpu' }, /unknown backend 'tpu'.*valid backends: cpu, gpu/],
    ['zero samples', { samples: 0 }, /--samples must be a whole number >= 2, got 0/],
    ['negative samples', { samples: -10 }, /--samples must be a whole number >= 2/],
    ['fractional samples', { samples: 10.5 }, /--samples must be a whole number/],
    ['samples not a number', { samples: Number.NaN }, /--samples must be a whole number/],
    ['zero batch size', { batchSize: 0 }, /--batch-size must be a whole number >= 1/],
    ['tau = 0', { set: 'gumbel-softmax.tau=0' }, /tau must be > 0, got 0/],
    ['negative tau', { set: 'tau=-1' }, /tau must be > 0, got -1/],
    ['negative sigma', { set: 'sigma=-0.5' }, /sigma must be >= 0/],
    ['fractional dim', { set: 'dim=2.5' }, /dim must be a whole number/],
    ['--set without value', { set: 'dim' }, /malformed --set 'dim'/],
    ['--set with non-number', { set: 'dim=abc' }, /'abc' is not a finite number/],
    ['--set with unknown key', { set: 'temperature=1' }, /unknown parameter 'temperature'/],
    ['--set with unknown scope', { set: 'nope.tau=1' }, /no suite or estimator 'nope'/],
    ['--set key that scope lacks', { set: 'ste-identity.tau=1' }, /unknown parameter 'tau'/],
    ['negative learning rate', { learningRate: -1 }, /--learning-rate must be a positive number/],
  ];

  it.each(badInputs)('refuses %s with a one-line usage error', (_, raw, message) => {
    let caught: unknown;
    try {
      resolveConfig(raw, registries);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });
});
