/** The static file server of `npm run demo`. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDemo, type DemoServer } from '../../scripts/serve-demo.mjs';

let root: string;
let server: DemoServer;

/** A raw GET (fetch would normalize `..` away before sending). */
function get(path: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
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
});
