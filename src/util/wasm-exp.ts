/**
 * The check the project's WebAssembly modules pass before they are used: the
 * modules port the fdlibm exp of V8's Math.exp (Node 20), and their results
 * are promised bit for bit those of the JavaScript code, so a runtime whose
 * Math.exp differs (Deno 2.9's V8 15 differs in the last bit on about 10% of
 * arguments) keeps the JavaScript path.
 */
import { exp } from './math';

/** What a module exports for the check: its memory, where its heap starts, and `expArray(src, dst, count)`. */
export interface WasmExpExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  expArray(src: number, dst: number, count: number): void;
}

/**
 * Whether the module's exp gives this runtime's Math.exp floats on 1,024
 * seeded arguments over the kernels' range and beyond. Uses the module's
 * memory above its heap base (growing it if needed) as scratch.
 */
export function wasmExpMatches(ex: WasmExpExports): boolean {
  const count = 1024;
  const base = (ex.heapBase() + 15) & ~15;
  const need = base + 16 * count;
  if (ex.memory.buffer.byteLength < need) ex.memory.grow(Math.ceil((need - ex.memory.buffer.byteLength) / 65536));
  const args = new Float64Array(ex.memory.buffer, base, count);
  let s = 12345;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = s / 4294967296;
    // a quarter each: [-1, 1], [-40, 0], [-750, 710], 2^-30 .. 2^3 in magnitude
    const q = i & 3;
    args[i] = q === 0 ? 2 * u - 1 : q === 1 ? -40 * u : q === 2 ? -750 + 1460 * u : (u < 0.5 ? -1 : 1) * 2 ** (33 * u - 30);
  }
  ex.expArray(base, base + 8 * count, count);
  const got = new Float64Array(ex.memory.buffer, base + 8 * count, count);
  for (let i = 0; i < count; i++) if (!Object.is(got[i], exp(args[i]))) return false;
  return true;
}
