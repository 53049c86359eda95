/**
 * Python bayes_opt interchange, so a study can move between the two libraries.
 *
 * - Saved state (`BayesianOptimization.save_state(path)`, bayes_opt 2.x): one
 *   JSON object written with `json.dump(state, f, indent=2)`, keys "pbounds"
 *   ({name: [low, high]}), "transformed_bounds", "keys" (names in dimension
 *   order), "params" (one array per point, values in key order), "target",
 *   "constraint_values", "gp_params", "allow_duplicate_points", "verbose",
 *   "random_state", "acquisition_params". `load_state` reads "params",
 *   "target", "constraint_values", "acquisition_params", "gp_params" (kernel
 *   kwargs for Matern, alpha, normalize_y, n_restarts_optimizer) and
 *   "random_state" (skipped when null).
 * - JSONLogger log: one `json.dumps` object per line,
 *   `{"target": t, "params": {...}, "datetime": {"datetime": "%Y-%m-%d %H:%M:%S",
 *   "elapsed": s, "delta": s}}` (plus "constraint"/"allowed" when constrained).
 *
 * bayes_opt maximizes. Targets are taken and written as they are, unless
 * `direction: 'minimize'` is given: then they are negated both ways, since a
 * bayes_opt user minimizing f logs -f.
 */
import { InvalidPointError, InvalidSpaceError, StorageError } from '../errors';
import type { Trial } from '../study/types';
import type { Choice, Params, Pbounds, SpaceSpec } from '../space/types';
import { parsePyJson, pyDumps, PyInt, type PyValue } from './py-json';
import { TRUNCATED_REASON } from './state';
import type { SkippedLine } from './types';
import { ownValue, setOwn } from '../util/own-key';
import {
  BAYES_OPT_KEYS, bayesOptSign, checkBayesOptSpace, checkBayesOptText, checkBayesOptTrials, type BayesOptExportOptions, type BayesOptImportOptions,
} from './bayes-opt-options';

/** Why a constrained log's point that broke the constraint is skipped (bayes_opt's max leaves it out). */
export const INFEASIBLE_REASON = 'infeasible ("allowed": false under the file\'s constraint)';

export type { BayesOptExportOptions, BayesOptImportOptions } from './bayes-opt-options';

export interface BayesOptImport {
  /** which of the two formats the text is */
  format: 'state' | 'log';
  /** the points, in file order */
  params: Params[];
  /** their targets (as bayes_opt stores them: to be maximized, unless `direction: 'minimize'`) */
  targets: number[];
  /** parameter names in dimension order */
  keys: string[];
  /** bounds, from saved state */
  pbounds?: Pbounds;
  /** points left out: for logs the 1-based line, for saved state the 1-based row of "params" */
  skipped: SkippedLine[];
  /** where each point came from, numbered as in `skipped` (parallel to `params`) */
  rows: number[];
  /**
   * saved state: the rows (as in `rows`) of the points that carry a
   * constraint value. The state keeps no constraint limits, so whether they
   * were feasible is not known (a log says it: its infeasible points are skipped).
   */
  constrainedRows?: number[];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const isChoice = (v: unknown): v is Choice =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** Reads a `save_state` JSON file's text. StorageError when it is not one. */
export function importBayesOptState(text: string, opts: BayesOptImportOptions = {}): BayesOptImport {
  checkBayesOptText(text, 'importBayesOptState');
  const sign = bayesOptSign(opts, 'importBayesOptState', BAYES_OPT_KEYS.import);
  const fail = (m: string): StorageError => new StorageError(`bayes_opt state: ${m}`);
  let o: unknown;
  try {
    o = parsePyJson(withoutBom(text));
  } catch {
    throw fail('invalid JSON');
  }
  if (!isObject(o)) throw fail('not a JSON object');
  let pbounds: Pbounds | undefined;
  if (o.pbounds !== undefined && o.pbounds !== null) {
    if (!isObject(o.pbounds)) throw fail('"pbounds" must map names to [low, high]');
    pbounds = {};
    for (const [k, b] of Object.entries(o.pbounds)) {
      if (!Array.isArray(b) || b.length !== 2 || !b.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw fail(`"pbounds" entry ${JSON.stringify(k)} must be [low, high]`);
      }
      setOwn(pbounds, k, [b[0], b[1]]);
    }
  }
  let keys: string[];
  if (o.keys !== undefined) {
    if (!Array.isArray(o.keys) || !o.keys.every((k) => typeof k === 'string')) throw fail('"keys" must be a list of names');
    keys = o.keys as string[];
  } else if (pbounds) {
    keys = Object.keys(pbounds);
    // JSON.parse lists integer-like names ("1") first, whatever the file's order: the columns would be misread
    const indexLike = keys.find((k) => /^(0|[1-9]\d*)$/.test(k) && Number(k) < 2 ** 32 - 1);
    if (indexLike !== undefined && keys.length > 1) {
      throw fail(`parameter ${JSON.stringify(indexLike)} is named like an integer, so "pbounds" cannot give the columns' order: add "keys"`);
    }
  } else {
    throw fail('needs "keys" or "pbounds" to name the parameters');
  }
  if (!Array.isArray(o.params)) throw fail('"params" must be a list of points');
  if (!Array.isArray(o.target)) throw fail('"target" must be a list of numbers');
  if (o.target.length !== o.params.length) {
    throw fail(`"target" has ${o.target.length} values but "params" has ${o.params.length} points`);
  }
  const out: BayesOptImport = { format: 'state', params: [], targets: [], keys: [...keys], skipped: [], rows: [] };
  if (pbounds) out.pbounds = pbounds;
  o.params.forEach((row, i) => {
    if (!Array.isArray(row) || !row.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw fail(`point ${i + 1} of "params" must be a list of finite numbers`);
    }
    if (row.length !== keys.length) {
      throw fail(
        `point ${i + 1} of "params" has ${row.length} values for ${keys.length} keys ` +
          '(categorical parameters are saved one-hot and cannot be read back)',
      );
    }
    const t = (o.target as unknown[])[i];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      out.skipped.push({ line: i + 1, reason: `target is ${typeof t === 'number' ? String(t) : JSON.stringify(t)}` });
      return;
    }
    out.params.push(Object.fromEntries(keys.map((k, j) => [k, row[j] as number])));
    out.targets.push(sign * t);
    out.rows.push(i + 1);
    const c = Array.isArray(o.constraint_values) ? o.constraint_values[i] : undefined;
    if (c !== undefined && c !== null) (out.constrainedRows ??= []).push(i + 1);
  });
  return out;
}

