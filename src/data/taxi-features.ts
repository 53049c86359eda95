/**
 * Row filtering and feature extraction for taxi trips, following the usual
 * preprocessing of the NYC taxi fare data.
 */
import { InvalidOptionError } from '../errors';
import { show, showBrief } from '../util/format-value';
import { bearingRad, gridL1Km, haversineKm, LANDMARKS, utcToNycLocalMs } from './geo';
import type { TaxiDropReason, TaxiTrip } from './types';

/**
 * Plausibility bounds for a trip. Real rows contain zero coordinates,
 * coordinates outside the city or swapped, zero or negative fares and
 * impossible passenger counts; rows outside these bounds are dropped.
 */
export interface TaxiBounds {
  /** both pickup and dropoff longitude in this range; default [-74.3, -72.9] */
  longitude: readonly [number, number];
  /** both latitudes in this range; default [40.5, 41.8] */
  latitude: readonly [number, number];
  /** fare must be > fare[0] and <= fare[1]; default (0, 250] */
  fare: readonly [number, number];
  /** integer passenger count in this range; default [1, 6] */
  passengers: readonly [number, number];
  /** pickup year in this range; default [2009, 2015] */
  years: readonly [number, number];
  /** minimum haversine trip length in km; default 0 (keep zero-length trips) */
  minDistanceKm: number;
  /**
   * Fare plausible for the straight-line distance `km`: `min[0] + min[1] * km
   * <= fare <= max[0] + max[1] * km`, or null for no such check. Default
   * {@link DEFAULT_FARE_FOR_DISTANCE}. Catches negotiated prices and meter
   * errors (a $90 fare for 2 km) that pass every per-column bound yet would
   * dominate a squared-error metric.
   */
  fareForDistance: { min: readonly [number, number]; max: readonly [number, number] } | null;
}

/**
 * The default fare envelope, from the tariff rather than from data. Lower: the
 * meter charges at least $0.40 per 1/5 mile ($1.24/km) of road on top of the
 * $2.50 flag drop and roads are never shorter than the straight line; $1/km
 * from $2.30 keeps it generous, though a flag-drop-only fare ($2.50) passes
 * only up to 0.2 km (one clean row of the 5,000-row sample, at 0.21 km, is
 * dropped). Upper: crawling the whole way
 * at 4 mph ($0.50 a minute, $4.66/km) plus flag drop, surcharges and a toll,
 * which also covers the airport flat fares.
 */
export const DEFAULT_FARE_FOR_DISTANCE = { min: [2.3, 1.0], max: [15, 4.5] } as const;

/** The bounds a caller's `bounds` are merged over (see resolveTaxiBounds); each field's default is in TaxiBounds. */
export const DEFAULT_TAXI_BOUNDS: TaxiBounds = {
  longitude: [-74.3, -72.9],
  latitude: [40.5, 41.8],
  fare: [0, 250],
  passengers: [1, 6],
  years: [2009, 2015],
  minDistanceKm: 0,
  fareForDistance: DEFAULT_FARE_FOR_DISTANCE,
};

const within = (x: number, [lo, hi]: readonly [number, number]): boolean => x >= lo && x <= hi;

const RANGE_KEYS = ['longitude', 'latitude', 'fare', 'passengers', 'years'] as const;

/**
 * `bounds` merged over {@link DEFAULT_TAXI_BOUNDS}, checked: known keys only,
 * each range two finite numbers, low <= high (a misspelt key was ignored, a
 * reversed range dropped every row without a word about `bounds`). A key
 * given as undefined takes its default.
 * @throws InvalidOptionError naming `bounds.<key>`
 */
