import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gpuDevices, gpuInDefaultRun, softwareReason, type DeviceRoots, type StartedGpu } from '../../backends/gpu-presence.js';

/** A fake machine: /dev and /sys in a temporary directory, with the given render nodes (and their drivers) and device files. */
function machine(renderNodes: Record<string, string | null>, devFiles: string[] = [], platform: NodeJS.Platform = 'linux'): DeviceRoots {
  const root = mkdtempSync(join(tmpdir(), 'estibench-devices-'));
  const dev = join(root, 'dev');
  const sys = join(root, 'sys');
  mkdirSync(join(dev, 'dri'), { recursive: true });
  for (const [node, driver] of Object.entries(renderNodes)) {
    writeFileSync(join(dev, 'dri', node), '');
    if (driver === null) continue;
    mkdirSync(join(sys, 'class', 'drm', node, 'device'), { recursive: true });
    symlinkSync(join(sys, 'bus', 'pci', 'drivers', driver), join(sys, 'class', 'drm', node, 'device', 'driver'));
  }
  for (const file of devFiles) writeFileSync(join(dev, file), '');
  return { dev, sys, platform };
}

/** A start function that records whether it was called and reports `mode` and `details`. */
function starter(mode: string, details: Record<string, string> = {}) {
  const calls = { started: 0, disposed: 0 };
  const start = async (): Promise<StartedGpu> => {
    calls.started += 1;
    return { mode, details, dispose: () => { calls.disposed += 1; } };
  };
  return { calls, start };
}

describe('whether a plain run includes the gpu backend', () => {
  it('finds GPU devices from render nodes of GPU drivers and NVIDIA device files, not from virtual ones', () => {
    expect(gpuDevices(machine({}))).toEqual([]);
    expect(gpuDevices(machine({ renderD128: 'vgem', card0: 'vkms' }))).toEqual([]);
    const roots = machine({ renderD128: 'amdgpu', renderD129: null }, ['nvidia0', 'nvidiactl']);
    expect(gpuDevices(roots)).toEqual([
      `${join(roots.dev, 'dri', 'renderD128')} (amdgpu)`, `${join(roots.dev, 'dri', 'renderD129')} (unknown driver)`, join(roots.dev, 'nvidia0'),
    ]);
    expect(gpuDevices(machine({}, [], 'darwin'))).toBeNull();
  });

  it('leaves it out with one line, without starting gpu.js, where there is no GPU device', async () => {
    const { calls, start } = starter('gpu:headlessgl');
    const decision = await gpuInDefaultRun(start, machine({ renderD128: 'vgem' }));
    expect(decision.include).toBe(false);
    expect(decision.note).toMatch(/^gpu backend left out: no GPU device here .*; --backend gpu \(or cpu,gpu\) runs it anyway$/);
    expect(decision.note).not.toContain('\n');
    expect(calls.started).toBe(0);
  });

  it('starts gpu.js once where a device exists, and includes it only on a hardware path', async () => {
    const roots = machine({}, ['nvidia0']);
    const hardware = starter('gpu:webgpu', { renderer: 'nvidia hopper', software: 'no' });
    expect(await gpuInDefaultRun(hardware.start, roots)).toEqual({ include: true });
    expect(hardware.calls).toEqual({ started: 1, disposed: 1 });

    const software = starter('gpu:headlessgl-software', { renderer: 'ANGLE on llvmpipe (LLVM 15.0.7, 256 bits)', software: 'yes: timings measure a CPU rasteriser, not a GPU' });
    const decision = await gpuInDefaultRun(software.start, roots);
    expect(decision.include).toBe(false);
    expect(decision.note).toMatch(/only a software renderer \(ANGLE on llvmpipe .*\) although .*nvidia0 exists; --backend gpu/);
    expect(software.calls).toEqual({ started: 1, disposed: 1 });

    const fallback = starter('gpu:cpu-fallback');
    expect((await gpuInDefaultRun(fallback.start, roots)).note).toMatch(/no GPU path/);
    const failing = await gpuInDefaultRun(async () => { throw new Error('gl: no context\nstack'); }, roots);
    expect(failing).toEqual({ include: false, note: 'gpu backend left out: it did not start (gl: no context); --backend gpu (or cpu,gpu) runs it anyway' });
  });

  it('asks gpu.js where device files say nothing (macOS, Windows)', async () => {
    const { calls, start } = starter('gpu:webgpu', { renderer: 'apple m2' });
    expect(await gpuInDefaultRun(start, machine({}, [], 'darwin'))).toEqual({ include: true });
    expect(calls.started).toBe(1);
  });

  it('names software renderers whatever path reached them', () => {
    expect(softwareReason({ mode: 'gpu:webgpu-software', details: { renderer: 'Google SwiftShader' } })).toMatch(/SwiftShader/);
    expect(softwareReason({ mode: 'gpu:headlessgl', details: { software: 'no' } })).toBeNull();
  });
});
