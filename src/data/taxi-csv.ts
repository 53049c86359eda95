/**
 * The NYC taxi fare CSV format (the Kaggle "New York City Taxi Fare
 * Prediction" train.csv layout), parsed and written without Node modules:
 *
 * ```
 * key,fare_amount,pickup_datetime,pickup_longitude,pickup_latitude,dropoff_longitude,dropoff_latitude,passenger_count
 * 2009-06-15 17:26:21.0000001,4.5,2009-06-15 17:26:21 UTC,-73.844311,40.721319,-73.84161,40.712278,1
 * ```
 */
import { InvalidOptionError, StorageError } from '../errors';
import { show } from '../util/format-value';
import { csvField, parseCsvRows } from './csv';
import { checkTrips } from './taxi-features';
import type { TaxiTrip } from './types';

/** Column names in file order. */
export const TAXI_CSV_COLUMNS = [
  'key',
  'fare_amount',
  'pickup_datetime',
  'pickup_longitude',
  'pickup_latitude',
  'dropoff_longitude',
  'dropoff_latitude',
  'passenger_count',
] as const;

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?: ?UTC|Z)?$/;

/**
 * Parse `YYYY-MM-DD HH:MM:SS UTC` (also with `T`, fractional seconds, `Z` or
 * no zone, always read as UTC) to ms since the Unix epoch; NaN when malformed.
 */
export function parseTaxiDatetime(s: string): number {
  if (typeof s !== 'string') throw new InvalidOptionError(`parseTaxiDatetime: expected a string, got ${show(s)}`, 's');
  const m = DATETIME.exec(s.trim());
  if (!m) return NaN;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number);
  if (h > 23 || mi > 59 || se > 59) return NaN;
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999 (0099 was 1999)
  const back = new Date(Date.UTC(2000, 0, 1, h, mi, se));
  back.setUTCFullYear(y, mo - 1, d);
  // reject dates that would roll over (month 13, February 30, ...)
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? back.getTime() : NaN;
}

/** Format ms since the epoch as `YYYY-MM-DD HH:MM:SS UTC`. */
export function formatTaxiDatetime(ms: number): string {
  // a NaN was Date's RangeError "Invalid time value"
  if (typeof ms !== 'number' || !Number.isFinite(new Date(ms).getTime())) {
    throw new InvalidOptionError(`formatTaxiDatetime: expected a time in ms since 1970 that a Date can hold, got ${show(ms)}`, 'ms');
  }
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
}

/** A decimal number as a CSV writes it: sign, digits, point, exponent (no hex, binary, octal, Infinity or empty). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function num(s: string | undefined): number {
  if (s === undefined) return NaN;
  const t = s.trim();
  // decimal only: Number() reads '0x1F' as 31 and '0b1' as 1 (Number('abc') is NaN too)
  return DECIMAL.test(t) ? Number(t) : NaN;
}

/** Options for {@link parseTaxiCsv}. */
export interface ParseTaxiCsvOptions {
  /** read at most this many data rows (the reference study used the first 5,000); default all */
  maxRows?: number;
  /** name used in error messages, e.g. the file path; default `'taxi CSV'` */
  source?: string;
}

/** What {@link readTaxiCsv} read: the trips and the rows it could not read. */
export interface TaxiCsvRead {
  /** one per data row with the header's number of fields */
  trips: TaxiTrip[];
  /** rows with more or fewer fields than the header (a stray or lost comma, two rows run together, a cut row): skipped and counted */
  malformed: { count: number; /** the first 10 of their line numbers */ lines: number[] };
}

/**
 * Parse taxi-fare CSV text. Columns are found by header name (any order,
 * extra columns ignored). Values are not validated here: an empty or
 * unparseable number becomes NaN, so {@link filterTaxiTrips} can drop and
 * count it. A row with more or fewer fields than the header cannot be read
 * column by column: it is skipped and counted in `malformed`. Quoted fields
 * never span lines in this format.
 *
 * @throws StorageError when the input has no header, the header lacks a
 *   required column, or a quoted field is not closed on its line (naming the line)
 */
