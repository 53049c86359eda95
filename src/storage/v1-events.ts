/**
 * Lines of the v1 journal format (this library's own, before Optuna's journal
 * format), read for migration only. `parseEvent` never throws: a line is
 * either an event or a reason to skip it.
 *
 * ```text
 * {"v":1,"type":"study","created":<epoch ms>,"space":<SpaceSpec>,"direction":"maximize"|"minimize","meta":{...}}
 * {"v":1,"type":"ask","id":<int >= 0>,"params":{...},"source":<TrialSource>,"engine"?:"cpu"|"webgpu",
 *   "t":<epoch ms>,"worker"?:<string>,"rng"?:[<4 uint32>],"model"?:{"rng":[<4 uint32>],"theta":[<number>...]|null},
 *   "suggestMs"?:<ms>}
 * {"v":1,"type":"tell","id":<int>,"status":"complete"|"failed","target":<finite number>|null,
 *   "error"?:<string>,"durationMs"?:<ms>,"t":<epoch ms>}
 * ```
 * A second `ask` for a pending id with the same params re-asks it (new owner).
 */
import type { Params, SpaceSpec } from '../space/types';
import type { Direction, ModelState, TrialSource } from '../study/types';
import { isRngState, type RngState } from '../util/rng';
import { isObject, isNum, paramsProblem, parseJsonObject, TRIAL_SOURCES } from './params-check';

export const JOURNAL_VERSION = 1;

export interface StudyEvent {
  v: 1;
  type: 'study';
  created: number;
  space?: SpaceSpec;
  direction?: Direction;
  meta?: Record<string, unknown>;
}

export interface AskEvent {
  v: 1;
  type: 'ask';
  id: number;
  params: Params;
  source: TrialSource;
  engine?: 'cpu' | 'webgpu';
  t: number;
  worker?: string;
  rng?: RngState;
  model?: ModelState;
  suggestMs?: number;
}

export interface TellEvent {
  v: 1;
  type: 'tell';
  id: number;
  status: 'complete' | 'failed';
  target: number | null;
  error?: string;
  durationMs?: number;
  t: number;
}

export type JournalEvent = StudyEvent | AskEvent | TellEvent;

export type ParseResult = { ok: true; event: JournalEvent } | { ok: false; reason: string };

const isId = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

function spaceProblem(s: unknown): string | null {
  if (!isObject(s)) return '"space" must be an object of parameter specs';
  for (const [k, spec] of Object.entries(s)) {
    const bad = `"space" parameter ${JSON.stringify(k)} must be {type: "float"|"int", low, high} or {type: "categorical", choices}`;
    if (!isObject(spec)) return bad;
    if (spec.type === 'float' || spec.type === 'int') {
      if (!isNum(spec.low) || !isNum(spec.high)) return bad;
      if (spec.log !== undefined && typeof spec.log !== 'boolean') return bad;
      if (spec.step !== undefined && !isNum(spec.step)) return bad;
    } else if (spec.type === 'categorical') {
      if (!Array.isArray(spec.choices)) return bad;
    } else {
      return bad;
    }
  }
  return null;
}

function parseStudy(o: Record<string, unknown>): ParseResult {
  const bad = (r: string): ParseResult => ({ ok: false, reason: `study: ${r}` });
  if (!isNum(o.created)) return bad('"created" must be a number');
  if (o.space !== undefined) {
    const p = spaceProblem(o.space);
    if (p) return bad(p);
  }
  if (o.direction !== undefined && o.direction !== 'maximize' && o.direction !== 'minimize') {
    return bad('"direction" must be "maximize" or "minimize"');
  }
  if (o.meta !== undefined && !isObject(o.meta)) return bad('"meta" must be an object');
  return { ok: true, event: o as unknown as StudyEvent };
}

function parseAsk(o: Record<string, unknown>): ParseResult {
  const bad = (r: string): ParseResult => ({ ok: false, reason: `ask: ${r}` });
  if (!isId(o.id)) return bad('"id" must be an integer >= 0');
  const pp = paramsProblem(o.params);
  if (pp) return bad(pp);
  if (!TRIAL_SOURCES.includes(o.source as TrialSource)) return bad(`"source" must be one of ${TRIAL_SOURCES.join(', ')}`);
  if (!isNum(o.t)) return bad('"t" must be a number');
  if (o.engine !== undefined && o.engine !== 'cpu' && o.engine !== 'webgpu') return bad('"engine" must be "cpu" or "webgpu"');
  if (o.worker !== undefined && typeof o.worker !== 'string') return bad('"worker" must be a string');
  if (o.rng !== undefined && !isRngState(o.rng)) {
    return bad('"rng" must be an array of 4 unsigned 32-bit integers, not all 0');
  }
  if (o.model !== undefined) {
    const m = o.model;
    const okRng = isObject(m) && isRngState(m.rng);
    if (!okRng || !(m.theta === null || (Array.isArray(m.theta) && m.theta.every(isNum)))) {
      return bad('"model" must be {rng: 4 unsigned 32-bit integers not all 0, theta: null or finite numbers}');
    }
  }
  if (o.suggestMs !== undefined && !(isNum(o.suggestMs) && o.suggestMs >= 0)) return bad('"suggestMs" must be a number >= 0');
  return { ok: true, event: o as unknown as AskEvent };
}

function parseTell(o: Record<string, unknown>): ParseResult {
  const bad = (r: string): ParseResult => ({ ok: false, reason: `tell: ${r}` });
  if (!isId(o.id)) return bad('"id" must be an integer >= 0');
  if (o.status === 'complete') {
    if (!isNum(o.target)) return bad('status "complete" needs a finite "target"');
  } else if (o.status === 'failed') {
    if (o.target !== null) return bad('status "failed" needs "target": null');
  } else {
    return bad('"status" must be "complete" or "failed"');
  }
  if (o.error !== undefined && typeof o.error !== 'string') return bad('"error" must be a string');
  if (o.durationMs !== undefined && !(isNum(o.durationMs) && o.durationMs >= 0)) return bad('"durationMs" must be a number >= 0');
  if (!isNum(o.t)) return bad('"t" must be a number');
  return { ok: true, event: o as unknown as TellEvent };
}

/** Parses and checks one line (without its newline). */
export function parseEvent(line: string): ParseResult {
  const parsed = parseJsonObject(line);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  if (o.v === undefined) return { ok: false, reason: 'missing "v"' };
  if (o.v !== JOURNAL_VERSION) {
    return { ok: false, reason: `unsupported version ${JSON.stringify(o.v)} (this library reads version ${JOURNAL_VERSION})` };
  }
  switch (o.type) {
    case 'study':
      return parseStudy(o);
    case 'ask':
      return parseAsk(o);
    case 'tell':
      return parseTell(o);
    case undefined:
      return { ok: false, reason: 'missing "type"' };
    default:
      return { ok: false, reason: `unknown event type ${JSON.stringify(o.type)}` };
  }
}
