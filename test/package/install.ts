/**
 * Builds and packs the package, and installs the tarball into an empty folder
 * as a user would, without the network.
 *
 * npm 11 resolves a fresh install from the registry's full package documents,
 * which an offline cache filled by `npm ci` does not hold; so the app gets a
 * lockfile pinned to the versions of this repository's package-lock.json (the
 * tarball's own dependencies and optional dependencies, and theirs, nothing
 * else), and `npm ci --offline` installs it from the cached tarballs. Optional
 * peer dependencies (TensorFlow.js) are left out, as a default install does.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

export const root = resolve(__dirname, '../..');

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optional?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [k: string]: unknown;
}

function npm(args: string[], cwd: string): string {
  try {
    return execFileSync('npm', args, {
      cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
    });
  } catch (e) {
    const x = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${x.stdout ?? ''}${x.stderr ?? ''}`);
  }
}

/** `npm pack` into `dest` (its prepack step builds dist/, as it does for a user's pack); returns the tarball's path. */
export function buildAndPack(dest: string): string {
  rmSync(join(root, 'dist'), { recursive: true, force: true }); // what a fresh checkout has: pack alone must build it
  const out = npm(['pack', '--pack-destination', dest], root).trim().split('\n').pop()!;
  return join(dest, basename(out.trim()));
}

/** Where `name`, required from the lock entry at `from`, is installed (Node's lookup, walking up). */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | null {
  let base = from;
  for (;;) {
    const p = (base ? `${base}/` : '') + `node_modules/${name}`;
    if (packages[p]) return p;
    if (!base) return null;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

/**
 * Installs `tarball` into the empty folder `app` offline (see the file
 * comment) and returns npm's output.
 */
export function installOffline(app: string, tarball: string): string {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as LockEntry & { name: string; version: string; bin?: unknown; engines?: unknown; license?: string };
  const spec = `file:${tarball}`;
  const integrity = 'sha512-' + createHash('sha512').update(readFileSync(tarball)).digest('base64');
  const packages: Record<string, LockEntry> = {
    '': { name: 'app', dependencies: { [pkg.name]: spec } },
  };
  const self: LockEntry = { version: pkg.version, resolved: spec, integrity, license: pkg.license };
  for (const k of ['dependencies', 'optionalDependencies', 'peerDependencies', 'peerDependenciesMeta', 'bin', 'engines'] as const) {
    if (pkg[k] !== undefined) (self as Record<string, unknown>)[k] = pkg[k];
  }
  packages[`node_modules/${pkg.name}`] = self;

  // The closure of the tarball's dependencies and optional dependencies, as laid out in the repository's lock.
  const queue: Array<{ name: string; optional: boolean }> = [
    ...Object.keys(pkg.dependencies ?? {}).map((name) => ({ name, optional: false })),
    ...Object.keys(pkg.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
  ];
  const from: string[] = queue.map(() => '');
  const optionalOnly = new Map<string, boolean>();
  while (queue.length > 0) {
    const { name, optional } = queue.shift()!;
    const at = locate(lock.packages, from.shift()!, name);
    if (at === null) {
      if (optional) continue;
      throw new Error(`package-lock.json has no entry for ${name}`);
    }
    const seen = optionalOnly.get(at);
    if (seen !== undefined && (seen === false || optional)) continue;
    optionalOnly.set(at, optional);
    const e = lock.packages[at];
    for (const d of Object.keys(e.dependencies ?? {})) { queue.push({ name: d, optional }); from.push(at); }
    for (const d of Object.keys(e.optionalDependencies ?? {})) { queue.push({ name: d, optional: true }); from.push(at); }
  }
  for (const [at, optional] of optionalOnly) {
    const { dev: _d, devOptional: _o, peer: _p, optional: _x, ...entry } = lock.packages[at];
    packages[at] = optional ? { ...entry, optional: true } : entry;
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { [pkg.name]: spec } }, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2));
  return npm(['ci', '--offline', '--no-audit', '--no-fund'], app);
}

/** Bytes on disk under `dir` (apparent sizes of regular files; links not followed). */
export function diskBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = lstatSync(p, { throwIfNoEntry: false });
    if (!s) continue;
    if (s.isDirectory()) total += diskBytes(p);
    else if (s.isFile()) total += s.size;
  }
  return total;
}
