/**
 * Synthetic NYC yellow-cab trips in the taxi-fare CSV shape. Pickups cluster in
 * Manhattan neighbourhoods with some outer-borough and airport trips; fares
 * follow the tariff of the day (`taxi-tariff.ts`) through a road-distance and
 * traffic-speed model, with noise, a few implausible-but-valid outliers and a
 * small share of junk rows like those in the real data.
 */
import { InvalidOptionError } from '../errors';
import { checkOptionKeys, given } from '../util/option-keys';
import { Rng } from '../util/rng';
import { gridL1Km, haversineKm, LANDMARKS, MANHATTAN_GRID_DEG, nycLocalToUtcMs } from './geo';
import { formatTaxiDatetime } from './taxi-csv';
import { meteredFare, tariffAt } from './taxi-tariff';
import type { TaxiTrip } from './types';

/** Seed and size of the shipped sample `data/nyc-taxi-sample.csv`. */
export const TAXI_SAMPLE_SEED = 2018;
export const TAXI_SAMPLE_ROWS = 5000;

/** Options for {@link generateTaxiTrips}. */
export interface TaxiGeneratorOptions {
  /** default 0 */
  seed?: number;
  /**
   * share of junk rows: zero, swapped or far-away coordinates, missing dropoff,
   * zero/negative/huge fares, 0 or more than 6 passengers; default 0.03
   */
  junkFraction?: number;
  /** share of valid-looking rows with a wrong fare (negotiated prices, meter errors); default 0.01 */
  outlierFraction?: number;
  /** earliest pickup day as New York wall-clock time in ms (`Date.UTC(y, m, d)`); default 2009-01-01 */
  start?: number;
  /** end of the pickup period (exclusive), same convention; default 2015-07-01 */
  end?: number;
}

/** The keys of TaxiGeneratorOptions: a misspelt `Seed` gave seed 0's data. */
export const TAXI_GENERATOR_KEYS = ['seed', 'junkFraction', 'outlierFraction', 'start', 'end'];

const DEG = Math.PI / 180;
const KM_PER_DEG_LAT = 111.195;
const KM_PER_MILE = 1.609344;
const DAY_MS = 86_400_000;

interface Spot {
  lon: number;
  lat: number;
  /** spread along / across the street grid, km */
  along: number;
  across: number;
  weight: number;
  manhattan: boolean;
}

const spot = (lon: number, lat: number, along: number, across: number, weight: number, manhattan = true): Spot => ({
  lon,
  lat,
  along,
  across,
  weight,
  manhattan,
});

/** Pickup / destination neighbourhoods (airports are handled separately). */
const SPOTS: readonly Spot[] = [
  spot(-73.9875, 40.757, 0.9, 0.45, 0.16), // Midtown West, Times Square
  spot(-73.976, 40.7527, 0.8, 0.4, 0.12), // Midtown East, Grand Central
  spot(-73.995, 40.747, 0.7, 0.4, 0.08), // Chelsea, Penn Station
  spot(-73.959, 40.772, 1.2, 0.5, 0.12), // Upper East Side
  spot(-73.977, 40.785, 1.1, 0.4, 0.08), // Upper West Side
  spot(-73.997, 40.733, 0.7, 0.5, 0.1), // Greenwich Village, Union Square
  spot(-73.984, 40.724, 0.6, 0.5, 0.06), // East Village, Lower East Side
  spot(-74.004, 40.722, 0.6, 0.4, 0.06), // SoHo, Tribeca
  spot(-74.009, 40.708, 0.5, 0.4, 0.05), // Financial District
  spot(-73.948, 40.81, 1.5, 0.6, 0.03), // Harlem
  spot(-73.985, 40.685, 1.3, 1.0, 0.025, false), // Downtown Brooklyn, Park Slope
  spot(-73.957, 40.713, 0.9, 0.7, 0.02, false), // Williamsburg
  spot(-73.93, 40.755, 1.3, 1.0, 0.02, false), // Long Island City, Astoria
];
const SPOT_TOTAL = SPOTS.reduce((s, p) => s + p.weight, 0);

