/**
 * A study's trials as CSV, in the columns of Optuna's
 * `study.trials_dataframe()` (number, value, datetime_start,
 * datetime_complete, duration, params_<name>, user_attrs_<key>, state), so the notebooks and
 * spreadsheets written for Optuna's table read it; then this library's
 * source, pruned step, retry, the objective's own run time and error. RFC
 * 4180 quoting; text that a spreadsheet would run as a formula made inert.
 */
import { csvField } from '../data/csv';
import { writeTextFile } from './host';
import { checkPath, checkStudyData } from './arg-checks';
import type { StudyData } from './study';
import { ownValue } from '../util/own-key';
import { isoTime } from '../storage/optuna-format';

/** Optuna's TrialState names for this library's statuses. */
const STATE: Record<string, string> = {
  complete: 'COMPLETE', failed: 'FAIL', pruned: 'PRUNED', pending: 'RUNNING', waiting: 'WAITING',
};

/**
 * Text a spreadsheet would not run as a formula: one starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's advice for
 * CSV injection). Trials come from every worker of a shared journal (another
 * machine's Optuna, a Redis study), so their names, choices, attributes and
 * errors are untrusted text; numbers are written as numbers, untouched.
 * Optuna's `trials_dataframe().to_csv()` writes them as they are.
 */
export function inertText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/**
 * A float as Python's repr writes it (pandas' `to_csv` of a float column):
 * the shortest digits that read back as the same double, in exponent form
 * below 1e-4 and from 1e16 (`2.5e-05`, `1e+20`), a whole number with `.0`.
 * JavaScript's `String` wrote `0.000025` and `100000000000000000000`:
 * pandas' default parser read the first back a few units off in the 11th
 * digit, and the second turned its whole column into text; `3` made a float
 * column one of integers.
 * @example pythonFloat(2.5e-5) // '2.5e-05'; pythonFloat(3) // '3.0'; pythonFloat(-0) // '-0.0'
 */
export function pythonFloat(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [digits, exp] = v.toExponential().split('e'); // the shortest round-trip digits
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${digits}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const fixed = String(v); // plain notation in this range, the same digits
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** How a column's numbers are written: Python's floats, or integers as they are. */
type NumberKind = 'float' | 'int' | 'any';

/**
 * A value as a field: empty for none (or a non-finite number), a number as
 * its column's kind says (a choice or attribute, whose Python type JSON
 * does not keep: an integer as one, anything else as a float), a boolean as
 * Python's True or False, text made inert, quoted where it must be.
 */
function field(v: unknown, kind: NumberKind = 'int'): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v !== 'number') return csvField(inertText(String(v)));
  if (!Number.isFinite(v)) return '';
  const asFloat = kind === 'float' || (kind === 'any' && (!Number.isInteger(v) || Object.is(v, -0)));
  return csvField(asFloat ? pythonFloat(v) : String(v));
}

/** Seconds from `start` to `end` (epoch ms, to the microsecond), as Optuna's duration; none unless both are known. */
const seconds = (start: number | undefined, end: number | undefined): number | undefined =>
  start === undefined || end === undefined ? undefined : Math.round((end - start) * 1000) / 1e6;

/** A time as Optuna's table prints it: the journal's naive local time, to the microsecond, a space before the hour. */
const dateField = (ms: number | undefined): string => (ms === undefined || !Number.isFinite(ms) ? '' : isoTime(ms).replace('T', ' '));

