/**
 * The torn-tail rule every backend's append follows (src/storage/line-checks.ts):
 * what counts as torn, and the last line read back from the end in steps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryJournalBackend } from '../../src/storage/index';
import { bomLength, planAppend, readLastLine, stripBom, tornTailStart } from '../../src/storage/line-checks';
import { InvalidOptionError } from '../../src/errors';
import { thrown } from '../optimizer/caught';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
/** readLastLine over an in-memory byte string, counting the reads. */
async function lastLineOf(text: string): Promise<{ start: number; text: string; reads: number }> {
  const b = bytes(text);
  let reads = 0;
  const r = await readLastLine(b.length, async (from, to) => {
    reads++;
    return b.slice(from, to);
  });
  return { start: r.start, text: r.text, reads };
}

describe('tornTailStart', () => {
  it('is the start of a last line that is not whole JSON, else -1', () => {
    expect(tornTailStart('')).toBe(-1);
    expect(tornTailStart('{"a":1}\n')).toBe(-1);
    expect(tornTailStart('{"a":1}\n{"b":2}')).toBe(-1); // a record without its newline: kept
    expect(tornTailStart('{"a":1}\n{"op_co')).toBe(8);
    expect(tornTailStart('{"a":1}\n  ')).toBe(8); // blanks: nothing to keep
    expect(tornTailStart('{"op_co')).toBe(0);
    expect(tornTailStart('\ufeff{"a":1}')).toBe(-1); // a byte order mark before the first line
    expect(tornTailStart('\ufeff{"op_co')).toBe(1); // cut after the mark, which stays
    // whole as the readers parse it: Python's bare Infinity and NaN (Optuna writes them) are a record
    expect(tornTailStart('{"a":1}\n{"op_code":8,"user_attr":{"a":Infinity},"b":NaN}')).toBe(-1);
    // JSON that is no object is no journal line, and Optuna's reader cannot take it
    expect(tornTailStart('{"a":1}\n123')).toBe(8);
    expect(tornTailStart('{"a":1}\nnull')).toBe(8);
    expect(tornTailStart('{"a":1}\r\n{"b":2}\r')).toBe(-1);
  });
});

describe('readLastLine', () => {
  it('finds the last line and its byte offset, in one read when it is short', async () => {
    expect(await lastLineOf('{"a":1}\n{"b":')).toEqual({ start: 8, text: '{"b":', reads: 1 });
    expect(await lastLineOf('{"a":1}\n')).toEqual({ start: 8, text: '', reads: 1 });
    expect(await lastLineOf('no newline')).toEqual({ start: 0, text: 'no newline', reads: 1 });
  });

  it('steps back 64 KiB at a time and joins multi-byte text split between steps (seeded property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 30 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 60_000 }),
        async (head, steps, extra) => {
          const tail = '€'.repeat(Math.floor((steps * 65_536 + extra) / 3)) + 'x';
          const text = head + '\n' + tail;
          const r = await lastLineOf(text);
          expect(r.text).toBe(tail);
          expect(r.start).toBe(bytes(head + '\n').length);
          expect(r.reads).toBe(Math.ceil((bytes(tail).length + 1) / 65_536));
        },
      ),
      { seed: 20261205, numRuns: 25 },
    );
  });
});

describe('planAppend', () => {
  /** planAppend over an in-memory byte string: the plan, and the bytes read */
  async function plan(text: string) {
    const b = bytes(text);
    let read = 0;
    const p = await planAppend(b.length, async (from, to) => ((read += to - from), b.slice(from, to)));
    return { cutAt: p.cutAt, torn: new TextDecoder().decode(p.torn), prefix: p.prefix, read };
  }

  it('reads one byte of a journal that ends in a newline, the last line only otherwise', async () => {
    expect(await plan('')).toEqual({ cutAt: null, torn: '', prefix: '', read: 0 });
    expect(await plan('{"a":1}\n'.repeat(10_000))).toEqual({ cutAt: null, torn: '', prefix: '', read: 1 });
    expect(await plan('{"a":1}\n{"b":2}')).toEqual({ cutAt: null, torn: '', prefix: '\n', read: 1 + 8 + 7 });
    expect(await plan('{"a":1}\n{"op_co')).toEqual({ cutAt: 8, torn: '{"op_co', prefix: '', read: 1 + 8 + 7 });
    expect(await plan('{"a":1}\n  ')).toEqual({ cutAt: 8, torn: '', prefix: '', read: 1 + 8 + 2 });
    expect(await plan('\ufeff{"op_co')).toEqual({ cutAt: 3, torn: '{"op_co', prefix: '', read: 1 + 10 });
  });
});

describe('MemoryJournalBackend.append', () => {
  it('cuts a torn tail, closes a whole last line, and appends after a complete one', async () => {
    const torn = new MemoryJournalBackend('{"a":1}\n{"op_co');
    await torn.append('{"n":1}\n');
    expect(torn.text).toBe('{"a":1}\n{"n":1}\n');
    const whole = new MemoryJournalBackend('{"a":1}\n{"b":2}');
    await whole.append('{"n":1}\n');
    expect(whole.text).toBe('{"a":1}\n{"b":2}\n{"n":1}\n');
    await whole.append('{"n":2}\n');
    expect(whole.text).toBe('{"a":1}\n{"b":2}\n{"n":1}\n{"n":2}\n');
  });
});

describe('bomLength and stripBom', () => {
  it('text that is not a string is an InvalidOptionError naming text (a TypeError reading charCodeAt before)', () => {
    for (const [name, f] of [['bomLength', bomLength], ['stripBom', stripBom]] as const) {
      for (const [v, got] of [[undefined, 'undefined'], [null, 'null'], [5, '5']] as const) {
        const e = thrown(() => f(v as never)) as InvalidOptionError;
        expect(e).toBeInstanceOf(InvalidOptionError);
        expect([e.option, e.message]).toEqual(['text', `${name}: text: expected a string, got ${got}`]);
      }
    }
    expect([bomLength('\ufeffa'), stripBom('\ufeffa'), bomLength('a'), stripBom('')]).toEqual([1, 'a', 0, '']);
  });
});