export function resolveTaxiBounds(bounds: unknown): TaxiBounds {
  if (bounds === undefined || bounds === null) return DEFAULT_TAXI_BOUNDS;
  if (typeof bounds !== 'object' || Array.isArray(bounds)) throw new InvalidOptionError(`option "bounds": expected an object, got ${show(bounds)}`, 'bounds');
  const known: readonly string[] = [...RANGE_KEYS, 'minDistanceKm', 'fareForDistance'];
  for (const k of Object.keys(bounds)) {
    if (!known.includes(k)) throw new InvalidOptionError(`option "bounds.${k}": unknown (known: ${known.join(', ')})`, `bounds.${k}`);
  }
  const given = bounds as Record<string, unknown>;
  const out: Record<string, unknown> = { ...DEFAULT_TAXI_BOUNDS };
  const range = (v: unknown): v is readonly [number, number] =>
    Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x)) && v[0] <= v[1];
  for (const key of RANGE_KEYS) {
    const v = given[key];
    if (v === undefined) continue;
    if (!range(v)) throw new InvalidOptionError(`option "bounds.${key}": expected [low, high] of finite numbers with low <= high, got ${show(v)}`, `bounds.${key}`);
    out[key] = v;
  }
  const km = given.minDistanceKm;
  if (km !== undefined) {
    if (!(typeof km === 'number' && Number.isFinite(km) && km >= 0)) throw new InvalidOptionError(`option "bounds.minDistanceKm": expected a finite number >= 0, got ${show(km)}`, 'bounds.minDistanceKm');
    out.minDistanceKm = km;
  }
  const env = given.fareForDistance;
  if (env !== undefined) {
    const line = (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    const e = env as { min?: unknown; max?: unknown } | null;
    if (!(env === null || (typeof e === 'object' && line(e!.min) && line(e!.max)))) {
      throw new InvalidOptionError(`option "bounds.fareForDistance": expected null or { min: [a, b], max: [a, b] } of finite numbers, got ${show(env)}`, 'bounds.fareForDistance');
    }
    // min above max at every distance drops every row: a reversed envelope (both are lines in km >= 0)
    const [lo, hi] = [e!.min as number[], e!.max as number[]];
    if (env !== null && lo[0] > hi[0] && lo[1] >= hi[1]) {
      throw new InvalidOptionError(`option "bounds.fareForDistance": min lies above max at every distance (min ${show(lo)}, max ${show(hi)})`, 'bounds.fareForDistance');
    }
    out.fareForDistance = env;
  }
  return out as unknown as TaxiBounds;
}

const TRIP_SHAPE = 'a trip { key, fareAmount, pickupTime, pickupLongitude, ... }';

/** Refuses a trip that is not an object (null was a TypeError reading fareAmount), naming `name` after `who`. */
function checkTrip(t: unknown, who: string, name: string, needKey: boolean): void {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) {
    throw new InvalidOptionError(`${who}: ${name}: expected ${TRIP_SHAPE}, got ${showBrief(t)}`, name.replace(/\[\d+\]$/, ''));
  }
  const key = (t as { key?: unknown }).key;
  if (needKey && typeof key !== 'string') {
    throw new InvalidOptionError(`${who}: ${name}.key: expected a string, got ${showBrief(key)}`, name.replace(/\[\d+\]$/, ''));
  }
}

/**
 * Refuses `trips` unless it is an array of trips (undefined was `trips is
 * not iterable`, a null trip a TypeError reading fareAmount); with
 * `needKey` each trip's key must be a string (a CSV writes it).
 * @throws InvalidOptionError naming `trips`
 */
export function checkTrips(trips: unknown, who: string, needKey = false): asserts trips is readonly TaxiTrip[] {
  if (!Array.isArray(trips)) throw new InvalidOptionError(`${who}: trips: expected an array of trips, got ${showBrief(trips)}`, 'trips');
  for (let i = 0; i < trips.length; i++) checkTrip(trips[i], who, `trips[${i}]`, needKey);
}

/**
 * Why a trip fails the bounds, or null when it passes. Reasons are checked in {@link TaxiDropReason} order.
 * @throws InvalidOptionError naming `trip` when it is not an object
 */
export function taxiDropReason(t: TaxiTrip, bounds: TaxiBounds = DEFAULT_TAXI_BOUNDS): TaxiDropReason | null {
  checkTrip(t, 'taxiDropReason', 'trip', false);
  return dropReason(t, bounds);
}

