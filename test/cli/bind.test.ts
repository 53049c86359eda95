/** bindStudy (src/cli/bind.ts): what a seed's evaluations are trained with, and what the records say of it. */
import { describe, expect, it } from 'vitest';
import { bindStudy } from '../../src/cli/bind';
import type { StudyData } from '../../src/cli/data';
import { resolveOptions } from '../../src/cli/options';
import { generateDigits } from '../../src/data';
import { digitsStudy } from '../../src/studies/digits';

function digitsData(trainRows: number): StudyData {
  const split = (n: number, seed: number) => generateDigits(n, { seed });
  return { study: 'digits', splits: { train: split(trainRows, 1), val: split(20, 2), test: split(20, 3) }, info: { source: 'generated', lines: [] } as never };
}

describe('bindStudy', () => {
  it('digits: reports a quarter epoch each, but never more parts than the epoch has batches', () => {
    const cases: [number, number, number][] = [[500, 8, 4], [50, 64, 1], [120, 64, 2], [130, 64, 3], [256, 64, 4]];
    for (const [rows, batchSize, parts] of cases) {
      const o = resolveOptions({ study: 'digits', batchSize });
      const b = bindStudy(o, digitsStudy as never, digitsData(rows), 1);
      expect([rows, batchSize, b.train.reportsPerEpoch]).toEqual([rows, batchSize, parts]);
    }
  });
});
