import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { haversineKm, LANDMARKS } from '../../src/data/geo';
import { splitIndices } from '../../src/data/splits';
import { formatTaxiCsv } from '../../src/data/taxi-csv';
import { DEFAULT_FARE_FOR_DISTANCE, DEFAULT_TAXI_BOUNDS, TAXI_FEATURE_NAMES, TAXI_NUM_FEATURES, taxiDropReason, taxiFeatures } from '../../src/data/taxi-features';
import { loadTaxiDataset } from '../../src/data/taxi-fs';
import { generateTaxiTrips, TAXI_SAMPLE_ROWS, TAXI_SAMPLE_SEED } from '../../src/data/taxi-generator';
import { preprocessTaxi, syntheticTaxiDataset } from '../../src/data/taxi-preprocess';
import type { TabularSplit, TaxiTrip } from '../../src/data/types';
import { thrown } from '../optimizer/caught';

/** float32 storage of standardized values */
const TOL_F32 = 1e-4;
const SAMPLE = fileURLToPath(new URL('../../data/nyc-taxi-sample.csv', import.meta.url));

const trips = generateTaxiTrips(2000, { seed: 11 });
const ds = preprocessTaxi(trips, { seed: 3 });

function column(s: TabularSplit, j: number): number[] {
  return Array.from({ length: s.n }, (_, i) => s.x[i * s.nFeatures + j]);
}

const trip = (over: Partial<TaxiTrip> = {}): TaxiTrip => ({
  key: 'k',
  fareAmount: 52, // the JFK flat fare
  pickupTime: Date.UTC(2012, 6, 4, 15, 30), // Wednesday 11:30 EDT
  pickupLongitude: LANDMARKS.midtown[0],
  pickupLatitude: LANDMARKS.midtown[1],
  dropoffLongitude: LANDMARKS.jfk[0],
  dropoffLatitude: LANDMARKS.jfk[1],
  passengerCount: 2,
  ...over,
});

describe('preprocessTaxi arguments', () => {
  it('trips that are not an array of trips are an InvalidOptionError naming trips (trips is not iterable, or a TypeError reading fareAmount, before)', () => {
    for (const [v, message] of [
      [undefined, 'preprocessTaxi: trips: expected an array of trips, got undefined'],
      [null, 'preprocessTaxi: trips: expected an array of trips, got null'],
      ['trips.csv', 'preprocessTaxi: trips: expected an array of trips, got "trips.csv"'],
      [[trip(), null], 'preprocessTaxi: trips[1]: expected a trip { key, fareAmount, pickupTime, pickupLongitude, ... }, got null'],
    ] as const) {
      const e = thrown(() => preprocessTaxi(v as never)) as InvalidOptionError;
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect([e.option, e.message]).toEqual(['trips', message]);
    }
  });
});

describe('taxiFeatures', () => {
  it('computes the documented features of a known trip', () => {
    const f = new Float64Array(TAXI_NUM_FEATURES);
    taxiFeatures(trip(), f);
    const at = (name: (typeof TAXI_FEATURE_NAMES)[number]) => f[TAXI_FEATURE_NAMES.indexOf(name)];
    expect(TAXI_NUM_FEATURES).toBe(24);
    expect(Math.floor(at('year'))).toBe(2012);
    expect(at('year') - 2012).toBeCloseTo((Date.UTC(2012, 6, 4, 11, 30) - Date.UTC(2012, 0, 1)) / (366 * 86_400_000), 12);
    expect(at('hour_sin')).toBeCloseTo(Math.sin((2 * Math.PI * 11.5) / 24), 12);
    expect(at('hour_cos')).toBeCloseTo(Math.cos((2 * Math.PI * 11.5) / 24), 12);
    expect(at('dow_sin')).toBeCloseTo(Math.sin((2 * Math.PI * 3) / 7), 12);
    expect(at('month_cos')).toBeCloseTo(Math.cos((2 * Math.PI * 6) / 12), 12);
    const km = haversineKm(LANDMARKS.midtown[0], LANDMARKS.midtown[1], LANDMARKS.jfk[0], LANDMARKS.jfk[1]);
    expect(at('distance_km')).toBe(km);
    expect(at('pickup_midtown_km')).toBe(0);
    expect(at('dropoff_jfk_km')).toBe(0);
    expect(at('pickup_jfk_km')).toBe(km);
    expect(at('grid_l1_km')).toBeGreaterThanOrEqual(km * (1 - 1e-3));
    // JFK is south-east of Midtown
    expect(at('bearing_sin')).toBeGreaterThan(0);
    expect(at('bearing_cos')).toBeLessThan(0);
    expect(at('passenger_count')).toBe(2);
    expect(at('dropoff_latitude')).toBe(LANDMARKS.jfk[1]);
  });
});

