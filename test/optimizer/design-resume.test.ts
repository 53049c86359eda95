/**
 * A study stopped within its initial design and resumed by a process of
 * another seed, or of none: the design trials record the random state the
 * design was drawn from (`wbo:design_rng`), so the resume asks the rest of
 * that design, not the rest of a design of its own seed (which left a Latin
 * hypercube with an empty stratum and a doubled one).
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BayesianOptimization, RandomSearch } from '../../src/optimizer';
import { Journal, MemoryJournalBackend } from '../../src/storage';
import { FAST, PB, quad, useTempJournals } from './fixtures/journal-study';

const tempJournal = useTempJournals();
const budget = { initPoints: 5, nIter: 3, resume: true } as const;
const points = (o: { res: readonly { source: string; params: unknown }[] }) => o.res.map((r) => [r.source, r.params]);

/** Runs `budget` on a fresh journal with seed 7, stopping after `stopAt` trials; the journal's path. */
async function stopped(make: typeof BayesianOptimization | typeof RandomSearch, stopAt: number): Promise<string> {
  const path = tempJournal();
  const first = new make({ ...FAST, f: quad, pbounds: PB, randomState: 7, journal: path });
  await first.maximize({ ...budget, onTrial: (_t, o) => { if (o.res.length >= stopAt) o.stop(); } });
  await first.close();
  return path;
}

describe('a resume within the initial design by a process of another seed', () => {
  for (const make of [BayesianOptimization, RandomSearch]) {
    it(`${make.name}: resumed with no seed or another, maximize asks the rest of the seeded design and goes on as the uninterrupted run`, async () => {
      const whole = new make({ ...FAST, f: quad, pbounds: PB, randomState: 7, journal: tempJournal() });
      await whole.maximize(budget);
      for (const seed of [undefined, 8]) {
        const path = await stopped(make, 3);
        const second = new make({ ...FAST, f: quad, pbounds: PB, journal: path, ...(seed === undefined ? {} : { randomState: seed }) });
        await second.maximize(budget);
        expect(points(second), `seed ${seed}`).toEqual(points(whole));
        await second.close();
      }
      await whole.close();
    });
  }

  it('by suggest/register: the design\'s other points, then the uninterrupted run\'s model points', async () => {
    const tell = async (journal: string, upto: number, randomState?: number) => {
      const o = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, journal, initPoints: 5, ...(randomState === undefined ? {} : { randomState }) });
      while (o.res.length < upto) {
        const p = await o.suggest();
        await o.register(p, quad(p));
      }
      return o;
    };
    const straight = await tell(tempJournal(), 7, 7);
    const path = tempJournal();
    await (await tell(path, 2, 7)).close();
    const resumed = await tell(path, 7);
    expect(resumed.res.map((r) => r.params)).toEqual(straight.res.map((r) => r.params));
    await straight.close();
    await resumed.close();
  });

  it('the design trials record the state the design was drawn from; the first one recorded is the study\'s', async () => {
    const backend = new MemoryJournalBackend();
    const o = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 7, journal: backend });
    await o.maximize({ initPoints: 3, nIter: 1 });
    await o.close();
    const journal = await Journal.open(backend);
    const state = await journal.load();
    expect(state.designRngState).toHaveLength(4);
    expect(state.designRngState!.every((v) => Number.isInteger(v))).toBe(true);
    await journal.close();
    // only the design's trials carry it
    const withAttr = backend.text.split('\n').filter((l) => l.includes('wbo:design_rng'));
    expect(withAttr).toHaveLength(3);
  });

  it('a study deleted and created again under its name starts from its own seed\'s design, not the deleted study\'s', async () => {
    const path = tempJournal();
    const first = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 7, journal: path });
    await first.maximize({ initPoints: 5, nIter: 0, resume: true });
    await first.close();
    appendFileSync(path, JSON.stringify({ op_code: 1, worker_id: 'w', study_id: 0 }) + '\n'); // Optuna's delete_study
    const again = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 8, journal: path });
    await again.maximize({ initPoints: 5, nIter: 0, resume: true });
    const fresh = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 8, journal: tempJournal() });
    await fresh.maximize({ initPoints: 5, nIter: 0, resume: true });
    expect(points(again)).toEqual(points(fresh));
    await again.close();
    await fresh.close();
  });

  it('a journal written before the state was recorded resumes from the process\'s seed, as it did', async () => {
    const whole = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 7, journal: tempJournal() });
    await whole.maximize(budget);
    const path = await stopped(BayesianOptimization, 3);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('wbo:design_rng');
    writeFileSync(path, text.replace(/,\s*"wbo:design_rng":\s*\[[^\]]*\]/g, ''));
    expect(readFileSync(path, 'utf8')).not.toContain('wbo:design_rng');
    const second = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 7, journal: path });
    await second.maximize(budget);
    expect(points(second)).toEqual(points(whole));
    await second.close();
    await whole.close();
  });
});
