/**
 * Packages estibench uses only when asked for a feature that needs them (optional peer dependencies:
 * `npm install estibench` leaves them out), with the exact versions the tests ran and the one command
 * that adds each. A missing one fails with that command on one line, only when its feature is used.
 */

/** An optional package: what it enables and how to add it. */
export interface OptionalPackage {
  readonly name: string;
  /** The version the test suite ran (package.json pins the same in devDependencies and peerDependencies). */
  readonly version: string;
  /** What needs it, as a noun phrase. */
  readonly enables: string;
  /** The command that installs it into a project that depends on estibench. */
  readonly install: string;
}

/** The optional packages, keyed by package name. */
export const optionalPackages = {
  'gpu.js': {
    name: 'gpu.js',
    version: '2.24.1',
    enables: 'the gpu backend (--backend gpu)',
    install: 'npm install gpu.js@2.24.1',
  },
  'onnxruntime-node': {
    name: 'onnxruntime-node',
    version: '1.30.0',
    enables: 'the onnx suite and onnxruntime matrix products on the cpu backend',
    // Its install script would otherwise fetch CUDA provider libraries from outside the npm registry.
    install: 'ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@1.30.0',
  },
} as const satisfies Record<string, OptionalPackage>;

export type OptionalPackageName = keyof typeof optionalPackages;

/** Whether `error` says that the package `name` itself is not installed (not that it failed to load). */
export function isMissingPackage(error: unknown, name: OptionalPackageName): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && typeof message === 'string' && message.includes(`'${name}'`);
}

/** One line: what is missing, what for, and the command that adds it. */
export function missingPackageMessage(name: OptionalPackageName): string {
  const optional = optionalPackages[name];
  return `${optional.enables} needs the package ${name}, which is not installed; add it with: ${optional.install}`;
}
