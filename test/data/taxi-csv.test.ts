import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, StorageError } from '../../src/errors';
import { thrown } from '../optimizer/caught';
import { formatTaxiCsv, formatTaxiDatetime, parseTaxiCsv, parseTaxiDatetime, readTaxiCsv } from '../../src/data/taxi-csv';
import { generateTaxiTrips } from '../../src/data/taxi-generator';
import { loadTaxiCsv, loadTaxiDataset, writeTaxiCsv } from '../../src/data/taxi-fs';
import { filterTaxiTrips } from '../../src/data/taxi-features';
import type { TaxiTrip } from '../../src/data/types';

const HEADER = 'key,fare_amount,pickup_datetime,pickup_longitude,pickup_latitude,dropoff_longitude,dropoff_latitude,passenger_count';

// Rows in the Kaggle train.csv style, with the kinds of junk the real file has.
const ROWS = [
  '2009-06-15 17:26:21.0000001,4.5,2009-06-15 17:26:21 UTC,-73.844311,40.721319,-73.84161,40.712278,1', // ok
  '"2010-01-05 16:52:16.0000002",16.9,"2010-01-05 16:52:16 UTC",-74.016048,40.711303,-73.979268,40.782004,1', // ok, quoted
  '2011-08-18 00:35:00.00000049,5.7,2011-08-18 00:35:00 UTC,0,0,0,0,2', // zero coordinates
  '2012-04-21 04:30:42.0000001,-7.7,2012-04-21 04:30:42 UTC,-73.9871,40.733143,-73.991567,40.758092,1', // negative fare
  '2010-03-09 07:51:00.000000135,5.3,2010-03-09 07:51:00 UTC,-73.968095,40.768008,-73.956655,40.783762,0', // 0 passengers
  '2012-12-03 13:10:00.000000125,12.5,2012-12-03 13:10:00 UTC,-74.006462,40.726713,,,1', // missing dropoff
  '2013-01-01 00:00:00.1,300,2013-01-01 00:00:00 UTC,-73.98,40.75,-73.97,40.76,208', // huge fare (checked first) and 208 passengers
  '2014-05-05 10:00:00.2,9,2014-05-05 10:00:00 UTC,40.75,-73.98,40.76,-73.97,1', // swapped lon/lat
  '2015-02-02 20:00:00.3,11,not a date,-73.98,40.75,-73.97,40.76,3', // bad datetime
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'taxi-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseTaxiDatetime', () => {
  it('reads the Kaggle format as UTC and rejects malformed or impossible dates', () => {
    expect(parseTaxiDatetime('2009-06-15 17:26:21 UTC')).toBe(Date.UTC(2009, 5, 15, 17, 26, 21));
    expect(parseTaxiDatetime('2009-06-15T17:26:21Z')).toBe(Date.UTC(2009, 5, 15, 17, 26, 21));
    expect(parseTaxiDatetime('2009-02-30 10:00:00 UTC')).toBeNaN();
    expect(parseTaxiDatetime('2009-06-15 24:00:00 UTC')).toBeNaN();
    expect(parseTaxiDatetime('')).toBeNaN();
    // years 0-99 are those years (Date.UTC read 0099 as 1999), and still checked for roll-over
    const y99 = new Date(0);
    y99.setUTCFullYear(99, 5, 15);
    y99.setUTCHours(17, 26, 21, 0);
    expect(parseTaxiDatetime('0099-06-15 17:26:21 UTC')).toBe(y99.getTime());
    expect(new Date(parseTaxiDatetime('0012-01-01 00:00:00 UTC')).getUTCFullYear()).toBe(12);
    expect(parseTaxiDatetime('0099-02-29 10:00:00 UTC')).toBeNaN();
    expect(parseTaxiDatetime('2012-02-29 10:00:00 UTC')).toBe(Date.UTC(2012, 1, 29, 10));
  });
});

describe('numbers in a taxi CSV', () => {
  it('are decimal: hex, binary and octal forms are not numbers (a fare of 0x1F read as 31)', () => {
    const row = (fare: string, count: string) => `k,${fare},2012-06-15 17:26:21 UTC,-73.98,40.75,-73.97,40.76,${count}`;
    const trips = parseTaxiCsv([HEADER, row('0x1F', '0b1'), row('0o7', '1'), row('12.5', '+2'), row('.5e1', '1E0')].join('\n'));
    expect(trips.map((t) => [t.fareAmount, t.passengerCount])).toEqual([[NaN, NaN], [NaN, 1], [12.5, 2], [5, 1]]);
  });
});

