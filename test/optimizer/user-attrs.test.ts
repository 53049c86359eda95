/**
 * `context.setUserAttr(key, value)` (Optuna's `trial.set_user_attr`): the
 * objective's attributes land on its trial, in memory and in a journal (a
 * resume and Optuna read them back), bad input is refused naming the
 * argument with nothing recorded, and a trial that has ended takes none.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, StateError } from '../../src/errors';
import { BayesianOptimization, type TrialContext } from '../../src/optimizer';
import type { Params, SpaceSpec } from '../../src/space/types';
import { readStudy, trialsCsv } from '../../src/report';
import { maybe, pythonOnJournal } from '../storage/optuna-peer';
import { useTempDirs } from '../storage/temp-dirs';
import { rejection } from './caught';

const SPACE: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };
const FAST = { engine: 'cpu', candidates: 200, gp: { restarts: 1 } } as const;
const dir = useTempDirs('user-attrs-');

/** Records each trial's x rounded, then a list, then replaces the first key. */
async function attrs(p: Params, ctx: TrialContext): Promise<number> {
  const x = p.x as number;
  await ctx.setUserAttr('bucket', Math.round(x * 10));
  await ctx.setUserAttr('info', { id: ctx.trialId, tags: ['a', 'b'] });
  await ctx.setUserAttr('bucket', `b${Math.round(x * 10)}`);
  return -((x - 0.3) ** 2);
}

describe('context.setUserAttr', () => {
  it('puts each attribute on its trial; a key set again takes the later value', async () => {
    const opt = new BayesianOptimization({ ...FAST, space: SPACE, f: attrs, randomState: 3, verbose: 0 });
    await opt.maximize({ initPoints: 3, nIter: 2 });
    expect(opt.res).toHaveLength(5);
    for (const t of opt.res) {
      expect(t.userAttrs).toEqual({ bucket: `b${Math.round((t.params.x as number) * 10)}`, info: { id: t.id, tags: ['a', 'b'] } });
    }
    opt.dispose();
  });

  it('is journaled: a resume and readStudy read the attributes, and the CSV has a column per key', async () => {
    const path = join(dir(), 'study.jsonl');
    const a = new BayesianOptimization({ ...FAST, space: SPACE, f: attrs, randomState: 3, verbose: 0, storage: path });
    await a.maximize({ initPoints: 3, nIter: 0 });
    const before = a.res.map((t) => t.userAttrs);
    await a.close();
    const b = new BayesianOptimization({ ...FAST, space: SPACE, f: attrs, randomState: 3, verbose: 0, storage: path });
    await b.ready();
    expect(b.res.map((t) => t.userAttrs)).toEqual(before);
    await b.close();
    const study = await readStudy(path);
    expect(study.trials.map((t) => t.userAttrs)).toEqual(before);
    const [head, first] = trialsCsv(study).split('\n');
    expect(head).toBe('number,value,datetime_start,datetime_complete,duration,params_x,user_attrs_bucket,user_attrs_info,state,source,step,retry_of,objective_duration,error');
    // strings as they are, anything else as its JSON, quoted as RFC 4180 asks
    expect(first).toMatch(new RegExp(`,${before[0]!.bucket as string},"\\{""id"":0,""tags"":\\[""a"",""b""\\]\\}",COMPLETE,init,,,[0-9.e-]+,$`));
  });

  it('refuses a bad key or value naming it; the trial goes on and records nothing of it', async () => {
    const errors: unknown[] = [];
    const cycle: Record<string, unknown> = { a: [1] };
    (cycle.a as unknown[]).push(cycle);
    const bad: Array<[unknown, unknown]> = [['', 1], [7, 1], ['v', Number.NaN], ['v', undefined], ['v', { when: new Date(0) }], ['v', [1, () => 2]], ['v', cycle],
      // eslint-disable-next-line no-sparse-arrays
      ['v', [1, , 3]], ['v', { a: undefined }]];
    const opt = new BayesianOptimization({
      ...FAST, space: SPACE, randomState: 1, verbose: 0,
      f: async (p, ctx) => {
        for (const [k, v] of bad) errors.push(await rejection(ctx.setUserAttr(k as string, v)));
        let deep: unknown = 1;
        for (let i = 0; i < 80; i++) deep = [deep]; // as deep as Optuna takes (its JSON's limit is 1,000)
        await ctx.setUserAttr('ok', deep);
        return p.x as number;
      },
    });
    await opt.maximize({ initPoints: 1, nIter: 0 });
    expect(opt.res[0].status).toBe('complete');
    expect(JSON.stringify(opt.res[0].userAttrs)).toBe(`{"ok":${'['.repeat(80)}1${']'.repeat(80)}}`);
    expect(errors.every((e) => e instanceof InvalidOptionError)).toBe(true);
    expect(errors.map((e) => [(e as InvalidOptionError).option, (e as Error).message])).toEqual([
      ['key', 'setUserAttr: key must be a non-empty string, got ""'],
      ['key', 'setUserAttr: key must be a non-empty string, got 7'],
      ['value', 'setUserAttr: "v": value is NaN (a journal stores JSON: strings, finite numbers, booleans, null, arrays and plain objects)'],
      ['value', 'setUserAttr: "v": value is undefined (a journal stores JSON: strings, finite numbers, booleans, null, arrays and plain objects)'],
      ['value', 'setUserAttr: "v": value.when is a Date (a journal stores JSON: strings, finite numbers, booleans, null, arrays and plain objects)'],
      ['value', 'setUserAttr: "v": value[1] is a function (a journal stores JSON: strings, finite numbers, booleans, null, arrays and plain objects)'],
      ['value', 'setUserAttr: "v": value.a[1] holds itself (a cycle) (a journal stores JSON: strings, finite numbers, booleans, null, arrays and plain objects)'],
      ['value', 'setUserAttr: "v": value[1] is undefined (a journal stores JSON: strings, finite numbers, booleans, null, arrays and plain objects)'],
      ['value', 'setUserAttr: "v": value.a is undefined (a journal stores JSON: strings, finite numbers, booleans, null, arrays and plain objects)'],
    ]);
    opt.dispose();
  });

  it('takes none once its trial has ended (StateError); a value changed afterwards by the objective is not the recorded one', async () => {
    let kept: TrialContext | undefined;
    const list = [1, 2];
    const opt = new BayesianOptimization({
      ...FAST, space: SPACE, randomState: 1, verbose: 0,
      f: async (p, ctx) => {
        kept = ctx;
        await ctx.setUserAttr('list', list);
        list.push(3);
        return p.x as number;
      },
    });
    await opt.maximize({ initPoints: 1, nIter: 0 });
    const e = await rejection(kept!.setUserAttr('late', 1));
    expect(e).toBeInstanceOf(StateError);
    expect((e as Error).message).toBe('setUserAttr: trial 0 has already ended; nothing was recorded');
    expect(opt.res[0].userAttrs).toEqual({ list: [1, 2] });
    opt.dispose();
  });

  it('records attributes set after the pruner said stop: the trial is still running until its objective returns', async () => {
    const opt = new BayesianOptimization({
      ...FAST, space: SPACE, randomState: 1, verbose: 0,
      pruner: { name: 'always', prune: () => true },
      f: async (p, ctx) => {
        if (await ctx.report(1, p.x as number)) await ctx.setUserAttr('pruned_at', 1);
        return p.x as number;
      },
    });
    await opt.maximize({ initPoints: 2, nIter: 0 });
    expect(opt.trials.map((t) => [t.status, t.userAttrs])).toEqual([['pruned', { pruned_at: 1 }], ['pruned', { pruned_at: 1 }]]);
    opt.dispose();
  });
});

