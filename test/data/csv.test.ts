import { describe, expect, it } from 'vitest';
import { csvField, parseCsv, parseCsvRows } from '../../src/data/csv';
import { InvalidOptionError, StorageError } from '../../src/errors';
import { thrown } from '../optimizer/caught';

describe('parseCsv', () => {
  it('refuses text that is not a string (null was a TypeError)', () => {
    for (const [text, got] of [[null, 'null'], [5, '5']] as const) {
      for (const call of [() => parseCsv(text as never), () => parseCsvRows(text as never)]) {
        const e = thrown(() => call());
        expect(e).toBeInstanceOf(InvalidOptionError);
        expect(e).toMatchObject({ option: 'text', message: `text: expected the CSV text (a string), got ${got}` });
      }
    }
  });

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

  it('csvField refuses a value that is not a string, naming value (an array holding a comma was a TypeError, a number came back a number)', () => {
    for (const [v, got] of [[undefined, 'undefined'], [5, '5'], [[null, null], '[null,null]']] as const) {
      const e = thrown(() => csvField(v as never)) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual(['value', `csvField: value: expected a string, got ${got}`]);
    }
  });

  it('csvField quotes only when needed and round-trips', () => {
    expect(csvField('plain')).toBe('plain');
    const tricky = 'a,"b"\nc';
    expect(csvField(tricky)).toBe('"a,""b""\nc"');
    expect(parseCsv(`${csvField(tricky)},x`)).toEqual([[tricky, 'x']]);
  });

  it('an unterminated quoted field is an error naming the line where it opens', () => {
    const text = 'a,b\n1,2\n"3,4\n5,6\n';
    expect(() => parseCsv(text)).toThrow(new StorageError('CSV: line 3: unterminated quoted field (a field starts with " and the input ends before the closing ")'));
    expect(() => parseCsv(text, Infinity, { multiline: false, source: 'f.csv' })).toThrow(
      new StorageError('f.csv: line 3: unterminated quoted field (a field starts with " and the line ends before the closing ")'),
    );
    // a quote closed on a later line is a line break inside a field: an error only without multiline
    expect(parseCsv('a\n"x\ny"\nz')).toEqual([['a'], ['x\ny'], ['z']]);
    expect(() => parseCsv('a\n"x\ny"\nz', Infinity, { multiline: false })).toThrow('CSV: line 2: unterminated quoted field');
  });

  it('a quote inside a field is a plain character', () => {
    expect(parseCsv('a,b\n1"2,x"\n"q"r,s')).toEqual([['a', 'b'], ['1"2', 'x"'], ['qr', 's']]);
  });

  it('gives each row the line it starts on', () => {
    expect(parseCsvRows('h\r\n\r\n1\n"a\r\nb",2\n3').map((r) => r.line)).toEqual([1, 3, 4, 6]);
  });
});
