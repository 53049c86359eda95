/**
 * bench:parallel's `procs-k`: k OS processes (./parallel-worker.ts) share one
 * journal file until it holds `budget` trials. Returns the trials the journal
 * holds, and throws when anything was lost or done twice: a trial not
 * completed, ids not 0..budget-1, a trial told twice, two trials at one point,
 * or the processes' finished counts not adding up to the budget.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NEAR } from '../src/optimizer/asking';
import { Journal, OP, TRIAL_STATE } from '../src/storage';
import { PARALLEL_PROBLEMS } from './parallel-problems';
import type { JournalTrial } from '../src/storage/types';

const WORKER = fileURLToPath(new URL('./parallel-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ProcsRun {
  trials: JournalTrial[];
  /** trials finished by each process */
  perProcess: number[];
  /** most trials pending at once (asked, not told), from the journal's order of asks and tells */
  mostInFlight: number;
  /** pairs of trials within NEAR of each other in every coordinate scaled to [0, 1] (one point evaluated twice, in effect) */
  nearPairs: number;
  /** of those, pairs that were in flight together (the later asked before the earlier was told): the re-proposal check's misses; the rest are a converging search returning to a known point */
  nearPairsInFlight: number;
  /** trial ids in the order they were told */
  told: number[];
}

export async function runProcesses(
  k: number, problem: string, seed: number, budget: number, init: number, options: object = {},
): Promise<ProcsRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-procs-'));
  const journal = join(dir, 'study.jsonl');
  try {
    const children = Array.from({ length: k }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER, journal, problem, String(seed), String(budget), String(init), JSON.stringify(options)],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const ready = new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => { if (out.includes('READY\n')) { clearInterval(timer); resolve(); } }, 5);
        child.on('exit', () => { clearInterval(timer); reject(new Error(`worker exited before READY: ${err}`)); });
      });
      const exited = new Promise<number>((resolve, reject) => child.on('exit', (code) => {
        const m = /DONE (\d+)/.exec(out);
        if (code !== 0 || !m) reject(new Error(`worker exited with ${code}: ${err}`));
        else resolve(Number(m[1]));
      }));
      return { ready, exited };
    });
    await Promise.all(children.map((c) => c.ready));
    writeFileSync(`${journal}.go`, ''); // all start together
    const perProcess = await Promise.all(children.map((c) => c.exited));
    const { trials } = await (await Journal.open(journal, { readOnly: true })).load();
    const ops = journalOps(readFileSync(journal, 'utf8'));
    checkRun(trials, perProcess, budget, ops.tells);
    const bounds = PARALLEL_PROBLEMS[problem].bounds;
    return { trials, perProcess, mostInFlight: ops.mostInFlight, nearPairs: nearPairs(trials, bounds), nearPairsInFlight: nearPairs(trials, bounds, true), told: ops.tells };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Throws unless the trials are exactly `budget` completed ones at distinct
 * points, ids 0..budget-1, each told once (`tells`: trial id per final-state
 * write), all finished by the processes.
 */
export function checkRun(trials: readonly JournalTrial[], perProcess: readonly number[], budget: number, tells: readonly number[]): void {
  const fail = (why: string) => { throw new Error(`procs: ${why}`); };
  if (trials.length !== budget) fail(`${trials.length} trials, expected ${budget}`);
  trials.forEach((t, i) => { if (t.id !== i) fail(`trial ${i} has id ${t.id}`); });
  const notDone = trials.filter((t) => t.status !== 'complete');
  if (notDone.length) fail(`trials ${notDone.map((t) => t.id).join(', ')} not completed`);
  if (new Set(trials.map((t) => JSON.stringify(t.params))).size !== budget) fail('two trials at one point');
  const told = [...tells].sort((a, b) => a - b);
  if (told.length !== budget || told.some((id, i) => id !== i)) fail(`told trials ${told.join(',')}, expected each of 0..${budget - 1} once`);
  const sum = perProcess.reduce((a, b) => a + b, 0);
  if (sum !== budget) fail(`the processes finished ${sum} trials, expected ${budget}`);
}

/**
 * Pairs of trials within NEAR of each other in every coordinate, scaled to
 * [0, 1] by `bounds`; with `inFlight`, only pairs whose ask-to-tell spans
 * overlap (`startedAt`, `finishedAt`).
 */
export function nearPairs(trials: readonly JournalTrial[], bounds: Record<string, readonly [number, number]>, inFlight = false): number {
  const names = Object.keys(bounds);
  const u = trials.map((t) => names.map((n) => ((t.params[n] as number) - bounds[n][0]) / (bounds[n][1] - bounds[n][0])));
  let pairs = 0;
  for (let i = 0; i < u.length; i++) {
    for (let j = 0; j < i; j++) {
      if (!u[i].every((v, k) => Math.abs(v - u[j][k]) < NEAR)) continue;
      if (inFlight && !overlap(trials[i], trials[j])) continue;
      pairs++;
    }
  }
  return pairs;
}

/** Whether two trials' ask-to-tell spans overlap (unknown times count as overlapping). */
function overlap(a: JournalTrial, b: JournalTrial): boolean {
  if (a.startedAt === undefined || b.startedAt === undefined || a.finishedAt === undefined || b.finishedAt === undefined) return true;
  return a.startedAt < b.finishedAt && b.startedAt < a.finishedAt;
}

/**
 * From an Optuna-format journal (see src/storage/types.ts): the trial id of
 * each write of a final state (OP.SET_TRIAL_STATE_VALUES, not running), and
 * the most trials pending at once (created, no final state yet).
 */
export function journalOps(text: string): { tells: number[]; mostInFlight: number } {
  const tells: number[] = [];
  let open = 0;
  let most = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const op = JSON.parse(line) as { op_code: number; trial_id?: number; state?: number };
    if (op.op_code === OP.CREATE_TRIAL) most = Math.max(most, ++open);
    else if (op.op_code === OP.SET_TRIAL_STATE_VALUES && op.state !== TRIAL_STATE.RUNNING) {
      open--;
      tells.push(op.trial_id as number);
    }
  }
  return { tells, mostInFlight: most };
}
