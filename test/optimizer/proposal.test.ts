/** proposeNext's argument checks (src/optimizer/proposal.ts): called from JavaScript without its study or context. */
import { describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import { InvalidOptionError } from '../../src/errors';
import { GaussianProcess } from '../../src/gp/gaussian-process';
import { proposeNext, type ProposalContext } from '../../src/optimizer';
import { Space } from '../../src/space';
import { Study } from '../../src/storage/study';
import { Rng } from '../../src/util/rng';
import { rejection } from './caught';

const space = Space.fromOptions({ pbounds: { a: [0, 1], b: [0, 1] } });
const ctx = (): ProposalContext => ({
  space, gp: new GaussianProcess({ rng: new Rng(1) }), engine: createCpuEngine(), acquisition: { kind: 'ei', xi: 0.01, kappa: 2.576 }, rng: new Rng(2), candidates: 200,
});

describe('proposeNext arguments', () => {
  it('a missing study or context, or a context field of the wrong kind, is an InvalidOptionError naming it (TypeErrors before)', async () => {
    const study = Study.open(undefined, { direction: 'maximize' });
    const studyMsg = (got: string) => `proposeNext: study: expected a study's trials ({ completed(), pending(), finished(), trials, sign }, a Study), got ${got}`;
    for (const [call, option, message] of [
      [() => proposeNext(undefined as never, ctx()), 'study', studyMsg('undefined')],
      [() => proposeNext({ trials: [] } as never, ctx()), 'study', studyMsg('{"trials":[]}')],
      // the GP's rows follow finished()'s order (src/optimizer/fit-order.ts)
      [() => proposeNext({ completed: () => [], pending: () => [], trials: [], sign: 1 } as never, ctx()), 'study', studyMsg('{"trials":[],"sign":1}')],
      [() => proposeNext(study, undefined as never), 'ctx', 'proposeNext: ctx: expected a proposal context ({ space, gp, engine, acquisition, rng }), got undefined'],
      [() => proposeNext(study, { ...ctx(), space: { a: [0, 1] } as never }), 'ctx.space', 'proposeNext: ctx.space: expected a Space, got {"a":[0,1]}'],
      [() => proposeNext(study, { ...ctx(), gp: undefined as never }), 'ctx.gp', 'proposeNext: ctx.gp: expected a GaussianProcess, got undefined'],
      [() => proposeNext(study, { ...ctx(), engine: 'cpu' as never }), 'ctx.engine', 'proposeNext: ctx.engine: expected an Engine or a function resolving one, got "cpu"'],
      [() => proposeNext(study, { ...ctx(), acquisition: { kind: 'qei' } as never }), 'ctx.acquisition',
        'proposeNext: ctx.acquisition: expected an acquisition ({ kind: "ei", "logei", "pi" or "ucb", ... }), got {"kind":"qei"}'],
      [() => proposeNext(study, { ...ctx(), rng: 7 as never }), 'ctx.rng', 'proposeNext: ctx.rng: expected an Rng (new Rng(seed)), got 7'],
    ] as const) {
      const e = (await rejection(call())) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual([option, message]);
    }
    // a study with no completed trial: a random point
    const p = await proposeNext(study, ctx());
    expect(p.source).toBe('random');
    expect(space.contains(p.params)).toBe(true);
  });
});
