/**
 * Deno smoke test: a short Bayesian optimization whose suggestions run on
 * WebGPU (Deno's own navigator.gpu), using the bundled library.
 *
 *   deno run --allow-read --allow-env test/deno/smoke.ts <path to the ESM bundle>
 *
 * Prints one JSON line: { adapter, engines, trials, best }. Exits 1 on failure.
 */
// deno-lint-ignore-file no-explicit-any
export {};

declare const Deno: { args: string[]; exit(code: number): never };

const bundle = Deno.args[0];
if (!bundle) {
  console.error('usage: smoke.ts <bundle.js>');
  Deno.exit(2);
}
const lib: any = await import(bundle.startsWith('file:') ? bundle : `file://${bundle}`);
const gpu = (navigator as any).gpu;
const adapter = gpu ? await gpu.requestAdapter() : null;
const lines: string[] = [];
const opt = new lib.BayesianOptimization({
  f: ({ x, y }: { x: number; y: number }) => -((x - 0.3) ** 2) - (y + 0.5) ** 2,
  pbounds: { x: [-1, 1], y: [-1, 1] },
  randomState: 3,
  engine: 'webgpu',
  candidates: 4096,
  log: (line: string) => lines.push(line),
});
try {
  await opt.maximize({ initPoints: 4, nIter: 4 });
  const engines = opt.trials.filter((t: any) => t.source === 'suggest').map((t: any) => t.engine);
  console.log(JSON.stringify({
    adapter: adapter?.info?.description ?? null,
    engineLine: lines.find((l) => l.startsWith('engine:')) ?? null,
    engines,
    trials: opt.trials.length,
    best: opt.max?.target ?? null,
  }));
} finally {
  opt.dispose();
}
