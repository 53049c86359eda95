/**
 * Random edits of a valid journal: the loader keeps what is valid (every
 * loaded trial fits the space), reports the rest with line numbers and
 * reasons, and the study can always continue (maximize and recommend work).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { BayesianOptimization } from '../../src/optimizer';
import { Space } from '../../src/space';
import type { SpaceSpec } from '../../src/space/types';
import { Journal, MemoryJournalBackend, type LoadedJournal } from '../../src/storage/index';
import { JournalReducer } from '../../src/storage/state';
import { FC_SEED } from '../space/arbitraries';

const SPACE: SpaceSpec = {
  x: { type: 'float', low: 0, high: 1 },
  k: { type: 'int', low: 1, high: 4 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
};
const space = new Space(SPACE);
const f = ({ x, k, act }: Record<string, unknown>) => {
  if ((x as number) > 0.9) throw new Error('diverged');
  return -(((x as number) - 0.4) ** 2) - 0.1 * (k as number) + (act === 'tanh' ? 0.05 : 0);
};
const FAST = { engine: 'cpu', candidates: 200, gp: { restarts: 1 }, log: () => undefined } as const;

let valid = '';
beforeAll(async () => {
  const b = new MemoryJournalBackend();
  const opt = new BayesianOptimization({ ...FAST, f, space: SPACE, randomState: 4, journal: b });
  await opt.maximize({ initPoints: 4, nIter: 3 });
  await opt.close();
  valid = b.text;
});

type LineEdit =
  | { kind: 'delete' | 'duplicate' | 'truncate' | 'crlf'; at: number }
  | { kind: 'swap'; at: number; to: number }
  | { kind: 'param'; at: number; name: 'x' | 'k' | 'act' | 'zz'; value: unknown }
  | { kind: 'field'; at: number; name: string; value: unknown }
  | { kind: 'garbage'; at: number; text: string }
  | { kind: 'bom' };

const value = fc.oneof(
  fc.double({ noNaN: true, min: -10, max: 10 }), fc.integer({ min: -3, max: 9 }), fc.constantFrom('relu', 'gelu', '', null, true, 2.5, 1e308),
);
const edit: fc.Arbitrary<LineEdit> = fc.oneof(
  fc.record({ kind: fc.constantFrom('delete' as const, 'duplicate' as const, 'truncate' as const, 'crlf' as const), at: fc.nat(40) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(40), to: fc.nat(40) }),
  fc.record({ kind: fc.constant('param' as const), at: fc.nat(40), name: fc.constantFrom('x' as const, 'k' as const, 'act' as const, 'zz' as const), value }),
  fc.record({
    kind: fc.constant('field' as const), at: fc.nat(40),
    name: fc.constantFrom('op_code', 'trial_id', 'study_id', 'state', 'values', 'worker_id', 'datetime_start', 'intermediate_value'), value,
  }),
  fc.record({ kind: fc.constant('garbage' as const), at: fc.nat(40), text: fc.string({ maxLength: 30 }) }),
  fc.constant({ kind: 'bom' as const }),
);

/** Applies edits to every line but the study's (its CREATE_STUDY and study attrs, before the first CREATE_TRIAL). */
function damage(text: string, edits: LineEdit[]): string {
  const lines = text.split('\n').filter((l) => l !== '');
  const head = lines.splice(0, lines.findIndex((l) => JSON.parse(l).op_code === 4));
  let bom = false;
  for (const e of edits) {
    if (e.kind === 'bom') { bom = true; continue; }
    if (lines.length === 0) break;
    const i = e.at % lines.length;
    if (e.kind === 'delete') lines.splice(i, 1);
    else if (e.kind === 'duplicate') lines.splice(i, 0, lines[i]);
    else if (e.kind === 'truncate') lines[i] = lines[i].slice(0, Math.floor(lines[i].length / 2));
    else if (e.kind === 'crlf') lines[i] += '\r';
    else if (e.kind === 'swap') [lines[i], lines[e.to % lines.length]] = [lines[e.to % lines.length], lines[i]];
    else if (e.kind === 'garbage') lines.splice(i, 0, e.text.replace(/\n/g, ' '));
    else {
      let o: Record<string, any>;
      try {
        o = JSON.parse(lines[i]);
      } catch {
        continue;
      }
      if (e.kind === 'param') {
        // Optuna's internal value (a categorical's index), under the trial's distribution if it has one
        if (o.op_code !== 4) continue;
        o.params[e.name] = e.value;
      } else if (e.kind === 'field') {
        o[e.name] = e.value;
      }
      lines[i] = JSON.stringify(o);
    }
  }
  return (bom ? '\ufeff' : '') + [...head, ...lines].join('\n') + '\n';
}

