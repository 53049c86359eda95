/**
 * The NYC yellow-cab tariff of 2009-2015, as the taxi generator applies it.
 * Amounts are the published rates as we understand them; where history is
 * fuzzy (toll levels) they are approximate, which is fine for synthetic data.
 */
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';

/** 2012-09-04, when the TLC raised the distance/time rate and the JFK flat fare. */
export const FARE_INCREASE_2012_MS = Date.UTC(2012, 8, 4, 4);

/** The tariff in force on a date. */
export interface Tariff {
  /** flag drop, USD */
  initial: number;
  /** charged per 1/5 mile above the slow-traffic speed, and per minute below it */
  unit: number;
  /** flat fare between JFK and Manhattan */
  jfkFlat: number;
  /** surcharge on metered trips to Newark airport */
  newarkSurcharge: number;
  /** 20:00-06:00 local */
  nightSurcharge: number;
  /** Monday-Friday 16:00-20:00 local, metered trips */
  peakSurcharge: number;
  /** weekday 16:00-20:00 surcharge on the JFK flat fare (from 2012-09-04) */
  jfkPeakSurcharge: number;
  /** an approximate E-ZPass tunnel/bridge toll */
  toll: number;
}

/** The tariff at a UTC instant. */
export function tariffAt(utcMs: number): Tariff {
  const after2012 = utcMs >= FARE_INCREASE_2012_MS;
  const year = new Date(utcMs).getUTCFullYear();
  return {
    initial: 2.5,
    unit: after2012 ? 0.5 : 0.4,
    jfkFlat: after2012 ? 52 : 45,
    newarkSurcharge: after2012 ? 17.5 : 15,
    nightSurcharge: 0.5,
    peakSurcharge: 1,
    jfkPeakSurcharge: after2012 ? 4.5 : 0,
    toll: year < 2010 ? 4.15 : year < 2011 ? 4.57 : year < 2013 ? 4.8 : year < 2015 ? 5.33 : 5.54,
  };
}

/**
 * Two-speed trip model: a trip alternates between crawling (below the meter's
 * 12 mph threshold, charged by time) and cruising (charged by distance).
 */
const CRAWL_MPH = 4;
const CRUISE_MPH = 20;

/**
 * Metered fare (flag drop plus distance and slow-time units, no surcharges) for
 * a trip of `miles` road miles taking `hours`. The trip is modelled as
 * crawling at 4 mph (charged per minute) and cruising at 20 mph (charged per
 * 1/5 mile) in the proportion that gives its average speed.
 */
export function meteredFare(miles: number, hours: number, tariff: Tariff): number {
  // a null tariff was a TypeError; NaN miles a NaN fare
  for (const [k, v] of [['miles', miles], ['hours', hours]] as const) {
    if (typeof v !== 'number' || !(v >= 0) || v === Infinity) throw new InvalidOptionError(`meteredFare: ${k}: expected a finite number >= 0, got ${show(v)}`, k);
  }
  if (typeof tariff !== 'object' || tariff === null || typeof tariff.initial !== 'number' || typeof tariff.unit !== 'number') {
    throw new InvalidOptionError(`meteredFare: tariff: expected a Tariff { initial, unit, ... }, got ${show(tariff)}`, 'tariff');
  }
  const v = miles / Math.max(hours, 1e-9);
  let slowHours: number;
  if (v >= CRUISE_MPH) slowHours = 0;
  else if (v <= CRAWL_MPH) slowHours = hours;
  else slowHours = (CRUISE_MPH * hours - miles) / (CRUISE_MPH - CRAWL_MPH);
  const chargedMiles = Math.max(0, miles - CRAWL_MPH * slowHours);
  const units = Math.floor(chargedMiles * 5) + Math.floor(slowHours * 60);
  return tariff.initial + tariff.unit * units;
}
