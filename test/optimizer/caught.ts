/** The error a call throws or a promise rejects with, for tests that check its class and message. */
import { expect } from 'vitest';
import { InvalidOptionError } from '../../src/errors';

/** Awaits `p`, expecting it to reject; returns the error. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** Runs `fn`, expecting it to throw; returns the error. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

/** Runs `call`, expecting an InvalidOptionError naming `option` with exactly `message`. */
export function refused(call: () => unknown, option: string, message: string): void {
  const e = thrown(call) as InvalidOptionError;
  expect(e).toBeInstanceOf(InvalidOptionError);
  expect([e.option, e.message]).toEqual([option, message]);
}