/** Rough outline of Manhattan (lon, lat), for the JFK flat fare and tolls. */
const MANHATTAN: ReadonlyArray<readonly [number, number]> = [
  [-74.019, 40.7], [-74.016, 40.72], [-74.013, 40.74], [-74.005, 40.756], [-73.998, 40.77],
  [-73.962, 40.82], [-73.936, 40.86], [-73.927, 40.879], [-73.91, 40.872], [-73.934, 40.83],
  [-73.929, 40.801], [-73.942, 40.776], [-73.958, 40.759], [-73.971, 40.743], [-73.972, 40.727],
  [-73.976, 40.711], [-73.998, 40.707], [-74.011, 40.701],
];

/** Point-in-polygon (ray casting) against the Manhattan outline. */
export function inManhattan(lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = MANHATTAN.length - 1; i < MANHATTAN.length; j = i++) {
    const [xi, yi] = MANHATTAN[i];
    const [xj, yj] = MANHATTAN[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Relative pickup demand by local hour (trips per hour of the day). */
const HOUR_WEIGHT = [3.9, 2.9, 2.2, 1.6, 1.2, 1.0, 2.0, 3.4, 4.2, 4.3, 4.1, 4.3, 4.6, 4.6, 4.7, 4.6, 4.1, 4.9, 5.8, 6.2, 5.9, 5.7, 5.6, 4.8];
/** Average in-city speed in mph by local hour, weekdays and weekends. */
const SPEED_WEEKDAY = [19, 20, 21, 21, 20, 18, 15, 12, 10, 9.5, 9.5, 9.5, 9.5, 9.5, 9.5, 9.5, 10, 10, 10.5, 11.5, 13, 14.5, 16, 17.5];
const SPEED_WEEKEND = [17, 18, 19, 19, 19, 19, 19, 18, 16, 14, 12.5, 11.5, 11, 11, 11, 11, 11.5, 12, 12.5, 13, 13.5, 14, 15, 16];
/** P(passenger_count = 1..6) in NYC trip records. */
const PASSENGER_WEIGHT = [0.69, 0.146, 0.044, 0.021, 0.07, 0.029];

function pick(rng: Rng, weights: readonly number[], total = weights.reduce((a, b) => a + b, 0)): number {
  let u = rng.random() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/** Offset a point by `along`/`across` km in the street-grid frame. */
function offset(lon: number, lat: number, along: number, across: number): [number, number] {
  const c = Math.cos(MANHATTAN_GRID_DEG * DEG);
  const s = Math.sin(MANHATTAN_GRID_DEG * DEG);
  const east = along * s + across * c;
  const north = along * c - across * s;
  return [lon + east / (KM_PER_DEG_LAT * Math.cos(lat * DEG)), lat + north / KM_PER_DEG_LAT];
}

function sampleSpot(rng: Rng): [number, number] {
  let u = rng.random() * SPOT_TOTAL;
  let p = SPOTS[SPOTS.length - 1];
  for (const q of SPOTS) {
    u -= q.weight;
    if (u < 0) {
      p = q;
      break;
    }
  }
  return offset(p.lon, p.lat, p.along * rng.normal(), p.across * rng.normal());
}

function sampleManhattanSpot(rng: Rng): [number, number] {
  for (;;) {
    const [lon, lat] = sampleSpot(rng);
    if (inManhattan(lon, lat)) return [lon, lat];
  }
}

type Airport = 'jfk' | 'lga' | 'ewr';

function nearAirport(rng: Rng, a: Airport): [number, number] {
  const [lon, lat] = LANDMARKS[a];
  return [lon + 0.004 * rng.normal(), lat + 0.003 * rng.normal()];
}

/** A pickup and dropoff, and which airport (if any) the trip serves. */
function sampleRoute(rng: Rng): { p: [number, number]; d: [number, number]; airport: Airport | null } {
  const u = rng.random();
  if (u < 0.045) {
    // from an airport, mostly into Manhattan
    const airport: Airport = u < 0.02 ? 'jfk' : 'lga';
    return { p: nearAirport(rng, airport), d: rng.random() < 0.85 ? sampleManhattanSpot(rng) : sampleSpot(rng), airport };
  }
  const p = sampleSpot(rng);
  const v = rng.random();
  if (v < 0.053) {
    const airport: Airport = v < 0.025 ? 'jfk' : v < 0.05 ? 'lga' : 'ewr';
    return { p, d: nearAirport(rng, airport), airport };
  }
  if (v < 0.7) {
    // a local hop: log-normal length, mostly up or down the avenues
    const km = Math.min(15, 2 * Math.exp(0.6 * rng.normal()));
    const theta = rng.random() < 0.65 ? (rng.random() < 0.5 ? 0 : Math.PI) + 0.2 * rng.normal() : rng.uniform(0, 2 * Math.PI);
    return { p, d: offset(p[0], p[1], km * Math.cos(theta), km * Math.sin(theta)), airport: null };
  }
  return { p, d: sampleSpot(rng), airport: null };
}

/** A local pickup time (wall clock read with getUTC*) with the demand profile over hours. */
function sampleLocalTime(rng: Rng, start: number, end: number): number {
  const day = Math.floor((start + rng.random() * (end - start)) / DAY_MS) * DAY_MS;
  const hour = pick(rng, HOUR_WEIGHT);
  return day + hour * 3_600_000 + rng.int(3600) * 1000;
}

const round = (x: number, digits: number): number => {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
};

/** The fare of a valid trip: meter (or JFK flat fare), surcharges and tolls; no tip, no tax. */
function tripFare(rng: Rng, p: [number, number], d: [number, number], airport: Airport | null, utc: number, local: Date): number {
  const tariff = tariffAt(utc);
  const hour = local.getUTCHours();
  const dow = local.getUTCDay();
  const weekday = dow >= 1 && dow <= 5;
  const peak = weekday && hour >= 16 && hour < 20;
  const night = hour >= 20 || hour < 6;
  const pm = inManhattan(p[0], p[1]);
  const dm = inManhattan(d[0], d[1]);
  const toll = pm !== dm && rng.random() < 0.35 ? tariff.toll : 0;
  if (airport === 'jfk' && (pm || dm)) return tariff.jfkFlat + (peak ? tariff.jfkPeakSurcharge : 0) + toll;

  const hav = haversineKm(p[0], p[1], d[0], d[1]);
  const l1 = gridL1Km(p[0], p[1], d[0], d[1]);
  const roadKm = (0.5 * l1 + 0.65 * hav) * Math.exp(0.1 * rng.normal()) + 0.15;
  const miles = roadKm / KM_PER_MILE;
  const yearsSince2009 = (utc - Date.UTC(2009, 0, 1)) / (365.25 * DAY_MS);
  let mph = (weekday ? SPEED_WEEKDAY : SPEED_WEEKEND)[hour] * (1 - 0.015 * yearsSince2009);
  mph = Math.min(40, mph * (1 + 0.45 * Math.log1p(roadKm / 8))); // longer trips use highways
  let hours = (miles / mph) * Math.exp(0.25 * rng.normal());
  if (rng.random() < 0.05) hours += rng.uniform(0, 5) / 60; // waiting at the kerb
  let fare = meteredFare(miles, hours, tariff);
  fare += (night ? tariff.nightSurcharge : 0) + (peak ? tariff.peakSurcharge : 0) + toll;
  if (airport === 'ewr') fare += tariff.newarkSurcharge + 2 * tariff.toll;
  return fare;
}

type Junk = (t: TaxiTrip, rng: Rng) => void;

/** The kinds of junk found in the real file, one of them per junk row. */
const JUNK: readonly Junk[] = [
  (t) => ((t.pickupLongitude = 0), (t.pickupLatitude = 0)),
  (t) => ((t.dropoffLongitude = 0), (t.dropoffLatitude = 0)),
  (t) => ([t.pickupLongitude, t.pickupLatitude] = [t.pickupLatitude, t.pickupLongitude]),
  (t, r) => ((t.dropoffLongitude = round(r.uniform(-75.5, -74.5), 6)), (t.dropoffLatitude = round(r.uniform(39.5, 40.3), 6))),
  (t) => ((t.dropoffLongitude = NaN), (t.dropoffLatitude = NaN)),
  (t) => (t.fareAmount = -t.fareAmount),
  (t) => (t.fareAmount = 0),
  (t, r) => (t.fareAmount = round(r.uniform(300, 1500), 2)),
  (t) => (t.passengerCount = 0),
  (t, r) => (t.passengerCount = r.random() < 0.8 ? 7 + r.int(3) : 208),
];

function checkFraction(value: number, option: string): void {
  if (!(value >= 0 && value <= 1)) throw new InvalidOptionError(`option "${option}": must be in [0, 1] (got ${value})`, option);
}

/**
 * Generate `n` taxi trips. Deterministic for a given seed and options.
 * Coordinates are rounded to 6 decimals and fares to cents, so
 * `parseTaxiCsv(formatTaxiCsv(trips))` returns equal trips.
 *
 * @throws InvalidOptionError for a negative/non-integer `n`, an unknown option, a seed that is not a finite number, fractions outside [0, 1] or an empty time range
 */
export function generateTaxiTrips(n: number, options: TaxiGeneratorOptions = {}): TaxiTrip[] {
  if (!Number.isInteger(n) || n < 0) throw new InvalidOptionError(`option "n": must be a non-negative integer (got ${n})`, 'n');
  checkOptionKeys(options, 'generateTaxiTrips', TAXI_GENERATOR_KEYS);
  const junkFraction = options.junkFraction ?? 0.03;
  const outlierFraction = options.outlierFraction ?? 0.01;
  checkFraction(junkFraction, 'junkFraction');
  checkFraction(outlierFraction, 'outlierFraction');
  const start = options.start ?? Date.UTC(2009, 0, 1);
  const end = options.end ?? Date.UTC(2015, 6, 1);
  if (!(end > start)) throw new InvalidOptionError(`option "end": must be after start (got ${end} <= ${start})`, 'end');
  const rng = new Rng(given(options.seed, 0)); // refuses a seed that is not a finite number ('1' drew as 0 did)
  const trips: TaxiTrip[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.fork(); // one stream per row: junk/outlier options do not shift the other rows
    const localMs = sampleLocalTime(r, start, end);
    const utc = nycLocalToUtcMs(localMs);
    const { p, d, airport } = sampleRoute(r);
    let fare = tripFare(r, p, d, airport, utc, new Date(localMs));
    const roll = r.random();
    if (roll < outlierFraction) {
      const kind = r.int(3);
      fare = kind === 0 ? r.uniform(2.5, 6) : kind === 1 ? fare * r.uniform(1.5, 3) : r.uniform(30, 100);
    }
    const gps = () => 0.0002 * r.normal();
    const trip: TaxiTrip = {
      key: `${formatTaxiDatetime(utc).slice(0, 19)}.${String(i + 1).padStart(7, '0')}`,
      fareAmount: round(fare, 2),
      pickupTime: utc,
      pickupLongitude: round(p[0] + gps(), 6),
      pickupLatitude: round(p[1] + gps(), 6),
      dropoffLongitude: round(d[0] + gps(), 6),
      dropoffLatitude: round(d[1] + gps(), 6),
      passengerCount: 1 + pick(r, PASSENGER_WEIGHT),
    };
    if (roll >= outlierFraction && roll < outlierFraction + junkFraction) JUNK[r.int(JUNK.length)](trip, r);
    trips.push(trip);
  }
  return trips;
}
