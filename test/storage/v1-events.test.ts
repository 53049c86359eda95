import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../src/storage/v1-events';

/** The v1 writer wrote one compact JSON object per line. */
const formatEvent = (e: unknown): string => JSON.stringify(e) + '\n';

const ask = { v: 1, type: 'ask', id: 0, params: { x: 1, s: 'a', b: true }, source: 'init', t: 5 };
const tell = { v: 1, type: 'tell', id: 0, status: 'complete', target: 1.5, t: 6 };
const study = { v: 1, type: 'study', created: 1 };

describe('parseEvent (v1 journal lines, read for migration)', () => {
  it('accepts the events the journal writes, and round trips them through formatEvent', () => {
    const events = [
      study,
      { ...study, space: { a: { type: 'float', low: 0, high: 1, log: false }, c: { type: 'categorical', choices: [1, 'x'] } }, direction: 'minimize', meta: {} },
      ask,
      { ...ask, engine: 'webgpu', worker: 'h:1:ab', rng: [0, 1, 2, 4294967295], suggestMs: 3 },
      { ...ask, source: 'suggest', model: { rng: [5, 6, 7, 8], theta: [-1.2345678901234567, 0.1, 1e-300, -20] } },
      { ...ask, source: 'suggest', model: { rng: [5, 6, 7, 8], theta: null } },
      tell,
      { ...tell, status: 'failed', target: null, error: 'boom', durationMs: 0 },
    ];
    for (const e of events) {
      const line = formatEvent(e as never);
      expect(line.endsWith('\n')).toBe(true);
      expect(parseEvent(line.slice(0, -1))).toEqual({ ok: true, event: e });
    }
  });

  it('names what is wrong with a line', () => {
    const MODEL_REASON = 'ask: "model" must be {rng: 4 unsigned 32-bit integers not all 0, theta: null or finite numbers}';
    const cases: [unknown, string][] = [
      [{ v: 1 }, 'missing "type"'],
      [{ ...study, created: '1' }, 'study: "created" must be a number'],
      [{ ...study, space: [] }, 'study: "space" must be an object of parameter specs'],
      [
        { ...study, space: { a: { type: 'float', low: 0 } } },
        'study: "space" parameter "a" must be {type: "float"|"int", low, high} or {type: "categorical", choices}',
      ],
      [{ ...study, direction: 'up' }, 'study: "direction" must be "maximize" or "minimize"'],
      [{ ...study, meta: 3 }, 'study: "meta" must be an object'],
      [{ ...ask, id: -1 }, 'ask: "id" must be an integer >= 0'],
      [{ ...ask, id: 1.5 }, 'ask: "id" must be an integer >= 0'],
      [{ ...ask, params: null }, 'ask: "params" must be an object'],
      [{ ...ask, t: null }, 'ask: "t" must be a number'],
      [{ ...ask, engine: 'gpu' }, 'ask: "engine" must be "cpu" or "webgpu"'],
      [{ ...ask, worker: 7 }, 'ask: "worker" must be a string'],
      [{ ...ask, rng: [1, 2, 3, 2 ** 32] }, 'ask: "rng" must be an array of 4 unsigned 32-bit integers, not all 0'],
      // an all-zero xoshiro state draws 0 for good: a resume then threw where the stream was restored
      [{ ...ask, rng: [0, 0, 0, 0] }, 'ask: "rng" must be an array of 4 unsigned 32-bit integers, not all 0'],
      [{ ...ask, suggestMs: -1 }, 'ask: "suggestMs" must be a number >= 0'],
      [{ ...ask, model: { rng: [1, 2, 3], theta: null } }, MODEL_REASON],
      [{ ...ask, model: { rng: [0, 0, 0, 0], theta: null } }, MODEL_REASON],
      [{ ...ask, model: { rng: [1, 2, 3, 4], theta: [0, 'x'] } }, MODEL_REASON],
      [{ ...ask, model: [1, 2, 3, 4] }, MODEL_REASON],
      [{ ...tell, status: 'done' }, 'tell: "status" must be "complete" or "failed"'],
      [{ ...tell, target: null }, 'tell: status "complete" needs a finite "target"'],
      [{ ...tell, error: 1 }, 'tell: "error" must be a string'],
      [{ ...tell, durationMs: 'x' }, 'tell: "durationMs" must be a number >= 0'],
      [{ ...tell, t: undefined }, 'tell: "t" must be a number'],
      [{ ...tell, v: '1' }, 'unsupported version "1" (this library reads version 1)'],
      ['x', 'not a JSON object'],
      [null, 'not a JSON object'],
    ];
    for (const [o, reason] of cases) expect(parseEvent(JSON.stringify(o))).toEqual({ ok: false, reason });
    expect(parseEvent('{"v":1,')).toEqual({ ok: false, reason: 'invalid JSON' });
  });
});
