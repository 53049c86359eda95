/**
 * Which appends of a journal file are fsynced (FileJournalOptions.fsync):
 * by default all but a running trial's progress (intermediate values with
 * a pruner's attributes, user attributes), which the trial's end makes
 * durable with it; 'always' (true) every one, as Optuna does; 'never'
 * (false) none.
 */
import fs from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileJournalBackend, Journal, OP, type FsyncPolicy } from '../../src/storage/index';
import { useTempDirs } from './temp-dirs';

const tmp = useTempDirs('file-fsync-');
afterEach(() => vi.restoreAllMocks());

/** The fsyncs of each step of one trial: its ask, two reports (the second with a pruner's attribute), a user attribute, its tell. */
async function fsyncsPerStep(fsync: FsyncPolicy | undefined): Promise<{ steps: Record<string, number>; text: string }> {
  const path = join(tmp(), 'study.log');
  const calls = vi.spyOn(fs, 'fsync');
  const j = await Journal.open(new FileJournalBackend(path, fsync === undefined ? {} : { fsync }), { space: { x: { type: 'float', low: 0, high: 1 } } });
  const steps: Record<string, number> = {};
  const step = async (name: string, run: () => Promise<unknown>) => {
    const before = calls.mock.calls.length;
    await run();
    steps[name] = calls.mock.calls.length - before;
  };
  let id = -1;
  await step('ask', async () => void (id = (await j.ask({ x: 0.5 })).trial.id));
  await step('report', () => j.report(id, 1, 0.9));
  await step('report+rung', () => j.report(id, 2, 0.8, { completed_rung_0: 0.8 }));
  await step('user attr', () => j.setUserAttrs(id, { note: 'a' }));
  await step('tell', () => j.tell(id, { target: 0.7 }));
  await j.close();
  return { steps, text: readFileSync(path, 'utf8') };
}

describe('FileJournalBackend fsync', () => {
  it.each([
    [undefined, { ask: 1, report: 0, 'report+rung': 0, 'user attr': 0, tell: 1 }],
    ['except-progress', { ask: 1, report: 0, 'report+rung': 0, 'user attr': 0, tell: 1 }],
    ['always', { ask: 1, report: 1, 'report+rung': 1, 'user attr': 1, tell: 1 }],
    [true, { ask: 1, report: 1, 'report+rung': 1, 'user attr': 1, tell: 1 }],
    ['never', { ask: 0, report: 0, 'report+rung': 0, 'user attr': 0, tell: 0 }],
    [false, { ask: 0, report: 0, 'report+rung': 0, 'user attr': 0, tell: 0 }],
  ] as const)('%j: fsyncs per step %j, and every line is written whatever the policy', async (fsync, expected) => {
    const { steps, text } = await fsyncsPerStep(fsync);
    expect(steps).toEqual(expected);
    const ops = text.trim().split('\n').map((l) => JSON.parse(l) as { op_code: number });
    // the study with its 2 system attrs, the trial, its 2 intermediate values, the rung, the user attr, its state
    expect(ops.map((o) => o.op_code)).toEqual([OP.CREATE_STUDY, OP.SET_STUDY_SYSTEM_ATTR, OP.SET_STUDY_SYSTEM_ATTR, OP.CREATE_TRIAL,
      OP.SET_TRIAL_INTERMEDIATE_VALUE, OP.SET_TRIAL_INTERMEDIATE_VALUE, OP.SET_TRIAL_SYSTEM_ATTR, OP.SET_TRIAL_USER_ATTR, OP.SET_TRIAL_STATE_VALUES]);
  });
});