/** Reads a JSONLogger log. Bad lines are skipped and reported, never thrown. */
export function importBayesOptLog(text: string, opts: BayesOptImportOptions = {}): BayesOptImport {
  checkBayesOptText(text, 'importBayesOptLog');
  const sign = bayesOptSign(opts, 'importBayesOptLog', BAYES_OPT_KEYS.import);
  const out: BayesOptImport = { format: 'log', params: [], targets: [], keys: [], skipped: [], rows: [] };
  const seen = new Set<string>();
  const lines = withoutBom(text).split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const skip = (reason: string): void => void out.skipped.push({ line: i + 1, reason });
    let o: unknown;
    try {
      o = parsePyJson(line);
    } catch {
      // a last line without its newline that opens an object was cut short; anything else is no log line
      return skip(i === lines.length - 1 && line.trimStart().startsWith('{') ? TRUNCATED_REASON : 'invalid JSON');
    }
    if (!isObject(o)) return skip('not a JSON object');
    if (typeof o.target !== 'number') return skip('"target" must be a number');
    if (!Number.isFinite(o.target)) return skip(`target is ${String(o.target)}`);
    if (!isObject(o.params) || !Object.values(o.params).every(isChoice)) {
      return skip('"params" must be an object of numbers, strings or booleans');
    }
    // the names of every point, feasible or not: a log of another study's points is told apart by them
    for (const k of Object.keys(o.params)) if (!seen.has(k)) (seen.add(k), out.keys.push(k));
    // bayes_opt's constrained optimizer logs points that break the constraint; its max leaves them out
    if (o.allowed === false) return skip(INFEASIBLE_REASON);
    out.params.push({ ...(o.params as Params) });
    out.targets.push(sign * o.target);
    out.rows.push(i + 1);
  });
  return out;
}

/** Reads either format: saved state when the text is one JSON object with "params" and "target", else a log. */
export function importBayesOpt(text: string, opts: BayesOptImportOptions = {}): BayesOptImport {
  checkBayesOptText(text, 'importBayesOpt');
  bayesOptSign(opts, 'importBayesOpt', BAYES_OPT_KEYS.import);
  let o: unknown;
  try {
    o = parsePyJson(withoutBom(text));
  } catch {
    o = undefined;
  }
  // a log's one line has an object of params and a number target; a state has lists (a state whose
  // "params" is an object is a broken state, said as such, not a log of unreadable lines)
  return isObject(o) && 'params' in o && 'target' in o && (!isObject(o.params) || Array.isArray(o.target))
    ? importBayesOptState(text, opts)
    : importBayesOptLog(text, opts);
}

function finished(trials: readonly Trial[]): Trial[] {
  return trials.filter((t) => t.status === 'complete' && typeof t.target === 'number' && Number.isFinite(t.target));
}

function boundsOf(space: Pbounds | SpaceSpec): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const [k, s] of Object.entries(space)) {
    if (Array.isArray(s)) setOwn(out, k, [s[0], s[1]]);
    else if (s.type === 'categorical') {
      throw new InvalidSpaceError(`parameter ${JSON.stringify(k)}: categorical parameters cannot be written to a bayes_opt saved state`, k);
    } else setOwn(out, k, [s.low, s.high]);
  }
  return out;
}

