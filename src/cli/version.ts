/**
 * This package's version for `--version`, read from its package.json: the
 * first one above this module named webgpu-bayesopt (src/cli/ when run from
 * source, dist/ when installed), so it never disagrees with the package.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageVersion(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'webgpu-bayesopt' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here (or not JSON): look further up
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}
