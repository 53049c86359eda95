/**
 * One seeded study, run as-is in Node, Deno and a browser page by
 * test/util/cross-runtime.test.ts: it takes the library as an argument and
 * imports nothing, so a page can receive it as source. Its objective is
 * arithmetic only (no Math.exp or Math.log, which the runtimes round
 * differently), so any difference between the runtimes' trials is the
 * library's.
 */
// deno-lint-ignore-file no-explicit-any

/** Every trial's parameters as the hexadecimal bits of their floats (categories as text), and which WebAssembly modules ran. */
export interface CrossRuntimeResult {
  trials: string[];
  wasm: { likelihood: boolean; bounding: boolean };
}

export async function crossRuntimeStudy(lib: any): Promise<CrossRuntimeResult> {
  const wasm = await lib.webAssemblyBackends();
  const opt = new lib.BayesianOptimization({
    f: (p: { x: number; lr: number; n: number; k: string }) =>
      -((p.x - 0.4) ** 2) - 1e4 * (p.lr - 0.012) ** 2 - ((p.n - 21) / 30) ** 2 + (p.k === 'b' ? 0.25 : 0),
    space: {
      x: { type: 'float', low: -2, high: 2 },
      lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
      n: { type: 'int', low: 1, high: 64, log: true },
      k: { type: 'categorical', choices: ['a', 'b', 'c'] },
    },
    randomState: 11,
    engine: 'cpu',
    log: () => {},
  });
  try {
    await opt.maximize({ initPoints: 5, nIter: 13 });
    const view = new DataView(new ArrayBuffer(8));
    const hex = (v: unknown): string => {
      if (typeof v !== 'number') return String(v);
      view.setFloat64(0, v);
      return view.getBigUint64(0).toString(16);
    };
    const trials = opt.trials.map((t: any) => Object.keys(t.params).sort().map((k) => `${k}=${hex(t.params[k])}`).join(' '));
    return { trials, wasm };
  } finally {
    opt.dispose();
  }
}
