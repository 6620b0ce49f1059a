/**
 * The few pieces of the WebAssembly binary format (core spec 1.0 + fixed-width SIMD) that the
 * hand-written modules of the harness need: LEB128 numbers, sections, and the instructions by name.
 * A module is written as a list of these instructions (see wasm-adam.ts), so it needs no toolchain
 * (wabt, binaryen) at install or build time, and its source is the TypeScript beside its use.
 */

/** Value types. */
export const valueType = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;

/** Unsigned LEB128. */
export function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    const low = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return bytes;
}

/** Signed LEB128 (32-bit). */
export function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const low = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return bytes;
  }
}

/** A name or byte vector: its length, then its bytes. */
export function vector(bytes: readonly number[]): number[] {
  return [...unsignedLeb(bytes.length), ...bytes];
}

function utf8(text: string): number[] {
  return [...new TextEncoder().encode(text)];
}

/** One section: id, size, contents. */
export function section(id: number, contents: readonly number[]): number[] {
  return [id, ...vector(contents)];
}

const simd = (opcode: number): number[] => [0xfd, ...unsignedLeb(opcode)];
/** Memory argument of a 16-byte aligned access: align 2^4, offset 0. */
const alignedMemarg = [4, 0];

/** The instructions the modules use, by their text-format names. */
export const op = {
  localGet: (index: number) => [0x20, ...unsignedLeb(index)],
  localSet: (index: number) => [0x21, ...unsignedLeb(index)],
  localTee: (index: number) => [0x22, ...unsignedLeb(index)],
  i32Const: (value: number) => [0x41, ...signedLeb(value)],
  i32Add: [0x6a],
  i32GeU: [0x4f],
  /** `block` with no result. */
  block: [0x02, 0x40],
  /** `loop` with no result. */
  loop: [0x03, 0x40],
  br: (depth: number) => [0x0c, ...unsignedLeb(depth)],
  brIf: (depth: number) => [0x0d, ...unsignedLeb(depth)],
  end: [0x0b],
  f32Add: [0x92],
  v128Load: [...simd(0x00), ...alignedMemarg],
  v128Store: [...simd(0x0b), ...alignedMemarg],
  f32x4Splat: simd(0x13),
  f32x4ExtractLane: (lane: number) => [...simd(0x1f), lane],
  f32x4Sqrt: simd(0xe3),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
} as const;

/** What a one-function module is made of. */
export interface SingleFunctionModule {
  /** Name of the exported function. */
  readonly name: string;
  readonly params: readonly number[];
  readonly results: readonly number[];
  /** Extra locals by type, in order after the parameters. */
  readonly locals: readonly number[];
  /** The body's instructions (without the final `end`). */
  readonly body: readonly (readonly number[])[];
}

/**
 * The bytes of a module that imports its memory as `env.memory` (the caller sizes it) and exports one
 * function.
 */
export function singleFunctionModuleBytes(spec: SingleFunctionModule): Uint8Array<ArrayBuffer> {
  const functionType = [0x60, ...vector([...spec.params]), ...vector([...spec.results])];
  const memoryImport = [...vector(utf8('env')), ...vector(utf8('memory')), 0x02, 0x00, 0x00];
  const localGroups = spec.locals.flatMap((type) => [1, type]);
  const body = [...unsignedLeb(spec.locals.length), ...localGroups, ...spec.body.flat(), ...op.end];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, ...functionType]),
    ...section(2, [1, ...memoryImport]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...vector(utf8(spec.name)), 0x00, 0]),
    ...section(10, [1, ...vector(body)]),
  ]);
}
