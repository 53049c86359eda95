import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HyperbandPruner, type PrunerTrial } from '../../src/pruners';
import { bracketCount, crc32 } from '../../src/pruners/hyperband';
import { curve } from './helpers';

/**
 * Hyperband (Li et al. 2018, Algorithm 1) over ASHA brackets, as Optuna's
 * HyperbandPruner: floor(log_eta(R / r)) + 1 brackets, bracket b starting at
 * step r * eta^b, trials spread by crc32(`${studyName}_${id}`) in proportion
 * to ceil(n * eta^s / (s + 1)).
 */
describe('HyperbandPruner', () => {
  it('crc32 matches Python\'s binascii.crc32 (the hash Optuna uses for brackets)', () => {
    const keys = ['', 'hello', 'study_0', 'taxi-asha_17', 'ünïcode_3'];
    const py = execFileSync('/usr/bin/python3', ['-c',
      'import binascii, json, sys; print(json.dumps([binascii.crc32(k.encode()) for k in json.loads(sys.argv[1])]))',
      JSON.stringify(keys)], { encoding: 'utf8' });
    expect(keys.map(crc32)).toEqual(JSON.parse(py));
  });

  it('R = 27, eta = 3 (the default): 4 brackets starting at steps 1, 3, 9, 27, shares 27:12:6:4', () => {
    const p = new HyperbandPruner({ maxResource: 27 });
    expect(p.reductionFactor).toBe(3);
    expect(p.nBrackets).toBe(4);
    const counts = [0, 0, 0, 0];
    for (let id = 0; id < 4900; id++) counts[p.bracketOf(id, 'hb')]++;
    // 4,900 ids over shares 27/49, 12/49, 6/49, 4/49 of the hash space
    [2700, 1200, 600, 400].forEach((c, b) => expect(Math.abs(counts[b] - c)).toBeLessThan(0.15 * c));
    expect(new HyperbandPruner({ maxResource: 26 }).nBrackets).toBe(3);
    expect(new HyperbandPruner({ maxResource: 81, reductionFactor: 3 }).nBrackets).toBe(5);
  });

  it('a trial competes only within its bracket, from that bracket\'s first rung', () => {
    const p = new HyperbandPruner({ maxResource: 27 });
    const byBracket = (b: number, skip = 0) => {
      for (let id = 0, seen = 0; ; id++) if (p.bracketOf(id, 's') === b && seen++ === skip) return id;
    };
    const a0 = byBracket(0);
    const b0 = byBracket(0, 1);
    const a1 = byBracket(1);
    const b1 = byBracket(1, 1);
    // bracket 0: rungs at 1, 3, 9; a trial worse than its bracket mate at step 1 is pruned
    const trials: PrunerTrial[] = [curve(a0, 'running', [1]), curve(a1, 'running', [5], [3])];
    expect(p.prune({ direction: 'minimize', trial: curve(b0, 'running', [2]), trials, studyName: 's' })).toBe(true);
    // bracket 1 starts at step 3: nothing is judged at steps 1-2, and at step 3 only a1 competes
    expect(p.prune({ direction: 'minimize', trial: curve(b1, 'running', [9, 9]), trials, studyName: 's' })).toBe(false);
    expect(p.prune({ direction: 'minimize', trial: curve(b1, 'running', [9, 9, 4]), trials, studyName: 's' })).toBe(false);
    expect(p.prune({ direction: 'minimize', trial: curve(b1, 'running', [9, 9, 6]), trials, studyName: 's' })).toBe(true);
  });

  it('maxResource "auto": no pruning until a trial completes, then R is its last step plus one (Optuna 3.1\'s rule)', () => {
    const p = new HyperbandPruner();
    expect(p.nBrackets).toBe(0);
    const t = curve(5, 'running', [100]);
    expect(p.prune({ direction: 'minimize', trial: t, trials: [curve(0, 'running', [1, 1])] })).toBe(false);
    expect(p.nBrackets).toBe(0);
    expect(p.maxResource).toBe('auto');
    p.prune({ direction: 'minimize', trial: t, trials: [curve(0, 'complete', new Array(9).fill(1))] });
    expect(p.nBrackets).toBe(3); // R = 10: floor(log3 10) + 1
    expect(p.maxResource).toBe(10);
    expect(new HyperbandPruner({ maxResource: 27 }).maxResource).toBe(27);
    // a last step of 8: R = 9 and 3 brackets, as Optuna builds (R = 8 would give 2)
    const q = new HyperbandPruner();
    q.prune({ direction: 'minimize', trial: t, trials: [curve(0, 'complete', new Array(8).fill(1))] });
    expect(q.nBrackets).toBe(3);
    // steps from 0: a last step of 1 (two steps) is R = 2, one bracket
    const r = new HyperbandPruner();
    r.prune({ direction: 'minimize', trial: t, trials: [curve(0, 'complete', [1, 1], [0, 1])] });
    expect(r.nBrackets).toBe(1);
  });

  it('rejects bad options', () => {
    expect(() => new HyperbandPruner({ maxResource: 0 })).toThrow('option "maxResource": expected an integer >= 1 or "auto", got 0');
    expect(() => new HyperbandPruner({ maxResource: 'Auto' as never })).toThrow('option "maxResource": expected an integer >= 1 or "auto", got "Auto"');
    expect(() => new HyperbandPruner({ bootstrapCount: 1 })).toThrow('option "bootstrapCount": needs a numeric maxResource, not "auto"');
  });
});

