import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/html';
import { fixtureRecord, prunedRecord } from '../cli/record-fixture';

function embedded(html: string): { runs: { strategies: { strategy: string; curves: { pruned: boolean; points: { x: number; y: number }[] }[] }[] }[] } {
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse((m as RegExpExecArray)[1]);
}

describe('learning curves in the report', () => {
  it('draws per-epoch curves when evaluations reported them, pruned ones flagged to be greyed out', () => {
    const r = fixtureRecord();
    const s = r.runs[0].strategies[1];
    s.strategy = 'random+asha';
    s.trials[0].curve = [5, 4.5, 4.4];
    s.trials[1].curve = [6];
    s.trials[1].status = 'pruned';
    const html = renderReport(r);
    expect(html).toContain('<h2>Learning curves (pruned evaluations in grey)</h2>');
    expect(html).toContain('<canvas id="curves"');
    const curves = embedded(html).runs[0].strategies[1].curves;
    expect(curves).toEqual([
      { pruned: false, points: [{ x: 1, y: 5 }, { x: 2, y: 4.5 }, { x: 3, y: 4.4 }] },
      { pruned: true, points: [{ x: 1, y: 6 }] },
    ]);
    expect(html).toContain("c.pruned ? '#c8c8c8' : s.color");
  });

  it("puts a row's reports at their epochs: every quarter epoch on digits rows with a pruner", () => {
    const r = fixtureRecord();
    const s = r.runs[0].strategies[1];
    s.strategy = 'random+asha';
    s.reportsPerEpoch = 4;
    s.trials[0].curve = [0.6, 0.7, 0.75, 0.8, 0.82];
    const curves = embedded(renderReport(r)).runs[0].strategies[1].curves;
    expect(curves[0].points.map((p) => p.x)).toEqual([0.25, 0.5, 0.75, 1, 1.25]);
    expect(embedded(renderReport(r)).runs[0].strategies[0].curves).toEqual([]); // rows without curves draw none
  });

  it("states the pruning goal's counts, as the text table does, and nothing of it without a pruner", () => {
    const html = renderReport(prunedRecord());
    expect(html).toContain("<p class=\"goal\">bayes+asha vs random: random search&#39;s best was a shared initial point on 1/2 seed(s) (not counted); " +
      'on the other 1, bayes+asha reached it within a third of random search&#39;s wall time on 1, within a third of its epochs on 1, ' +
      'in fewer epochs than plain bayes on 1; test RMSE no worse than plain bayes on 1/2 seed(s).</p>');
    expect(renderReport(fixtureRecord())).not.toContain('vs random: random search');
  });

  it('leaves the chart out when no evaluation reported per-epoch values', () => {
    const html = renderReport(fixtureRecord());
    expect(html).not.toContain('<canvas id="curves"');
  });
});
