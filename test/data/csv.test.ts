import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from '../../src/data/csv';

describe('parseCsv', () => {
  it('splits LF and CRLF lines and skips blank lines', () => {
    expect(parseCsv('a,b\r\n1,2\n\n3,4\r\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('reads quoted fields with commas, escaped quotes and line breaks', () => {
    expect(parseCsv('k,v\n"x, y","say ""hi"""\n"two\r\nlines",3')).toEqual([
      ['k', 'v'],
      ['x, y', 'say "hi"'],
      ['two\r\nlines', '3'],
    ]);
  });

  it('keeps empty fields, including a trailing one, and a last line without newline', () => {
    expect(parseCsv('a,,c,\n,')).toEqual([
      ['a', '', 'c', ''],
      ['', ''],
    ]);
  });

  it('ignores a UTF-8 byte order mark', () => {
    expect(parseCsv('\ufeffkey,v\n1,2')[0]).toEqual(['key', 'v']);
  });

  it('stops after maxRows rows', () => {
    expect(parseCsv('h\n1\n2\n3\n', 2)).toEqual([['h'], ['1']]);
  });

  it('csvField quotes only when needed and round-trips', () => {
    expect(csvField('plain')).toBe('plain');
    const tricky = 'a,"b"\nc';
    expect(csvField(tricky)).toBe('"a,""b""\nc"');
    expect(parseCsv(`${csvField(tricky)},x`)).toEqual([[tricky, 'x']]);
  });
});
