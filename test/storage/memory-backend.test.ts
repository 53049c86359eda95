import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { MemoryJournalBackend } from '../../src/storage/index';
import { thrown } from '../optimizer/caught';

describe('MemoryJournalBackend', () => {
  it('refuses initial text or a name that is not a string (a number was taken as the journal)', async () => {
    for (const [make, option, message] of [
      [() => new MemoryJournalBackend(5 as never), 'initial', "MemoryJournalBackend: initial: expected the journal's text (a string), got 5"],
      [() => new MemoryJournalBackend(null as never), 'initial', "MemoryJournalBackend: initial: expected the journal's text (a string), got null"],
      [() => new MemoryJournalBackend('', 7 as never), 'name', 'MemoryJournalBackend: name: expected a string, got 7'],
    ] as const) {
      const e = thrown(make);
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect(e).toMatchObject({ option, message });
    }
    expect(await new MemoryJournalBackend(undefined).readAll()).toBe('');
  });
});
