/**
 * scripts/readme-images.mjs: the packed README points its images and its
 * links into docs/ at this version's files on jsDelivr (the package page has
 * no repository to resolve relative paths against), the repository's README
 * keeps relative paths, and every image and document it links ships in the
 * package.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cdnPrefix, toCdn, toLocal } from '../../scripts/readme-images.mjs';

const root = resolve(__dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { name: string; version: string; files: string[]; scripts: Record<string, string> };
const images = (text: string) => [...text.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
/** Every relative link target (images too), without its #anchor. */
const relativeLinks = (text: string) => [...text.matchAll(/\]\(([^)\s#]+)(#[^)\s]*)?\)/g)].map((m) => m[1]).filter((p) => !/^[a-z]+:/.test(p));

describe('README images', () => {
  it('are relative paths in the repository, to files that exist and that the package ships', () => {
    const paths = images(readme);
    expect(paths.length).toBeGreaterThanOrEqual(3);
    for (const p of paths) {
      expect(p).toMatch(/^docs\/screenshots\/[\w-]+\.png$/);
      expect(existsSync(resolve(root, p)), p).toBe(true);
      expect(pkg.files.some((f) => p.startsWith(f + '/')), p).toBe(true);
    }
  });

  it('and every relative link of the README goes to a file or folder under docs/ that the package ships', () => {
    const paths = relativeLinks(readme);
    expect(paths.length).toBeGreaterThanOrEqual(20);
    for (const p of paths) {
      expect(p.startsWith('docs/'), p).toBe(true);
      expect(existsSync(resolve(root, p)), p).toBe(true);
      expect(pkg.files.some((f) => p === f || p.startsWith(f + '/')), p).toBe(true);
    }
  });

  it('and the documents under docs/ link only to files that exist beside them (they ship too)', () => {
    const docs = readdirSync(resolve(root, 'docs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'));
    expect(docs.length).toBeGreaterThanOrEqual(5);
    for (const f of docs) {
      const file = resolve(root, 'docs', f);
      for (const p of relativeLinks(readFileSync(file, 'utf8'))) expect(existsSync(resolve(dirname(file), p)), `${f}: ${p}`).toBe(true);
    }
  });

  it('point at this version on jsDelivr in the packed README, and back (prepack / postpack)', () => {
    // the build first: a fresh checkout packed a package without dist/
    expect(pkg.scripts.prepack).toBe('npm run build && node scripts/readme-images.mjs cdn');
    expect(pkg.scripts.postpack).toBe('node scripts/readme-images.mjs local');
    const packed = toCdn(readme, pkg.name, pkg.version);
    const prefix = cdnPrefix(pkg.name, pkg.version);
    expect(prefix).toBe(`https://cdn.jsdelivr.net/npm/webgpu-bayesopt@${pkg.version}/`);
    expect(images(packed)).toEqual(images(readme).map((p) => prefix + p));
    expect(relativeLinks(packed)).toEqual([]);
    // only the references into docs/ change
    expect(packed.replaceAll(prefix, '')).toBe(readme);
    expect(toCdn(packed, pkg.name, pkg.version)).toBe(packed);
    expect(toLocal(packed, pkg.name)).toBe(readme);
    expect(toLocal(toCdn(readme, pkg.name, '9.9.9'), pkg.name)).toBe(readme);
    expect(toLocal(readme, pkg.name)).toBe(readme);
  });

  it('rewrite links into docs/ too, and leave other packages\' URLs and paths outside docs/ alone', () => {
    const text = [
      '[a link](docs/benchmarks/a.md#a-section)',
      '[outside](bench/x.ts)',
      '![elsewhere](https://example.org/x.png)',
      '![other package](https://cdn.jsdelivr.net/npm/other@1.0.0/docs/x.png)',
      '![not docs](img/x.png)',
      '![mine](docs/screenshots/b.png)',
    ].join('\n');
    const out = toCdn(text, 'webgpu-bayesopt', '1.2.3');
    expect(out.split('\n')).toEqual([
      '[a link](https://cdn.jsdelivr.net/npm/webgpu-bayesopt@1.2.3/docs/benchmarks/a.md#a-section)',
      '[outside](bench/x.ts)',
      '![elsewhere](https://example.org/x.png)',
      '![other package](https://cdn.jsdelivr.net/npm/other@1.0.0/docs/x.png)',
      '![not docs](img/x.png)',
      '![mine](https://cdn.jsdelivr.net/npm/webgpu-bayesopt@1.2.3/docs/screenshots/b.png)',
    ]);
    expect(toLocal(out, 'webgpu-bayesopt')).toBe(text);
  });
});
