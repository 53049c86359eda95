/**
 * Text from a study made safe for a terminal (src/util/terminal-text.ts), and
 * where the command line and the optimizer's table use it: names, choices,
 * study names and reasons with control or formatting characters neither split
 * a row nor drive the terminal, and columns line up by the width text takes.
 */
import { describe, expect, it } from 'vitest';
import { formatStudies } from '../../src/cli/studies';
import { alignRows } from '../../src/cli/table';
import { checkSomeCompleted, formatTuneResult, type TuneObjectiveResult } from '../../src/cli/tune-objective';
import type { Trial } from '../../src/index';
import { colorFor, formatText, TableLogger } from '../../src/optimizer/logger';
import { describeSkipped } from '../../src/storage/line-folder';
import { clipText, escapeUnsafe, terminalText } from '../../src/util/terminal-text';

/** Any character a terminal acts on, or that reorders or hides text. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/;
const HOSTILE = ['a\nb', 'esc\x1b[31mRED', 'csi\u009b31m', 'rtl\u202eevil', 'zw\u200bsp', 'cr\rX', 'tab\tY'];

describe('terminalText', () => {
  it('quotes and escapes only text that holds such a character; plain and wide text stay as they are', () => {
    expect(terminalText('learning_rate')).toBe('learning_rate');
    expect(terminalText('漢字 😀')).toBe('漢字 😀');
    expect(terminalText('a\nb')).toBe('"a\\nb"');
    expect(terminalText('csi\u009b31m')).toBe('"csi\\u009b31m"');
    expect(escapeUnsafe('rtl\u202eevil "q"')).toBe('rtl\\u202eevil "q"');
    for (const s of HOSTILE) expect(terminalText(s)).not.toMatch(UNSAFE);
    expect(clipText('a😀😀😀😀b', 4)).toBe('a😀😀…'); // by code point: no half of a surrogate pair
  });
});

describe('where text from a study is printed', () => {
  it("tune's table, best line and no-trial error escape names, choices and reasons", () => {
    const names = HOSTILE.slice(0, 4);
    const params = Object.fromEntries(names.map((n, i) => [n, HOSTILE[(i + 4) % HOSTILE.length]]));
    const trials = [
      { id: 0, params, target: 1, status: 'complete', durationMs: 10 },
      { id: 1, params, target: null, status: 'failed', error: 'boom\x1b]0;title\x07\n'.repeat(30), durationMs: 10 },
    ] as unknown as Trial[];
    const r: TuneObjectiveResult = {
      strategy: 'random', direction: 'maximize', space: {}, names, trials, best: trials[0], recommended: null, wallMs: 1000, escaped: 0,
    };
    const text = formatTuneResult(r);
    expect(text).not.toMatch(UNSAFE.source.replace('\\u0000-\\u001f', '\\u0000-\\u0009\\u000b-\\u001f')); // newlines only between lines
    expect(text.split('\n')).toHaveLength(2 + 2 + 2 + 1); // header, rule, 2 rows, blank, summary, best
    let e: Error | undefined;
    try {
      checkSomeCompleted([{ status: 'failed', error: 'x\x1b[2J'.repeat(1000) }]);
    } catch (err) {
      e = err as Error;
    }
    expect(e!.message).not.toMatch(UNSAFE);
    expect(e!.message.length).toBeLessThan(600); // a reason of 5,000 characters printed whole
  });

  it('studies, damaged-line notes and the verbose table escape what JSON leaves (C1 controls, bidi overrides)', () => {
    const listing = formatStudies('j.jsonl', [{ name: 'evil\u009b2J\u202e', direction: 'maximize', trials: 0, complete: 0, pruned: 0, failed: 0, pending: 0, waiting: 0, best: null, skipped: [] }]);
    expect(listing).not.toMatch(/[\u0080-\u009f\u202e]/);
    expect(describeSkipped([{ line: 3, reason: 'unknown op_code "\u009b2J\u202e"' }])).toBe('line 3: unknown op_code "\\u009b2J\\u202e"');
    expect(formatText('\x1b[31mredredred')).not.toContain('\x1b'); // it was cut to ESC[31mr... with no reset
    expect(formatText('a😀😀😀😀😀😀😀😀b')).toBe('a😀😀😀😀😀...'); // no lone surrogate (it cut one in half)
    const lines: string[] = [];
    const table = new TableLogger({ verbose: 2, names: ['a\nb'], write: (l) => lines.push(l), color: false });
    table.step(1, { 'a\nb': 'x\ny' }, true);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('columns line up by the width text takes on a terminal (a CJK character takes two)', () => {
    const [a, b] = alignRows([['漢字漢字', '1'], ['abcdefgh', '22']]);
    expect(a).toBe('漢字漢字   1');
    expect(b).toBe('abcdefgh  22');
  });

  it('colour: on a terminal only, and never with NO_COLOR set', () => {
    const saved = process.env.NO_COLOR;
    try {
      delete process.env.NO_COLOR;
      expect([colorFor({ isTTY: true }), colorFor({ isTTY: false }), colorFor(undefined)]).toEqual([true, false, false]);
      process.env.NO_COLOR = '1';
      expect(colorFor({ isTTY: true })).toBe(false);
      process.env.NO_COLOR = '';
      expect(colorFor({ isTTY: true })).toBe(true); // set but empty: no request (no-color.org)
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });
});
