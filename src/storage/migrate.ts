/**
 * Converting a journal in this library's v1 format into Optuna's journal
 * format. The v1 journal is only read, never changed; every trial it holds
 * (complete, failed and pending, with its source, owner, engine, times and
 * error) and the latest random and model state are written to the new one.
 */
import { StorageError } from '../errors';
import { checkOptionKeys } from '../util/option-keys';
import { Journal } from './journal';
import { checkStudyNaming } from './journal-io';
import { checkJournalTarget } from './target-checks';
import { encodeParams, isoTime } from './optuna-format';
import { OP, TRIAL_STATE, type JournalBackend, type JournalOp, type SkippedLine } from './types';

export interface MigrateReport {
  /** trials written */
  trials: number;
  /** v1 lines that were damaged and could not be used (as the v1 reader reports them) */
  skipped: SkippedLine[];
}

/**
 * Writes the study of the v1 journal `from` into the Optuna-format journal
 * `to` (a path or backend), as study `studyName` ['default'].
 * @throws StorageError when `from` is not a v1 journal, has lost its study
 *   line, or `to` already holds trials in that study
 */
export async function migrateJournal(
  from: string | JournalBackend, to: string | JournalBackend, opts: { studyName?: string } = {},
): Promise<MigrateReport> {
  checkJournalTarget(from, 'migrateJournal', 'from');
  checkJournalTarget(to, 'migrateJournal', 'to');
  // a misspelt `studyname` wrote the trials into the study "default"
  checkOptionKeys(opts, 'migrateJournal', ['studyName']);
  checkStudyNaming(opts);
  const src = await Journal.open(from, { readOnly: true });
  try {
    if (src.format !== 'v1') throw new StorageError(`migrateJournal: ${JSON.stringify(typeof from === 'string' ? from : from.name)} is not a v1 journal`);
    const v1 = await src.load();
    const h = v1.header;
    // without its study line the direction and space are unknown: written as a maximized study of
    // one-value distributions, a minimized study's best became its worst
    if (!h) throw new StorageError(`migrateJournal: ${JSON.stringify(typeof from === 'string' ? from : from.name)} has no study line (its direction and space are unknown); nothing was written`);
    const dst = await Journal.open(to, { space: h?.space, direction: h?.direction, meta: h?.meta, studyName: opts.studyName });
    try {
      await dst.writeOps((state, studyId) => {
        if (state.trials.length > 0) throw new StorageError(`migrateJournal: study ${JSON.stringify(dst.studyName)} in the target already has trials`);
        const ops: JournalOp[] = [];
        const w = dst.worker;
        if (h?.created !== undefined) ops.push({ op_code: OP.SET_STUDY_SYSTEM_ATTR, worker_id: w, study_id: studyId, system_attr: { 'wbo:created': h.created } });
        v1.trials.forEach((t, i) => {
          const enc = encodeParams(t.params, h?.space);
          if (typeof enc === 'string') throw new StorageError(`migrateJournal: trial ${t.id}: ${enc}`);
          const sys: Record<string, unknown> = { 'wbo:source': t.source };
          if (t.worker !== undefined) sys['wbo:worker'] = t.worker;
          if (t.engine !== undefined) sys['wbo:engine'] = t.engine;
          if (t.suggestMs !== undefined) sys['wbo:suggest_ms'] = t.suggestMs;
          if (t.durationMs !== undefined) sys['wbo:duration_ms'] = t.durationMs;
          if (t.error !== undefined) sys['wbo:error'] = t.error;
          if (i === v1.trials.length - 1) {
            if (v1.rngState) sys['wbo:rng'] = v1.rngState;
            if (v1.modelState) sys['wbo:model'] = v1.modelState;
          }
          const start = t.startedAt ?? 0;
          const op: JournalOp = {
            op_code: OP.CREATE_TRIAL, worker_id: w, study_id: studyId, datetime_start: isoTime(start),
            state: t.status === 'complete' ? TRIAL_STATE.COMPLETE : t.status === 'failed' ? TRIAL_STATE.FAIL : TRIAL_STATE.RUNNING,
            value: t.status === 'complete' ? t.target : null, values: null,
            params: enc.params, distributions: enc.distributions, user_attrs: {}, system_attrs: sys, intermediate_values: {},
          };
          if (t.status !== 'pending') op.datetime_complete = isoTime(t.finishedAt ?? start + (t.durationMs ?? 0));
          ops.push(op);
        });
        return ops;
      });
    } finally {
      await dst.close();
    }
    return { trials: v1.trials.length, skipped: v1.skipped };
  } finally {
    await src.close();
  }
}
