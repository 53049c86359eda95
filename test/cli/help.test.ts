/**
 * `--version` prints the package's version, and each command's help
 * describes its own flags: `tune` runs one strategy, so its `--pruner` and
 * `--init` are not `compare`'s extra rows and shared points.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program';

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s), isTTY: false } };
  const code = await runCli(['node', 'webgpu-bayesopt', ...args], io);
  return { code, out: out.replace(/\s+/g, ' ') };
}

describe('help and version', () => {
  it('--version and -V print package.json\'s version and exit 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await cli('--version')).toEqual({ code: 0, out: `${version} ` });
    expect(await cli('-V')).toEqual({ code: 0, out: `${version} ` });
  });

  it('tune --help says what --pruner and --init do for one strategy; compare --help for its rows', async () => {
    const tune = await cli('tune', '--help');
    expect(tune.code).toBe(0);
    expect(tune.out).toContain('--pruner <name> stop bad trials early with this pruner, judging what the objective reports');
    expect(tune.out).toContain('--init <k> initial points before Bayesian search\'s model-guided ones (random on a built-in study; with --objective, maximize\'s Latin hypercube design); not with --strategy grid, which has none (default: budget/4, 2 to 5)');
    expect(tune.out).toContain('it adds the row <strategy>+<name> beside the plain one, not with --strategy grid');
    // the time budget's cap, said where the count's default is said
    expect(tune.out).toContain('--budget defaults to 20 (1000 with --time-budget, but for grid search, whose grid it lays out)');
    expect(tune.out).toContain('(--budget, if given, then caps the evaluations; without it at most 1000, and grid search lays its grid out for the study\'s usual budget)');
    expect(tune.out).not.toContain('as rows random+<name>');
    const compare = await cli('compare', '--help');
    expect(compare.out).toContain('--pruner <name> also run random and Bayesian search with this pruner, as rows random+<name> and bayes+<name>');
    expect(compare.out).toContain('--init <k> random initial points shared by random and Bayesian search; not with grid search alone, which has none');
    // --grace's text for an objective's own reports belongs to tune, which takes --objective
    expect(tune.out).toContain('with --objective, the steps the objective reports');
    expect(compare.out).toContain('digits 1, a quarter epoch)');
    expect(compare.out).not.toContain('--objective');
  });
});
