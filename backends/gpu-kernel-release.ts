import type { GpuJsKernel } from './gpu-runtime.js';

/**
 * Destroys a gpu.js kernel but leaves its vertex buffer (64 bytes) to the GL context. WebGL 1 has one
 * vertex-attribute binding per context, set when a kernel is built and never again when one runs, so
 * it points at the buffer of the kernel built last; gpu.js deletes that buffer on destroy, after which
 * every surviving kernel draws nothing and silently returns its previous output (seen with headless-gl:
 * a matrix product kept returning the last call's result once a hard node's kernels were destroyed).
 */
export function destroyKernel(kernel: GpuJsKernel): void {
  const built = (kernel as GpuJsKernel & { kernel?: { buffer?: unknown } }).kernel;
  if (built && 'buffer' in built) built.buffer = null;
  kernel.destroy();
}