export function readTaxiCsv(text: string, options: ParseTaxiCsvOptions = {}): TaxiCsvRead {
  const source = options.source ?? 'taxi CSV';
  const maxRows = checkMaxRows(options.maxRows);
  const rows = parseCsvRows(text, { maxRows: maxRows + 1, multiline: false, source });
  if (rows.length === 0) throw new StorageError(`${source}: empty input (no header row)`);
  const header = rows[0].fields.map((h) => h.trim());
  const missing = TAXI_CSV_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    const names = missing.map((c) => `"${c}"`).join(', ');
    throw new StorageError(
      `${source}: header is missing column${missing.length > 1 ? 's' : ''} ${names} (found: ${header.join(', ')})`,
    );
  }
  // a required column named twice: which one holds the values is a guess, and the wrong guess reads silently
  const twice = TAXI_CSV_COLUMNS.filter((c) => header.indexOf(c) !== header.lastIndexOf(c));
  if (twice.length > 0) {
    throw new StorageError(`${source}: header names column${twice.length > 1 ? 's' : ''} ${twice.map((c) => `"${c}"`).join(', ')} more than once`);
  }
  const col = TAXI_CSV_COLUMNS.map((c) => header.indexOf(c));
  const trips: TaxiTrip[] = [];
  const malformed = { count: 0, lines: [] as number[] };
  for (let r = 1; r < rows.length; r++) {
    const f = rows[r].fields;
    if (f.length !== header.length) {
      malformed.count++;
      if (malformed.lines.length < 10) malformed.lines.push(rows[r].line);
      continue;
    }
    trips.push({
      key: f[col[0]] ?? '',
      fareAmount: num(f[col[1]]),
      pickupTime: f[col[2]] === undefined ? NaN : parseTaxiDatetime(f[col[2]]),
      pickupLongitude: num(f[col[3]]),
      pickupLatitude: num(f[col[4]]),
      dropoffLongitude: num(f[col[5]]),
      dropoffLatitude: num(f[col[6]]),
      passengerCount: num(f[col[7]]),
    });
  }
  return { trips, malformed };
}

/**
 * The `maxRows` option: a positive integer, or Infinity (the default: every row).
 * @throws InvalidOptionError naming `maxRows`
 */
export function checkMaxRows(maxRows: unknown): number {
  if (maxRows === undefined || maxRows === Infinity) return Infinity;
  if (typeof maxRows !== 'number' || !Number.isInteger(maxRows) || maxRows < 1) {
    throw new InvalidOptionError(`option "maxRows": expected a positive integer, got ${typeof maxRows === 'string' ? JSON.stringify(maxRows) : String(maxRows)}`, 'maxRows');
  }
  return maxRows;
}

/** The trips of {@link readTaxiCsv} (malformed rows skipped). */
export function parseTaxiCsv(text: string, options: ParseTaxiCsvOptions = {}): TaxiTrip[] {
  return readTaxiCsv(text, options).trips;
}

function cell(x: number): string {
  return Number.isFinite(x) ? String(x) : '';
}

/**
 * Write trips as taxi-fare CSV text (header plus one LF-terminated line per
 * trip). NaN values become empty fields, so output parses back to the same
 * trips with {@link parseTaxiCsv}.
 * @throws InvalidOptionError naming `trips` when it is not an array of trips with string keys
 */
export function formatTaxiCsv(trips: readonly TaxiTrip[]): string {
  checkTrips(trips, 'formatTaxiCsv', true);
  const lines: string[] = [TAXI_CSV_COLUMNS.join(',')];
  for (const t of trips) {
    lines.push(
      [
        csvField(t.key),
        cell(t.fareAmount),
        Number.isFinite(t.pickupTime) ? formatTaxiDatetime(t.pickupTime) : '',
        cell(t.pickupLongitude),
        cell(t.pickupLatitude),
        cell(t.dropoffLongitude),
        cell(t.dropoffLatitude),
        cell(t.passengerCount),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}
