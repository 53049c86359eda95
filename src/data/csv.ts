/**
 * Minimal RFC 4180 CSV reading and writing: comma separated, fields optionally
 * double-quoted with `""` as an escaped quote, LF or CRLF line ends. Pure (no
 * Node modules) so it runs in browsers too.
 */

/**
 * Split CSV text into rows of fields. Blank lines are skipped, a leading UTF-8
 * BOM is ignored, and quoted fields may contain commas, quotes and newlines.
 *
 * @param maxRows stop after this many rows (header included); default all
 */
export function parseCsv(text: string, maxRows = Infinity): string[][] {
  const rows: string[][] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let row: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted section
  let sawField = false; // the current row has content (so a blank line is not a row)
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
      field += text.slice(i, j);
      i = j;
      continue;
    }
    if (c === 34) {
      quoted = true;
      sawField = true;
      i++;
    } else if (c === 44 /* , */) {
      row.push(field);
      field = '';
      sawField = true;
      i++;
    } else if (c === 10 /* \n */ || c === 13 /* \r */) {
      if (sawField || field.length > 0) {
        row.push(field);
        rows.push(row);
      }
      row = [];
      field = '';
      sawField = false;
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else {
      // copy up to the next special character
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 44 || d === 10 || d === 13 || d === 34) break;
        j++;
      }
      field += text.slice(i, j);
      sawField = true;
      i = j;
    }
  }
  if (rows.length < maxRows && (sawField || field.length > 0)) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Quote a field when it contains a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
