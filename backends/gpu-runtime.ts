import { createRequire } from 'node:module';
import { errorMessage } from '../core/errors.js';
import { isMissingPackage, missingPackageMessage } from '../core/optional-packages.js';
import { glxRenderer, startVirtualDisplay, type VirtualDisplay } from './xvfb.js';

/** A compiled gpu.js kernel: returns an array, a texture (pipeline kernels), or a Promise of one (WebGPU). */
export interface GpuJsKernel {
  (...args: unknown[]): unknown;
  destroy(): void;
}

/** The part of a gpu.js instance this backend uses (the package's bundled typings lag its API). */
export interface GpuJsInstance {
  createKernel(kernel: string | ((...args: never[]) => unknown), settings: Record<string, unknown>): GpuJsKernel;
  destroy(): void;
}

/** The part of the gpu.js module this backend uses. */
export interface GpuJsModule {
  readonly GPU: { new (settings: { mode: string }): GpuJsInstance; readonly isHeadlessGLSupported: boolean };
  input(values: Float32Array, size: number[]): unknown;
}

type GPU = GpuJsInstance;

/** A working gpu.js instance and how it was obtained. */
export interface GpuRuntime {
  readonly gpu: GPU;
  readonly gpujs: GpuJsModule;
  /**
   * `gpu:webgpu`, `gpu:headlessgl`, the same with `-software` where the renderer is a CPU rasteriser
   * (Mesa's llvmpipe, SwiftShader), or `gpu:cpu-fallback` when no GPU path worked.
   */
  readonly mode: string;
  readonly details: Record<string, string>;
  readonly fallbacks: string[];
  /** Largest texture side the device accepts (kernel outputs larger than this must be split). */
  readonly maxTextureSize: number;
  dispose(): void;
}

/** Renderer names of CPU rasterisers: Mesa's llvmpipe, softpipe and swrast, lavapipe (Vulkan), SwiftShader. */
const softwareRendererPattern = /llvmpipe|softpipe|swrast|lavapipe|swiftshader|software/i;

/** gpu.js, an optional peer dependency: loaded only when the gpu backend starts. */
async function loadGpuJs(): Promise<GpuJsModule> {
  let loaded: GpuJsModule & { default?: GpuJsModule };
  try {
    loaded = (await import('gpu.js')) as unknown as GpuJsModule & { default?: GpuJsModule };
  } catch (error) {
    throw isMissingPackage(error, 'gpu.js') ? new Error(missingPackageMessage('gpu.js')) : error;
  }
  return loaded.default ?? loaded;
}

/** Runs a tiny kernel so that a mode that constructs but cannot compute fails here, not in a cell. */
async function smokeTest(gpu: GPU): Promise<void> {
  const kernel = gpu.createKernel('function (values) { return values[this.thread.x] * 2; }', { output: [4] });
  const result = (await kernel(new Float32Array([1, 2, 3, 4]))) as Float32Array;
  kernel.destroy();
  if (Array.from(result).join(',') !== '2,4,6,8') throw new Error(`smoke-test kernel returned ${Array.from(result).join(',')}`);
}

/** MAX_TEXTURE_SIZE of a headless-gl context (16384 on Mesa's llvmpipe). */
async function glMaxTextureSize(): Promise<number> {
  // headless-gl is gpu.js's (optional) dependency: resolve it from there, as gpu.js does.
  const requireFromGpuJs = createRequire(createRequire(import.meta.url).resolve('gpu.js'));
  const createContext = requireFromGpuJs('gl') as (width: number, height: number) => WebGLRenderingContextLike | null;
  const context = createContext(1, 1);
  if (!context) throw new Error('headless-gl could not create a context to read MAX_TEXTURE_SIZE');
  const size = context.getParameter(context.MAX_TEXTURE_SIZE) as number;
  context.getExtension('STACKGL_destroy_context')?.destroy();
  return size;
}

interface WebGLRenderingContextLike {
  readonly MAX_TEXTURE_SIZE: number;
  getParameter(name: number): unknown;
  getExtension(name: string): { destroy(): void } | null;
}