describe('taxiDropReason', () => {
  it('applies the documented bounds', () => {
    expect(taxiDropReason(trip())).toBeNull();
    expect(taxiDropReason(trip({ pickupLongitude: -74.31 }))).toBe('coordinates');
    expect(taxiDropReason(trip({ dropoffLatitude: 41.81 }))).toBe('coordinates');
    expect(taxiDropReason(trip({ fareAmount: 250 }), { ...DEFAULT_TAXI_BOUNDS, fareForDistance: null })).toBeNull();
    expect(taxiDropReason(trip({ fareAmount: 250.01 }))).toBe('fare');
    expect(taxiDropReason(trip({ fareAmount: 0 }))).toBe('fare');
    expect(taxiDropReason(trip({ passengerCount: 7 }))).toBe('passengers');
    expect(taxiDropReason(trip({ passengerCount: 1.5 }))).toBe('passengers');
    expect(taxiDropReason(trip({ pickupTime: Date.UTC(2008, 5, 1) }))).toBe('datetime');
    expect(taxiDropReason(trip({ passengerCount: NaN }))).toBe('missing');
    expect(taxiDropReason(trip({ dropoffLongitude: LANDMARKS.midtown[0], dropoffLatitude: LANDMARKS.midtown[1] }), {
      longitude: [-74.3, -72.9],
      latitude: [40.5, 41.8],
      fare: [0, 250],
      passengers: [1, 6],
      years: [2009, 2015],
      minDistanceKm: 0.1,
      fareForDistance: null,
    })).toBe('distance');
  });

  it('drops fares outside the envelope for the straight-line distance, edges included', () => {
    const km = haversineKm(LANDMARKS.midtown[0], LANDMARKS.midtown[1], LANDMARKS.jfk[0], LANDMARKS.jfk[1]);
    const { min, max } = DEFAULT_FARE_FOR_DISTANCE;
    // $2.30 + $1/km and $15 + $4.50/km: a tariff-derived band, see its documentation
    expect([...min, ...max]).toEqual([2.3, 1.0, 15, 4.5]);
    const lo = min[0] + min[1] * km;
    const hi = max[0] + max[1] * km;
    expect(taxiDropReason(trip({ fareAmount: lo }))).toBeNull();
    expect(taxiDropReason(trip({ fareAmount: hi }))).toBeNull();
    expect(taxiDropReason(trip({ fareAmount: lo - 0.01 }))).toBe('fareForDistance');
    expect(taxiDropReason(trip({ fareAmount: hi + 0.01 }))).toBe('fareForDistance');
    // a $90 fare for a 2 km hop passes every per-column bound but not this one
    const hop = { dropoffLongitude: LANDMARKS.midtown[0], dropoffLatitude: LANDMARKS.midtown[1] + 2 / 111.195 };
    expect(taxiDropReason(trip({ ...hop, fareAmount: 9 }))).toBeNull();
    expect(taxiDropReason(trip({ ...hop, fareAmount: 90 }))).toBe('fareForDistance');
    expect(taxiDropReason(trip({ ...hop, fareAmount: 90 }), { ...DEFAULT_TAXI_BOUNDS, fareForDistance: null })).toBeNull();
  });
});

