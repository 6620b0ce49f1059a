/**
 * Whether a plain run (no `--backend`) includes the gpu backend: only when gpu.js reaches a hardware
 * GPU. On a machine without a GPU device, gpu.js would run on a software rasteriser (Mesa's llvmpipe
 * under Xvfb): minutes of the run spent to measure a CPU through a shader compiler, with the same
 * scores as the cpu backend. Finding that out must not cost the GPU start-up, so the device files
 * are looked at first (microseconds); only where a GPU device exists is gpu.js started to see what
 * it actually gets.
 */
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DefaultRunDecision } from '../core/backend.js';
import { errorMessage } from '../core/errors.js';

/** Kernel DRM drivers of render nodes that render in software (a virtual GEM device, a virtual display). */
const softwareDrmDrivers = ['vgem', 'vkms'];

/** Where the device files are looked for (the real machine's by default; tests give a directory of their own). */
export interface DeviceRoots {
  readonly dev: string;
  readonly sys: string;
  readonly platform: NodeJS.Platform;
}

const machineRoots: DeviceRoots = { dev: '/dev', sys: '/sys', platform: process.platform };

/**
 * GPU devices this machine has, as descriptions (`/dev/dri/renderD128 (amdgpu)`, `/dev/nvidia0`), found
 * from device files alone; null where the platform has no such files to read (macOS, Windows: the GPU
 * is then found by starting gpu.js).
 */
export function gpuDevices(roots: DeviceRoots = machineRoots): string[] | null {
  if (roots.platform !== 'linux') return null;
  const devices: string[] = [];
  const dri = join(roots.dev, 'dri');
  for (const node of existsSync(dri) ? readdirSync(dri).filter((name) => name.startsWith('renderD')).sort() : []) {
    let driver = 'unknown driver';
    try {
      driver = basename(readlinkSync(join(roots.sys, 'class', 'drm', node, 'device', 'driver')));
    } catch {
      // No sysfs entry (a container with the node passed in): count the node, gpu.js will tell.
    }
    if (!softwareDrmDrivers.includes(driver)) devices.push(`${join(dri, node)} (${driver})`);
  }
  const nvidia = existsSync(roots.dev) ? readdirSync(roots.dev).filter((name) => /^nvidia\d+$/.test(name)).sort() : [];
  devices.push(...nvidia.map((name) => join(roots.dev, name)));
  return devices;
}

/** What the gpu backend reports once started: whether it is a hardware path. */
export interface StartedGpu {
  readonly mode: string;
  readonly details: Readonly<Record<string, string>>;
  dispose(): void;
}

/** The reason a started gpu.js runtime is not a hardware GPU, or null when it is one. */
export function softwareReason(started: Pick<StartedGpu, 'mode' | 'details'>): string | null {
  if (started.mode === 'gpu:cpu-fallback') return 'gpu.js found no GPU path and would run kernels as JavaScript';
  if (started.mode.endsWith('-software') || started.details.software?.startsWith('yes')) {
    return `gpu.js reaches only a software renderer (${started.details.renderer ?? started.mode})`;
  }
  return null;
}

const askForIt = '--backend gpu (or cpu,gpu) runs it anyway';

/**
 * The gpu backend's decision for a plain run: left out, with one line, where no GPU device exists;
 * where one does, gpu.js is started once (`start`) and the backend is included only if that reached
 * a hardware path rather than a software rasteriser.
 */
export async function gpuInDefaultRun(start: () => Promise<StartedGpu>, roots: DeviceRoots = machineRoots): Promise<DefaultRunDecision> {
  const devices = gpuDevices(roots);
  if (devices !== null && devices.length === 0) {
    return { include: false, note: `gpu backend left out: no GPU device here (no ${join(roots.dev, 'dri', 'renderD*')} of a GPU driver, no ${join(roots.dev, 'nvidia*')}), so only a software rasteriser could run it; ${askForIt}` };
  }
  let started: StartedGpu;
  try {
    started = await start();
  } catch (error) {
    return { include: false, note: `gpu backend left out: it did not start (${errorMessage(error).split('\n')[0]}); ${askForIt}` };
  }
  const reason = softwareReason(started);
  started.dispose();
  const where = devices && devices.length > 0 ? ` although ${devices.join(', ')} exist${devices.length === 1 ? 's' : ''}` : '';
  return reason ? { include: false, note: `gpu backend left out: ${reason}${where}; ${askForIt}` } : { include: true };
}
