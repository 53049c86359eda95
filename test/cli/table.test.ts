import { describe, expect, it } from 'vitest';
import { fmtTest, fmtValue, formatRecord, renderTable, runTable } from '../../src/cli/table';
import { formatParams, initialPointsText } from '../../src/report/format';
import { fixtureRecord, prunedRecord } from './record-fixture';

describe('renderTable', () => {
  it('pads the first column left and the others right, under a rule', () => {
    expect(renderTable(['a', 'bb'], [['xyz', '1'], ['q', '22.5']]).split('\n')).toEqual([
      'a      bb',
      '---  ----',
      'xyz     1',
      'q    22.5',
    ]);
  });
});

describe('fmtValue', () => {
  it('prints RMSE with 3 decimals and accuracy as a percentage', () => {
    expect(fmtValue(4.56789, 'rmse')).toBe('4.568');
    expect(fmtValue(0.98765, 'accuracy')).toBe('98.77%');
    expect(fmtValue(null, 'rmse')).toBe('-');
    expect(fmtValue(NaN, 'rmse')).toBe('-');
  });
});

describe('fmtTest', () => {
  it('adds the standard error over several retrainings', () => {
    const t = { testMetric: 2.5071, testMetrics: [2.49, 2.53, 2.5013], testSe: 0.0119, epochs: 6, trainMs: 1 };
    expect(fmtTest(t, 'rmse')).toBe('2.507 ± 0.012');
    expect(fmtTest({ ...t, testSe: null }, 'rmse')).toBe('2.507');
    expect(fmtTest(null, 'rmse')).toBe('-');
  });
});

describe('formatRecord', () => {
  it('prints per strategy evaluations, wall time, best val metric, reach of random\'s best and test metric', () => {
    const r = fixtureRecord();
    const rows = runTable(r, r.runs[0]).split('\n');
    expect(rows[0].split(/\s{2,}/)).toEqual([
      'strategy', 'evals', 'wall s', 'best val RMSE', "evals to random's best", "s to random's best", 'test RMSE (retrained 5 ep)',
    ]);
    expect(rows[2].split(/\s+/)).toEqual(['grid', '4', '4.0', '4.700', 'never', '-', '4.900']);
    expect(rows[3].split(/\s+/)).toEqual(['random', '4', '4.0', '4.500', '4', '4.0', '4.600']);
    expect(rows[4].split(/\s+/)).toEqual(['bayes', '4', '4.0', '4.300', '3', '3.0', '4.400']);
    // seed 2's random search had one failed evaluation
    expect(runTable(r, r.runs[1]).split('\n')[3]).toMatch(/^random\s+4 \(1 failed\)/);

    const text = formatRecord(r);
    expect(text).toContain('device: tfjs backend wasm, acquisition engine cpu (float64 reference)');
    expect(text).toContain("seed 1 (12.0 s): random search's best val RMSE 4.500");
    expect(text).toContain('  bayes best: learning_rate=0.004, l2=1.00e-4 (evaluation 4)');
    expect(text).toContain('over 2 seeds (1, 2):');
    expect(text).toMatch(/^bayes\s+4\.0\s+4\.0\s+4\.400\s+1\/2\s+3\.0\s+3\.0\s+4\.550$/m);
    expect(text).toContain("bayes vs random: bayes reached random's best within half the budget on 0/2 seed(s); bayes had the best test RMSE on 1/2 seed(s)");
    expect(text).not.toContain('ahead on both counts');
    expect(text).not.toContain("model's pick");
    // Bayesian search retrained a trial its model rated above the best observed one
    const b = r.runs[0].strategies[2];
    b.recommended = { index: 3, value: 4.4, params: b.trials[2].params, predicted: 4.41 };
    expect(formatRecord(r)).toContain(`  bayes retrained its model's pick: ${formatParams(b.trials[2].params)} (evaluation 3, val 4.400, posterior mean 4.410)`);
    // with no retraining (--retrain-epochs 0) the pick is only recommended
    b.retrain = null;
    expect(formatRecord(r)).toContain(`  bayes recommends its model's pick: ${formatParams(b.trials[2].params)} (evaluation 3, `);
  });
});

