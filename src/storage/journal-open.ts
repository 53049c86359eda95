/**
 * What a Journal (./journal) checks when it opens, under the lock: the
 * format (a v1 journal opens read-only), the stored space and direction
 * against the caller's, and that the text is a journal at all before a new
 * study is written into it.
 */
import { StorageError } from '../errors';
import type { JournalFolder } from './journal-folder';
import type { JournalOptions } from './journal-io';
import { headerProblem, studyAttrOp } from './journal-ops';
import { formatOps } from './optuna-format';
import { spaceDifference } from './space-check';
import { TRUNCATED_REASON } from './line-folder';
import { JournalReducer } from './state';
import { V1Reducer } from './v1-state';

/**
 * Reads the journal, checks it against `opts` (StorageError on a mismatch)
 * and, unless `readOnly`, writes `createStudyOps()` when the journal holds
 * no study of that name.
 */
export async function openLocked(
  folder: JournalFolder, label: string, opts: JournalOptions, createStudyOps: () => string, worker: string,
): Promise<void> {
  await folder.refresh();
  const r = folder.reducer;
  const v1 = r instanceof V1Reducer;
  if (v1 && !opts.readOnly) {
    throw new StorageError(`${label}: written in this library's v1 journal format, which is read only now: ` +
      'convert it with migrateJournal(from, to) (the v1 file is left as it is), or open it with readOnly: true');
  }
  const problem = r.header && headerProblem(r.header, r instanceof JournalReducer ? r.distributionVariants : null, opts);
  if (problem) throw new StorageError(`${label}: ${problem}`);
  if (r instanceof JournalReducer && !opts.readOnly) {
    checkSomeTrialFits(r, label, opts);
    await recordWidening(folder, r, opts, worker);
  }
  if (r.header || v1) return;
  // text that is not a journal is refused whether it would be written to or read as an empty study
  checkIsJournal(r, label);
  if (!opts.readOnly) await folder.write(createStudyOps());
}

/**
 * A study opened with a space that widens its stored one (headerProblem let
 * it through, see widens) records the new space (`wbo:space` again): later
 * readers, resumes and reports take it, and every trial so far fits it.
 */
async function recordWidening(folder: JournalFolder, r: JournalReducer, opts: JournalOptions, worker: string): Promise<void> {
  const stored = r.header?.space;
  if (!stored || !opts.space || opts.checkSpace === false || r.studyId === null || spaceDifference(stored, opts.space) === null) return;
  await folder.write(formatOps([studyAttrOp(worker, r.studyId, 'wbo:space', opts.space)]));
}

/**
 * Refuses to write into text that holds lines but not one journal line (a
 * path mistyped onto another file, say the objective's module): appending
 * a study there would damage that file for good. A torn last line alone
 * (a first write cut short) is no such text: the next append cuts it off.
 */
function checkIsJournal(r: JournalReducer, label: string): void {
  const skipped = r.skipped();
  if (r.usedLines > 0 || skipped.every((s) => s.reason === TRUNCATED_REASON)) return;
  const first = skipped[0];
  throw new StorageError(`${label}: not a journal (${skipped.length} line(s), none of them a journal line; line ${first.line}: ${first.reason}); nothing was written to it`);
}

/**
 * A study Optuna created stores no space: its trials' distributions are
 * checked leniently (bounds may differ, a parameter no trial used may be
 * added), and a trial whose point the space given now does not take is
 * skipped. When that is every trial (a parameter added that they all lack,
 * or Optuna's conditional parameters, which no single space covers), a run
 * would search afresh beside them, its budget, model and best blind to all
 * of them: refused, saying how to go on.
 */
function checkSomeTrialFits(r: JournalReducer, label: string, opts: JournalOptions): void {
  if (!r.header || r.header.space || !opts.space || opts.checkSpace === false) return;
  // enqueued trials are left out: a point Optuna enqueued outside the space, still waiting, is no history a run is blind to
  const { skipped, total, firstLine } = r.skippedTrials();
  if (total === 0 || skipped < total) return;
  const first = r.skipped().find((s) => s.line === firstLine);
  throw new StorageError(`${label}: none of the study's ${total} trial(s) fits the space given now` +
    `${first ? ` (line ${first.line}: ${first.reason})` : ''}: a study cannot gain a parameter its trials lack, and one whose trials ` +
    'use different parameters (Optuna\'s conditional parameters) is read and reported here but not searched; continue in a new ' +
    'study, under another study name, enqueuing or registering the points to keep');
}
