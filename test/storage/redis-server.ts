/**
 * A real redis-server for the tests, on a free loopback port, that a test
 * can stop and start again on the same port (a connection lost mid-study).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const PYTHON = '/usr/bin/python3';
export const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
export const hasOptunaRedis = spawnSync(PYTHON, ['-c', 'import optuna, redis']).status === 0;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  private proc: ChildProcess | null = null;
  private constructor(readonly port: number, private readonly dir?: string) {}

  /**
   * Starts redis-server on a free loopback port with 32 databases; with
   * `persistIn` (a folder) every write is fsynced to an append-only file
   * there, so a restart keeps the data.
   */
  static async start(persistIn?: string): Promise<RedisServer> {
    const s = new RedisServer(await freePort(), persistIn);
    await s.restart();
    return s;
  }

  private ping(): boolean {
    return spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';
  }

  /** Starts the server again on the same port (with its data when it persists). */
  async restart(): Promise<void> {
    const persist = this.dir ? ['--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persist, '--databases', '32'], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (this.ping()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('redis-server did not start');
  }

  /**
   * Stops the server's process without closing its connections (SIGSTOP): it
   * accepts connections and reads nothing, as a hung server or one behind a
   * half-open TCP connection does, until `resume()`.
   */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  /** Lets a paused server run on (SIGCONT). */
  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** Stops the server (a paused one too) and waits until it has exited. */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGCONT'); // a paused process would not act on SIGTERM
    p.kill('SIGTERM');
    await exited;
  }
}

/**
 * A redis-server of the calling describe block's own, which its tests may
 * pause (SIGSTOP): resumed after each test, stopped after them all; `url()`
 * a fresh database each call.
 */
export function pausableRedisServer(): { server: () => RedisServer; url: () => string } {
  let server: RedisServer | undefined;
  let db = 0;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(() => server?.resume());
  afterAll(async () => {
    await server?.stop();
  });
  return { server: () => server as RedisServer, url: () => `redis://127.0.0.1:${(server as RedisServer).port}/${++db}` };
}

/** `p` settled within `ms`, or a rejection saying it had not (a hang fails the test at once, not at its timeout). */
export function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))]);
}

/**
 * One redis-server for the calling describe block (started before its tests,
 * stopped after them); `url()` gives a fresh database each call, so the
 * tests' studies do not mix.
 */
export function sharedRedisServer(): { url: () => string } {
  let server: RedisServer | undefined;
  let db = 0;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return { url: () => `redis://127.0.0.1:${(server as RedisServer).port}/${++db}` };
}

/** The commands the tests send to a Redis server directly, past any backend. */
export interface RawRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ...args: (string | number)[]): Promise<unknown>;
  exists(key: string): Promise<number>;
  keys(pattern: string): Promise<string[]>;
  del(...keys: string[]): Promise<number>;
  flushdb(): Promise<unknown>;
  pttl(key: string): Promise<number>;
  disconnect(): void;
}

/** A plain ioredis client on `url` (an optional peer: imported only where a test runs). */
export async function rawRedis(url: string): Promise<RawRedis> {
  const m = (await import('ioredis')) as unknown as { default: new (url: string) => RawRedis };
  return new m.default(url);
}

/** The proxy's program: it prints its port, then takes 'cut', 'cut-new' and 'heal' lines on stdin. */
const PROXY = `
const net = require('node:net');
const pairs = new Set();
let cutting = false;
const server = net.createServer((a) => {
  const b = net.connect(Number(process.argv[1]), '127.0.0.1');
  const pair = { cut: cutting, a, b };
  pairs.add(pair);
  a.on('data', (d) => pair.cut || b.write(d));
  b.on('data', (d) => pair.cut || a.write(d));
  const end = () => { pairs.delete(pair); a.destroy(); b.destroy(); };
  for (const s of [a, b]) s.on('error', end).on('close', end);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => {
  if (l === 'cut' || l === 'cut-new') for (const p of pairs) p.cut = true;
  cutting = l === 'cut-new';
  console.log('done');
});
`;

/**
 * A TCP proxy in front of a Redis server, in a process of its own (it
 * forwards while this thread is busy), whose `cut()` leaves every
 * connection open now open but carrying nothing either way, as a connection
 * left half-open by a network partition (a middlebox that lost its state):
 * no error, no close, no reply ever. Connections made after the cut carry
 * data as before (the network is back for new ones), unless `cut(true)`:
 * then those made before `heal()` are cut from the start.
 */
export class CuttableProxy {
  private constructor(private readonly proc: ChildProcess, private readonly lines: AsyncIterator<string>, readonly port: number) {}

  /** A proxy on a free loopback port to the server on `targetPort`. */
  static async start(targetPort: number): Promise<CuttableProxy> {
    const proc = spawn(process.execPath, ['-e', PROXY, String(targetPort)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: proc.stdout as Readable })[Symbol.asyncIterator]();
    const port = Number((await lines.next()).value);
    return new CuttableProxy(proc, lines, port);
  }

  private async send(line: string): Promise<void> {
    this.proc.stdin?.write(`${line}\n`);
    await this.lines.next(); // 'done'
  }

  /** Every connection open now carries nothing more, and stays open; with `andNew`, so do those made until `heal()`. */
  cut(andNew = false): Promise<void> {
    return this.send(andNew ? 'cut-new' : 'cut');
  }

  /** Connections made from now on carry data (those cut stay cut). */
  heal(): Promise<void> {
    return this.send('heal');
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill();
    await exited;
  }
}