describe('initialPointsText', () => {
  it('says shared only when random and Bayesian search both drew them, and none for grid search alone', () => {
    // `tune --strategy grid` said "(2 shared random initial points)": nothing was drawn, nothing shared
    expect(initialPointsText(5, ['grid', 'random', 'bayes'])).toBe('5 shared random initial points');
    expect(initialPointsText(5, ['bayes'])).toBe('5 random initial points');
    expect(initialPointsText(1, ['random'])).toBe('1 random initial point');
    expect(initialPointsText(2, ['grid'])).toBe('no random initial points (grid search)');
  });
});

describe('formatRecord with a pruner', () => {
  it('adds epochs trained and epochs to random\'s best, flags a shared best and prints the pruning goal', () => {
    const r = prunedRecord();
    const rows = runTable(r, r.runs[0]).split('\n');
    expect(rows[0].split(/\s{2,}/)).toEqual([
      'strategy', 'evals', 'wall s', 'epochs', 'best val RMSE', "evals to random's best", "s to random's best", "epochs to random's best",
      'test RMSE (retrained 5 ep)',
    ]);
    expect(rows[2].split(/\s+/)).toEqual(['random', '4', '4.0', '48', '4.500', '4', '4.0', '48', '4.600']);
    expect(rows[4].split(/\s+/)).toEqual(['bayes+asha', '4', '1.6', '18', '4.400', '3', '1.2', '16', '4.500']);
    const text = formatRecord(r);
    expect(text).not.toContain('random search\'s best was shared initial point 4');
    expect(text).toContain("seed 2 (12.0 s): random search's best val RMSE 4.200\n");
    expect(text).toContain("  random search's best was shared initial point 1, which random and Bayesian search evaluate first: " +
      'reaching it says nothing about the search');
    expect(text.match(/shared initial point \d, which/g)).toHaveLength(1);
    // plain bayes within bayes+asha's 18 epochs: evaluation 1 (12 epochs) fits, evaluation 2 (24) does not
    expect(text).toContain('  bayes within the 18 epochs bayes+asha trained: best val RMSE 5.000 (bayes+asha: 4.400)\n');
    expect(text).toContain('  bayes within the 28 epochs bayes+asha trained: best val RMSE 4.200 (bayes+asha: 4.200)\n');
    expect(text).toContain("bayes+asha vs random: random search's best was a shared initial point on 1/2 seed(s) (not counted); " +
      "on the other 1, bayes+asha reached it within a third of random search's wall time on 1, within a third of its epochs on 1, " +
      'in fewer epochs than plain bayes on 1; test RMSE no worse than plain bayes on 1/2 seed(s)');
    // no epochs column where evaluations lack their epochs (older records), and no pruning line without a pruner
    expect(formatRecord(fixtureRecord())).not.toMatch(/epochs to random|vs random: random search/);
    expect(text).toContain('pruner: asha on the rows random+asha and bayes+asha (validation metric reported every epoch; grace 1 report, 1 epoch)\n');
  });

  it("says what digits' pruned rows report: every quarter epoch, so a grace of 2 reports is half an epoch", () => {
    const r = prunedRecord();
    r.options.grace = 2;
    for (const run of r.runs) for (const s of run.strategies) if (s.strategy.includes('+')) s.reportsPerEpoch = 4;
    expect(formatRecord(r)).toContain('pruner: asha on the rows random+asha and bayes+asha (validation metric reported every quarter epoch; grace 2 reports, 0.5 epoch)\n');
    // only the rows that ran with the pruner are named
    const randomOnly = { ...r, options: { ...r.options, strategies: ['random' as const] } };
    expect(formatRecord(randomOnly)).toContain('pruner: asha on the row random+asha (validation metric reported every quarter epoch;');
    // --pruned-trials, when given, on the same line
    r.options.prunedTrials = 'extrapolate';
    expect(formatRecord(r)).toContain("(validation metric reported every quarter epoch; grace 2 reports, 0.5 epoch); Bayesian search reads pruned trials as 'extrapolate'\n");
  });
});
