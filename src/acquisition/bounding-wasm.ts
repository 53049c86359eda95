/**
 * The bounding pass (bounding-kernel.ts) in WebAssembly SIMD: two candidates
 * per f64x2 vector, each lane doing the scalar pass's arithmetic in the same
 * order (assembly/bounding-pass.ts: its fast exp, and for the exact entries a
 * port of fdlibm's exp, the library's exp in every runtime: ../util/math), so its floats are those of `boundingPass`, bit for bit
 * (test/acquisition/bounding-wasm.test.ts). The module's bytes are
 * committed (bounding-wasm-source.ts, written by scripts/gen-bounding-wasm.mjs)
 * and loaded with the WebAssembly API: no compiler at run time. Where
 * WebAssembly or its SIMD is missing, the JavaScript pass runs.
 *
 * `wasmBoundingPass` is self-contained like the kernel's functions (it
 * imports nothing and reads no module-level binding), so the bounding
 * pool's workers run it from its source text.
 */
import { boundingPass, type BoundingResult, type BoundingTask } from './bounding-kernel';
import { EngineError } from '../errors';
import { checkBackendName } from '../util/backend-name';
import { wasmExpMatches } from '../util/wasm-exp';
import { BOUNDING_WASM_BASE64 } from './bounding-wasm-source';

export { wasmExpMatches } from '../util/wasm-exp';

/** What the module exports. */
export interface BoundingWasmExports {
  memory: WebAssembly.Memory;
  /** see assembly/bounding-pass.ts `pass` */
  pass(
    matern: number, n: number, d: number, s2: number, noise: number, nearSlack: number, sSlack: number,
    head: number, count: number, Z: number, inv: number, alphaS: number, margin: number,
    pts: number, sIdx: number, sL: number, mean: number, varianceBound: number, wHead: number, qHead: number, scratch: number,
  ): void;
  /** exp of `count` (even) doubles at byte offset `src` into `dst` */
  expArray(src: number, dst: number, count: number): void;
  /** the pass's fast exp (assembly/fast-exp.ts) of `count` (even) doubles at `src` into `dst` */
  expFastArray(src: number, dst: number, count: number): void;
  /**
   * exact kernel entries of rows from..to-1 of an exact-stage block: lane c
   * is candidate `lid[c]` of `pts`, row i observation `idx[i]` (or i where
   * `idx` is 0), into K (ColumnBlock layout, `rows` per column), and with
   * `mu` non-zero mu[c] += entry * alpha[j] in row order; `zs` scratch of
   * 16 d bytes (assembly/kernel-rows.ts)
   */
  kernelEntries(
    matern: number, n: number, d: number, Z: number, inv: number, s2: number, pts: number, lid: number, lanes: number,
    idx: number, from: number, to: number, rows: number, K: number, alpha: number, mu: number, zs: number,
  ): void;
  /**
   * rows from..to-1 of V = L^{-1} K for the first `quads` quads of a column
   * block laid out as gp/forward-block.ts's ColumnBlock (byte offsets; L
   * `n x n` row-major), the floats of forwardRowsBlock (assembly/forward-block.ts)
   */
  forwardBlock(L: number, n: number, K: number, V: number, q: number, from: number, to: number, quads: number): void;
  /** first byte the caller may use */
  heapBase(): number;
  /** a fresh claim on the caller's memory, made before laying it out (returns the claim's id) */
  claimLayout(): number;
  /** the id of the latest claim: an exact stage whose claim it is not lays its inputs out again */
  layoutOwner(): number;
}

/** Which implementation runs the bounding pass: 'auto' takes WebAssembly SIMD where it loads. */
export type BoundingBackend = 'auto' | 'wasm' | 'js';

let backend: BoundingBackend = 'auto';
let instance: BoundingWasmExports | null | undefined;
let unavailable = '';

/** The instance, or null with the reason kept, when it does not load or its exp differs from the library's. */
function accept(ex: BoundingWasmExports): BoundingWasmExports | null {
  if (wasmExpMatches(ex)) return ex;
  unavailable = "the module's exp does not give fdlibm's floats";
  return null;
}