describe('loadTaxiCsv', () => {
  it('reads a CRLF file with quoted fields and junk, which filtering then drops by reason', async () => {
    const path = join(dir, 'junk.csv');
    await writeFile(path, [HEADER, ...ROWS].join('\r\n') + '\r\n');
    const trips = await loadTaxiCsv(path);
    expect(trips).toHaveLength(ROWS.length);
    expect(trips[0]).toEqual({
      key: '2009-06-15 17:26:21.0000001',
      fareAmount: 4.5,
      pickupTime: Date.UTC(2009, 5, 15, 17, 26, 21),
      pickupLongitude: -73.844311,
      pickupLatitude: 40.721319,
      dropoffLongitude: -73.84161,
      dropoffLatitude: 40.712278,
      passengerCount: 1,
    });
    expect(trips[1].key).toBe('2010-01-05 16:52:16.0000002');
    expect(trips[1].pickupTime).toBe(Date.UTC(2010, 0, 5, 16, 52, 16));
    expect(trips[5].dropoffLongitude).toBeNaN();
    expect(trips[8].pickupTime).toBeNaN();

    const { kept, dropped } = filterTaxiTrips(trips);
    expect(kept.map((t) => t.fareAmount)).toEqual([4.5, 16.9]);
    expect(dropped).toEqual({ missing: 1, datetime: 1, coordinates: 2, fare: 2, passengers: 1, distance: 0, fareForDistance: 0 });
  });

  it('finds columns by name in any order and ignores extra columns', () => {
    const text = 'passenger_count,extra,dropoff_latitude,dropoff_longitude,pickup_latitude,pickup_longitude,pickup_datetime,fare_amount,key\n' +
      '2,zzz,40.76,-73.97,40.75,-73.98,2011-01-01 12:00:00 UTC,7.3,k1\n';
    const [t] = parseTaxiCsv(text);
    expect(t).toEqual({
      key: 'k1',
      fareAmount: 7.3,
      pickupTime: Date.UTC(2011, 0, 1, 12),
      pickupLongitude: -73.98,
      pickupLatitude: 40.75,
      dropoffLongitude: -73.97,
      dropoffLatitude: 40.76,
      passengerCount: 2,
    });
  });

  it('skips and counts a short row (its columns cannot be told apart)', () => {
    const read = readTaxiCsv(`${HEADER}\nk,5,2011-01-01 12:00:00 UTC,-73.98\n${ROWS[0]}\n`);
    expect(read.malformed).toEqual({ count: 1, lines: [2] });
    expect(read.trips.map((t) => t.fareAmount)).toEqual([4.5]);
  });

  it('names the missing columns of a malformed header', async () => {
    const path = join(dir, 'bad-header.csv');
    await writeFile(path, 'key,fare,pickup_datetime,pickup_longitude,pickup_latitude,dropoff_longitude,dropoff_latitude\n1,2,3,4,5,6,7\n');
    const err = await loadTaxiCsv(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toBe(
      `${path}: header is missing columns "fare_amount", "passenger_count" (found: key, fare, pickup_datetime, pickup_longitude, pickup_latitude, dropoff_longitude, dropoff_latitude)`,
    );
    expect(() => parseTaxiCsv(HEADER.replace('passenger_count', 'passengers'))).toThrow(
      'taxi CSV: header is missing column "passenger_count" (found: key, fare_amount, pickup_datetime, pickup_longitude, pickup_latitude, dropoff_longitude, dropoff_latitude, passengers)',
    );
    expect(() => parseTaxiCsv('')).toThrow(new StorageError('taxi CSV: empty input (no header row)'));
  });

  it('reports an unreadable file as a StorageError naming the path', async () => {
    const path = join(dir, 'nope.csv');
    await expect(loadTaxiCsv(path)).rejects.toThrow(StorageError);
    await expect(loadTaxiCsv(path)).rejects.toThrow(`${path}: cannot read taxi CSV (`);
  });

  it('reads only the first maxRows rows of a file larger than one read chunk', async () => {
    const path = join(dir, 'big.csv');
    const n = 20_000; // ~1.8 MB; the first 15,000 rows span more than the 1 MiB read chunk
    const lines = [HEADER];
    const key = (i: number) => `2012-03-04 05:06:07.${String(i).padStart(7, '0')}`;
    for (let i = 0; i < n; i++) lines.push(`${key(i)},${(5 + (i % 40) / 10).toFixed(1)},2012-03-04 05:06:07 UTC,-73.98,40.75,-73.97,40.76,1`);
    const text = lines.join('\n') + '\n';
    expect(text.indexOf(key(14_999))).toBeGreaterThan(1 << 20);
    await writeFile(path, text);
    const head = await loadTaxiCsv(path, { maxRows: 15_000 });
    expect(head).toHaveLength(15_000);
    expect(head[14_999].key).toBe(key(14_999));
    expect(head[14_999].passengerCount).toBe(1);
    expect(await loadTaxiCsv(path, { maxRows: 3 })).toHaveLength(3);
    expect(await loadTaxiCsv(path, { maxRows: 30_000 })).toHaveLength(n);
    // line ends of CR alone (old Mac files), and a run of blank lines longer than a chunk before the rows
    const cr = join(dir, 'big-cr.csv');
    await writeFile(cr, lines.join('\r') + '\r');
    expect((await loadTaxiCsv(cr, { maxRows: 15_000 })).map((t) => t.key)).toEqual(head.map((t) => t.key));
    const blanks = join(dir, 'blanks.csv');
    await writeFile(blanks, [HEADER, '\n'.repeat(3 << 20), ...lines.slice(1, 4)].join('\n') + '\n');
    expect((await loadTaxiCsv(blanks, { maxRows: 2 })).map((t) => t.key)).toEqual([key(0), key(1)]);
  });

  it('writeTaxiCsv output loads back to equal trips, NaN as empty fields', async () => {
    const trips: TaxiTrip[] = [
      { key: 'a,"b"', fareAmount: 12.35, pickupTime: Date.UTC(2013, 6, 1, 1, 2, 3), pickupLongitude: -73.123456, pickupLatitude: 40.5, dropoffLongitude: NaN, dropoffLatitude: NaN, passengerCount: 6 },
      { key: 'x', fareAmount: -3, pickupTime: NaN, pickupLongitude: 0, pickupLatitude: 0, dropoffLongitude: -74, dropoffLatitude: 41, passengerCount: 0 },
    ];
    const path = join(dir, 'round.csv');
    await writeTaxiCsv(path, trips);
    expect(await loadTaxiCsv(path)).toEqual(trips);
    expect(formatTaxiCsv(trips).split('\n')[2]).toBe('x,-3,,0,0,-74,41,0');
  });
});

describe('damaged files', () => {
  const clean = formatTaxiCsv(generateTaxiTrips(600, { seed: 3, junkFraction: 0, outlierFraction: 0 }));

  it('one stray quote on line 102 of a 600-row file is an error naming line 102, not 500 lost rows', async () => {
    const lines = clean.split('\n');
    lines[101] = lines[101].replace(',', ',"'); // the second field now opens a quote that never closes
    const path = join(dir, 'stray-quote.csv');
    await writeFile(path, lines.join('\n'));
    const err = await loadTaxiCsv(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toBe(`${path}: line 102: unterminated quoted field (a field starts with " and the line ends before the closing ")`);
    await expect(loadTaxiCsv(path, { maxRows: 50 })).resolves.toHaveLength(50); // the lines before it still read
  });

  it('rows with more or fewer fields than the header are skipped and counted with their lines', () => {
    const lines = clean.split('\n');
    lines[5] = lines[5].replace(',', ',,'); // a stray comma
    lines[9] = lines[9] + lines[10]; // two rows run together
    lines.splice(10, 1);
    lines[20] = lines[20].replace(',', ''); // a lost comma
    const { trips, malformed } = readTaxiCsv(lines.join('\n'));
    expect(malformed).toEqual({ count: 3, lines: [6, 10, 21] });
    expect(trips).toHaveLength(600 - 1 - 3);
  });

  it('loadTaxiDataset says how many rows it skipped as malformed, and names them when too few rows are left', async () => {
    // every other row with a trailing comma: half the file was skipped without a word
    const lines = clean.split('\n').filter((l) => l !== '');
    const half = join(dir, 'half-malformed.csv');
    await writeFile(half, lines.map((l, i) => (i > 0 && i % 2 === 0 ? l + ',' : l)).join('\n') + '\n');
    const ds = await loadTaxiDataset(half, { seed: 1 });
    expect(ds.malformed).toEqual({ count: 300, lines: [3, 5, 7, 9, 11, 13, 15, 17, 19, 21] });
    expect(ds.rowsRead).toBe(300);
    const all = join(dir, 'all-malformed.csv');
    await writeFile(all, lines.map((l, i) => (i > 0 ? l + ',' : l)).join('\n') + '\n');
    const err = await loadTaxiDataset(all).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as Error).message).toBe(`option "path": ${all}: 0 training rows after filtering 0 (need at least 2); 600 malformed row(s) skipped (line 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ...)`);
    expect((err as InvalidOptionError).option).toBe('path');
    // every row well formed but dropped by the bounds: the file and the reasons (it said only "option \"trips\": 0 training rows after filtering 50")
    const zero = join(dir, 'zero-coordinates.csv');
    await writeFile(zero, [lines[0], ...lines.slice(1, 51).map((l) => l.replace(/-?\d+\.\d+,-?\d+\.\d+,-?\d+\.\d+,-?\d+\.\d+/, '0,0,0,0'))].join('\n') + '\n');
    await expect(loadTaxiDataset(zero)).rejects.toThrow(new InvalidOptionError(
      `option "path": ${zero}: 0 training rows after filtering 50 (need at least 2); dropped by the bounds: coordinates 50`, 'path'));
    await expect(loadTaxiDataset(zero, { maxRow: 5 } as never)).rejects.toThrow(
      'option "maxRow": unknown option of loadTaxiDataset (known: testFraction, valFraction, seed, bounds, maxRows)');
  });

  it('a required column named twice in the header is an error naming it, not a guess', () => {
    const [, ...rows] = clean.split('\n');
    const header = HEADER.replace('key,', 'fare_amount,key,');
    const err = thrown(() => readTaxiCsv([header, ...rows.map((r) => '999,' + r)].join('\n'), { source: 'dup.csv' }));
    expect(err).toEqual(new StorageError('dup.csv: header names column "fare_amount" more than once'));
  });

  it('maxRows must be a positive integer (a typed error naming it, not "empty input")', async () => {
    const path = join(dir, 'rows.csv');
    await writeFile(path, clean);
    for (const bad of [-1, 0, 1.5, NaN, '2']) {
      const err = await loadTaxiCsv(path, { maxRows: bad as number }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect((err as InvalidOptionError).option).toBe('maxRows');
    }
    expect(thrown(() => readTaxiCsv(clean, { maxRows: 0 })).message).toBe('option "maxRows": expected a positive integer, got 0');
    await expect(loadTaxiCsv(path, { maxRows: 2 })).resolves.toHaveLength(2);
  });
});


describe('taxi data functions refuse bad arguments, typed, and write whole files', () => {
  it('writeTaxiCsv: a bad path or trips is an InvalidOptionError, a folder a StorageError naming the file', async () => {
    const e1 = await writeTaxiCsv(5 as never, []).then(() => null, (err: unknown) => err);
    expect(e1).toEqual(new InvalidOptionError('writeTaxiCsv: path: expected a file path (a non-empty string), got 5', 'path'));
    const e2 = await writeTaxiCsv(join(dir, 't.csv'), null as never).then(() => null, (err: unknown) => err);
    expect(e2).toEqual(new InvalidOptionError('writeTaxiCsv: trips: expected an array of trips, got null', 'trips'));
    // a trip's key is written as a CSV field: one that is not a string was a TypeError (or a number in the text)
    const e4 = await writeTaxiCsv(join(dir, 't.csv'), [{ ...generateTaxiTrips(1, { seed: 1 })[0], key: 5 }] as never).then(() => null, (err: unknown) => err as InvalidOptionError);
    expect(e4).toBeInstanceOf(InvalidOptionError);
    expect([e4!.option, e4!.message]).toEqual(['trips', 'writeTaxiCsv: trips[0].key: expected a string, got 5']);
    expect(existsSync(join(dir, 't.csv'))).toBe(false);
    const e3 = await writeTaxiCsv(dir, []).then(() => null, (err: unknown) => err);
    expect(e3).toBeInstanceOf(StorageError);
    expect((e3 as Error).message).toBe(`writeTaxiCsv: cannot write ${JSON.stringify(dir)} (EISDIR: it is a folder)`);
  });
  it('formatTaxiCsv refuses what is not an array of trips with string keys, naming trips (a TypeError before)', () => {
    const [t] = generateTaxiTrips(1, { seed: 1 });
    for (const [v, message] of [
      [undefined, 'formatTaxiCsv: trips: expected an array of trips, got undefined'],
      [[null], 'formatTaxiCsv: trips[0]: expected a trip { key, fareAmount, pickupTime, pickupLongitude, ... }, got null'],
      [[t, { ...t, key: ['a,b'] }], 'formatTaxiCsv: trips[1].key: expected a string, got ["a,b"]'],
    ] as const) {
      const e = thrown(() => formatTaxiCsv(v as never)) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual(['trips', message]);
    }
  });
  it('parseTaxiDatetime and formatTaxiDatetime refuse what is not a string or a time', () => {
    expect(thrown(() => parseTaxiDatetime(5 as never))).toEqual(new InvalidOptionError('parseTaxiDatetime: expected a string, got 5', 's'));
    expect(thrown(() => formatTaxiDatetime(NaN))).toEqual(
      new InvalidOptionError('formatTaxiDatetime: expected a time in ms since 1970 that a Date can hold, got NaN', 'ms'));
    expect(formatTaxiDatetime(Date.UTC(2012, 0, 2, 3, 4, 5))).toBe('2012-01-02 03:04:05 UTC');
  });
});
