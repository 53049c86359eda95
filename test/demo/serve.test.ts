/** The static file server of `npm run demo`. */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDemo, type DemoServer } from '../../scripts/serve-demo.mjs';

let root: string;
let server: DemoServer;

/** A raw GET (fetch would normalize `..` away before sending). */
function get(path: string, method = 'GET', headers: Record<string, string> = {}, port = server.port): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => ok({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', fail);
    req.end();
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'demo-serve-'));
  mkdirSync(join(root, 'lib'));
  writeFileSync(join(root, 'index.html'), '<p>home</p>');
  writeFileSync(join(root, 'lib', 'a.js'), 'export {}');
  writeFileSync(join(root, 'x.wasm'), 'wasm');
  writeFileSync(join(root, 'data.csv'), 'a,b');
  server = await serveDemo({ root, port: 0 });
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('serveDemo', () => {
  it('listens on 127.0.0.1 on an ephemeral port', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('serves files with their content types, index.html for folders', async () => {
    expect(await get('/')).toEqual({ status: 200, type: 'text/html; charset=utf-8', body: '<p>home</p>' });
    expect(await get('/lib/a.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8', body: 'export {}' });
    expect(await get('/x.wasm')).toMatchObject({ status: 200, type: 'application/wasm' });
    expect(await get('/data.csv?v=1')).toMatchObject({ status: 200, type: 'text/csv; charset=utf-8', body: 'a,b' });
    expect(await get('/index.html', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('answers 404 for missing files and folders without index, 403 outside the root, 405 for other methods', async () => {
    expect((await get('/nope.js')).status).toBe(404);
    expect((await get('/lib/')).status).toBe(404);
    // `..` segments are resolved by URL parsing, so they stay inside the root...
    expect((await get('/../index.html')).status).toBe(200);
    // ...and an encoded slash that would climb out after decoding is refused.
    expect((await get('/..%2f..%2fetc%2fpasswd')).status).toBe(403);
    expect((await get('/', 'POST')).status).toBe(405);
  });

  it('serves nothing outside its root through a link, no dotfile, and no page on another host name (it served /etc files through a link)', async () => {
    symlinkSync('/etc/hostname', join(root, 'link.txt'));
    writeFileSync(join(root, '.env'), 'SECRET=1');
    expect((await get('/link.txt')).status).toBe(403);
    expect((await get('/.env')).status).toBe(404);
    expect((await get('/lib/../.env')).status).toBe(404);
    expect((await get('/', 'GET', { host: 'rebound.example:80' })).status).toBe(403);
    expect((await get('/', 'GET', { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('a file it cannot read is one request\'s error, and it goes on serving (an unhandled stream error ended it)', async () => {
    // run as an unprivileged user, for whom a mode-000 file cannot be read
    if (process.getuid?.() !== 0) return;
    const dir = mkdtempSync(join(tmpdir(), 'demo-serve-nobody-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'index.html'), '<p>home</p>');
    writeFileSync(join(dir, 'secret.txt'), 'x');
    chmodSync(join(dir, 'secret.txt'), 0o000);
    const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, 'scripts/serve-demo.mjs', dir], { env: { ...process.env, PORT: '0' } });
    try {
      const url = await new Promise<string>((ok, fail) => {
        child.stdout.on('data', (b: Buffer) => { const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(b.toString()); if (m) ok(m[1]); });
        child.on('exit', (c) => fail(new Error(`exited ${c}`)));
      });
      const port = Number(url);
      expect((await get('/secret.txt', 'GET', {}, port)).status).toBe(403);
      expect(await get('/', 'GET', {}, port)).toMatchObject({ status: 200, body: '<p>home</p>' });
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The command line `node scripts/serve-demo.mjs [root]`, run to its exit (a server that starts is killed after 5 s). */
function serveCli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['scripts/serve-demo.mjs', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 5_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('serve-demo refuses what it cannot serve', () => {
  it('a root that is not a folder: serveDemo throws, the command says so in one line and exits 1 (it served 404s)', async () => {
    const missing = join(root, 'no-such-dist');
    await expect(serveDemo({ root: missing, port: 0 })).rejects.toThrow(`${missing} is not a folder: build the demo into it first`);
    await expect(serveDemo({ root: join(root, 'index.html'), port: 0 })).rejects.toThrow('is not a folder');
    const r = serveCli([missing]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`serve-demo: ${missing} is not a folder: build the demo into it first (node scripts/build-demo.mjs ${missing})\n`);
  });

  it('a port in use: serveDemo throws a clear error, the command prints one line and exits 1 (an unhandled EADDRINUSE stack trace)', async () => {
    await expect(serveDemo({ root, port: server.port })).rejects.toThrow(
      `port ${server.port} on 127.0.0.1 is in use: pick another with PORT=<port>, or PORT=0 for any free one`);
    const r = serveCli([root], { PORT: String(server.port) });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`serve-demo: port ${server.port} on 127.0.0.1 is in use: pick another with PORT=<port>, or PORT=0 for any free one\n`);
    // the bad-PORT line it matches
    expect(serveCli([root], { PORT: 'abc' })).toMatchObject({ status: 1, stderr: 'PORT: expected an integer in 0..65535, got "abc"\n' });
  });
});
