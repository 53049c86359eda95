/**
 * Node file access for the taxi fare CSV (the parsing itself is in
 * `taxi-csv.ts`, which has no Node dependency).
 */
import { open, readFile } from 'node:fs/promises';
import { InvalidOptionError, StorageError } from '../errors';
import { parseCsv } from './csv';
import { checkMaxRows, formatTaxiCsv, readTaxiCsv, type TaxiCsvRead } from './taxi-csv';
import { checkTrips, filterTaxiTrips, resolveTaxiBounds } from './taxi-features';
import { preprocessTaxi, TAXI_PREPROCESS_KEYS, type TaxiPreprocessOptions } from './taxi-preprocess';
import { writeFileWhole } from '../util/atomic-write';
import { checkPathArg } from '../util/path-arg';
import { checkOptionKeys } from '../util/option-keys';
import type { TaxiDataset, TaxiTrip } from './types';

const CHUNK = 1 << 20;

/**
 * Read the text holding the header and the first `maxRows` data rows. The
 * full Kaggle file is 5.7 GB, so with `maxRows` we stop at the rows we need.
 */
async function readHead(path: string, maxRows: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const decoder = new TextDecoder('utf-8');
    const buf = Buffer.allocUnsafe(CHUNK);
    let text = '';
    // line ends seen (CR, LF: a CRLF counts twice, which only parses sooner), and the text's length at the last parse
    let ends = 0;
    let parsedAt = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) return text + decoder.decode();
      const piece = decoder.decode(buf.subarray(0, bytesRead), { stream: true });
      text += piece;
      for (let i = 0; i < piece.length; i++) {
        const c = piece.charCodeAt(i);
        if (c === 10 || c === 13) ends++;
      }
      // parsed again only once the text has doubled: blank lines (no rows) made every chunk re-parse all before it
      if (ends > maxRows && text.length >= 2 * parsedAt) {
        parsedAt = text.length;
        // only complete lines: a row cut by the chunk boundary must not be parsed (old Mac files end lines with CR alone)
        const complete = text.slice(0, Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1);
        if (parseCsv(complete, maxRows + 1, { multiline: false, source: path }).length > maxRows) return complete;
      }
    }
  } finally {
    await fh.close();
  }
}

/** Options for {@link loadTaxiCsv}. */
export interface LoadTaxiCsvOptions {
  /** read only the first `maxRows` data rows; default all */
  maxRows?: number;
}

/**
 * Load a taxi fare CSV file (Kaggle train.csv layout) into trips. Junk values
 * are kept (as NaN where unparseable) for {@link preprocessTaxi} to filter.
 *
 * @throws StorageError when the file cannot be read or its header lacks a required column
 */
export async function loadTaxiCsv(path: string, options: LoadTaxiCsvOptions = {}): Promise<TaxiTrip[]> {
  return (await readTaxiCsvFile(path, options)).trips;
}

/**
 * {@link loadTaxiCsv} with the count of malformed rows (see {@link readTaxiCsv}).
 *
 * @throws StorageError when the file cannot be read, its header lacks a required column or a quote is not closed on its line
 */
export async function readTaxiCsvFile(path: string, options: LoadTaxiCsvOptions = {}): Promise<TaxiCsvRead> {
  const maxRows = checkMaxRows(options.maxRows);
  let text: string;
  try {
    text = Number.isFinite(maxRows) ? await readHead(path, maxRows) : await readFile(path, 'utf8');
  } catch (e) {
    throw new StorageError(`${path}: cannot read taxi CSV (${(e as Error).message})`, { cause: e });
  }
  return readTaxiCsv(text, { maxRows, source: path });
}

/**
 * Write trips to `path` in the taxi fare CSV format.
 * @throws InvalidOptionError naming `path` (not a non-empty string) or `trips` (not an array of trips with string keys)
 * @throws StorageError when the file cannot be written
 */
export async function writeTaxiCsv(path: string, trips: readonly TaxiTrip[]): Promise<void> {
  checkPathArg(path, { who: 'writeTaxiCsv' });
  checkTrips(trips, 'writeTaxiCsv', true);
  // whole or not at all, a failure a StorageError naming the file (EISDIR was a bare Error)
  await writeFileWhole(path, formatTaxiCsv(trips), 'writeTaxiCsv');
}

/**
 * Load a taxi fare CSV and preprocess it into standardized splits (see
 * {@link preprocessTaxi}).
 *
 * @param options.maxRows rows to read; default 5000, the reference study's subset
 */
export async function loadTaxiDataset(
  path: string,
  options: TaxiPreprocessOptions & LoadTaxiCsvOptions = {},
): Promise<TaxiDataset> {
  checkOptionKeys(options, 'loadTaxiDataset', [...TAXI_PREPROCESS_KEYS, 'maxRows']);
  const { maxRows, ...preprocess } = options;
  const read = await readTaxiCsvFile(path, { maxRows: maxRows ?? 5000 });
  const { malformed } = read;
  try {
    return { ...preprocessTaxi(read.trips, preprocess), malformed };
  } catch (e) {
    // too few rows: said of the file (not of preprocessTaxi's "trips", no argument here), with why its rows went
    if (!(e instanceof InvalidOptionError) || e.option !== 'trips') throw e;
    const dropped = Object.entries(filterTaxiTrips(read.trips, resolveTaxiBounds(options.bounds)).dropped).filter(([, n]) => n > 0);
    const why = dropped.length ? `; dropped by the bounds: ${dropped.map(([k, n]) => `${k} ${n}`).join(', ')}` : '';
    const more = malformed.count > malformed.lines.length ? ', ...' : '';
    const bad = malformed.count ? `; ${malformed.count} malformed row(s) skipped (line ${malformed.lines.join(', ')}${more})` : '';
    throw new InvalidOptionError(`option "path": ${path}: ${e.message.replace(/^option "trips": /, '')}${why}${bad}`, 'path');
  }
}
