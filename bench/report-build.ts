/**
 * Time to build a study report (renderStudyReport: the analysis and the
 * page) for studies of n completed trials over d float parameters, the
 * objective a weighted sum of squares. Prints a table and writes
 * bench/results/report-build.json.
 *
 *   npx tsx bench/report-build.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { renderStudyReport } from '../src/report/study';
import type { SpaceSpec } from '../src/space/types';
import { Rng } from '../src/util/rng';

const SHAPES: [number, number][] = [[3000, 4], [3000, 30], [5000, 30]];
const rows: { trials: number; params: number; seconds: number; megabytes: number }[] = [];
for (const [n, d] of SHAPES) {
  const rng = new Rng(1);
  const space: SpaceSpec = {};
  for (let j = 0; j < d; j++) space[`p${j}`] = { type: 'float', low: 0, high: 1 };
  const trials = Array.from({ length: n }, (_, id) => {
    const params: Record<string, number> = {};
    let y = 0;
    for (let j = 0; j < d; j++) {
      params[`p${j}`] = rng.uniform(0, 1);
      y += (j + 1) * params[`p${j}`] ** 2;
    }
    return { id, params, target: y, status: 'complete' as const, source: 'init' as const, startedAt: 1e12 + 1000 * id, finishedAt: 1e12 + 1000 * id + 500 };
  });
  const t0 = performance.now();
  const html = renderStudyReport({ space, trials, direction: 'minimize' });
  rows.push({ trials: n, params: d, seconds: (performance.now() - t0) / 1000, megabytes: html.length / 1e6 });
}
console.log('trials  params  build (s)  page (MB)');
for (const r of rows) console.log(`${String(r.trials).padStart(6)}  ${String(r.params).padStart(6)}  ${r.seconds.toFixed(2).padStart(9)}  ${r.megabytes.toFixed(1).padStart(9)}`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/report-build.json', JSON.stringify({ rows }, null, 2) + '\n');
console.log('wrote bench/results/report-build.json');
