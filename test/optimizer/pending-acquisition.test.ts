/**
 * `pendingAcquisition`: the acquisition of a suggestion made while other
 * trials run (GP-BUCB's UCB on the believer by default), recorded from the
 * requests the engine gets.
 */
import { describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/acquisition/cpu-engine';
import type { Engine, ProposeRequest } from '../../src/acquisition/engine';
import { InvalidOptionError } from '../../src/errors';
import { BayesianOptimization, type OptimizerOptions } from '../../src/optimizer';
import type { Params } from '../../src/space/types';

const PB = { x: [0, 1], y: [0, 1] } as const;
const quad = ({ x, y }: Params): number => -(((x as number) - 0.3) ** 2) - ((y as number) - 0.7) ** 2;

/** A CPU engine that records the acquisition of every request. */
function recording(): { engine: Engine; seen: string[] } {
  const cpu = createCpuEngine();
  const seen: string[] = [];
  const engine: Engine = Object.assign(Object.create(cpu) as Engine, {
    propose: (req: ProposeRequest) => {
      seen.push(req.acquisition.kind === 'ucb' ? `ucb ${req.acquisition.kappa}` : req.acquisition.kind);
      return cpu.propose(req);
    },
  });
  return { engine, seen };
}

/** An optimizer with 6 completed trials, the engine recording; `suggest` twice without registering. */
async function twoSuggestions(opts: Partial<OptimizerOptions>): Promise<string[]> {
  const { engine, seen } = recording();
  const opt = new BayesianOptimization({ pbounds: PB, randomState: 7, engine, candidates: 300, refine: false, stallExploration: false, log: () => undefined, ...opts });
  for (let i = 0; i < 6; i++) {
    const p = { x: (i * 0.37) % 1, y: (i * 0.61) % 1 };
    await opt.register(p, quad(p));
  }
  await opt.suggest(); // nothing pending
  await opt.suggest(); // the first one pending
  opt.dispose();
  return seen;
}

describe('pendingAcquisition', () => {
  it('by default: EI with nothing pending, UCB (kappa 2) while a trial runs', async () => {
    expect(await twoSuggestions({})).toEqual(['ei', 'ucb 2']);
  });

  it("'same' keeps the acquisition; an explicit acquisition is kept unless pendingAcquisition is given", async () => {
    expect(await twoSuggestions({ pendingAcquisition: 'same' })).toEqual(['ei', 'ei']);
    expect(await twoSuggestions({ acquisition: 'logei' })).toEqual(['logei', 'logei']);
    expect(await twoSuggestions({ acquisition: 'logei', pendingAcquisition: { kind: 'ucb', kappa: 3 } })).toEqual(['logei', 'ucb 3']);
  });

  it('strategies that score candidates their own way keep the acquisition', async () => {
    const seen = await twoSuggestions({ pending: 'penalization' });
    expect(seen[0]).toBe('ei');
    expect(seen.slice(1).every((k) => k === 'ei')).toBe(true);
  });

  it('suggestBatch (joint) chooses with the acquisition', async () => {
    const { engine, seen } = recording();
    const opt = new BayesianOptimization({ pbounds: PB, randomState: 7, engine, candidates: 300, refine: false, stallExploration: false, log: () => undefined });
    for (let i = 0; i < 6; i++) {
      const p = { x: (i * 0.37) % 1, y: (i * 0.61) % 1 };
      await opt.register(p, quad(p));
    }
    await opt.suggestBatch(3);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen)).toEqual(new Set(['ei']));
    opt.dispose();
  });

  it('bad values are InvalidOptionErrors naming the option', () => {
    expect(() => new BayesianOptimization({ pbounds: PB, pendingAcquisition: 'best' as never })).toThrow(InvalidOptionError);
    expect(() => new BayesianOptimization({ pbounds: PB, pendingAcquisition: 'best' as never })).toThrow(/^option "pendingAcquisition": expected one of "ei", "logei", "pi", "ucb"/);
    expect(() => new BayesianOptimization({ pbounds: PB, pendingAcquisition: { kind: 'ucb', kappa: -1 } })).toThrow('option "pendingAcquisition.kappa": expected a finite number >= 0, got -1');
  });
});
