/**
 * The engine requests of warm suggestions, recorded for the replay benches
 * (bench/propose-split.ts, bench/propose-replay.ts): n points of
 * bench/suggest.ts's data (x ~ U(0,1)^d, y = -|x - 0.3|² + 0.1 sin(10 x0))
 * are registered, 5 suggestions made, and the requests of suggestions 2-5
 * (the hyperparameters kept) returned with the CPU engine that proposed them.
 * The caller disposes `engine` and `opt`.
 */
import { createCpuEngine } from '../src/acquisition/cpu-engine';
import type { ProposeRequest } from '../src/acquisition/engine';
import { BayesianOptimization } from '../src/optimizer';
import { Rng } from '../src/util/rng';

export async function recordWarmRequests(n: number, d: number, m: number, workers: number) {
  const objective = (x: number[]) => { let s = 0; for (const v of x) s += (v - 0.3) ** 2; return -s + 0.1 * Math.sin(10 * x[0]); };
  const inner = createCpuEngine({ workers });
  const reqs: ProposeRequest[] = [];
  // a copy of each request's factor: the GP's own is valid until its next fit, which grows it in place
  const keep = (req: ProposeRequest): ProposeRequest => {
    const f = Object.create(Object.getPrototypeOf(req.factors), Object.getOwnPropertyDescriptors(req.factors));
    Object.defineProperty(f, 'L', { value: req.factors.L.slice(), enumerable: true });
    return { ...req, factors: f };
  };
  const engine = { ...inner, propose: (req: ProposeRequest) => { reqs.push(keep(req)); return inner.propose(req); }, dispose: () => inner.dispose() };
  const names = Array.from({ length: d }, (_, k) => `x${k}`);
  const opt = new BayesianOptimization({ pbounds: Object.fromEntries(names.map((k) => [k, [0, 1] as [number, number]])), randomState: 7, engine, verbose: 0, log: () => {}, candidates: m });
  const rng = new Rng(1000 + n + d);
  for (let i = 0; i < n; i++) { const x = names.map(() => rng.uniform(0, 1)); await opt.register(Object.fromEntries(names.map((k, j) => [k, x[j]])), objective(x)); }
  for (let s = 0; s < 5; s++) { const p = await opt.suggest(); await opt.register(p, objective(names.map((k) => p[k] as number))); }
  return { warm: reqs.slice(1), engine: inner, opt };
}
