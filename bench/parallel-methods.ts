/**
 * The methods of bench/parallel.ts, one seed at a time: `sequential`,
 * `async-k` (ask/tell workers on a simulated clock), `concurrency-4`,
 * `batch-4`, `procs-k` (./parallel-procs.ts) and `random`, each returning
 * the run's simple regret, with what the table beside the regrets needs:
 * each run's regret curve (`--curve-at`) and, for `procs-k`, the pairs of
 * trials next to each other. Apart from the driver (flags, `--with`, the
 * table, the goals, the wall-time run), which only reads these results.
 */
import { BayesianOptimization, RandomSearch, type OptimizerOptions, type PendingStrategy } from '../src/optimizer';
import { evaluateProblem, type TestProblem } from '../src/problems';
import type { Params } from '../src/space/types';
import { Rng } from '../src/util/rng';
import { bestSoFar } from './parallel-curves';
import { NOISE_SD } from './parallel-problems';
import { runProcesses } from './parallel-procs';

/** The settings every method runs with (the benchmark's flags). */
export interface MethodSettings {
  budget: number;
  init: number;
  pending: PendingStrategy;
  /** `--opt`: extra optimizer options, merged over the defaults */
  extra: Partial<OptimizerOptions>;
  /** `--curve-at`: keep each run's regret curve */
  curveAt: number | undefined;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ParallelMethods {
  /** procs-k: pairs of trials within NEAR of each other, and of those the pairs in flight together, summed over the seeds, per "problem method" */
  readonly nearPairs = new Map<string, number>();
  readonly nearPairsInFlight = new Map<string, number>();
  /** each run's regret after each trial, in the order told (`--curve-at`; not for noisy problems), per "problem method" */
  readonly curves = new Map<string, number[][]>();
  /**
   * The noise of the run's noisy problem: seeded as bench:regret seeds it
   * (7919 + the seed's index from 1000), drawn in evaluation order; null for
   * a problem without noise.
   */
  private noise: Rng | null = null;

  constructor(private readonly s: MethodSettings) {}

  /** The objective's value at `p` (negated: the optimizer maximizes), with the noise of a noisy problem. */
  value(prob: TestProblem, p: Params): number {
    return -evaluateProblem(prob, p) + (this.noise ? NOISE_SD[prob.name] * this.noise.normal() : 0);
  }

  /** The optimizer options of a run: CPU engine, quiet, the settings' pending strategy and extra options; `f` the objective unless given. */
  options(prob: TestProblem, seed: number, f?: OptimizerOptions['f']): OptimizerOptions {
    const { pending, init, extra } = this.s;
    return {
      f: f ?? ((p: Params) => this.value(prob, p)),
      pbounds: prob.bounds, randomState: seed, engine: 'cpu', log: () => undefined, pending, initPoints: init, ...extra,
    };
  }

  /** k ask/tell workers on a simulated clock: durations uniform in [1, 3), the earliest finisher registers and asks again. */
  private async asyncWorkers(opt: BayesianOptimization, prob: TestProblem, k: number, seed: number, told: number[]): Promise<void> {
    const { budget } = this.s;
    const clock = new Rng(seed ^ 0x5bd1e995);
    let now = 0;
    // the first k asks overlap: queued suggest() calls
    const first = await Promise.all(Array.from({ length: Math.min(k, budget) }, () => opt.suggest()));
    const running = first.map((params) => ({ params, end: now + 1 + 2 * clock.random() }));
    let asked = running.length;
    while (running.length) {
      let j = 0;
      for (let i = 1; i < running.length; i++) if (running[i].end < running[j].end) j = i;
      const [done] = running.splice(j, 1);
      now = done.end;
      const v = this.value(prob, done.params);
      told.push(v);
      await opt.register(done.params, v);
      if (asked < budget) {
        asked++;
        running.push({ params: await opt.suggest(), end: now + 1 + 2 * clock.random() });
      }
    }
  }

  private keepCurve(prob: TestProblem, method: string, targets: readonly number[]): void {
    if (this.s.curveAt === undefined || NOISE_SD[prob.name] !== undefined) return;
    const key = `${prob.name} ${method}`;
    const runs = this.curves.get(key) ?? [];
    runs.push(bestSoFar(targets.map((t) => -t - prob.minimum)));
    this.curves.set(key, runs);
  }

  /** Runs `method` on `prob` with `seed`; the run's simple regret. */
  async run(method: string, prob: TestProblem, seed: number): Promise<number> {
    const { budget, init, pending, extra } = this.s;
    const noisy = NOISE_SD[prob.name] !== undefined;
    this.noise = noisy ? new Rng(7919 + seed - 1000) : null;
    // a noisy problem's regret: the true value at the recommended trial (bench:regret's rule)
    const regret = async (opt: BayesianOptimization | RandomSearch): Promise<number> =>
      noisy ? evaluateProblem(prob, (await opt.recommend())!.params) - prob.minimum : -opt.max!.target - prob.minimum;
    if (method === 'random') {
      const opt = new RandomSearch(this.options(prob, seed));
      await opt.maximize({ initPoints: init, nIter: budget - init });
      this.keepCurve(prob, method, opt.res.map((t) => t.target as number));
      return regret(opt);
    }
    if (noisy && method.startsWith('procs-')) throw new Error(`${method}: noisy problems are not run in processes`);
    if (method.startsWith('procs-')) {
      const r = await runProcesses(Number(method.slice(6)), prob.name, seed, budget, init, { pending, ...extra });
      const key = `${prob.name} ${method}`;
      this.nearPairs.set(key, (this.nearPairs.get(key) ?? 0) + r.nearPairs);
      this.nearPairsInFlight.set(key, (this.nearPairsInFlight.get(key) ?? 0) + r.nearPairsInFlight);
      this.keepCurve(prob, method, r.told.map((id) => r.trials[id].target as number));
      return Math.min(...r.trials.map((t) => -(t.target as number))) - prob.minimum;
    }
    const jitter = new Rng(seed);
    const slowF = async (p: Params) => (await sleep(20 + 40 * jitter.random()), this.value(prob, p));
    const opt = new BayesianOptimization(this.options(prob, seed, method === 'concurrency-4' ? slowF : undefined));
    const told: number[] = [];
    try {
      if (method === 'sequential') await opt.maximize({ initPoints: init, nIter: budget - init });
      else if (method === 'concurrency-4') await opt.maximize({ initPoints: init, nIter: budget - init, concurrency: 4 });
      else if (method.startsWith('async-')) await this.asyncWorkers(opt, prob, Number(method.slice(6)), seed, told);
      else if (method === 'batch-4') {
        for (let r = 0; r < budget / 4; r++) {
          const batch = await opt.suggestBatch(4);
          for (const p of batch) {
            const v = this.value(prob, p);
            told.push(v);
            await opt.register(p, v);
          }
        }
      } else throw new Error(`unknown method ${method}`);
      if (opt.res.length !== budget) throw new Error(`${method}: ${opt.res.length} trials, expected ${budget}`);
      // the registration order where this loop registers (trials told in one millisecond are in ask order in `res`)
      this.keepCurve(prob, method, told.length ? told : opt.res.map((t) => t.target as number));
      return await regret(opt);
    } finally {
      opt.dispose();
    }
  }
}
