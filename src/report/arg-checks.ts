/**
 * The report functions' own argument checks: called from plain JavaScript
 * with the arguments swapped or a record of another kind, they failed deep
 * inside (`Cannot convert undefined or null to object`); now each is a typed
 * error naming the argument, before anything is written.
 */
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A short account of a value: its JSON up to 80 characters. */
function brief(v: unknown): string {
  const s = show(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** `path` of a write: a non-empty string. */
export function checkPath(path: unknown): void {
  if (typeof path !== 'string' || path === '') {
    throw new InvalidOptionError(`path: expected a file path (a non-empty string), got ${brief(path)}`, 'path');
  }
}

/** `study` of a study report or CSV: `{ space, trials }` (readStudy's StudyData). */
export function checkStudyData(study: unknown): void {
  if (!isObject(study) || !isObject(study.space) || !Array.isArray(study.trials)) {
    throw new InvalidOptionError(`study: expected study data ({ space, trials, ... }, as readStudy returns), got ${brief(study)}`, 'study');
  }
}

/** `record` of a compare/tune report: a CompareRecord (`--json`'s file, parsed). */
export function checkCompareRecord(r: unknown): void {
  if (!isObject(r) || !Array.isArray(r.runs) || !isObject(r.options)) {
    throw new InvalidOptionError(`record: expected a compare or tune record (the --json file, parsed), got ${brief(r)}`, 'record');
  }
}
