import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HyperbandPruner, type PrunerTrial } from '../../src/pruners';
import { crc32 } from '../../src/pruners/hyperband';
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
