/** The bayes_opt progress table (src/optimizer/logger.ts): row numbers across runs, and colour only on the console. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import { formatNumber } from '../../src/optimizer/logger';

const f = ({ x }: { x: number }) => -((x - 0.3) ** 2);
const rowNumbers = (lines: string[]) => lines.filter((l) => /^\| +\d/.test(l)).map((l) => Number(l.split('|')[1]));
const ESC = '\u001b[';

describe('progress table', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it('numbers a resumed journal\'s rows on from its finished trials, as a second maximize in one process does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'table-rows-'));
    dirs.push(dir);
    const journal = join(dir, 'study.jsonl');
    const make = (lines: string[]) =>
      new BayesianOptimization({ f, pbounds: { x: [0, 1] }, randomState: 3, engine: 'cpu', verbose: 2, log: (l) => lines.push(l), journal, candidates: 200 });
    const first: string[] = [];
    const a = make(first);
    await a.maximize({ initPoints: 2, nIter: 1 });
    await a.maximize({ initPoints: 0, nIter: 1 });
    await a.close();
    expect(rowNumbers(first)).toEqual([1, 2, 3, 4]);
    const second: string[] = [];
    const b = make(second);
    await b.maximize({ initPoints: 2, nIter: 4, resume: true }); // a budget of 6, 4 of them in the journal
    await b.close();
    // the resumed run's two trials are the study's 5th and 6th (they were numbered 1 and 2)
    expect(rowNumbers(second)).toEqual([5, 6]);
    expect(b.res).toHaveLength(6);
  });

  it('counts imported points among the study\'s trials', async () => {
    const src = new BayesianOptimization({ f, pbounds: { x: [0, 1] }, randomState: 1, engine: 'cpu' });
    await src.maximize({ initPoints: 3, nIter: 0 });
    const lines: string[] = [];
    const opt = new BayesianOptimization({ f, pbounds: { x: [0, 1] }, randomState: 2, engine: 'cpu', verbose: 2, log: (l) => lines.push(l), candidates: 200 });
    await opt.importBayesOpt(src.exportBayesOpt('log'));
    await opt.maximize({ initPoints: 0, nIter: 1 });
    expect(rowNumbers(lines)).toEqual([1, 2, 3, 4]);
  });

  it('colours new bests on a terminal, and never in lines sent to a log of the caller\'s', async () => {
    const tty = process.stdout.isTTY;
    process.stdout.isTTY = true;
    try {
      const own: string[] = [];
      const a = new BayesianOptimization({ f, pbounds: { x: [0, 1] }, randomState: 3, engine: 'cpu', verbose: 2, log: (l) => own.push(l), candidates: 200 });
      await a.maximize({ initPoints: 3, nIter: 0 });
      expect(rowNumbers(own)).toEqual([1, 2, 3]);
      expect(own.some((l) => l.includes(ESC))).toBe(false);
      const printed: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((l: string) => void printed.push(l));
      const b = new BayesianOptimization({ f, pbounds: { x: [0, 1] }, randomState: 3, engine: 'cpu', verbose: 2, candidates: 200 });
      await b.maximize({ initPoints: 3, nIter: 0 });
      // the first row is always a new best
      expect(printed.filter((l) => l.includes(ESC)).length).toBeGreaterThanOrEqual(1);
      expect(printed.find((l) => l.includes(ESC))).toContain(`${ESC}35m1 `);
    } finally {
      process.stdout.isTTY = tty;
    }
  });

  it("marks a pruned trial's row: its target is the value it was stopped at", async () => {
    const lines: string[] = [];
    const opt = new BayesianOptimization({
      pbounds: { x: [0, 1] }, randomState: 3, engine: 'cpu', verbose: 2, log: (l) => lines.push(l), candidates: 200,
      pruner: { name: 'second', prune: ({ trial }) => trial.id === 1 },
      f: async ({ x }, ctx) => {
        for (let e = 1; e <= 3; e++) if (await ctx.report(e, f({ x }) + e)) return 0;
        return f({ x }) + 3;
      },
    });
    await opt.maximize({ initPoints: 3, nIter: 0 });
    const rows = lines.filter((l) => /^\| +\d/.test(l));
    expect(rows.map((l) => l.endsWith(' | pruned@1'))).toEqual([false, true, false]);
    expect(rows.every((l) => /\|( pruned@1)?$/.test(l))).toBe(true);
  });

  it('fits a number into its 9-character cell rounded, not cut (123456.789 read 123456.78, -9999999.99 read "-9999999.")', () => {
    const cells = [123456.789, -9999999.99, 0.1 + 0.2, 12345678.9, 99999999, -1.7e308, 0.000123456789, 3].map(formatNumber);
    expect(cells).toEqual(['123456.79', '-10000000', '0.3      ', '1.2346e+7', '1e+8     ', '-1.7e+308', '0.0001235', '3        ']);
    // the exponent's trailing 0 was trimmed as if a mantissa's (1.2345e10 read 1.235e+1), and small numbers fixed to 0
    const more = [1.2345e10, -12345000000, 1.23456789e20, 3.14159e100, 1.23456e-8, -1.23456e-8, 1.1619265790797503e-252, 1e-300, -0];
    expect(more.map((x) => formatNumber(x).trim())).toEqual(['1.235e+10', '-1.23e+10', '1.235e+20', '3.14e+100', '1.2346e-8', '-1.235e-8', '1.16e-252', '1e-300', '0']);
    for (const x of more) {
      expect(formatNumber(x)).toHaveLength(9);
      if (x !== 0) expect(Math.abs(Number(formatNumber(x)) / x - 1)).toBeLessThan(0.01);
    }
  });
});

describe('a log function that throws', () => {
  it('is said once on stderr and ignored: every trial reaches onTrial, register resolves (it rejected after recording)', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const opt = new BayesianOptimization({
        f: (p: { x: number }) => p.x, pbounds: { x: [0, 1] }, engine: 'cpu', randomState: 3, verbose: 2,
        log: (l) => { if (l.startsWith('| ')) throw new Error('log broke'); },
      });
      const seen: number[] = [];
      await opt.maximize({ initPoints: 3, nIter: 1, onTrial: (t) => void seen.push(t.id) });
      expect(seen).toEqual([0, 1, 2, 3]);
      const s = await opt.suggest();
      await expect(opt.register(s, 0.5)).resolves.toMatchObject({ status: 'complete', target: 0.5 });
      expect(opt.res).toHaveLength(5);
      expect(err.mock.calls.map((c) => String(c[0]))).toEqual([
        'log: the log option\'s function threw (log broke); its line was dropped and the run goes on (said once)',
      ]);
      opt.dispose();
    } finally {
      err.mockRestore();
    }
  });
});