function dropReason(t: TaxiTrip, bounds: TaxiBounds): TaxiDropReason | null {
  const values = [t.fareAmount, t.pickupLongitude, t.pickupLatitude, t.dropoffLongitude, t.dropoffLatitude, t.passengerCount];
  if (values.some((v) => !Number.isFinite(v))) return 'missing';
  if (!Number.isFinite(t.pickupTime) || !within(new Date(utcToNycLocalMs(t.pickupTime)).getUTCFullYear(), bounds.years)) {
    return 'datetime';
  }
  if (
    !within(t.pickupLongitude, bounds.longitude) ||
    !within(t.dropoffLongitude, bounds.longitude) ||
    !within(t.pickupLatitude, bounds.latitude) ||
    !within(t.dropoffLatitude, bounds.latitude)
  ) {
    return 'coordinates';
  }
  if (!(t.fareAmount > bounds.fare[0] && t.fareAmount <= bounds.fare[1])) return 'fare';
  if (!Number.isInteger(t.passengerCount) || !within(t.passengerCount, bounds.passengers)) return 'passengers';
  const km = haversineKm(t.pickupLongitude, t.pickupLatitude, t.dropoffLongitude, t.dropoffLatitude);
  if (km < bounds.minDistanceKm) return 'distance';
  const env = bounds.fareForDistance;
  if (env !== null && (t.fareAmount < env.min[0] + env.min[1] * km || t.fareAmount > env.max[0] + env.max[1] * km)) {
    return 'fareForDistance';
  }
  return null;
}

/** Empty per-reason counters. */
export function emptyDropCounts(): Record<TaxiDropReason, number> {
  return { missing: 0, datetime: 0, coordinates: 0, fare: 0, passengers: 0, distance: 0, fareForDistance: 0 };
}

/**
 * Keep the trips inside `bounds`; count the others by reason.
 * @throws InvalidOptionError naming `trips` when it is not an array of trips
 */
export function filterTaxiTrips(
  trips: readonly TaxiTrip[],
  bounds: TaxiBounds = DEFAULT_TAXI_BOUNDS,
): { kept: TaxiTrip[]; dropped: Record<TaxiDropReason, number> } {
  checkTrips(trips, 'filterTaxiTrips');
  return filterChecked(trips, bounds);
}

/** {@link filterTaxiTrips} of trips already checked. */
export function filterChecked(trips: readonly TaxiTrip[], bounds: TaxiBounds): { kept: TaxiTrip[]; dropped: Record<TaxiDropReason, number> } {
  const kept: TaxiTrip[] = [];
  const dropped = emptyDropCounts();
  for (const t of trips) {
    const why = dropReason(t, bounds);
    if (why === null) kept.push(t);
    else dropped[why]++;
  }
  return { kept, dropped };
}

/**
 * Feature names, in column order (24 features). Times are New York local
 * time; cyclic quantities are encoded as sin/cos pairs so 23:00 sits next to
 * 00:00. Distances are km.
 *
 * - `year`: fractional calendar year (2012.5 is early July 2012), captures fare increases and slowing traffic
 * - `month_sin`, `month_cos`: month of year (0-11) on a 12-step circle
 * - `dow_sin`, `dow_cos`: day of week (Sunday = 0) on a 7-step circle
 * - `hour_sin`, `hour_cos`: fractional hour of day on a 24-hour circle
 * - `distance_km`: haversine (great-circle) distance pickup to dropoff
 * - `grid_l1_km`: "Manhattan" L1 distance along the street grid (rotated 29 degrees)
 * - `bearing_sin`, `bearing_cos`: direction of travel, clockwise from north
 * - `pickup_jfk_km`, `dropoff_jfk_km`, `pickup_lga_km`, `dropoff_lga_km`,
 *   `pickup_ewr_km`, `dropoff_ewr_km`, `pickup_midtown_km`, `dropoff_midtown_km`:
 *   haversine distance of each end to the three airports and Midtown (airport flat fares, surcharges)
 * - `passenger_count`
 * - `pickup_longitude`, `pickup_latitude`, `dropoff_longitude`, `dropoff_latitude`: raw degrees
 */
