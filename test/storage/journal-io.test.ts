/** detectFormat's argument check (src/storage/journal-io.ts). */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { detectFormat } from '../../src/storage/journal-io';
import { thrown } from '../optimizer/caught';

describe('detectFormat', () => {
  it('text that is not a string is an InvalidOptionError naming text (a TypeError reading slice before)', () => {
    for (const [v, got] of [[undefined, 'undefined'], [null, 'null'], [new Uint8Array(1), '{"0":0}']] as const) {
      const e = thrown(() => detectFormat(v as never)) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual(['text', `detectFormat: text: expected a string, got ${got}`]);
    }
    expect([detectFormat(''), detectFormat('\ufeff{"v": 1, "type": "header"}\n'), detectFormat('{"op_code": 0}\n')]).toEqual(['optuna', 'v1', 'optuna']);
  });
});
