/**
 * Redis journal options given as query parameters of the `redis://` URL:
 * parsed, validated with typed errors naming the parameter, removed from the
 * URL the client connects to; options passed in code win.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors';
import { RedisJournalBackend } from '../../src/storage/index';
import { parseRedisUrl, redactRedisUrl } from '../../src/storage/redis-url';
import { Study } from '../../src/storage/study';
import { thrown } from '../optimizer/caught';

describe('RedisJournalBackend url', () => {
  it('is refused unless a redis:// or rediss:// URL (a number was a TypeError, http:// was taken), credentials hidden', () => {
    for (const [url, got] of [[5, '5'], ['http://x', '"http://x"'], ['http://u:secret@x', '"http://u:***@x/"'], [null, 'null']] as const) {
      const e = thrown(() => new RedisJournalBackend(url as never));
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect(e).toMatchObject({ option: 'url', message: `RedisJournalBackend: url: expected a redis:// or rediss:// URL, got ${got}` });
    }
  });
});

describe('redis:// URL options', () => {
  it('reads the durations and prefix from the query and strips it', () => {
    expect(parseRedisUrl('redis://h:6379/2?heartbeatMs=500&reconnectMs=60000&lockTimeoutMs=9&gapWaitMs=1&prefix=lab%20a')).toEqual({
      url: 'redis://h:6379/2', opts: { heartbeatMs: 500, reconnectMs: 60_000, lockTimeoutMs: 9, gapWaitMs: 1, prefix: 'lab a' }, db: 2,
    });
    expect(parseRedisUrl('rediss://u:p@h/0')).toEqual({ url: 'rediss://u:p@h/0', opts: {}, db: 0 });
    expect(parseRedisUrl('redis://h:6379')).toEqual({ url: 'redis://h:6379', opts: {} });
    expect(parseRedisUrl('redis://h:6379/')).toEqual({ url: 'redis://h:6379/', opts: {} });
    // the database as read here, whatever the client would make of the path ('%31' it read as NaN)
    expect(parseRedisUrl('redis://h:6379/%31?prefix=p')).toEqual({ url: 'redis://h:6379/1', opts: { prefix: 'p' }, db: 1 });
    expect(parseRedisUrl('redis://:p%40ss@h/%30')).toEqual({ url: 'redis://:p%40ss@h/0', opts: {}, db: 0 });
    const b = new RedisJournalBackend('redis://127.0.0.1:1/3?heartbeatMs=250');
    expect(b.url).toBe('redis://127.0.0.1:1/3');
    expect(b.name).toBe('redis://127.0.0.1:1/3?heartbeatMs=250');
  });

  it('keeps a password out of the name every message shows (the client still gets it)', async () => {
    expect(redactRedisUrl('redis://:s3cret@127.0.0.1:6379/2')).toBe('redis://:***@127.0.0.1:6379/2');
    expect(redactRedisUrl('rediss://bob:s3cret@h/0?heartbeatMs=5')).toBe('rediss://bob:***@h/0?heartbeatMs=5');
    expect(redactRedisUrl('redis://bob@h/0')).toBe('redis://bob@h/0');
    const b = new RedisJournalBackend('redis://:s3cret@127.0.0.1:1/3');
    expect([b.name, b.url]).toEqual(['redis://:***@127.0.0.1:1/3', 'redis://:s3cret@127.0.0.1:1/3']);
    const e = await b.readAll().catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/^journal "redis:\/\/:\*\*\*@127\.0\.0\.1:1\/3": cannot connect: connect ECONNREFUSED 127\.0\.0\.1:1$/);
    await b.close();
  });

  it('a URL that does not parse (a port past 65535) is an InvalidOptionError naming storage, its password hidden', () => {
    for (const u of ['redis://127.0.0.1:99999/0', 'redis://:s3cret@127.0.0.1:99999/0']) {
      let e: unknown = null;
      try {
        parseRedisUrl(u);
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect((e as InvalidOptionError).option).toBe('storage');
      expect((e as Error).message).toBe(`storage URL: not a valid URL (Invalid URL): ${JSON.stringify(u.replace('s3cret', '***'))}`);
    }
  });

  it('options passed in code take precedence over the URL', () => {
    const b = new RedisJournalBackend('redis://127.0.0.1:1/3?heartbeatMs=250&reconnectMs=7', { heartbeatMs: 900, reconnectMs: undefined });
    const opts = (b as unknown as { opts: { heartbeatMs: number; reconnectMs: number } }).opts;
    expect(opts).toMatchObject({ heartbeatMs: 900, reconnectMs: 7 });
  });

  it.each([
    ['heartbeatMs=abc', 'heartbeatMs', 'storage URL parameter "heartbeatMs": expected an integer number of milliseconds >= 1, got "abc"'],
    ['reconnectMs=0', 'reconnectMs', 'storage URL parameter "reconnectMs": expected an integer number of milliseconds >= 1, got "0"'],
    ['gapWaitMs=1.5', 'gapWaitMs', 'storage URL parameter "gapWaitMs": expected an integer number of milliseconds >= 1, got "1.5"'],
    ['lockTimeoutMs=-3', 'lockTimeoutMs', 'storage URL parameter "lockTimeoutMs": expected an integer number of milliseconds >= 1, got "-3"'],
    ['heartbeatMs=', 'heartbeatMs', 'storage URL parameter "heartbeatMs": expected an integer number of milliseconds >= 1, got ""'],
    ['graceMs=5', 'graceMs', 'storage URL parameter "graceMs": unknown; expected one of heartbeatMs, reconnectMs, lockTimeoutMs, gapWaitMs, prefix'],
    ['heartbeatMs=5&heartbeatMs=6', 'heartbeatMs', 'storage URL parameter "heartbeatMs": given more than once'],
  ])('rejects ?%s with an InvalidOptionError naming %s', (query, option, message) => {
    expectRefusedEverywhere(`redis://127.0.0.1:1/0?${query}`, option, message);
  });

  it.each([
    [{ heartbeatMs: -5 }, 'heartbeatMs', 'RedisJournalBackend: heartbeatMs: expected an integer number of milliseconds >= 1, got -5'],
    [{ heartbeatMs: Number.NaN }, 'heartbeatMs', 'RedisJournalBackend: heartbeatMs: expected an integer number of milliseconds >= 1, got NaN'],
    [{ lockTimeoutMs: 0 }, 'lockTimeoutMs', 'RedisJournalBackend: lockTimeoutMs: expected an integer number of milliseconds >= 1, got 0'],
    [{ reconnectMs: 'soon' }, 'reconnectMs', 'RedisJournalBackend: reconnectMs: expected an integer number of milliseconds >= 1, got "soon"'],
    [{ prefix: 42 }, 'prefix', 'RedisJournalBackend: prefix: expected a string, got 42'],
    [{ worker: '' }, 'worker', 'RedisJournalBackend: worker: expected a non-empty string, got ""'],
    [{ heartbeatThread: 'no' }, 'heartbeatThread', 'RedisJournalBackend: heartbeatThread: expected a boolean, got "no"'],
    [{ typo_reconectMs: 1 }, 'typo_reconectMs', 'option "typo_reconectMs": unknown option of RedisJournalBackend (known: prefix, lockTimeoutMs, heartbeatMs, heartbeatThread, worker, gapWaitMs, reconnectMs)'],
  ])('options given in code are checked as the URL\'s are: %j', (opts, option, message) => {
    const err = thrown(() => new RedisJournalBackend('redis://127.0.0.1:1/0', opts as never));
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as InvalidOptionError).option).toBe(option);
    expect((err as Error).message).toBe(message);
  });

  it.each(['abc', '1.5', '-1', '2x'])('rejects the database path /%s with an InvalidOptionError naming storage', (db) => {
    expectRefusedEverywhere(`redis://127.0.0.1:1/${db}?heartbeatMs=500`, 'storage',
      `storage URL: the database must be a non-negative integer (as in redis://host:6379/0), got ${JSON.stringify(db)}`);
  });
});

/** `url` is refused alike by the parser, the backend and Study.open, before any connection. */
function expectRefusedEverywhere(url: string, option: string, message: string): void {
  for (const make of [() => parseRedisUrl(url), () => new RedisJournalBackend(url), () => Study.open(url)]) {
    const err = thrown(() => make());
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect(err).toMatchObject({ option, message });
  }
}
