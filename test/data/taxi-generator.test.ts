import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { haversineKm, LANDMARKS, utcToNycLocalMs } from '../../src/data/geo';
import { formatTaxiCsv, parseTaxiCsv } from '../../src/data/taxi-csv';
import { DEFAULT_TAXI_BOUNDS, filterTaxiTrips, taxiDropReason } from '../../src/data/taxi-features';
import { generateTaxiTrips, inManhattan } from '../../src/data/taxi-generator';
import { FARE_INCREASE_2012_MS, meteredFare, tariffAt } from '../../src/data/taxi-tariff';

const N = 3000;
const trips = generateTaxiTrips(N, { seed: 7 });
const clean = generateTaxiTrips(N, { seed: 7, junkFraction: 0, outlierFraction: 0 });
/** sampling tolerance for a share of N = 3000 rows (about 3 binomial standard deviations at p = 0.03) */
const TOL_SHARE = 0.01;

function pearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, x) => s + x, 0) / a.length;
  const mb = b.reduce((s, x) => s + x, 0) / b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('meteredFare (NYC tariff)', () => {
  const before = tariffAt(Date.UTC(2011, 5, 1));
  const after = tariffAt(Date.UTC(2013, 5, 1));

  it('charges $2.50 plus one unit per 1/5 mile when cruising', () => {
    // 1 mile at the 20 mph cruise speed: 5 distance units, no slow time
    expect(meteredFare(1, 1 / 20, before)).toBeCloseTo(2.5 + 5 * 0.4, 10);
    expect(meteredFare(1, 1 / 20, after)).toBeCloseTo(2.5 + 5 * 0.5, 10);
  });

  it('charges one unit per minute when stopped', () => {
    expect(meteredFare(0, 10 / 60, after)).toBeCloseTo(2.5 + 10 * 0.5, 10);
  });

  it('raised the unit and the JFK flat fare on 2012-09-04', () => {
    expect(tariffAt(FARE_INCREASE_2012_MS - 1).unit).toBe(0.4);
    expect(tariffAt(FARE_INCREASE_2012_MS).unit).toBe(0.5);
    expect([before.jfkFlat, after.jfkFlat]).toEqual([45, 52]);
  });

  it('grows with distance at fixed speed', () => {
    const fares = [1, 2, 4, 8].map((mi) => meteredFare(mi, mi / 10, after));
    for (let i = 1; i < fares.length; i++) expect(fares[i]).toBeGreaterThan(fares[i - 1]);
  });
});