/** WebGPU through Dawn's Node binding (the `webgpu` package); needs a Vulkan, Metal or D3D12 adapter. */
async function tryWebGpu(gpujs: GpuJsModule): Promise<GpuRuntime> {
  const dawn = (await import('webgpu')) as { create: (flags: string[]) => { requestAdapter(): Promise<unknown> }; globals: object };
  const gpuApi = dawn.create([]);
  const adapter = (await gpuApi.requestAdapter()) as { info?: Record<string, string> } | null;
  if (!adapter) throw new Error('Dawn found no WebGPU adapter (no Vulkan/Metal/D3D12 device)');
  // gpu.js looks the API up on the global navigator, as in a browser.
  Object.assign(globalThis, dawn.globals);
  const existing = (globalThis as { navigator?: object }).navigator ?? {};
  Object.defineProperty(globalThis, 'navigator', { value: { ...existing, gpu: gpuApi }, configurable: true, writable: true });
  const gpu = new gpujs.GPU({ mode: 'webgpu' });
  await smokeTest(gpu);
  const info = adapter.info ?? {};
  const details: Record<string, string> = { api: 'WebGPU (Dawn)' };
  for (const key of ['vendor', 'architecture', 'device', 'description']) if (info[key]) details[key] = String(info[key]);
  details.renderer = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  // Dawn falls back to SwiftShader (or Mesa's lavapipe) where Vulkan has no GPU: a CPU, measured as one.
  const software = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || softwareRendererPattern.test(details.renderer);
  details.software = software ? 'yes: timings measure a CPU rasteriser, not a GPU' : 'no';
  // Storage buffers, not textures: no side limit that a batch reaches.
  return { gpu, gpujs, mode: software ? 'gpu:webgpu-software' : 'gpu:webgpu', details, fallbacks: [], maxTextureSize: Number.MAX_SAFE_INTEGER, dispose: () => gpu.destroy() };
}

/** WebGL 1 through headless-gl (ANGLE over the system's GL); starts Xvfb when there is no display. */
async function tryHeadlessGl(gpujs: GpuJsModule): Promise<GpuRuntime> {
  let display: VirtualDisplay | null = null;
  if (!process.env.DISPLAY) {
    display = await startVirtualDisplay();
    // headless-gl reads DISPLAY when it opens a context; gpu.js probes one on first use.
    process.env.DISPLAY = display.display;
  }
  try {
    if (!gpujs.GPU.isHeadlessGLSupported) throw new Error(`headless-gl could not create a WebGL context on DISPLAY ${process.env.DISPLAY}`);
    const gpu = new gpujs.GPU({ mode: 'headlessgl' });
    await smokeTest(gpu);
    const underlying = glxRenderer(process.env.DISPLAY!);
    const renderer = `ANGLE on ${underlying ?? 'an unknown GL renderer (glxinfo not available)'}`;
    const software = underlying !== null && softwareRendererPattern.test(underlying);
    const details: Record<string, string> = {
      api: 'WebGL 1 (headless-gl)',
      renderer,
      display: `${process.env.DISPLAY}${display ? ' (Xvfb started by estibench)' : ''}`,
      software: software ? 'yes: timings measure a CPU rasteriser, not a GPU' : 'no',
    };
    // The display (ours or the user's) stays up: later backends in this process reuse it (see xvfb.ts).
    return {
      gpu, gpujs, mode: software ? 'gpu:headlessgl-software' : 'gpu:headlessgl', details, fallbacks: [], maxTextureSize: await glMaxTextureSize(),
      dispose: () => gpu.destroy(),
    };
  } catch (error) {
    display?.stop();
    if (display) delete process.env.DISPLAY;
    throw error;
  }
}

/**
 * Tries WebGPU, then headless-gl; when neither works, falls back to gpu.js's CPU mode and says so
 * (mode `gpu:cpu-fallback`, every failure listed in `fallbacks`).
 */
export async function startGpuRuntime(): Promise<GpuRuntime> {
  const gpujs = await loadGpuJs();
  const failures: string[] = [];
  for (const [name, attempt] of [['webgpu', tryWebGpu], ['headlessgl', tryHeadlessGl]] as const) {
    try {
      const runtime = await attempt(gpujs);
      return { ...runtime, fallbacks: failures };
    } catch (error) {
      failures.push(`${name}: ${errorMessage(error).split('\n')[0]}`);
    }
  }
  const gpu = new gpujs.GPU({ mode: 'cpu' });
  await smokeTest(gpu);
  return {
    gpu, gpujs, mode: 'gpu:cpu-fallback', fallbacks: failures, maxTextureSize: Number.MAX_SAFE_INTEGER,
    details: { api: 'gpu.js CPU mode', renderer: 'none: no GPU path worked, kernels run as JavaScript' },
    dispose: () => gpu.destroy(),
  };
}
