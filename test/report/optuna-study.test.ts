/**
 * Reports of studies Optuna created (no `wbo:` space): the space comes from
 * the trials' distributions, an empty study reports 0 trials, and the
 * summary counts pruned trials.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStudy, renderStudyReport } from '../../src/report';

const dir = mkdtempSync(join(tmpdir(), 'report-optuna-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 'w-1';
const dist = (o: object) => JSON.stringify(o);
/** Optuna's journal lines for one study: trials of (lr, u) with a state (1 complete, 2 pruned) and value. */
function optunaJournal(trials: [number, number, number, number][]): string {
  const ops: object[] = [{ op_code: 0, worker_id: W, study_name: 'default', directions: [1] }];
  trials.forEach(([lr, u, state, value], id) => {
    ops.push({ op_code: 4, worker_id: W, study_id: 0, datetime_start: '2026-12-04T15:22:54.253251' });
    ops.push({ op_code: 5, worker_id: W, trial_id: id, param_name: 'lr', param_value_internal: lr, distribution: dist({ name: 'FloatDistribution', attributes: { step: null, low: 1e-5, high: 0.1, log: true } }) });
    ops.push({ op_code: 5, worker_id: W, trial_id: id, param_name: 'u', param_value_internal: u, distribution: dist({ name: 'IntDistribution', attributes: { log: true, step: 1, low: 16, high: 512 } }) });
    if (state === 2) ops.push({ op_code: 8, worker_id: W, trial_id: id, step: 1, intermediate_value: value });
    ops.push({ op_code: 6, worker_id: W, trial_id: id, state, values: [value], datetime_complete: '2026-12-04T15:22:54.256859' });
  });
  return ops.map((o) => JSON.stringify(o)).join('\n') + '\n';
}

describe('a study Optuna created', () => {
  it('is reported on the space its distributions say (log scales, integers), not one guessed from the values', async () => {
    const path = join(dir, 'optuna.jsonl');
    writeFileSync(path, optunaJournal([[4.6e-4, 193, 1, 0.09], [1.6e-4, 40, 1, 0.05], [3e-3, 300, 2, 0.01], [2e-5, 20, 1, 0.02]]));
    const s = await readStudy(path);
    expect(s.space).toEqual({ lr: { type: 'float', low: 1e-5, high: 0.1, log: true }, u: { type: 'int', low: 16, high: 512, log: true } });
    expect(renderStudyReport(s)).toContain('4 trial(s): 3 complete, 1 pruned.');
  });

  it('with no trial yet is a report of 0 trials, not an error', async () => {
    const path = join(dir, 'empty.jsonl');
    writeFileSync(path, optunaJournal([]));
    const s = await readStudy(path);
    expect(s.trials).toEqual([]);
    expect(renderStudyReport(s)).toContain('0 trial(s): 0 complete.');
  });
});
