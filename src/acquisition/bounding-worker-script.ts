/**
 * The bounding pool's worker script, as source text: the bounding kernel's
 * functions (their Function.prototype.toString), the WebAssembly pass and
 * exact stage with the module's bytes, and the message loop that answers
 * ./bounding-pool. Apart from the pool because this is the worker's side of
 * the messages, assembled once per pool, while the pool is the calling
 * thread's side.
 */
import { WORKER_PORT_SOURCE } from './pool-worker';
import {
  boundExactEntry, boundingPass, boundKernelRow, boundR2Row, expFast, kernelExp, meanMargin, meanMarginAbsolute, meanMarginCoefficient,
  nearVariance, pow2Table,
} from './bounding-kernel';
import { wasmBoundingPass } from './bounding-wasm';
import { BOUNDING_WASM_BASE64 } from './bounding-wasm-source';
import { exactLanes, LANES, wasmExactStage } from './exact-stage';

/**
 * The worker's script: the kernel's functions, the WebAssembly pass with the
 * module's bytes (instantiated once, when the worker starts; the JavaScript
 * pass where that fails), then a message loop.
 */
export function workerSource(): string {
  return [
    // bundlers that keep function names (esbuild's keepNames) may call this helper inside function bodies
    'var __name = (f) => f;',
    kernelExp.toString(), boundR2Row.toString(), boundExactEntry.toString(), boundKernelRow.toString(), nearVariance.toString(),
    expFast.toString(), pow2Table.toString(), meanMarginCoefficient.toString(), meanMarginAbsolute.toString(), meanMargin.toString(),
    // expressions, so the names they are called by cannot differ from a bundler's renamed declarations
    `const pass = (${boundingPass.toString()});`,
    `const wasmPass = (${wasmBoundingPass.toString()});`,
    `const exactLanes = (${exactLanes.toString()});`,
    `const wasmExact = (${wasmExactStage.toString()});`,
    `const wasm = (() => {
  try {
    const b64 = ${JSON.stringify(BOUNDING_WASM_BASE64)};
    const bytes = typeof Buffer === 'function' ? Buffer.from(b64, 'base64') : Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const mod = new WebAssembly.Module(bytes);
    return new WebAssembly.Instance(mod).exports;
  } catch {
    return null;
  }
})();`,
    `${WORKER_PORT_SOURCE}
const bases = new Map();
let exact = null;
parentPort.on('message', (m) => {
  if (m.setup) { bases.set(m.sid, m.setup); return; }
  if (m.drop !== undefined) { bases.delete(m.drop); return; }
  try {
    if (m.exactSetup) {
      exact = null;
      const c = m.exactSetup, [lb, lo, ll, sb, so, sl] = c.shared;
      c.L = new Float64Array(lb, lo, ll);
      c.sL = new Float64Array(sb, so, sl);
      exact = wasm ? wasmExact(wasm, c, exactLanes, ${LANES}) : null;
      return;
    }
    if (m.exact) {
      if (!exact) throw new Error('the exact stage is not set up here');
      const r = exact(m.exact);
      parentPort.postMessage({ id: m.id, r }, [r.mean.buffer, r.q.buffer, r.sDone.buffer, r.done.buffer]);
      return;
    }
    const t = m.task ?? { ...bases.get(m.sid), points: m.points, count: m.count };
    const r = wasm && t.backend === 'wasm' ? wasmPass(wasm, t) : pass(t);
    parentPort.postMessage({ id: m.id, r }, [r.mean.buffer, r.varianceBound.buffer, r.wHead.buffer, r.qHead.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.stack || e) });
  }
});`,
  ].join('\n');
}
