/**
 * Random damage to a valid taxi CSV never silently drops rows: the reader
 * either refuses the file with an error naming a line (or the header), or
 * accounts for every non-blank line as a trip or a malformed row, and (with
 * the header intact) every line left intact comes through the filters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { formatTaxiCsv, readTaxiCsv } from '../../src/data/taxi-csv';
import { filterTaxiTrips } from '../../src/data/taxi-features';
import { generateTaxiTrips } from '../../src/data/taxi-generator';
import { FC_SEED } from '../space/arbitraries';

const ROWS = 40;
const clean = formatTaxiCsv(filterTaxiTrips(generateTaxiTrips(ROWS, { seed: 11, junkFraction: 0, outlierFraction: 0 })).kept);
const original = clean.split('\n').filter((l) => l !== '');
const originalRows = new Set(original.slice(1));

type Edit = { at: number; kind: 'insert' | 'delete' | 'replace'; ch: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat({ max: clean.length - 1 }),
  kind: fc.constantFrom('insert' as const, 'delete' as const, 'replace' as const),
  ch: fc.constantFrom('"', ',', '\n', '\r', '\r\n', 'x', '.', '-', '9', ' ', '""'),
});

function damage(text: string, edits: Edit[]): string {
  let s = text;
  for (const e of edits) {
    const at = Math.min(e.at, s.length);
    if (e.kind === 'insert') s = s.slice(0, at) + e.ch + s.slice(at);
    else if (e.kind === 'delete') s = s.slice(0, at) + s.slice(at + 1);
    else s = s.slice(0, at) + e.ch + s.slice(at + 1);
  }
  return s;
}

/** Outcome counts over the run, for the README's figures. */
const tally = { refused: 0, read: 0, malformed: 0, intact: 0 };

describe('taxi CSV under random damage', () => {
  it('refuses with a line, or accounts for every line and keeps every intact row', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        const text = damage(clean, edits);
        let read: ReturnType<typeof readTaxiCsv>;
        try {
          read = readTaxiCsv(text);
        } catch (e) {
          expect(e).toBeInstanceOf(StorageError);
          const m = (e as Error).message.match(/^taxi CSV: (?:line (\d+): unterminated quoted field|header is missing column)/);
          expect(m, (e as Error).message).not.toBeNull();
          if (m![1] !== undefined) expect(text.split(/\r\n|\n|\r/)[Number(m![1]) - 1]).toContain('"');
          tally.refused++;
          return;
        }
        tally.read++;
        const lines = text.split(/\r\n|\n|\r/).filter((l) => l !== '');
        // every non-blank line after the header is a trip or a counted malformed row
        expect(read.trips.length + read.malformed.count).toBe(lines.length - 1);
        tally.malformed += read.malformed.count;
        // with the header intact, every row left intact passes the filters with its key
        // (under a damaged header, rows are counted as malformed instead: the accounting above)
        const { kept, dropped } = filterTaxiTrips(read.trips);
        expect(kept.length + Object.values(dropped).reduce((a, b) => a + b, 0)).toBe(read.trips.length);
        const keys = new Set(kept.map((t) => t.key));
        const intact = lines[0] === original[0] ? lines.slice(1).filter((l) => originalRows.has(l)) : [];
        for (const l of intact) expect(keys.has(l.split(',')[0])).toBe(true);
        tally.intact += intact.length;
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
    // the run exercised both outcomes
    expect(tally.refused).toBeGreaterThan(20);
    expect(tally.read).toBeGreaterThan(200);
    expect(tally.malformed).toBeGreaterThan(20);
    console.log(`taxi CSV fuzz: ${tally.read + tally.refused} damaged files, ${tally.refused} refused naming a line or the header, ${tally.read} read with every line accounted for (${tally.malformed} malformed rows counted)`);
  });
});
