/**
 * Minimal RFC 4180 CSV reading and writing: comma separated, fields optionally
 * double-quoted with `""` as an escaped quote, LF or CRLF line ends. Pure (no
 * Node modules) so it runs in browsers too.
 */
import { InvalidOptionError, StorageError } from '../errors';
import { show, showBrief } from '../util/format-value';

/** Options of {@link parseCsvRows} and {@link parseCsv}. */
export interface ParseCsvOptions {
  /** stop after this many rows (header included) [all] */
  maxRows?: number;
  /**
   * whether a quoted field may hold line breaks (RFC 4180) [true]. Formats
   * whose fields never do (the taxi CSV) pass false, so that a stray quote
   * is an error at its own line instead of swallowing the lines after it.
   */
  multiline?: boolean;
  /** names the input in error messages, e.g. the file path ['CSV'] */
  source?: string;
}

/** One parsed row and the 1-based line it starts on. */
export interface CsvRow {
  fields: string[];
  line: number;
}

/**
 * Split CSV text into rows of fields, each with the line it starts on. Blank
 * lines are skipped, a leading UTF-8 BOM is ignored, and quoted fields may
 * contain commas, quotes and (unless `multiline: false`) newlines. A quote
 * opens a quoted field only at the start of a field; elsewhere it is a plain
 * character, and characters after a closing quote are kept.
 *
 * @throws InvalidOptionError naming `text` when it is not a string; StorageError naming the line of a quoted field that never closes
 *   (before the end of the input, or before the end of its line with `multiline: false`)
 */
export function parseCsvRows(text: string, options: ParseCsvOptions = {}): CsvRow[] {
  // null failed as a TypeError reading its first character
  if (typeof text !== 'string') throw new InvalidOptionError(`text: expected the CSV text (a string), got ${show(text)}`, 'text');
  const maxRows = options.maxRows ?? Infinity;
  const multiline = options.multiline ?? true;
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let line = 1;
  let rowLine = 1;
  let row: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted section
  let quoteLine = 0; // where the open quote is
  let atFieldStart = true;
  let sawField = false; // the current row has content (so a blank line is not a row)
  const unterminated = (): StorageError =>
    new StorageError(
      `${options.source ?? 'CSV'}: line ${quoteLine}: unterminated quoted field (a field starts with " and ${multiline ? 'the input' : 'the line'} ends before the closing ")`,
    );
  while (i < n && rows.length < maxRows) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 34 /* " */) {
        if (text.charCodeAt(i + 1) === 34) {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      // copy a run of plain characters at once
      let j = text.indexOf('"', i);
      if (j < 0) j = n;
      const run = text.slice(i, j);
      const nl = run.search(/[\r\n]/);
      if (nl >= 0) {
        if (!multiline) throw unterminated();
        for (let k = nl; k < run.length; k++) {
          const ch = run.charCodeAt(k);
          if (ch === 10 || (ch === 13 && run.charCodeAt(k + 1) !== 10)) line++;
        }
      }
      field += run;
      i = j;
      continue;
    }
    if (c === 34 && atFieldStart) {
      quoted = true;
      quoteLine = line;
      sawField = true;
      atFieldStart = false;
      i++;
    } else if (c === 44 /* , */) {
      row.push(field);
      field = '';
      sawField = true;
      atFieldStart = true;
      i++;
    } else if (c === 10 /* \n */ || c === 13 /* \r */) {
      if (sawField || field.length > 0) {
        row.push(field);
        rows.push({ fields: row, line: rowLine });
      }
      row = [];
      field = '';
      sawField = false;
      atFieldStart = true;
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      line++;
      rowLine = line;
    } else {
      // copy up to the next special character (a quote here is a plain character)
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 44 || d === 10 || d === 13) break;
        j++;
      }
      field += text.slice(i, j);
      sawField = true;
      atFieldStart = false;
      i = j;
    }
  }
  if (quoted) throw unterminated();
  if (rows.length < maxRows && (sawField || field.length > 0)) {
    row.push(field);
    rows.push({ fields: row, line: rowLine });
  }
  return rows;
}

/**
 * Split CSV text into rows of fields (see {@link parseCsvRows}).
 *
 * @param maxRows stop after this many rows (header included); default all
 */
export function parseCsv(text: string, maxRows = Infinity, options: Omit<ParseCsvOptions, 'maxRows'> = {}): string[][] {
  return parseCsvRows(text, { ...options, maxRows }).map((r) => r.fields);
}

/**
 * Quote a field when it contains a comma, quote or line break.
 * @throws InvalidOptionError naming `value` when it is not a string (an array was a TypeError, a number came back as it was)
 */
export function csvField(value: string): string {
  if (typeof value !== 'string') throw new InvalidOptionError(`csvField: value: expected a string, got ${showBrief(value)}`, 'value');
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
