/**
 * The workload of bench/runtimes.ts, run as-is in Node, Deno and a browser
 * page: it takes the library as an argument and imports nothing, so a page
 * can receive it as source. A seeded study of `n` points in `d` dimensions
 * on an arithmetic objective (no Math.exp or Math.log), then `reps` rounds
 * of suggest() and register() on the CPU engine, each suggestion timed in
 * the runtime itself (a GP fit and a proposal over the default candidates).
 */
// deno-lint-ignore-file no-explicit-any

export interface WorkloadArgs {
  n: number;
  d: number;
  reps: number;
  seed: number;
  /** the likelihood's and the bounding pass's backend for the run ('auto' by default) */
  likelihood?: 'auto' | 'wasm' | 'js';
  bounding?: 'auto' | 'wasm' | 'js';
}

export interface WorkloadResult {
  /** wall ms of each suggest(), in order (the first is cold) */
  ms: number[];
  /** whether the WebAssembly likelihood and bounding pass can run here (whatever the run chose) */
  wasm: { likelihood: boolean; bounding: boolean };
  /** the suggested points' float bits, hashed: equal hashes mean the same points */
  hash: string;
}

export async function suggestWorkload(lib: any, args: WorkloadArgs): Promise<WorkloadResult> {
  const wasm = await lib.webAssemblyBackends();
  lib.setLikelihoodBackend(args.likelihood ?? 'auto');
  lib.setBoundingBackend(args.bounding ?? 'auto');
  const { n, d, reps, seed } = args;
  const names = Array.from({ length: d }, (_, k) => `x${k}`);
  const pbounds = Object.fromEntries(names.map((k) => [k, [0, 1]]));
  const target = (p: Record<string, number>): number => {
    let s = 0;
    for (let k = 0; k < d; k++) s -= (1 + k / d) * (p[names[k]] - 0.3 - (0.4 * k) / d) ** 2;
    return s + 0.5 * p[names[0]] * p[names[d - 1]];
  };
  const rng = new lib.Rng(seed);
  const opt = new lib.BayesianOptimization({ pbounds, randomState: seed, engine: 'cpu', log: () => {} });
  try {
    for (let i = 0; i < n; i++) {
      const p = Object.fromEntries(names.map((k) => [k, rng.random()]));
      await opt.register(p, target(p));
    }
    const ms: number[] = [];
    let h = 0;
    const view = new DataView(new ArrayBuffer(8));
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const p = await opt.suggest();
      ms.push(performance.now() - t0);
      for (const k of names) {
        view.setFloat64(0, p[k]);
        h = (Math.imul(h, 31) + view.getUint32(0)) >>> 0;
        h = (Math.imul(h, 31) + view.getUint32(4)) >>> 0;
      }
      await opt.register(p, target(p));
    }
    return { ms, wasm, hash: h.toString(16) };
  } finally {
    opt.dispose();
    lib.setLikelihoodBackend('auto');
    lib.setBoundingBackend('auto');
  }
}