describe("Hyperband's bracket count", () => {
  it("is Optuna's floor(math.log(R / r, eta)) + 1 for every r in 1..3, R up to 2,000, eta in {2, 3, 4, 5, 10}", () => {
    const cases: [number, number, number][] = [];
    for (const eta of [2, 3, 4, 5, 10]) for (const r of [1, 2, 3]) for (let R = r; R <= 2000; R++) cases.push([r, R, eta]);
    const theirs = JSON.parse(execFileSync('/usr/bin/python3', ['-c',
      'import json,sys,math; print(json.dumps([math.floor(math.log(R / r, eta)) + 1 for r, R, eta in json.load(sys.stdin)]))'],
    { input: JSON.stringify(cases), encoding: 'utf8' })) as number[];
    const differ = cases.filter(([r, R, eta], i) => new HyperbandPruner({ minResource: r, maxResource: R, reductionFactor: eta }).nBrackets !== theirs[i]);
    expect(differ).toEqual([]);
    // where the float log decides: 243 = 3^5 counts 5 brackets, one fewer than the exact count
    expect([bracketCount(1, 243, 3), bracketCount(1, 242, 3), bracketCount(1, 81, 3), bracketCount(2, 486, 3)]).toEqual([5, 5, 5, 5]);
    expect(bracketCount(3, 2, 3)).toBe(0);
  });

  it("is Optuna's at large R too, where R / r lies within a few ulps of a power of eta (the exact count was taken there)", () => {
    const cases: [number, number, number][] = [];
    for (const eta of [2, 3, 4, 5, 7, 10]) {
      for (let p = eta; p * 1e6 + 2 <= Number.MAX_SAFE_INTEGER; p *= eta) {
        for (const r of [1, 3, 1e6]) for (const d of [-2, -1, 0, 1, 2]) if (p * r + d >= r && p * r + d <= Number.MAX_SAFE_INTEGER) cases.push([r, p * r + d, eta]);
      }
    }
    const theirs = JSON.parse(execFileSync('/usr/bin/python3', ['-c',
      'import json,sys,math; print(json.dumps([math.floor(math.log(R / r, eta)) + 1 for r, R, eta in json.load(sys.stdin)]))'],
    { input: JSON.stringify(cases), encoding: 'utf8' })) as number[];
    expect(cases.filter(([r, R, eta], i) => bracketCount(r, R, eta) !== theirs[i])).toEqual([]);
    expect([bracketCount(1, 4 ** 24 - 1, 4), bracketCount(1, 3 ** 31 + 1, 3)]).toEqual([25, 31]); // the exact counts are 24 and 32
  });

  it("with R 'auto' fixed below minResource, has no brackets and prunes nothing, as Optuna", () => {
    const hb = new HyperbandPruner({ minResource: 5 });
    const done = { id: 0, state: 'complete' as const, steps: [1, 2], values: [0.5, 0.4] };
    const t = { id: 1, state: 'running' as const, steps: [1, 2, 3, 4, 5, 6, 7, 8], values: [9, 9, 9, 9, 9, 9, 9, 9] };
    expect(hb.prune({ direction: 'minimize', trial: t, trials: [done, t] })).toBe(false);
    expect([hb.maxResource, hb.nBrackets]).toEqual([3, 0]);
    // a longer completed trial later does not bring brackets back
    const long = { id: 2, state: 'complete' as const, steps: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], values: Array(15).fill(0.1) };
    expect(hb.prune({ direction: 'minimize', trial: t, trials: [done, t, long] })).toBe(false);
    expect([hb.maxResource, hb.nBrackets]).toEqual([3, 0]);
  });
});