describe('generateTaxiTrips', () => {
  it('is deterministic under a seed and differs between seeds', () => {
    expect(generateTaxiTrips(200, { seed: 7 })).toEqual(trips.slice(0, 200));
    expect(generateTaxiTrips(50, { seed: 8 })).not.toEqual(trips.slice(0, 50));
  });

  it('keeps the same rows when only junk and outlier shares change', () => {
    // junk edits values in place; keys and pickup times stay those of the clean rows
    expect(trips.map((t) => t.key)).toEqual(clean.map((t) => t.key));
  });

  it('produces clean rows inside the city, 2009-2015, with 1-6 passengers and positive fares', () => {
    const { kept, dropped } = filterTaxiTrips(clean);
    expect(kept).toHaveLength(N);
    expect(Object.values(dropped).every((c) => c === 0)).toBe(true);
    const years = new Set(clean.map((t) => new Date(utcToNycLocalMs(t.pickupTime)).getUTCFullYear()));
    expect([...years].sort()).toEqual([2009, 2010, 2011, 2012, 2013, 2014, 2015]);
    const pc = new Set(clean.map((t) => t.passengerCount));
    expect([...pc].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const ones = clean.filter((t) => t.passengerCount === 1).length / N;
    expect(ones).toBeGreaterThan(0.6);
    expect(ones).toBeLessThan(0.78);
  });

  it('concentrates pickups in Manhattan and includes airport trips with the JFK flat fare', () => {
    const manhattan = clean.filter((t) => inManhattan(t.pickupLongitude, t.pickupLatitude)).length / N;
    expect(manhattan).toBeGreaterThan(0.75);
    const nearJfk = (lon: number, lat: number) => haversineKm(lon, lat, LANDMARKS.jfk[0], LANDMARKS.jfk[1]) < 2;
    const jfk = clean.filter((t) => nearJfk(t.dropoffLongitude, t.dropoffLatitude) || nearJfk(t.pickupLongitude, t.pickupLatitude));
    expect(jfk.length / N).toBeGreaterThan(0.02);
    // Manhattan <-> JFK pays the flat fare of the day (plus possibly a toll / peak surcharge)
    const flat = jfk.filter((t) => {
      const base = tariffAt(t.pickupTime).jfkFlat;
      return t.fareAmount >= base && t.fareAmount <= base + 4.5 + 5.54 + 1e-9;
    });
    expect(flat.length).toBeGreaterThan(jfk.length / 2);
  });

  it('has a fare strongly correlated with distance', () => {
    const { kept } = filterTaxiTrips(trips);
    const km = kept.map((t) => haversineKm(t.pickupLongitude, t.pickupLatitude, t.dropoffLongitude, t.dropoffLatitude));
    expect(pearson(km, kept.map((t) => t.fareAmount))).toBeGreaterThan(0.8);
    const median = kept.map((t) => t.fareAmount).sort((a, b) => a - b)[kept.length >> 1];
    // the real 2009-2015 data has a median fare of about $8.50
    expect(median).toBeGreaterThan(6);
    expect(median).toBeLessThan(12);
  });

  it('makes about junkFraction of rows fail the per-column filters', () => {
    const { kept } = filterTaxiTrips(trips, { ...DEFAULT_TAXI_BOUNDS, fareForDistance: null });
    const share = (N - kept.length) / N;
    expect(Math.abs(share - 0.03)).toBeLessThan(TOL_SHARE);
    const heavy = generateTaxiTrips(N, { seed: 7, junkFraction: 0.2 });
    const { dropped } = filterTaxiTrips(heavy);
    for (const reason of ['missing', 'coordinates', 'fare', 'passengers'] as const) expect(dropped[reason]).toBeGreaterThan(0);
  });

  it('gives outliers that the fare-for-distance envelope mostly drops, and no clean row that it drops', () => {
    // Rows have one random stream each, so row i of `clean` is row i of `trips` before its fare was spoiled.
    const perColumn = { ...DEFAULT_TAXI_BOUNDS, fareForDistance: null };
    // an outlier: a spoiled fare on a row that every per-column bound keeps (junk fares are <= 0 or > $250)
    const outlier = trips.map((t, i) => t.fareAmount !== clean[i].fareAmount && taxiDropReason(t, perColumn) === null);
    const nOut = outlier.filter(Boolean).length;
    expect(Math.abs(nOut / N - 0.01)).toBeLessThan(TOL_SHARE);
    const reasons = trips.map((t, i) => (outlier[i] ? taxiDropReason(t) : null));
    const caught = reasons.filter((r) => r === 'fareForDistance').length;
    // most outliers are far off (a $30-100 fare for a short trip); the misses are small errors
    expect(caught / nOut).toBeGreaterThan(0.5);
    const err = trips.map((t, i) => (outlier[i] ? (t.fareAmount - clean[i].fareAmount) ** 2 : 0));
    const missed = err.filter((_, i) => reasons[i] === null);
    expect(missed.reduce((a, b) => a + b, 0) / err.reduce((a, b) => a + b, 0)).toBeLessThan(0.1);
    expect(Math.sqrt(Math.max(...missed))).toBeLessThan(25);
    expect(filterTaxiTrips(clean).dropped.fareForDistance).toBe(0);
  });

  it('round-trips exactly through the CSV format', () => {
    expect(parseTaxiCsv(formatTaxiCsv(trips))).toEqual(trips);
  });

  it('rejects bad options with InvalidOptionError', () => {
    expect(() => generateTaxiTrips(-1)).toThrow(new InvalidOptionError('option "n": must be a non-negative integer (got -1)', 'n'));
    expect(() => generateTaxiTrips(5, { junkFraction: 1.5 })).toThrow('option "junkFraction": must be in [0, 1] (got 1.5)');
    expect(() => generateTaxiTrips(5, { start: 10, end: 10 })).toThrow('option "end": must be after start (got 10 <= 10)');
    // a seed of '1' gave seed 0's data, a misspelt Seed was ignored, null options were a TypeError
    const cases: [unknown, string, string][] = [
      [{ seed: '1' }, 'seed', 'option "seed": expected a finite number, got "1"'],
      [{ seed: NaN }, 'seed', 'option "seed": expected a finite number, got NaN'],
      [{ seed: null }, 'seed', 'option "seed": expected a finite number, got null'],
      [{ Seed: 1 }, 'Seed', 'option "Seed": unknown option of generateTaxiTrips (known: seed, junkFraction, outlierFraction, start, end)'],
      [null, 'options', 'generateTaxiTrips: options must be an object, got null'],
    ];
    for (const [opts, option, message] of cases) {
      let err: unknown;
      try {
        generateTaxiTrips(3, opts as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect(err).toMatchObject({ option, message });
    }
    expect(generateTaxiTrips(3, { seed: undefined })).toEqual(generateTaxiTrips(3, { seed: 0 }));
  });
});
