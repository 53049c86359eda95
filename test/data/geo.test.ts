import { describe, expect, it } from 'vitest';
import {
  EARTH_RADIUS_KM,
  MANHATTAN_GRID_DEG,
  bearingRad,
  gridL1Km,
  haversineKm,
  nycLocalToUtcMs,
  nycUtcOffsetHours,
  utcToNycLocalMs,
} from '../../src/data/geo';

const TOL_KM = 1e-9;
/** equirectangular vs great circle differ by ~1e-4 relative over a few km at NYC's latitude */
const TOL_REL_CITY = 1e-3;

describe('haversineKm', () => {
  it('gives R * angle along a meridian and along the equator', () => {
    expect(haversineKm(-74, 40, -74, 41)).toBeCloseTo((EARTH_RADIUS_KM * Math.PI) / 180, 9);
    expect(haversineKm(0, 0, 90, 0)).toBeCloseTo((EARTH_RADIUS_KM * Math.PI) / 2, 9);
    expect(haversineKm(0, 0, 180, 0)).toBeCloseTo(EARTH_RADIUS_KM * Math.PI, 9);
  });

  it('is symmetric and zero for identical points', () => {
    const d1 = haversineKm(-73.98, 40.75, -73.78, 40.64);
    const d2 = haversineKm(-73.78, 40.64, -73.98, 40.75);
    expect(Math.abs(d1 - d2)).toBeLessThan(TOL_KM);
    expect(haversineKm(-73.98, 40.75, -73.98, 40.75)).toBe(0);
  });
});

describe('bearingRad', () => {
  it('is 0 due north, pi/2 due east on the equator, pi due south', () => {
    expect(bearingRad(-74, 40, -74, 41)).toBeCloseTo(0, 12);
    expect(bearingRad(0, 0, 1, 0)).toBeCloseTo(Math.PI / 2, 12);
    expect(bearingRad(-74, 41, -74, 40)).toBeCloseTo(Math.PI, 12);
  });
});

describe('gridL1Km', () => {
  const kmPerDegLat = (EARTH_RADIUS_KM * Math.PI) / 180;
  const move = (km: number, bearingDeg: number): [number, number] => {
    const b = (bearingDeg * Math.PI) / 180;
    const north = km * Math.cos(b);
    const east = km * Math.sin(b);
    return [-73.98 + east / (kmPerDegLat * Math.cos((40.75 * Math.PI) / 180)), 40.75 + north / kmPerDegLat];
  };

  it('equals the straight distance along an avenue and sqrt(2) times it at 45 degrees to the grid', () => {
    const [lon1, lat1] = move(3, MANHATTAN_GRID_DEG);
    const along = gridL1Km(-73.98, 40.75, lon1, lat1);
    expect(Math.abs(along - haversineKm(-73.98, 40.75, lon1, lat1)) / along).toBeLessThan(TOL_REL_CITY);
    const [lon2, lat2] = move(3, MANHATTAN_GRID_DEG + 45);
    const diag = gridL1Km(-73.98, 40.75, lon2, lat2);
    expect(Math.abs(diag / haversineKm(-73.98, 40.75, lon2, lat2) - Math.SQRT2)).toBeLessThan(TOL_REL_CITY);
  });
});

describe('New York local time', () => {
  it('uses EST in winter and EDT in summer', () => {
    expect(nycUtcOffsetHours(Date.UTC(2012, 0, 15, 12))).toBe(-5);
    expect(nycUtcOffsetHours(Date.UTC(2012, 6, 1, 12))).toBe(-4);
  });

  it('switches at 02:00 local on the second Sunday of March and the first Sunday of November (2013: Mar 10, Nov 3)', () => {
    expect(nycUtcOffsetHours(Date.UTC(2013, 2, 10, 6, 59))).toBe(-5);
    expect(nycUtcOffsetHours(Date.UTC(2013, 2, 10, 7, 0))).toBe(-4);
    expect(nycUtcOffsetHours(Date.UTC(2013, 10, 3, 5, 59))).toBe(-4);
    expect(nycUtcOffsetHours(Date.UTC(2013, 10, 3, 6, 0))).toBe(-5);
  });

  it('local -> UTC -> local is the identity away from the DST gap', () => {
    for (const local of [Date.UTC(2010, 0, 1, 0, 30), Date.UTC(2014, 6, 4, 23, 59), Date.UTC(2013, 2, 10, 3, 0), Date.UTC(2013, 10, 3, 3, 0)]) {
      expect(utcToNycLocalMs(nycLocalToUtcMs(local))).toBe(local);
    }
    expect(nycLocalToUtcMs(Date.UTC(2014, 6, 4, 12))).toBe(Date.UTC(2014, 6, 4, 16));
  });
});
