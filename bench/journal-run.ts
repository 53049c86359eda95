/**
 * A whole run on a shared journal: `maximize` of RandomSearch with a trivial
 * objective, one process, its study in a journal file (fsync on, as by
 * default) and in a journal in memory, so what is timed is the journal's
 * part of each trial: the read before it, the look for enqueued trials, the
 * ask and the tell. Prints, per storage, the wall time per trial over the
 * first and the last fifth of the run, this process's CPU time per trial
 * and the journal lock's takes per trial (a lock on a file is a link made
 * and removed, and other workers wait on it), and writes JSON.
 *
 *   npm run bench:journal-run -- [--trials 1000] [--reps 3] [--out bench/results/journal-run.json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomSearch } from '../src/optimizer';
import { FileJournalBackend, MemoryJournalBackend } from '../src/storage';
import type { JournalBackend } from '../src/storage/types';
import { intFlag, outFlag, parseFlags, writeJson } from './args';

const values = parseFlags({
  trials: { type: 'string', default: '1000' },
  reps: { type: 'string', default: '3' },
  out: { type: 'string', default: 'bench/results/journal-run.json' },
});
const nTrials = intFlag('trials', values.trials, 10);
const reps = intFlag('reps', values.reps)
const out = outFlag('out', values.out);;

/** Counts the lock takes of `b` (every journal step that takes the lock goes through withLock). */
function counted<B extends JournalBackend>(b: B): B & { locks: number } {
  const out = b as B & { locks: number };
  out.locks = 0;
  const take = b.withLock.bind(b);
  out.withLock = (fn, opts) => {
    out.locks++;
    return take(fn, opts);
  };
  return out;
}

interface Row { storage: string; rep: number; totalMs: number; firstMs: number; lastMs: number; cpuMs: number; locks: number }

async function run(storage: string, rep: number): Promise<Row> {
  const dir = storage === 'file' ? mkdtempSync(join(tmpdir(), 'bench-journal-run-')) : null;
  const backend = counted(dir ? new FileJournalBackend(join(dir, 'study.log')) : new MemoryJournalBackend());
  const ends: number[] = [];
  const opt = new RandomSearch({ pbounds: { x: [0, 1], y: [0, 1] }, f: (p) => -(((p.x as number) - 0.3) ** 2), randomState: rep, verbose: 0, storage: backend });
  await opt.ready();
  const opened = backend.locks;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await opt.maximize({ initPoints: 0, nIter: nTrials, onTrial: () => void ends.push(performance.now()) });
  const totalMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await opt.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  const fifth = Math.floor(nTrials / 5);
  const at = (i: number) => (i < 0 ? t0 : ends[i]);
  return {
    storage, rep, totalMs, cpuMs: (cpu.user + cpu.system) / 1000, locks: backend.locks - opened,
    firstMs: (at(fifth - 1) - at(-1)) / fifth, lastMs: (at(nTrials - 1) - at(nTrials - 1 - fifth)) / fifth,
  };
}

const rows: Row[] = [];
const load0 = loadavg();
console.log(`${nTrials} trials of RandomSearch, one process, a trivial objective; per trial:`);
console.log('storage          rep   wall ms  first 1/5  last 1/5  CPU ms  lock takes');
for (const storage of ['file', 'memory-journal']) {
  for (let rep = 1; rep <= reps; rep++) {
    const r = await run(storage, rep);
    rows.push(r);
    const f = (v: number) => v.toFixed(2).padStart(8);
    console.log(`${storage.padEnd(15)} ${String(rep).padStart(4)} ${f(r.totalMs / nTrials)}  ${f(r.firstMs)}  ${f(r.lastMs)} ${f(r.cpuMs / nTrials)}  ${(r.locks / nTrials).toFixed(2).padStart(10)}`);
  }
}
const load1 = loadavg();
console.log(`load average ${load0.map((v) => v.toFixed(2)).join(' ')} -> ${load1.map((v) => v.toFixed(2)).join(' ')}`);
writeJson(out, { date: new Date().toISOString(), trials: nTrials, reps, loadavg: [load0, load1], rows });