describe('preprocessTaxi', () => {
  it('checks `bounds`: unknown keys, ill-formed or reversed ranges are named (they were ignored or dropped every row)', () => {
    const trips = generateTaxiTrips(200, { seed: 4 });
    const cases: [unknown, string, string][] = [
      [{ longitudes: [-74, -73] }, 'option "bounds.longitudes": unknown (known: longitude, latitude, fare, passengers, years, minDistanceKm, fareForDistance)', 'bounds.longitudes'],
      [{ fare: [250, 0] }, 'option "bounds.fare": expected [low, high] of finite numbers with low <= high, got [250,0]', 'bounds.fare'],
      [{ latitude: [NaN, 41] }, 'option "bounds.latitude": expected [low, high] of finite numbers with low <= high, got [null,41]', 'bounds.latitude'],
      [{ minDistanceKm: -1 }, 'option "bounds.minDistanceKm": expected a finite number >= 0, got -1', 'bounds.minDistanceKm'],
      [{ fareForDistance: { min: [1] } }, 'option "bounds.fareForDistance": expected null or { min: [a, b], max: [a, b] } of finite numbers, got {"min":[1]}', 'bounds.fareForDistance'],
      ['x', 'option "bounds": expected an object, got "x"', 'bounds'],
      [{ fareForDistance: { min: [20, 5], max: [15, 4.5] } }, 'option "bounds.fareForDistance": min lies above max at every distance (min [20,5], max [15,4.5])', 'bounds.fareForDistance'],
    ];
    for (const [bounds, message, option] of cases) {
      expect(() => preprocessTaxi(trips, { bounds: bounds as never })).toThrow(new InvalidOptionError(message, option));
    }
    // a key given as undefined takes its default (it threw a raw TypeError); a given one applies
    const base = preprocessTaxi(trips, { seed: 1 });
    expect(preprocessTaxi(trips, { seed: 1, bounds: { fare: undefined } }).rowsKept).toBe(base.rowsKept);
    expect(preprocessTaxi(trips, { seed: 1, bounds: null as never }).rowsKept).toBe(base.rowsKept); // null: the defaults, as before
    expect(preprocessTaxi(trips, { seed: 1, bounds: { fare: [0, 8] } }).dropped.fare).toBeGreaterThan(base.dropped.fare);
  });

  it('accounts for every row and uses default 10% test then 90/10 train/validation', () => {
    const { train, val, test } = ds.splits;
    expect(ds.rowsRead).toBe(2000);
    expect(ds.rowsKept + Object.values(ds.dropped).reduce((a, b) => a + b, 0)).toBe(2000);
    expect(test.n).toBe(Math.round(ds.rowsKept * 0.1));
    expect(val.n).toBe(Math.round((ds.rowsKept - test.n) * 0.1));
    expect(train.n + val.n + test.n).toBe(ds.rowsKept);
    for (const s of [train, val, test]) {
      expect(s.nFeatures).toBe(24);
      expect(s.x).toHaveLength(s.n * 24);
      expect(s.y).toHaveLength(s.n);
    }
    expect(ds.featureNames).toEqual(TAXI_FEATURE_NAMES);
  });

  it('standardizes training features to mean 0 and std 1', () => {
    const { train } = ds.splits;
    for (let j = 0; j < train.nFeatures; j++) {
      const c = column(train, j);
      const m = c.reduce((a, b) => a + b, 0) / c.length;
      const sd = Math.sqrt(c.reduce((a, b) => a + (b - m) ** 2, 0) / c.length);
      expect(Math.abs(m)).toBeLessThan(TOL_F32);
      expect(Math.abs(sd - 1)).toBeLessThan(TOL_F32);
    }
  });

  it('transforms validation and test rows with the training statistics, keeping raw fares as targets', () => {
    const { mean, std } = ds.standardization;
    const raw = new Float64Array(TAXI_NUM_FEATURES);
    const byFare = new Map<string, Float64Array[]>();
    for (const t of trips) {
      if (taxiDropReason(t) !== null) continue;
      const f = new Float64Array(TAXI_NUM_FEATURES);
      taxiFeatures(t, f);
      const k = Math.fround(t.fareAmount).toString();
      byFare.set(k, [...(byFare.get(k) ?? []), f]);
    }
    const { test } = ds.splits;
    for (let i = 0; i < Math.min(test.n, 50); i++) {
      const row = test.x.subarray(i * 24, i * 24 + 24);
      // find the raw trip with this fare whose standardized features match the row
      const match = (byFare.get(test.y[i].toString()) ?? []).find((f) => {
        for (let j = 0; j < 24; j++) raw[j] = (f[j] - mean[j]) / std[j];
        return raw.every((v, j) => Math.abs(v - row[j]) < TOL_F32 * Math.max(1, Math.abs(v)));
      });
      expect(match).toBeDefined();
    }
  });

  it('splits the rows disjointly and deterministically', () => {
    const idx = splitIndices(1000, 0.1, 0.1, 5);
    const all = [...idx.train, ...idx.val, ...idx.test];
    expect(new Set(all).size).toBe(1000);
    expect([idx.train.length, idx.val.length, idx.test.length]).toEqual([810, 90, 100]);
    expect(Array.from(splitIndices(1000, 0.1, 0.1, 5).test)).toEqual(Array.from(idx.test));
    expect(Array.from(splitIndices(1000, 0.1, 0.1, 6).test)).not.toEqual(Array.from(idx.test));
    // the preprocessed splits are a partition of the kept fares
    const fares = (s: TabularSplit) => Array.from(s.y);
    const kept = trips.filter((t) => taxiDropReason(t) === null).map((t) => Math.fround(t.fareAmount));
    const got = [...fares(ds.splits.train), ...fares(ds.splits.val), ...fares(ds.splits.test)];
    expect(got.sort((a, b) => a - b)).toEqual(kept.sort((a, b) => a - b));
    expect(preprocessTaxi(trips, { seed: 3 }).splits.val.y).toEqual(ds.splits.val.y);
  });

  it('rejects bad fractions and too few rows', () => {
    expect(() => preprocessTaxi(trips, { testFraction: 1 })).toThrow(
      new InvalidOptionError('option "testFraction": must be in [0, 1) (got 1)', 'testFraction'),
    );
    expect(() => preprocessTaxi(trips, { valFraction: -0.1 })).toThrow('option "valFraction": must be in [0, 1) (got -0.1)');
    expect(() => preprocessTaxi(trips.slice(0, 1))).toThrow('option "trips": 1 training rows after filtering 1 (need at least 2)');
  });
});

