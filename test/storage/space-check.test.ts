import { describe, expect, it } from 'vitest';
import type { SpaceSpec } from '../../src/space/types';
import { distributionDifference, spaceDifference } from '../../src/storage/space-check';
import { distributionOf } from '../../src/storage/optuna-format';

const X = { type: 'float', low: 0, high: 1 } as const;

// A journal's parameter may carry a name Object.prototype also has; the check
// must read only the space's own keys, or a resumed study skips it.
describe('space checks with names Object.prototype has', () => {
  for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__']) {
    it(`distributionDifference: "${name}" in the journal, not in the space`, () => {
      const stored = new Map([['x', [distributionOf(X)]], [name, [distributionOf(X)]]]);
      expect(distributionDifference(stored, { x: X })).toBe(`parameter ${JSON.stringify(name)} is in the journal but not in the space given now`);
    });

    it(`spaceDifference: "${name}" in the journal, not in the space, and the other way round`, () => {
      const withName: SpaceSpec = { x: X };
      Object.defineProperty(withName, name, { value: X, enumerable: true, writable: true, configurable: true });
      expect(spaceDifference(withName, { x: X })).toBe(`parameter ${JSON.stringify(name)} is in the journal but not in the space given now`);
      expect(spaceDifference({ x: X }, withName)).toBe(`parameter ${JSON.stringify(name)} is in the space given now but not in the journal`);
      expect(spaceDifference(withName, withName)).toBeNull();
    });
  }

  it('still compares parameters both spaces have', () => {
    const stored = new Map([['x', [distributionOf(X)]]]);
    expect(distributionDifference(stored, { x: X })).toBeNull();
    expect(distributionDifference(stored, { x: { ...X, log: true, low: 0.1 } })).toMatch(/^parameter "x": /);
  });
});
