/**
 * maximize({ concurrency }) together with what each trial's call carries:
 * reports and pruning, the maximize signal and dispose() (every running trial
 * is recorded as failed), and a budget of 0 on a grid.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors';
import { GridSearch, RandomSearch } from '../../src/optimizer';
import { SuccessiveHalvingPruner, type Pruner } from '../../src/pruners';
import { MemoryJournalBackend } from '../../src/storage';
import type { Params } from '../../src/space/types';

const PB = { q: [0, 1] } as const;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const quiet = { log: () => undefined } as const;

describe('maximize({ concurrency }) with pruning', () => {
  it('every report is recorded and judged while 3 trials run at once; pruned trials end at their report, res by finish time', async () => {
    // prunes a trial whose value at step 2 is above 0.9 (a threshold on its own curve)
    const threshold: Pruner = {
      name: 'threshold',
      prune: ({ trial }) => trial.steps.length > 0 && trial.steps[trial.steps.length - 1] === 2 && trial.values[trial.values.length - 1] > 0.9,
    };
    let running = 0;
    let most = 0;
    const f = async ({ q }: Params, ctx: { trialId: number; report(s: number, v: number): Promise<boolean> }) => {
      running++;
      most = Math.max(most, running);
      try {
        let v = NaN;
        for (let step = 1; step <= 4; step++) {
          await sleep(2 + ((ctx.trialId * 7) % 5));
          v = (q as number) + 1 / step;
          if (await ctx.report(step, v)) return v;
        }
        return v;
      } finally {
        running--;
      }
    };
    const opt = new RandomSearch({ ...quiet, f, pbounds: PB, direction: 'minimize', randomState: 4, pruner: threshold });
    await opt.maximize({ initPoints: 3, nIter: 9, concurrency: 3 });
    expect(most).toBe(3);
    const res = opt.res;
    expect(res).toHaveLength(12);
    const q = (t: { params: Params }) => t.params.q as number;
    // value at step 2 is q + 0.5: pruned exactly when q > 0.4
    for (const t of res) {
      if (q(t) + 0.5 > 0.9) {
        expect(t).toMatchObject({ status: 'pruned', step: 2, target: q(t) + 0.5 });
        expect(Object.keys(t.intermediate ?? {})).toEqual(['1', '2']);
      } else {
        expect(t).toMatchObject({ status: 'complete', target: q(t) + 0.25 });
      }
      expect(t.finishedAt).toBeGreaterThanOrEqual(t.startedAt as number);
    }
    expect(res.filter((t) => t.status === 'pruned').length).toBeGreaterThan(2);
    expect(res.filter((t) => t.status === 'complete').length).toBeGreaterThan(2);
    const told = res.map((t) => t.finishedAt as number);
    expect(told).toEqual([...told].sort((a, b) => a - b));
    expect(opt.trials.filter((t) => t.status === 'pending')).toEqual([]);
  });
});

describe('maximize({ concurrency }) judging reports at one rung', () => {
  it('each judgment sees every report judged before it, in memory and with a journal file (judged and written in turn)', async () => {
    // with a file, a judgment made while another worker's judged report was being written missed it (in about
    // two runs of three before): five runs
    const dir = mkdtempSync(join(tmpdir(), 'rung-turns-'));
    const files = [1, 2, 3, 4, 5].map((i) => join(dir, `j${i}.jsonl`));
    for (const storage of [undefined, new MemoryJournalBackend(), ...files]) {
      const sha = new SuccessiveHalvingPruner({ reductionFactor: 2 });
      const seen: number[][] = [];
      const spy: Pruner = {
        name: 'asha', prune: (i) => sha.prune(i),
        judge: (i) => {
          // the other trials whose step-1 report (or rung value) this judgment sees
          seen.push(i.trials.filter((t) => t.id !== i.trial.id && (t.rungs?.[0] !== undefined || t.steps.length > 0)).map((t) => t.id).sort());
          return sha.judge(i);
        },
      };
      let k = 0;
      const opt = new RandomSearch({
        space: { x: { type: 'float', low: 0, high: 1 } }, direction: 'minimize', randomState: 1, log: () => undefined, pruner: spy,
        ...(storage ? { storage } : {}),
        f: async (_p, ctx) => {
          const v = [3, 2, 1, 4][k++];
          await new Promise((r) => setTimeout(r, 20)); // the four report at about the same moment
          await ctx.report(1, v);
          return v;
        },
      });
      await opt.maximize({ initPoints: 4, nIter: 0, concurrency: 4 });
      // the n-th judgment saw the n - 1 before it
      expect(seen.map((ids) => ids.length), String(storage)).toEqual([0, 1, 2, 3]);
      await opt.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('maximize({ concurrency }) stopped while trials run', () => {
  it('an aborted signal fails every running trial, records it, and rejects with StateError', async () => {
    const ac = new AbortController();
    let started = 0;
    const f = (_p: Params, { signal }: { signal: AbortSignal }) => {
      if (++started === 3) setTimeout(() => ac.abort(), 5);
      if (started > 3) return 2; // the retries of the next run
      return new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(1))); // runs until aborted
    };
    const opt = new RandomSearch({ ...quiet, f, pbounds: PB, randomState: 1 });
    const e = await opt.maximize({ initPoints: 2, nIter: 8, concurrency: 3, signal: ac.signal }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StateError);
    expect((e as Error).message).toBe('maximize: aborted by its signal');
    expect(started).toBe(3);
    expect(opt.trials.map((t) => [t.id, t.status, t.error])).toEqual([
      [0, 'failed', 'maximize: aborted by its signal'],
      [1, 'failed', 'maximize: aborted by its signal'],
      [2, 'failed', 'maximize: aborted by its signal'],
    ]);
    // the optimizer is usable again: a new run goes on from there, retrying the cut-off points first
    await expect(opt.maximize({ initPoints: 0, nIter: 0 })).resolves.toBe(opt);
    expect(opt.trials.slice(3).map((t) => [t.status, t.retryOf, t.target])).toEqual([['complete', 0, 2], ['complete', 1, 2], ['complete', 2, 2]]);
  });

  it('dispose() fails every running trial with its reason and maximize rejects', async () => {
    let started = 0;
    let opt!: RandomSearch;
    const f = (_p: Params, { signal }: { signal: AbortSignal }) => {
      if (++started === 2) setTimeout(() => opt.dispose(), 5);
      return new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(1)));
    };
    opt = new RandomSearch({ ...quiet, f, pbounds: PB, randomState: 1 });
    const trials = () => opt.study.trials;
    const e = await opt.maximize({ initPoints: 4, nIter: 0, concurrency: 2 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StateError);
    expect((e as Error).message).toBe('optimizer has been disposed');
    expect(trials().map((t) => [t.status, t.error])).toEqual([
      ['failed', 'optimizer has been disposed'],
      ['failed', 'optimizer has been disposed'],
    ]);
  });
});

describe('a budget of 0', () => {
  it('a grid runs only the queued probes (no point of a 0-point grid)', async () => {
    const seen: number[] = [];
    const opt = new GridSearch({ ...quiet, f: ({ q }) => (seen.push(q as number), q as number), pbounds: PB, randomState: 1 });
    await opt.probe({ q: 0.25 });
    await opt.probe({ q: 0.75 });
    await opt.maximize({ initPoints: 0, nIter: 0, concurrency: 2 });
    expect(seen.sort()).toEqual([0.25, 0.75]);
    expect(opt.res.map((t) => t.source)).toEqual(['probe', 'probe']);
  });
});

