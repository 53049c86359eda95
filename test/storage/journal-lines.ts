/**
 * Reading a journal file in tests: its Optuna operations, and the same read
 * as this library's logical events (study, ask, tell) so tests can count them.
 */
import { readFileSync } from 'node:fs';
import { parseDistribution, toExternal } from '../../src/storage/optuna-format';

/** The journal's lines parsed; a line that is not JSON (torn by a kill, or garbage) becomes `{ torn: text }`. */
export function journalOps(pathOrText: string, isText = false): Record<string, any>[] {
  const text = isText ? pathOrText : readFileSync(pathOrText, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return { torn: l };
      }
    });
}

/**
 * The operations of a one-study journal as events:
 * - CREATE_STUDY -> `{ type: 'study', name, directions }`;
 * - CREATE_TRIAL -> `{ type: 'ask', id, params, source, worker, engine?, rng?, model? }` (and a
 *   `tell` when created finished);
 * - SET_TRIAL_SYSTEM_ATTR `wbo:worker` -> `{ type: 'ask', id, params, reask: true, worker }`;
 * - SET_TRIAL_STATE_VALUES -> `{ type: 'tell', id, status: 'complete' | 'pruned' | 'failed', target }`
 *   (a pruned trial's target is its last intermediate value, as Optuna stores it);
 * - SET_TRIAL_INTERMEDIATE_VALUE -> `{ type: 'report', id, step, value }`;
 * - torn lines stay `{ torn }`, other operations `{ type: 'op', op_code }`.
 * Trial ids are the order of CREATE_TRIAL lines (one study per file).
 */
export function journalEvents(pathOrText: string, isText = false): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  let n = 0;
  const errors = new Map<number, string>();
  const paramsOf = new Map<number, Record<string, unknown>>();
  const tell = (id: number, state: number, values: unknown, value: unknown) => ({
    type: 'tell', id, status: state === 1 ? 'complete' : state === 2 ? 'pruned' : 'failed',
    target: state === 1 || state === 2 ? ((values as number[] | null)?.[0] ?? value ?? null) : null, error: errors.get(id),
  });
  for (const o of journalOps(pathOrText, isText)) {
    if (o.torn !== undefined) {
      out.push(o);
    } else if (o.op_code === 0) {
      out.push({ type: 'study', name: o.study_name, directions: o.directions });
    } else if (o.op_code === 4) {
      const params: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o.params ?? {})) params[k] = toExternal(parseDistribution(o.distributions[k])!, x);
      const s = o.system_attrs ?? {};
      const id = n++;
      paramsOf.set(id, params);
      out.push({
        type: 'ask', id, params, source: s['wbo:source'], worker: s['wbo:worker'], engine: s['wbo:engine'],
        rng: s['wbo:rng'], model: s['wbo:model'], suggestMs: s['wbo:suggest_ms'],
      });
      if (s['wbo:error'] !== undefined) errors.set(id, s['wbo:error']);
      if (o.state !== undefined && o.state !== 0) out.push(tell(id, o.state, o.values, o.value));
    } else if (o.op_code === 9 && o.system_attr?.['wbo:error'] !== undefined) {
      errors.set(o.trial_id, o.system_attr['wbo:error']);
      out.push({ type: 'op', op_code: 9 });
    } else if (o.op_code === 9 && o.system_attr?.['wbo:worker'] !== undefined) {
      out.push({ type: 'ask', id: o.trial_id, params: paramsOf.get(o.trial_id), reask: true, worker: o.system_attr['wbo:worker'] });
    } else if (o.op_code === 7) {
      out.push({ type: 'report', id: o.trial_id, step: o.step, value: o.intermediate_value });
    } else if (o.op_code === 6 && o.state !== 0) {
      out.push(tell(o.trial_id, o.state, o.values, undefined));
    } else {
      out.push({ type: 'op', op_code: o.op_code });
    }
  }
  return out;
}
