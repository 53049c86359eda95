/**
 * The line folder (src/storage/line-folder.ts) on glued lines: a whole JSON
 * last line without its newline is used at once, so when another writer's
 * line is appended straight after it (`{A}{B}`, as Optuna's file storage
 * appends without looking), the live fold has used A and then B. Reading the
 * text afresh, in one piece or in any two, must give the same events, line
 * numbers (the file's own: glued objects share their line's) and skipped
 * lines; and an append cuts only what follows the whole objects.
 */
import { describe, expect, it } from 'vitest';
import { closeKept, splitGlued, tornTailStart } from '../../src/storage/line-checks';
import { LineFolder, type Parsed } from '../../src/storage/line-folder';

/** Folds `{"n": k}` lines into the list of k, with the line each came from. */
class Toy extends LineFolder<number> {
  readonly events: [number, number][] = [];
  protected parse(line: string): Parsed<number> {
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      return { ok: false, reason: 'invalid JSON' };
    }
    const n = (o as { n?: unknown })?.n;
    return typeof n === 'number' ? { ok: true, event: n } : { ok: false, reason: 'no n' };
  }
  protected apply(n: number, line: number): string | null {
    if (n < 0) return 'negative';
    this.events.push([n, line]);
    return null;
  }
  protected clear(): void {
    this.events.length = 0;
  }
}

const fresh = (text: string) => {
  const f = new Toy();
  f.update(text);
  return { used: f.events, skipped: f.skipped() };
};
/** The text read in two pieces: the first `cut` characters, then all of it (a live reader's two reads). */
const live = (text: string, cut: number) => {
  const f = new Toy();
  f.update(text.slice(0, cut));
  f.update(text);
  return { used: f.events, skipped: f.skipped() };
};
/** The same two reads through `feed`, the incremental reader's path. */
const fed = (text: string, cut: number) => {
  const f = new Toy();
  f.feed(text.slice(0, cut));
  f.feed(text.slice(cut));
  return { used: f.events, skipped: f.skipped() };
};

const CASES: [string, string][] = [
  ['two writers glued', '{"n":1}\n{"n":2}{"n":3}\n{"n":4}\n'],
  ['a glued line last, without its newline', '{"n":1}\n{"n":2}{"n":3}'],
  ['three glued, one with a brace in a string', '{"n":1,"s":"}{"}{"n":2}{"n":3,"s":"\\"}"}\n'],
  ['garbage glued after a whole line', '{"n":1}garbage\n{"n":2}\n'],
  ['a torn write glued before a whole line', '{"n":1}\n{"n":2,"s":"ab{"n":3}\n{"n":4}\n'],
  ['a whole line glued before a torn tail', '{"n":1}{"n":2,"s":"a'],
  ['a glued line that does not apply', '{"n":1}{"n":-1}\n{"n":2}\n'],
  ['blanks between glued objects', '{"n":1}  {"n":2}\r\n'],
  ['a glued write read up to a carriage return within it', '{"n":1}\n{"n":2}{"n":3\r,"s":1}\n{"n":4}\n'],
  ['seventeen glued, then a torn write', `${Array.from({ length: 17 }, (_, i) => `{"n":${i + 1}}`).join('')}{"n":18,"s":"a`],
];

describe('glued journal lines', () => {
  for (const [name, text] of CASES) {
    it(`${name}: the same events, line numbers and skips however the text is read`, () => {
      const once = fresh(text);
      for (let cut = 0; cut <= text.length; cut++) {
        expect(live(text, cut), `update, cut at ${cut}`).toEqual(once);
        expect(fed(text, cut), `feed, cut at ${cut}`).toEqual(once);
      }
    });
  }

  it("recovers both writers' lines under the file's line numbers", () => {
    expect(fresh('{"n":1}\n{"n":2}{"n":3}\n{"n":4}\n')).toEqual({ used: [[1, 1], [2, 2], [3, 2], [4, 3]], skipped: [] });
    expect(fresh('{"n":1}garbage\n{"n":2}\n')).toEqual({ used: [[1, 1], [2, 2]], skipped: [{ line: 1, reason: 'invalid JSON' }] });
    expect(fresh('{"n":1}{"n":2,"s":"a')).toEqual({
      used: [[1, 1]], skipped: [{ line: 1, reason: 'truncated last line (no newline at the end, not valid JSON)' }],
    });
  });

  it('any number of glued values, read in one pass', () => {
    const many = Array.from({ length: 40 }, (_, i) => `{"n":${i + 1}}`).join('');
    expect(fresh(`${many}{"n":99,"s":"a`).used).toHaveLength(40);
    const huge = `{"n":1}\n${'{}'.repeat(200_000)}\n{"n":2}\n`;
    const t0 = performance.now();
    const r = fresh(huge);
    expect(r.used).toEqual([[1, 1], [2, 3]]);
    expect(r.skipped).toHaveLength(200_000);
    expect(r.skipped.every((k) => k.line === 2 && k.reason === 'no n')).toBe(true);
    expect(performance.now() - t0).toBeLessThan(10_000); // one pass: the first version's recursion took minutes and overflowed the stack
  });

  it('splitGlued: the whole values at the start of a line, and the rest', () => {
    expect(splitGlued('{"a":1}{"b":2}')).toEqual({ values: ['{"a":1}', '{"b":2}'], rest: '' });
    expect(splitGlued(' [1,[2]] x')).toEqual({ values: [' [1,[2]]'], rest: ' x' });
    expect(splitGlued('{"s":"}{\\"}"}{"b":2}{"c')).toEqual({ values: ['{"s":"}{\\"}"}', '{"b":2}'], rest: '{"c' });
    expect(splitGlued('{"a":1}   ')).toBeNull();
    expect(splitGlued('{"a":{"b":1}')).toBeNull();
    expect(splitGlued('x{"a":1}')).toBeNull();
  });

  it('tornTailStart keeps the whole objects of a glued last line, and the append closes their line', () => {
    expect(tornTailStart('{"n":1}\n{"n":2}{"n":3}')).toBe(-1);
    expect(tornTailStart('{"n":1}\n{"n":2}{"n":3,"s":"a')).toBe(15);
    expect(tornTailStart('{"n":1}\n{"n":2}garbage')).toBe(15);
    expect(tornTailStart('{"n":1}\n{"n":3,"s":"a')).toBe(8);
    expect(closeKept('{"n":1}\n{"n":2}')).toBe('{"n":1}\n{"n":2}\n');
    expect(closeKept('{"n":1}\n')).toBe('{"n":1}\n');
  });
});
