/** Library use prints nothing unless `verbose` or `log` asks for it. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';

const f = ({ x }: { x: number }) => -((x - 0.2) ** 2);

afterEach(() => vi.restoreAllMocks());

describe('output of a default optimizer', () => {
  it('is nothing with verbose 0 and no log, on the automatic engine choice', async () => {
    const spy = vi.spyOn(console, 'log');
    const opt = new BayesianOptimization({ f, pbounds: { x: [-1, 1] }, randomState: 2, candidates: 1024 });
    await opt.maximize({ initPoints: 3, nIter: 2 });
    expect(opt.res.filter((t) => t.source === 'suggest')).toHaveLength(2);
    opt.dispose();
    expect(spy).not.toHaveBeenCalled();
  });

  it('names the engine when verbose asks for output, and through a given log', async () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    const a = new BayesianOptimization({ f, pbounds: { x: [-1, 1] }, randomState: 2, candidates: 1024, verbose: 1 });
    await a.maximize({ initPoints: 2, nIter: 1 });
    a.dispose();
    // the engine named once; verbose also shows the automatic choice measured per problem shape (software adapters)
    const said = spy.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('engine: '));
    expect(said.filter((l) => !l.startsWith('engine: auto picked '))).toHaveLength(1);
    expect(said.filter((l) => l.startsWith('engine: auto picked ')).length).toBeLessThanOrEqual(1);
    const lines: string[] = [];
    const b = new BayesianOptimization({ f, pbounds: { x: [-1, 1] }, randomState: 2, candidates: 1024, log: (l) => lines.push(l) });
    await b.maximize({ initPoints: 2, nIter: 1 });
    b.dispose();
    expect(lines.filter((l) => l.startsWith('engine: '))).toHaveLength(1);
  });
});

describe('notices said at any verbosity', () => {
  it('the capped candidate count goes to stderr, not stdout (it mixed into a script\'s printed JSON); a given log gets it', async () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const pb = { x: [0, 1], y: [0, 1] } as const;
    const g = (p: { x: number; y: number }) => -((p.x - 0.3) ** 2) - ((p.y - 0.5) ** 2);
    const opt = new BayesianOptimization({ f: g, pbounds: pb, engine: 'cpu', randomState: 2, candidates: 2 ** 24 });
    await opt.maximize({ initPoints: 2, nIter: 1 });
    opt.dispose();
    expect(out).not.toHaveBeenCalled();
    expect(err.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/^candidates: the cpu engine scores \d+ of the 16777216 requested per suggestion/)]);
    const lines: string[] = [];
    const b = new BayesianOptimization({ f: g, pbounds: pb, engine: 'cpu', randomState: 2, candidates: 2 ** 24, log: (l) => lines.push(l) });
    await b.maximize({ initPoints: 2, nIter: 1 });
    b.dispose();
    expect(lines.filter((l) => l.startsWith('candidates: '))).toHaveLength(1);
    expect(err).toHaveBeenCalledTimes(1);
  });
});