/** The module's bytes. */
export function boundingWasmBytes(): Uint8Array {
  const bin = atob(BOUNDING_WASM_BASE64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The module's instance on this thread, compiled on first use (synchronous:
 * the module is about 8 KB); null where WebAssembly SIMD is unavailable or
 * the module's exp fails {@link wasmExpMatches}.
 */
export function boundingWasm(): BoundingWasmExports | null {
  if (instance !== undefined) return instance;
  try {
    const mod = new WebAssembly.Module(boundingWasmBytes() as BufferSource);
    instance = accept(new WebAssembly.Instance(mod).exports as unknown as BoundingWasmExports);
  } catch (e) {
    unavailable = `WebAssembly SIMD is not available (${(e as Error)?.message ?? e})`;
    instance = null;
  }
  return instance;
}

/**
 * Loads the module asynchronously (WebAssembly.instantiate), for pages where
 * synchronous compilation on the main thread is unwelcome; true when it loaded.
 */
export async function loadBoundingWasm(): Promise<boolean> {
  if (instance !== undefined) return instance !== null;
  try {
    const { instance: inst } = await WebAssembly.instantiate(boundingWasmBytes() as BufferSource);
    instance ??= accept(inst.exports as unknown as BoundingWasmExports);
  } catch (e) {
    unavailable ||= `WebAssembly SIMD is not available (${(e as Error)?.message ?? e})`;
    instance ??= null;
  }
  return instance !== null;
}

/**
 * Chooses the bounding pass's implementation for this thread and the
 * bounding pool's workers (default 'auto'); 'wasm' throws EngineError where
 * the module does not load. Results are the same floats either way.
 */
export function setBoundingBackend(b: BoundingBackend): void {
  checkBackendName('setBoundingBackend', b);
  if (b === 'wasm' && !boundingWasm()) throw new EngineError(`the WebAssembly bounding pass cannot run here: ${unavailable}`);
  backend = b;
}

/** The backend a pass with `b` runs on this thread: 'wasm' or 'js'. */
export function resolveBoundingBackend(b: BoundingBackend = backend): 'wasm' | 'js' {
  return b !== 'js' && boundingWasm() ? 'wasm' : 'js';
}

/** The backend chosen ({@link setBoundingBackend}). */
export function boundingBackend(): BoundingBackend {
  return backend;
}

/** The pass with the chosen backend (`t.backend`, else the thread's choice). */
export function runBoundingPass(t: BoundingTask): BoundingResult {
  const ex = resolveBoundingBackend(t.backend ?? backend) === 'wasm' ? boundingWasm() : null;
  return ex ? wasmBoundingPass(ex, t) : boundingPass(t);
}

/**
 * The pass through the module: inputs copied into its memory once, the
 * candidates in chunks of 1,024 (an odd chunk repeats its last candidate in
 * the unused lane). `S`'s factor is passed as its leading `head x head` block.
 */
export function wasmBoundingPass(ex: BoundingWasmExports, t: BoundingTask): BoundingResult {
  const { kernel, n, d, s2, noise, Z, inv, alpha, points, count, sIdx, sL, sSize: s, sSlack, head } = t;
  const mean = new Float64Array(count);
  const varianceBound = new Float64Array(count);
  const keep = t.keepHead === true;
  const wHead = new Float64Array(keep ? count * head : 0);
  const qHead = new Float64Array(count);
  if (count === 0) return { mean, varianceBound, wHead, qHead };
  // the scalar pass's expression, so the same float
  const nearSlack = 1e-14 * 4 * (s2 / Math.max(noise, 1e-300)) * s2;
  // the scalar pass's weights and margin (bounding-kernel.ts meanMargin, inlined: this function runs from its source text)
  const alphaS = new Float64Array(n);
  let sumAbs = 0;
  for (let i = 0; i < n; i++) { alphaS[i] = s2 * alpha[i]; sumAbs += Math.abs(alpha[i]); }
  const u = 2 ** -53;
  const margin = (2 * ((n * u) / (1 - n * u)) + 2 ** -47 + 2 ** -51) * (1 + 2 ** -20) * (s2 * sumAbs) + (s2 + 1) * 1e-306 * (sumAbs + n);
  const chunk = Math.min(count + (count & 1), 1024);
  const al = (b: number): number => (b + 15) & ~15;
  let at = al(ex.heapBase());
  const take = (bytes: number): number => { const o = at; at = al(at + bytes); return o; };
  ex.claimLayout(); // an exact stage laid out in this memory must copy its inputs again
  const oZ = take(8 * d * n);
  const oInv = take(8 * d);
  const oAlpha = take(8 * n);
  const oIdx = take(4 * head);
  const oL = take(8 * head * head);
  const oPts = take(8 * chunk * d);
  const oMean = take(8 * chunk);
  const oVb = take(8 * chunk);
  const oW = take(8 * chunk * head);
  const oQ = take(8 * chunk);
  const oScratch = take(32 * n + 16 * head + 448);
  const mem = ex.memory;
  if (mem.buffer.byteLength < at) mem.grow(Math.ceil((at - mem.buffer.byteLength) / 65536));
  const buf = mem.buffer;
  new Float64Array(buf, oZ, d * n).set(Z.subarray(0, d * n));
  new Float64Array(buf, oInv, d).set(inv.subarray(0, d));
  new Float64Array(buf, oAlpha, n).set(alphaS);
  new Int32Array(buf, oIdx, head).set(sIdx.subarray(0, head));
  const Lh = new Float64Array(buf, oL, head * head);
  for (let i = 0; i < head; i++) for (let j = 0; j <= i; j++) Lh[i * head + j] = sL[i * s + j];
  const pts = new Float64Array(buf, oPts, chunk * d);
  const m = new Float64Array(buf, oMean, chunk);
  const vb = new Float64Array(buf, oVb, chunk);
  const w = new Float64Array(buf, oW, chunk * head);
  const q = new Float64Array(buf, oQ, chunk);
  for (let c0 = 0; c0 < count; c0 += chunk) {
    const cnt = Math.min(chunk, count - c0);
    pts.set(points.subarray(c0 * d, (c0 + cnt) * d));
    if (cnt & 1) pts.copyWithin(cnt * d, (cnt - 1) * d, cnt * d);
    ex.pass(
      kernel === 'rbf' ? 0 : 1, n, d, s2, noise, nearSlack, sSlack, head, cnt + (cnt & 1),
      oZ, oInv, oAlpha, margin, oPts, oIdx, oL, oMean, oVb, oW, oQ, oScratch,
    );
    mean.set(m.subarray(0, cnt), c0);
    varianceBound.set(vb.subarray(0, cnt), c0);
    if (keep) wHead.set(w.subarray(0, cnt * head), c0 * head);
    qHead.set(q.subarray(0, cnt), c0);
  }
  return { mean, varianceBound, wHead, qHead };
}