describe('shipped sample data/nyc-taxi-sample.csv', () => {
  it('is exactly what scripts/generate-taxi-sample.ts writes', async () => {
    const text = await readFile(SAMPLE, 'utf8');
    expect(text).toBe(formatTaxiCsv(generateTaxiTrips(TAXI_SAMPLE_ROWS, { seed: TAXI_SAMPLE_SEED })));
    expect(text.length).toBeLessThan(600_000);
  });

  it('loads through the real loader into the reference study layout', async () => {
    const sample = await loadTaxiDataset(SAMPLE);
    expect(sample.rowsRead).toBe(5000);
    expect(sample.rowsKept).toBeGreaterThan(4700);
    expect(sample.rowsKept).toBeLessThan(5000);
    expect(sample.splits.train.nFeatures).toBe(24);
    expect(sample.splits.test.n).toBe(Math.round(sample.rowsKept * 0.1));
  });

  it('refuses unknown options, which were ignored', () => {
    const trips = generateTaxiTrips(50, { seed: 1 });
    const cases: [() => unknown, string, string][] = [
      [() => preprocessTaxi(trips, { seeed: 3 } as never), 'seeed', 'option "seeed": unknown option of preprocessTaxi (known: testFraction, valFraction, seed, bounds)'],
      [() => preprocessTaxi(trips, null as never), 'options', 'preprocessTaxi: options must be an object, got null'],
      [() => syntheticTaxiDataset(50, { rowz: 10 } as never), 'rowz', 'option "rowz": unknown option of syntheticTaxiDataset (known: testFraction, valFraction, seed, bounds, generator)'],
    ];
    for (const [call, option, message] of cases) {
      const err = thrown(() => call());
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect(err).toMatchObject({ option, message });
    }
    expect(syntheticTaxiDataset(50, { seed: 2, generator: { seed: 1 } }).rowsRead).toBe(50);
  });
});