const tally = { runs: 0, skippedLines: 0, trialsLoaded: 0 };

describe('journal loader under random edits', () => {
  it('loads what is valid, reports the rest, and the study continues', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 5 }), async (edits) => {
        const text = damage(valid, edits);
        const nLines = text.split('\n').length;
        const state = await (await Journal.open(new MemoryJournalBackend(text), { space: SPACE, readOnly: true })).load();
        for (const t of state.trials) expect(space.contains(t.params), JSON.stringify(t.params)).toBe(true);
        for (const t of state.trials) if (t.status === 'complete') expect(Number.isFinite(t.target)).toBe(true);
        for (const s of state.skipped) {
          expect(s.line).toBeGreaterThanOrEqual(1);
          expect(s.line).toBeLessThanOrEqual(nLines);
          expect(s.reason.length).toBeGreaterThan(0);
        }
        expect(new Set(state.trials.map((t) => t.id)).size).toBe(state.trials.length);

        const backend = new MemoryJournalBackend(text);
        const opt = new BayesianOptimization({ ...FAST, f, space: SPACE, randomState: 9, journal: backend });
        await opt.ready();
        const before = opt.trials.filter((t) => t.status !== 'pending').length;
        await opt.maximize({ initPoints: 1, nIter: 1 });
        expect(opt.trials.filter((t) => t.status !== 'pending').length).toBeGreaterThanOrEqual(before + 2);
        if (opt.max) expect((await opt.recommend())).toBeDefined();
        await opt.close();
        // the study was kept: created again only if an edit turned a line into a DELETE_STUDY of it
        const ops = backend.text.replace(/^\ufeff/, '').split('\n').flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        });
        const created = ops.filter((o) => o.op_code === 0 && o.study_name === 'default').length;
        expect(created).toBeLessThanOrEqual(1 + ops.filter((o) => o.op_code === 1).length);
        expect(created).toBeGreaterThanOrEqual(1);
        tally.runs++;
        tally.skippedLines += state.skipped.length;
        tally.trialsLoaded += state.trials.length;
      }),
      { seed: FC_SEED, numRuns: 60 },
    );
    expect(tally.skippedLines).toBeGreaterThan(30);
    console.log(`journal fuzz: ${tally.runs} damaged journals, ${tally.trialsLoaded} trials loaded (all inside the space), ${tally.skippedLines} lines skipped with a reason, every study continued`);
  });

  it('fed in chunks (a reader that gets only what is new), a journal folds exactly as read whole', () => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (edits, cuts) => {
        const text = damage(valid, edits);
        const whole = new JournalReducer('default', SPACE);
        whole.update(text);
        const fed = new JournalReducer('default', SPACE);
        const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        let from = 0;
        for (const c of [...at, text.length]) {
          fed.feed(text.slice(from, c));
          from = c;
        }
        expect(fed.trials()).toEqual(whole.trials());
        expect(fed.skipped()).toEqual(whole.skipped());
        expect([fed.nextId, fed.rngState, fed.header]).toEqual([whole.nextId, whole.rngState, whole.header]);
      }),
      { seed: FC_SEED, numRuns: 150 },
    );
  });

  it('a damaged study line either opens (the lines checked against the given space) or is a StorageError', async () => {
    const lines = valid.split('\n');
    const create = JSON.parse(lines[0]);
    const spaceAt = lines.findIndex((l) => l.includes('"wbo:space"'));
    const spaceOp = JSON.parse(lines[spaceAt]);
    const edits: [number, unknown][] = [
      [spaceAt, { ...spaceOp, system_attr: { 'wbo:space': { x: SPACE.x } } }],
      [0, { ...create, directions: [1] }],
      [0, 'not json'],
      [0, { ...create, op_code: 99 }],
    ];
    for (const [at, h] of edits) {
      const edited = [...lines];
      edited[at] = typeof h === 'string' ? h : JSON.stringify(h);
      const text = edited.join('\n');
      const r: LoadedJournal | unknown = await Journal.open(new MemoryJournalBackend(text), { space: SPACE, direction: 'maximize' }).then((j) => j.load(), (e: unknown) => e);
      if (r instanceof Error) {
        expect(r).toBeInstanceOf(StorageError);
      } else {
        const loaded = r as LoadedJournal;
        for (const t of loaded.trials) expect(space.contains(t.params)).toBe(true);
        expect(loaded.skipped[0]).toMatchObject({ line: 1 });
      }
    }
  });
});