export const TAXI_FEATURE_NAMES = [
  'year',
  'month_sin',
  'month_cos',
  'dow_sin',
  'dow_cos',
  'hour_sin',
  'hour_cos',
  'distance_km',
  'grid_l1_km',
  'bearing_sin',
  'bearing_cos',
  'pickup_jfk_km',
  'dropoff_jfk_km',
  'pickup_lga_km',
  'dropoff_lga_km',
  'pickup_ewr_km',
  'dropoff_ewr_km',
  'pickup_midtown_km',
  'dropoff_midtown_km',
  'passenger_count',
  'pickup_longitude',
  'pickup_latitude',
  'dropoff_longitude',
  'dropoff_latitude',
] as const;

export const TAXI_NUM_FEATURES = TAXI_FEATURE_NAMES.length;

const TAU = 2 * Math.PI;

/**
 * Write the {@link TAXI_FEATURE_NAMES} features of one trip into
 * `out[offset .. offset + TAXI_NUM_FEATURES)` (unstandardized). The trip
 * should have passed {@link taxiDropReason}.
 * @throws InvalidOptionError naming `trip` (not an object), `offset` (not a whole number) or `out` (not an array, or a typed array too short for the features from offset)
 */
export function taxiFeatures(t: TaxiTrip, out: Float64Array | Float32Array | number[], offset = 0): void {
  checkTrip(t, 'taxiFeatures', 'trip', false);
  if (!(Number.isSafeInteger(offset) && offset >= 0)) throw new InvalidOptionError(`taxiFeatures: offset: expected a whole number >= 0, got ${show(offset)}`, 'offset');
  if (!Array.isArray(out) && !(ArrayBuffer.isView(out) && !(out instanceof DataView))) {
    throw new InvalidOptionError(`taxiFeatures: out: expected an array or a typed array, got ${showBrief(out)}`, 'out');
  }
  // an array grows; a typed array dropped what did not fit, in silence
  if (!Array.isArray(out) && out.length < offset + TAXI_NUM_FEATURES) {
    throw new InvalidOptionError(`taxiFeatures: out: ${out.length} entries leave no room for ${TAXI_NUM_FEATURES} features from offset ${offset}`, 'out');
  }
  featuresInto(t, out, offset);
}

/** {@link taxiFeatures} of a checked trip and array. */
export function featuresInto(t: TaxiTrip, out: Float64Array | Float32Array | number[], offset: number): void {
  const local = new Date(utcToNycLocalMs(t.pickupTime));
  const year = local.getUTCFullYear();
  const yearStart = Date.UTC(year, 0, 1);
  const yearLen = Date.UTC(year + 1, 0, 1) - yearStart;
  const month = local.getUTCMonth();
  const dow = local.getUTCDay();
  const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
  const { pickupLongitude: plon, pickupLatitude: plat, dropoffLongitude: dlon, dropoffLatitude: dlat } = t;
  const bearing = bearingRad(plon, plat, dlon, dlat);
  const to = (lon: number, lat: number, [llon, llat]: readonly [number, number]) => haversineKm(lon, lat, llon, llat);
  const f = [
    year + (local.getTime() - yearStart) / yearLen,
    Math.sin((TAU * month) / 12),
    Math.cos((TAU * month) / 12),
    Math.sin((TAU * dow) / 7),
    Math.cos((TAU * dow) / 7),
    Math.sin((TAU * hour) / 24),
    Math.cos((TAU * hour) / 24),
    haversineKm(plon, plat, dlon, dlat),
    gridL1Km(plon, plat, dlon, dlat),
    Math.sin(bearing),
    Math.cos(bearing),
    to(plon, plat, LANDMARKS.jfk),
    to(dlon, dlat, LANDMARKS.jfk),
    to(plon, plat, LANDMARKS.lga),
    to(dlon, dlat, LANDMARKS.lga),
    to(plon, plat, LANDMARKS.ewr),
    to(dlon, dlat, LANDMARKS.ewr),
    to(plon, plat, LANDMARKS.midtown),
    to(dlon, dlat, LANDMARKS.midtown),
    t.passengerCount,
    plon,
    plat,
    dlon,
    dlat,
  ];
  for (let j = 0; j < f.length; j++) out[offset + j] = f[j];
}
