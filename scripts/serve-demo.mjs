// A tiny static file server for the built demo (no server logic: the page
// works from these files alone). Listens on 127.0.0.1, port from PORT (an
// ephemeral free port when unset or 0), and prints the URL.
// Usage: node scripts/serve-demo.mjs [root]   (root defaults to demo/dist)
import { existsSync, readFile, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves the files under `root` on 127.0.0.1.
 * @param {{ root?: string, port?: number }} [opts] root [demo/dist], port [0: any free port]
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 * @throws Error when `root` is not a folder (a mistyped one served nothing but 404s), or the port is taken
 */
export async function serveDemo(opts = {}) {
  const root = resolve(opts.root ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'demo', 'dist'));
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    const build = opts.root === undefined ? 'npm run build:demo' : `node scripts/build-demo.mjs ${opts.root}`;
    throw new Error(`${root} is not a folder: build the demo into it first (${build})`);
  }
  const realRoot = realpathSync(root);
  const server = createServer((req, res) => {
    // a page on another name that resolves here (DNS rebinding) is no page of this server's
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(root, '.' + path);
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    const notFound = () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    // no dotfiles (.env, .git); a link out of the root is not served from outside it
    if (path.split('/').some((part) => part.startsWith('.'))) return notFound();
    let size;
    let real;
    try {
      real = realpathSync(file);
      if (real !== realRoot && !real.startsWith(realRoot + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      const st = statSync(real);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      return notFound();
    }
    const send = (body) => {
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body?.length ?? size,
        'cache-control': 'no-cache',
      });
      res.end(body);
    };
    if (req.method === 'HEAD') return send(undefined);
    // read whole before any header: a file that cannot be read (no permission, removed since the
    // stat) is one request's error, where a stream's unhandled error ended the server
    readFile(real, (err, body) => (err ? res.writeHead(err.code === 'EACCES' ? 403 : 404).end() : send(body)));
  });
  const port = opts.port ?? 0;
  await new Promise((ok, fail) => {
    server.once('error', (err) => {
      const code = /** @type {NodeJS.ErrnoException} */ (err).code;
      // one line a user can act on, in place of the listen() stack trace
      if (code === 'EADDRINUSE') fail(new Error(`port ${port} on 127.0.0.1 is in use: pick another with PORT=<port>, or PORT=0 for any free one`));
      else fail(err);
    });
    server.listen(port, '127.0.0.1', () => ok(undefined));
  });
  const actual = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  return {
    url: `http://127.0.0.1:${actual}/`,
    port: actual,
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok(undefined));
    }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const port = Number(process.env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT: expected an integer in 0..65535, got ${JSON.stringify(process.env.PORT)}`);
    process.exit(1);
  }
  let url;
  try {
    ({ url } = await serveDemo({ root: process.argv[2], port }));
  } catch (err) {
    // a taken port or a missing folder: one clear line and a non-zero exit, as for a bad PORT
    console.error(`serve-demo: ${/** @type {Error} */ (err).message}`);
    process.exit(1);
  }
  console.log(`webgpu-bayesopt demo: ${url}  (Ctrl+C to stop)`);
}
