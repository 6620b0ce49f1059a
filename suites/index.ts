import type { SuiteDefinition } from './suite.js';
import { bernoulliToy } from './bernoulli-toy.js';

export type { SuiteDefinition, Problem } from './suite.js';

/** Built-in suites keyed by id. */
export const builtInSuites: ReadonlyMap<string, SuiteDefinition> = new Map([bernoulliToy].map((suite) => [suite.id, suite]));