/** Python's string order (by code point), which Optuna's sorted columns follow; JavaScript's default sorts UTF-16 units. */
export function byCodePoint(a: string, b: string): number {
  const A = [...a];
  const B = [...b];
  for (let i = 0; i < Math.min(A.length, B.length); i++) {
    const d = A[i].codePointAt(0)! - B[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return A.length - B.length;
}

/** A user attribute as a field: strings, numbers, booleans and null as a value of their own is (see field), anything else as its JSON. */
const attrField = (v: unknown): string => {
  if (v === undefined) return '';
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return field(v, 'any');
  return csvField(jsonNamingNonFinite(v));
};

const NON_FINITE = '\u0000non-finite:';

/**
 * JSON with NaN and the infinities spelled as Python's json writes them, at any depth (Optuna's
 * attrs may hold them): JSON.stringify writes null, another value.
 * @example jsonNamingNonFinite({ k: [NaN, -Infinity] }) // '{"k":[NaN,-Infinity]}'
 */
export function jsonNamingNonFinite(v: unknown): string {
  const text = JSON.stringify(v, (_, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? NON_FINITE + String(x) : x));
  return text.replace(/"\\u0000non-finite:(NaN|-?Infinity)"/g, '$1');
}

/**
 * The trials of `study` as CSV text, one row per trial in id order, header
 * first: `number,value,datetime_start,datetime_complete,duration,params_<name>...,user_attrs_<key>...,state,source,step,retry_of,objective_duration,error`.
 * `duration` is Optuna's, datetime_complete - datetime_start, in seconds
 * (Optuna's is a timedelta; the suggestion and the storage writes are in
 * it); `objective_duration` is the objective call's own wall time, in
 * seconds to the microsecond (a clock difference's float noise cut); dates
 * as Optuna's table prints them, naive local time to the microsecond
 * (`2026-12-07 05:33:08.150106`, the journal's own text); floats as
 * Python writes them (`2.5e-05`, `3.0`, `1e+20`: pandas reads each back
 * exactly, and a float column as floats), integers as they are, a
 * categorical's or an attribute's number by its value (JSON keeps no
 * Python type: 1 is written 1); booleans as `True` and `False`;
 * a failed trial's value is empty. Parameters are in name order (by code
 * point, as Optuna sorts its columns). There is a `user_attrs_<key>` column
 * for every key any trial has (`context.setUserAttr`, `enqueue`'s
 * `userAttrs`), keys sorted likewise; a string is written as it is, NaN
 * and the infinities (an Optuna worker's attrs may hold them; at any depth) as `NaN`,
 * `Infinity`, `-Infinity`, other values as JSON. Text that a spreadsheet
 * would run as a formula starts with `'` (see {@link inertText}).
 * @example
 * trialsCsv(await readStudy('study.jsonl')).split('\n')[0]
 * // 'number,value,datetime_start,datetime_complete,duration,params_lr,params_units,state,source,step,retry_of,objective_duration,error'
 */
export function trialsCsv(study: Pick<StudyData, 'space' | 'trials'>): string {
  checkStudyData(study);
  // sorted within each group, as Optuna's columns are
  const names = Object.keys(study.space).sort(byCodePoint);
  const keys = [...new Set(study.trials.flatMap((t) => Object.keys(t.userAttrs ?? {})))].sort(byCodePoint);
  const head = [
    'number', 'value', 'datetime_start', 'datetime_complete', 'duration', ...names.map((n) => `params_${n}`),
    ...keys.map((k) => `user_attrs_${k}`), 'state', 'source', 'step', 'retry_of', 'objective_duration', 'error',
  ];
  const kinds = names.map((n): NumberKind => (study.space[n].type === 'float' ? 'float' : study.space[n].type === 'int' ? 'int' : 'any'));
  const rows = [...study.trials].sort((a, b) => a.id - b.id).map((t) => [
    field(t.id), field(t.target, 'float'), csvField(dateField(t.startedAt)), csvField(dateField(t.finishedAt)), field(seconds(t.startedAt, t.finishedAt), 'float'),
    ...names.map((n, i) => field(ownValue(t.params as Record<string, unknown>, n), kinds[i])),
    ...keys.map((k) => attrField(ownValue(t.userAttrs, k))),
    ...[STATE[t.status] ?? t.status, t.source, t.step, t.retryOf].map((v) => field(v)),
    field(t.durationMs === undefined ? undefined : Math.round(t.durationMs * 1000) / 1e6, 'float'), field(t.error),
  ].join(','));
  return [head.map((h) => field(h)).join(','), ...rows].join('\n') + '\n';
}

/**
 * Writes {@link trialsCsv} to `path` (parent folders are created).
 * @throws StorageError naming the path where it cannot be written
 */
export async function writeTrialsCsv(path: string, study: Pick<StudyData, 'space' | 'trials'>): Promise<void> {
  checkPath(path);
  await writeTextFile(path, trialsCsv(study));
}
