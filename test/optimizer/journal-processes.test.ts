/**
 * BayesianOptimization on a journal shared by processes: a study killed with
 * SIGKILL at random moments resumes with nothing lost and nothing run twice,
 * and workers sharing a journal never evaluate the same point.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/storage/index';
import { Rng } from '../../src/util/rng';
import { journalEvents } from '../storage/journal-lines';
import { killAll, removeTempDirs, startWorker, tempJournal, workerPid } from './fixtures/processes';

afterEach(() => {
  killAll();
  removeTempDirs();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** reasons a line may be skipped after a kill tore it */
const TORN = /^(invalid JSON|truncated last line)/;

describe('a study killed with SIGKILL and resumed', () => {
  it('4 kills at random moments: every trial finished once, interrupted ones failed and retried, the budget completed', async () => {
    const path = tempJournal();
    const INIT = 4;
    const BUDGET = 24;
    const args = ['study', path, String(INIT), String(BUDGET - INIT), '40'];
    const rng = new Rng(2024);
    const interrupted: ({ id: number; params: unknown } | null)[] = [];
    const pids: number[] = [];
    for (let round = 0; round < 4; round++) {
      // after the 1st or 2nd objective call started: in rounds 0 and 2 inside that call (held there, so
      // the kill surely lands mid-trial, however the processes are scheduled), in 1 and 3 0-60 ms later (any moment)
      const evals = 1 + rng.int(2);
      const later = rng.int(60);
      const held = round % 2 === 0;
      if (held) writeFileSync(`${path}.hold`, String(evals));
      const w = startWorker(...args);
      pids.push(w.child.pid!);
      await w.waitFor(/^EVAL \d+$/, evals);
      if (!held) await sleep(later);
      w.child.kill('SIGKILL');
      expect((await w.exited).signal).toBe('SIGKILL');
      rmSync(`${path}.hold`, { force: true });

      const s = await (await Journal.open(path, { readOnly: true })).load();
      for (const k of s.skipped) expect(k.reason).toMatch(TORN);
      expect(s.pending.length).toBeLessThanOrEqual(1); // one worker, one trial at a time
      // held: the trial of the last EVAL line is the one left pending
      if (held) expect(s.pending.map((t) => t.id)).toEqual([Number(w.lines.filter((l) => l.startsWith('EVAL ')).at(-1)!.slice(5))]);
      interrupted.push(s.pending[0] ? { id: s.pending[0].id, params: s.pending[0].params } : null);
      expect(s.trials.filter((t) => t.retryOf === undefined).length).toBeLessThan(BUDGET); // retries fill their failed trials' slots
      // ids are 0..n-1, each finished trial told exactly once
      expect(s.trials.map((t) => t.id)).toEqual(s.trials.map((_, i) => i));
      const tells = journalEvents(path).filter((e) => e.type === 'tell').map((e) => e.id as number);
      expect(new Set(tells).size).toBe(tells.length);
    }
    const last = startWorker(...args);
    pids.push(last.child.pid!);
    const exit = await last.exited;
    expect(exit.code, exit.stderr).toBe(0);

    const s = await (await Journal.open(path, { readOnly: true })).load();
    // each interrupted trial failed and was retried as a new trial: the budget counts completed ones
    const lost = interrupted.filter((t): t is { id: number; params: unknown } => t !== null);
    const n = BUDGET + lost.length;
    expect(s.trials.map((t) => t.id)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(s.trials.filter((t) => t.status === 'failed').map((t) => t.id)).toEqual(lost.map((t) => t.id).sort((a, b) => a - b));
    expect(s.trials.filter((t) => t.status === 'complete')).toHaveLength(BUDGET);
    expect(s.pending).toEqual([]);
    const ev = journalEvents(path);
    const tells = ev.filter((e) => e.type === 'tell').map((e) => e.id as number);
    expect(tells.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(ev.filter((e) => e.type === 'study')).toHaveLength(1);
    const asks = ev.filter((e) => e.type === 'ask');

    // each interrupted trial's point is the first thing the next run asks: a new trial, the same point, the chain's first trial named
    interrupted.forEach((t, round) => {
      if (!t) return;
      const firstAskOfNext = asks.find((e) => workerPid(e.worker) === pids[round + 1]);
      expect(firstAskOfNext).toMatchObject({ params: t.params });
      expect(firstAskOfNext!.id).toBeGreaterThan(t.id);
      expect(s.trials[firstAskOfNext!.id].retryOf).toBe(s.trials[t.id].retryOf ?? t.id);
      expect(s.trials[t.id].error).toMatch(/^interrupted: worker .* stopped mid-trial/);
    });
    expect(lost.length).toBeGreaterThanOrEqual(2); // the held kills landed mid-trial (the others may have too)
    // every trial was asked exactly once: nothing else ran twice
    expect(asks.map((e) => e.id).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    // the first INIT new trials came from the initial design, the rest from the model; a retry keeps its trial's source
    const fresh = s.trials.filter((t) => t.retryOf === undefined);
    expect(fresh.slice(0, INIT).every((t) => t.source === 'init')).toBe(true);
    expect(fresh.slice(INIT).every((t) => t.source === 'suggest')).toBe(true);
    for (const t of s.trials) if (t.retryOf !== undefined) expect(t.source).toBe(s.trials[t.retryOf].source);
    expect(last.lines.at(-1)).toMatch(/^DONE \d+$/);

    // run again: the study is complete, nothing is evaluated
    const again = startWorker(...args);
    expect((await again.exited).code).toBe(0);
    expect(again.lines).toEqual(['DONE 0']);
    expect(journalEvents(path).filter((e) => e.type === 'ask')).toHaveLength(asks.length);
  });
});

describe('workers sharing a journal', () => {
  it('4 processes x 25 trials (2 maximize, 2 suggest/register), same seed: 100 distinct ids and points, none lost', async () => {
    const path = tempJournal();
    const workers = ['maximize', 'maximize', 'asktell', 'asktell'].map((mode) => startWorker(mode, path, '25', '4'));
    await Promise.all(workers.map((w) => w.waitFor(/^READY$/)));
    writeFileSync(`${path}.go`, ''); // all start together
    const exits = await Promise.all(workers.map((w) => w.exited));
    for (const e of exits) expect(e.code, e.stderr).toBe(0);
    for (const w of workers) expect(w.lines).toEqual(['READY', 'DONE 25']);

    const s = await (await Journal.open(path, { readOnly: true })).load();
    expect(s.skipped).toEqual([]);
    expect(s.trials.map((t) => t.id)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(s.trials.filter((t) => t.status === 'complete')).toHaveLength(100);
    const byWorker = new Map<string, number>();
    for (const t of s.trials) byWorker.set(t.worker!, (byWorker.get(t.worker!) ?? 0) + 1);
    expect([...byWorker.values()]).toEqual([25, 25, 25, 25]);
    // started with the same seed, they still never evaluated the same point
    expect(new Set(s.trials.map((t) => JSON.stringify(t.params))).size).toBe(100);

    // they did overlap: asks made while another worker had a trial pending (each worker's first 4 trials wait,
    // pending, for the others' of the same number: at least 3 such asks in each of those 4 rounds)
    const pending = new Map<number, string>();
    let asksBesideOthers = 0;
    for (const e of journalEvents(path)) {
      if (e.type === 'ask') {
        if ([...pending.values()].some((w) => w !== e.worker)) asksBesideOthers++;
        pending.set(e.id, e.worker);
      } else if (e.type === 'tell') pending.delete(e.id);
    }
    expect(asksBesideOthers).toBeGreaterThan(10);
  });

  it('3 processes x maximize({ concurrency: 2, resume: true }), same seed: 24 trials between them, the design shared, the optimum found', async () => {
    const path = tempJournal();
    const workers = [1, 2, 3].map(() => startWorker('parallel', path, '6', '18', '2'));
    await Promise.all(workers.map((w) => w.waitFor(/^READY$/)));
    writeFileSync(`${path}.go`, '');
    const exits = await Promise.all(workers.map((w) => w.exited));
    for (const e of exits) expect(e.code, e.stderr).toBe(0);
    const s = await (await Journal.open(path, { readOnly: true })).load();
    expect(s.skipped).toEqual([]);
    expect(s.trials.map((t) => t.id)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(s.trials.every((t) => t.status === 'complete')).toBe(true);
    const done = workers.map((w) => Number(w.lines.at(-1)!.split(' ')[1]));
    expect(done.reduce((a, b) => a + b, 0)).toBe(24);
    expect(new Set(s.trials.map((t) => JSON.stringify(t.params))).size).toBe(24);
    // the same seed gave each the same design: they shared it out instead of repeating or replacing it
    expect(s.trials.slice(0, 6).map((t) => t.source)).toEqual(Array(6).fill('init'));
    // (which process drew which trial, even whether a late starter got any, is up to the scheduler)
    // each tell once; trials overlapped (asked while others were pending)
    const ev = journalEvents(path);
    const tells = ev.filter((e) => e.type === 'tell').map((e) => e.id as number);
    expect(tells.sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    let open = 0;
    let most = 0;
    for (const e of ev) {
      if (e.type === 'ask') most = Math.max(most, ++open);
      else if (e.type === 'tell') open--;
    }
    expect(most).toBeGreaterThanOrEqual(3); // trials 0-2 wait for each other (the fixture's barrier)
    // maximum 0 at (0.3, 0.7): 24 random points reach about -9e-3 (median); the shared study gets close
    const best = Math.max(...s.trials.map((t) => t.target as number));
    expect(best).toBeGreaterThan(-1e-3);
  });
});
