/**
 * User attributes through the Study API directly (exported; the optimizer
 * checks its callers' attributes before they get here): a value JSON would
 * not carry as it is (NaN and Infinity become null, a Date a string) is
 * refused with a typed error naming it, and nothing is recorded.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidSpaceError } from '../../src/errors';
import type { SpaceSpec } from '../../src/space/types';
import { Journal, MemoryJournalBackend, Study } from '../../src/storage';

const SPACE: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };
const KINDS = ' (a journal stores JSON: strings, finite numbers, booleans, null, arrays and plain objects)';

describe('Study: user attributes that are not JSON as they are', () => {
  for (const where of ['memory', 'journal'] as const) {
    it(`setUserAttrs and enqueue refuse NaN, Infinity, a Date and a cycle, naming them; nothing is recorded (${where})`, async () => {
      const b = new MemoryJournalBackend();
      const study = Study.open(where === 'memory' ? undefined : b, { space: SPACE });
      const t = await study.ask(() => ({ x: 0.5 }));
      await study.setUserAttrs(t.id, { epochs: 3 });
      const before = b.text;
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      const cases: [Record<string, unknown>, string][] = [
        [{ loss: NaN }, 'attrs.loss is NaN'],
        [{ a: { b: [1, -Infinity] } }, 'attrs.a.b[1] is -Infinity'],
        [{ when: new Date(0) }, 'attrs.when is a Date'],
        [{ c: cycle }, 'attrs.c.self holds itself (a cycle)'],
      ];
      for (const [attrs, problem] of cases) {
        expect(() => study.setUserAttrs(t.id, attrs)).toThrow(new InvalidOptionError(`set user attr: ${problem}${KINDS}`, 'attrs'));
        expect(() => study.enqueue({ x: 0.25 }, attrs)).toThrow(new InvalidOptionError(`enqueue: ${problem}${KINDS}`, 'attrs'));
      }
      expect(b.text).toBe(before);
      const s = await study.load();
      expect(s.trials.map((x) => [x.id, x.status, x.userAttrs])).toEqual([[0, 'pending', { epochs: 3 }]]);
      // the study goes on
      await study.setUserAttrs(t.id, { loss: 0.25 });
      expect((await study.tell(t.id, { target: 1 })).userAttrs).toEqual({ epochs: 3, loss: 0.25 });
    });
  }
});

describe('Study and Journal: the space is checked as the optimizer checks it', () => {
  const big: SpaceSpec = { n: { type: 'int', low: 1, high: 2 ** 60, log: true } };
  const message = 'parameter "n": high must be within ±1099511627776 (2^40), got 1152921504606847000';

  it('an integer bound beyond 2^40 (JSON would write 2^60 as 1152921504606847000, another integer) is refused before anything is opened', async () => {
    const b = new MemoryJournalBackend();
    expect(() => Study.open(b, { space: big })).toThrow(new InvalidSpaceError(message, 'n'));
    await expect(Journal.open(b, { space: big })).rejects.toThrow(new InvalidSpaceError(message, 'n'));
    await expect(Journal.open(b, { space: { x: { type: 'float', low: NaN, high: 1 } } })).rejects.toThrow(InvalidSpaceError);
    expect(b.text).toBe('');
  });
});
