/**
 * Geography and clock helpers for New York City trips: great-circle distance,
 * bearing, street-grid (L1) distance, the landmarks the taxi features measure
 * from, and UTC <-> New York local time.
 */

/** Mean Earth radius (IUGG R1), km. */
export const EARTH_RADIUS_KM = 6371.0088;

/** Manhattan's street grid is rotated about 29 degrees clockwise from true north. */
export const MANHATTAN_GRID_DEG = 29;

const RAD = Math.PI / 180;

/** A point as [longitude, latitude] in degrees. */
export type LonLat = readonly [number, number];

/** Landmarks (longitude, latitude in degrees) the taxi features measure distances to. */
export const LANDMARKS = {
  /** John F. Kennedy International Airport, terminal area */
  jfk: [-73.7781, 40.6413],
  /** LaGuardia Airport */
  lga: [-73.874, 40.7769],
  /** Newark Liberty International Airport */
  ewr: [-74.1745, 40.6895],
  /** Midtown Manhattan (Times Square) */
  midtown: [-73.9855, 40.758],
} as const satisfies Record<string, LonLat>;

/** Great-circle (haversine) distance in km between two points given in degrees. */
export function haversineKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s = Math.sin(dLat / 2);
  const t = Math.sin(dLon / 2);
  const a = s * s + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * t * t;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Initial bearing from point 1 to point 2, radians clockwise from true north, in (-pi, pi]. */
export function bearingRad(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const p1 = lat1 * RAD;
  const p2 = lat2 * RAD;
  const dl = (lon2 - lon1) * RAD;
  const y = Math.sin(dl) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  return Math.atan2(y, x);
}

/**
 * Local east/north displacement in km from point 1 to point 2
 * (equirectangular projection at the mean latitude; accurate at city scale).
 */
export function eastNorthKm(lon1: number, lat1: number, lon2: number, lat2: number): [number, number] {
  const k = EARTH_RADIUS_KM * RAD;
  const east = (lon2 - lon1) * k * Math.cos(((lat1 + lat2) / 2) * RAD);
  const north = (lat2 - lat1) * k;
  return [east, north];
}

/**
 * "Manhattan" L1 distance in km: |along| + |across| with the axes turned to
 * the street grid (`MANHATTAN_GRID_DEG`), the distance a cab drives on a grid.
 */
export function gridL1Km(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const [e, n] = eastNorthKm(lon1, lat1, lon2, lat2);
  const c = Math.cos(MANHATTAN_GRID_DEG * RAD);
  const s = Math.sin(MANHATTAN_GRID_DEG * RAD);
  const along = e * s + n * c; // component along the avenues
  const across = e * c - n * s; // component along the streets
  return Math.abs(along) + Math.abs(across);
}

const HOUR_MS = 3_600_000;

/** Day of month of the `k`-th (1-based) Sunday of a month (month 0-based). */
function nthSunday(year: number, month: number, k: number): number {
  const dow = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((7 - dow) % 7) + 7 * (k - 1);
}

/**
 * New York's UTC offset in hours (-4 in daylight saving time, else -5) at a
 * UTC instant, by the US rules in force since 2007: DST from 02:00 local on
 * the second Sunday of March to 02:00 local on the first Sunday of November.
 */
export function nycUtcOffsetHours(utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear();
  const start = Date.UTC(year, 2, nthSunday(year, 2, 2), 7); // 02:00 EST
  const end = Date.UTC(year, 10, nthSunday(year, 10, 1), 6); // 02:00 EDT
  return utcMs >= start && utcMs < end ? -4 : -5;
}

/** Shift a UTC instant to New York wall-clock time, as a ms value to read with `getUTC*`. */
export function utcToNycLocalMs(utcMs: number): number {
  return utcMs + nycUtcOffsetHours(utcMs) * HOUR_MS;
}

/** The UTC instant of a New York wall-clock time (given as ms read with `getUTC*`). */
export function nycLocalToUtcMs(localMs: number): number {
  const guess = localMs + 5 * HOUR_MS;
  return nycUtcOffsetHours(guess - HOUR_MS) === -4 ? localMs + 4 * HOUR_MS : guess;
}
