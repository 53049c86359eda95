import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { logOfDouble, logOfInteger } from '../../src/util/exact-log';
import { log } from '../../src/util/math';
import { Rng } from '../../src/util/rng';

/** Debian's CPython: math.log is glibc's, correctly rounded. */
function pythonLogs(xs: bigint[]): number[] {
  const out = execFileSync('/usr/bin/python3', ['-c', 'import json,sys,math; print(json.dumps([math.log(int(x)) for x in json.load(sys.stdin)]))'], {
    input: JSON.stringify(xs.map(String)), encoding: 'utf8',
  });
  return JSON.parse(out) as number[];
}

describe('logOfInteger: the correctly rounded natural log of a positive integer', () => {
  const rng = new Rng(7);
  const xs: bigint[] = [];
  for (let x = 1n; x <= 3000n; x++) xs.push(x);
  for (let b = 2n; b <= 20n; b++) for (let p = b; p < 2n ** 60n; p *= b) xs.push(p, p - 1n, p + 1n); // powers, where a count's floor is decided
  for (let i = 0; i < 2000; i++) xs.push(BigInt(Math.floor(rng.uniform(1, 2 ** 53))));
  xs.push(2n ** 200n, 3n ** 90n);
  // CPython takes the log of the nearest float beyond 2^53: compare where the integer is one
  xs.splice(0, xs.length, ...xs.filter((x) => BigInt(Number(x)) === x));
  const theirs = pythonLogs(xs);

  it("equals CPython's math.log bit for bit on 5,000+ integers (small, powers of 2 to 20 and their neighbours, random up to 2^53, larger floats)", () => {
    const mismatches = xs.filter((x, i) => logOfInteger(x) !== theirs[i]).map(String);
    expect(mismatches).toEqual([]);
  });

  it('is where fdlibm is one ulp off: ln 3', () => {
    expect(log(3)).toBe(1.0986122886681096);
    expect(logOfInteger(3)).toBe(1.0986122886681098);
    expect(logOfInteger(1)).toBe(0);
    expect(logOfInteger(2)).toBe(Math.LN2);
  });

  it('refuses what is not an integer >= 1', () => {
    expect(() => logOfInteger(0)).toThrow(RangeError);
    expect(() => logOfInteger(-4n)).toThrow('logOfInteger: expected an integer >= 1, got -4');
    expect(() => logOfInteger(1.5)).toThrow(RangeError);
  });
});

describe('logOfDouble: the correctly rounded natural log of a positive double', () => {
  it("equals CPython's math.log bit for bit on 3,000 doubles (fractions, quotients of large integers, tiny and huge)", () => {
    const rng = new Rng(11);
    const xs: number[] = [0.5, 0.1, 1, 2, 1e-300, 5e-324, 1.7976931348623157e308, 281474976710655 / 1, 205891132094650 / 3];
    for (let i = 0; i < 1000; i++) xs.push(rng.uniform(0, 1), rng.uniform(1, 2 ** 40) / rng.uniform(1, 1000), Math.exp(rng.uniform(-700, 700)));
    const theirs = JSON.parse(execFileSync('/usr/bin/python3', ['-c', 'import json,sys,math; print(json.dumps([math.log(x) for x in json.load(sys.stdin)]))'], {
      input: JSON.stringify(xs), encoding: 'utf8',
    })) as number[];
    expect(xs.filter((x, i) => logOfDouble(x) !== theirs[i])).toEqual([]);
    expect(() => logOfDouble(0)).toThrow('logOfDouble: expected a finite number > 0, got 0');
    expect(() => logOfDouble(Infinity)).toThrow(RangeError);
  });
});
