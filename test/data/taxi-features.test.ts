/** Bad arguments of the taxi trip functions (src/data/taxi-features.ts): typed errors naming them. */
import { describe, expect, it } from 'vitest';
import { filterTaxiTrips, TAXI_NUM_FEATURES, taxiDropReason, taxiFeatures } from '../../src/data/taxi-features';
import { generateTaxiTrips } from '../../src/data/taxi-generator';
import { refused } from '../optimizer/caught';

const [trip] = generateTaxiTrips(1, { seed: 1 });
const SHAPE = 'a trip { key, fareAmount, pickupTime, pickupLongitude, ... }';


describe('taxi trip arguments', () => {
  it('filterTaxiTrips refuses what is not an array of trips, naming trips (trips is not iterable, or a TypeError reading fareAmount, before)', () => {
    refused(() => filterTaxiTrips(undefined as never), 'trips', 'filterTaxiTrips: trips: expected an array of trips, got undefined');
    refused(() => filterTaxiTrips({} as never), 'trips', 'filterTaxiTrips: trips: expected an array of trips, got {}');
    refused(() => filterTaxiTrips([trip, null] as never), 'trips', `filterTaxiTrips: trips[1]: expected ${SHAPE}, got null`);
    expect(filterTaxiTrips([trip]).kept).toEqual([trip]);
  });

  it('taxiDropReason and taxiFeatures refuse a trip that is not an object, taxiFeatures an out array without room', () => {
    for (const [v, got] of [[undefined, 'undefined'], [null, 'null'], ['x', '"x"'], [[], '[]']] as const) {
      refused(() => taxiDropReason(v as never), 'trip', `taxiDropReason: trip: expected ${SHAPE}, got ${got}`);
      refused(() => taxiFeatures(v as never, []), 'trip', `taxiFeatures: trip: expected ${SHAPE}, got ${got}`);
    }
    refused(() => taxiFeatures(trip, undefined as never), 'out', 'taxiFeatures: out: expected an array or a typed array, got undefined');
    refused(() => taxiFeatures(trip, new Float64Array(TAXI_NUM_FEATURES), 1), 'out', 'taxiFeatures: out: 24 entries leave no room for 24 features from offset 1');
    refused(() => taxiFeatures(trip, [], -1), 'offset', 'taxiFeatures: offset: expected a whole number >= 0, got -1');
    // a plain array grows to take them
    const grown: number[] = [];
    taxiFeatures(trip, grown, 2);
    expect(grown).toHaveLength(2 + TAXI_NUM_FEATURES);
    expect(taxiDropReason({ ...trip, fareAmount: NaN })).toBe('missing');
  });
});
