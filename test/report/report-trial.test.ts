/** A report's trials: an optimizer's own `trials` (intermediate values keyed by step) pass as they are. */
import { describe, expect, it } from 'vitest';
import { RandomSearch } from '../../src/optimizer';
import { renderStudyReport, trialsCsv, type StudyData } from '../../src/report';
import { withPairs } from '../../src/report/report-trial';

describe("an optimizer's own trials in a report", () => {
  it('pass to trialsCsv and renderStudyReport as they are, their curves drawn as [step, value] pairs by step', async () => {
    const o = new RandomSearch({
      pbounds: { x: [0, 1] }, randomState: 1, log: () => undefined,
      f: async ({ x }, ctx) => {
        await ctx.report(1, x);
        await ctx.report(2, x / 4);
        await ctx.report(10, x / 2);
        return x;
      },
    });
    await o.maximize({ initPoints: 3, nIter: 0 });
    // no cast: the trials' { step: value } is a ReportTrial's intermediate too
    const study: StudyData = { space: o.space.spec, direction: o.direction, trials: o.trials };
    expect(trialsCsv(study).split('\n')).toHaveLength(5);
    const html = renderStudyReport(study, { chartJs: '// chart' });
    const t0 = o.trials[0];
    const x = t0.params.x;
    expect(html).toContain(`"intermediate":${JSON.stringify([[1, x], [2, x / 4], [10, x / 2]])}`);
    expect(html).toContain('<h2>Intermediate values</h2>');
    await o.close();
  });

  it('withPairs: a { step: value } becomes pairs in step order, pairs stay, no values no field', () => {
    const base = { status: 'complete', target: 1, params: { x: 0 }, source: 'random' } as const;
    const out = withPairs({ trials: [
      { ...base, id: 0, intermediate: { 10: 3, 2: 1, 1: 2 } },
      { ...base, id: 1, intermediate: [[1, 5]] as Array<[number, number]> },
      { ...base, id: 2, intermediate: {} },
      { ...base, id: 3 },
    ] });
    expect(out.trials.map((t) => t.intermediate)).toEqual([[[1, 2], [2, 1], [10, 3]], [[1, 5]], undefined, undefined]);
  });
});