/**
 * A `save_state` JSON text (bayes_opt 2.x, loadable with `load_state`) of the
 * complete trials, in id order. Failed and pending trials are left out, as
 * bayes_opt has no place for them; points evaluated twice stay, and the
 * state then says `allow_duplicate_points: true` (as bayes_opt's own
 * `save_state` writes its optimizer's setting; `load_state` does not read
 * it, so load such a state with `allow_duplicate_points=True`). Bounds are written as they are: a `log` range is
 * searched linearly by bayes_opt, ints are floats there. Categorical
 * parameters: InvalidSpaceError.
 */
export function exportBayesOptState(trials: readonly Trial[], space: Pbounds | SpaceSpec, opts: BayesOptExportOptions = {}): string {
  checkBayesOptTrials(trials, 'exportBayesOptState');
  const sign = bayesOptSign(opts, 'exportBayesOptState', BAYES_OPT_KEYS.state);
  checkBayesOptSpace(space);
  const bounds = boundsOf(space);
  const keys = Object.keys(bounds);
  const done = finished(trials).sort((a, b) => a.id - b.id);
  const rows = done.map((t) =>
    keys.map((k) => {
      const v = t.params[k];
      if (typeof v !== 'number') {
        throw new InvalidPointError(`trial ${t.id}: parameter ${JSON.stringify(k)} must be a number, got ${JSON.stringify(v)}`, k);
      }
      return v;
    }),
  );
  const state: PyValue = {
    pbounds: Object.fromEntries(keys.map((k) => [k, bounds[k]])),
    transformed_bounds: null,
    keys,
    params: rows,
    target: done.map((t) => sign * (t.target as number)),
    constraint_values: null,
    gp_params: {
      kernel: { length_scale: 1, length_scale_bounds: [1e-5, 1e5], nu: 2.5 },
      alpha: 1e-6,
      normalize_y: true,
      n_restarts_optimizer: new PyInt(5),
    },
    // load_state registers each point again, which bayes_opt refuses for a repeated one unless its optimizer allows it
    allow_duplicate_points: new Set(rows.map((r) => JSON.stringify(r))).size < rows.length,
    verbose: new PyInt(2),
    random_state: null,
    // read by UpperConfidenceBound (kappa) and by ExpectedImprovement / ProbabilityOfImprovement (xi)
    acquisition_params: { kappa: 2.576, xi: 0.01, exploration_decay: null, exploration_decay_delay: null },
  };
  return pyDumps(state, 2);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `datetime.now().strftime("%Y-%m-%d %H:%M:%S")`: local time. */
function pyLocalTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function pyParam(v: Choice, spec: SpaceSpec[string] | readonly [number, number] | undefined): PyValue {
  if (typeof v !== 'number') return v;
  if (spec && !Array.isArray(spec) && (spec as { type: string }).type !== 'float' && Number.isInteger(v)) return new PyInt(v);
  return v;
}

/**
 * A JSONLogger log (one line per complete trial, in order of completion:
 * as given with `ordered`, else by `finishedAt`, or startedAt + durationMs
 * for a trial recorded without it) loadable with bayes_opt's `load_logs`. With a space,
 * int and integral categorical values are written as Python ints, else floats.
 */
export function exportBayesOptLog(
  trials: readonly Trial[],
  opts: BayesOptExportOptions & { space?: Pbounds | SpaceSpec } = {},
): string {
  checkBayesOptTrials(trials, 'exportBayesOptLog');
  const sign = bayesOptSign(opts, 'exportBayesOptLog', BAYES_OPT_KEYS.log);
  if (opts.space !== undefined) checkBayesOptSpace(opts.space);
  const now = Date.now();
  const end = (t: Trial): number => t.finishedAt ?? (t.startedAt ?? now) + (t.durationMs ?? 0);
  const done = finished(trials);
  if (!opts.ordered) done.sort((a, b) => end(a) - end(b) || a.id - b.id);
  let first: number | undefined;
  let prev: number | undefined;
  let out = '';
  for (const t of done) {
    // a parameter the space given lacks was written as it was, a log bayes_opt then refuses to load into that space
    const stray = opts.space === undefined ? undefined : Object.keys(t.params).find((k) => ownValue(opts.space, k) === undefined);
    if (stray !== undefined) throw new InvalidPointError(`trial ${t.id}: parameter ${JSON.stringify(stray)} is not in the space given`, stray);
    const at = end(t);
    first ??= at;
    const line: PyValue = {
      target: sign * (t.target as number),
      params: Object.fromEntries(Object.entries(t.params).map(([k, v]) => [k, pyParam(v, ownValue(opts.space, k))])),
      datetime: { datetime: pyLocalTime(at), elapsed: (at - first) / 1000, delta: (at - (prev ?? at)) / 1000 },
    };
    prev = at;
    out += pyDumps(line) + '\n';
  }
  return out;
}

/** The text without a leading byte order mark (an editor's UTF-8 save). */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