describe('register(params, target, { userAttrs }) and registerFailure', () => {
  it('put the attributes on the suggestion they complete, or on the new trial, journaled', async () => {
    const path = join(dir(), 'ask-tell.jsonl');
    const opt = new BayesianOptimization({ ...FAST, space: SPACE, randomState: 4, verbose: 0, storage: path });
    const p = await opt.suggest();
    const q = await opt.suggest();
    await opt.register(p, 0.5, { userAttrs: { gpu: 'A', epochs: [1, 2] } });
    await opt.register({ x: 0.123 }, 0.1, { userAttrs: { source: 'notebook' } });
    await opt.registerFailure(q, 'out of memory', { userAttrs: { gpu: 'B' } });
    await opt.register({ x: 0.9 }, 0.2);
    const mine = opt.trials.map((t) => [t.status, t.userAttrs]);
    expect(mine).toEqual([
      ['complete', { gpu: 'A', epochs: [1, 2] }], ['failed', { gpu: 'B' }], ['complete', { source: 'notebook' }], ['complete', undefined],
    ]);
    await opt.close();
    expect((await readStudy(path)).trials.map((t) => [t.status, t.userAttrs])).toEqual(mine);
  });

  it('refuse a bad userAttrs option naming it, recording nothing', async () => {
    const opt = new BayesianOptimization({ ...FAST, space: SPACE, randomState: 4, verbose: 0 });
    const p = await opt.suggest();
    await expect(opt.register(p, 1, { userAttrs: { bad: Number.POSITIVE_INFINITY } })).rejects.toThrow(new InvalidOptionError('option "userAttrs": userAttrs.bad is Infinity (a journal stores JSON: strings, finite numbers, booleans, null, arrays and plain objects)', 'userAttrs'));
    await expect(opt.registerFailure(p, 'x', { attrs: {} } as never)).rejects.toThrow(InvalidOptionError);
    expect(opt.trials.map((t) => t.status)).toEqual(['pending']);
    opt.dispose();
  });
});

describe('user attributes are Optuna\'s (python3-optuna 3.1)', () => {
  maybe('Optuna reads the objective\'s attributes as its trials\' user_attrs', async () => {
    const path = join(dir(), 'journal.log');
    const opt = new BayesianOptimization({ ...FAST, space: SPACE, f: attrs, randomState: 5, verbose: 0, storage: path });
    await opt.maximize({ initPoints: 2, nIter: 0 });
    const mine = opt.res.map((t) => t.userAttrs);
    await opt.close();
    const py = JSON.parse(pythonOnJournal(`
study = optuna.load_study(study_name='default', storage=storage)
print(json.dumps([t.user_attrs for t in study.trials]))
`, path));
    expect(py).toEqual(mine);
  });
});
