/** Why dist/ is out of date under `root` (a source checkout), or null when it is current or there are no sources. */
export declare function staleReason(root?: string): string | null;
/** Compiles with the project's TypeScript when dist/ is out of date; exits 1 when tsc fails. */
export declare function ensureBuilt(root?: string): void;
