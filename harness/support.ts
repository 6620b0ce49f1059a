/**
 * Which estimator x suite pairs can run at all, decided from the definitions before anything is
 * computed: a run spends its time on the pairs that tell something and leaves the others out of the
 * plan, listing them once (results.json `config.unsupportedPairs`, `--list-unsupported`) instead of
 * as a row per cell.
 */
import { unsupportedNodeReason } from '../core/node-kinds.js';
import type { ParameterGrid } from '../core/parameters.js';
import type { Registries, UnsupportedPair } from '../core/types.js';
import { gridPoints } from './plan.js';

/**
 * Why `estimator` cannot run on `suite` at any of the estimator's grid points, or null when it can run
 * at one of them (a limit met at some grid points only is left to those cells, which say `unsupported`).
 */
export function pairUnsupportedReason(suiteId: string, estimatorId: string, estimatorGrid: ParameterGrid, registries: Registries): string | null {
  const suite = registries.suites.get(suiteId);
  const estimator = registries.estimators.get(estimatorId);
  if (!suite || !estimator) return null;
  const byNodeKind = unsupportedNodeReason(estimator, suite.nodeKind);
  if (byNodeKind) return byNodeKind;
  if (!suite.unsupportedReason) return null;
  const reasons = gridPoints(estimatorGrid).map((point) => suite.unsupportedReason!(estimator, point));
  return reasons.every((reason) => reason !== null) ? reasons[0] : null;
}

/** Every pair of the given suites and estimators that cannot run, in plan order (suite, then estimator). */
export function unsupportedPairs(
  suites: readonly string[], estimators: readonly string[], estimatorGrids: Readonly<Record<string, ParameterGrid>>, registries: Registries,
): UnsupportedPair[] {
  const pairs: UnsupportedPair[] = [];
  for (const suite of new Set(suites)) {
    for (const estimator of estimators) {
      const reason = pairUnsupportedReason(suite, estimator, estimatorGrids[estimator] ?? {}, registries);
      if (reason) pairs.push({ suite, estimator, reason });
    }
  }
  return pairs;
}

/** The one line a run prints about the pairs it left out, or null when it left none out. */
export function leftOutLine(pairs: readonly UnsupportedPair[] | undefined): string | null {
  const count = pairs?.length ?? 0;
  if (count === 0) return null;
  return `left out ${count} unsupported estimator × suite pair${count === 1 ? '' : 's'} (see --list-unsupported, or config.unsupportedPairs in results.json)`;
}

/** The full list, one pair a line: `suite / estimator: reason`. */
export function unsupportedPairLines(pairs: readonly UnsupportedPair[] | undefined): string[] {
  return (pairs ?? []).map((pair) => `${pair.suite} / ${pair.estimator}: ${pair.reason}`);
}
