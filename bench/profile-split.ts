/**
 * The split of warm suggestions by stage, from the CPU profiles
 * `bench/suggest.ts --profile DIR` writes (this thread only: the bounding
 * pass's helper threads are not in them). Each sample goes to the first stage
 * found walking its stack from the leaf up; the table gives ms per call and
 * the share of the thread's busy time.
 *
 *   npx tsx bench/profile-split.ts DIR
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Node { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

/** Stage, and the function names (with their file) that mark it; the first match from the leaf wins. */
const STAGES: [string, string[]][] = [
  ['exact stage: forward substitutions', ['forwardRowsBlock forward-block']],
  ['exact stage: kernel rows', ['rows bounding-wasm']],
  ['anchored bounds', ['tightenByAnchors screening-anchors']],
  ['subset S and its factor', ['RelevantSubset screening-bounds']],
  ['bounding pass (this thread\'s share)', ['runBoundingPass bounding-wasm', 'run bounding-pool']],
  ['refinement', ['refineFromWinner refine']],
  ['exact stage: the rest', ['finishScreening screening']],
  ['candidate generation', ['roundOneCandidates candidates', 'roundTwoCandidates candidates', 'snapRow candidates']],
  ['GP fit and factor', ['fit gaussian-process']],
  ['observations and output warp', ['observations proposal', 'trialObservations observations']],
  ['garbage collection', ['(garbage collector) ']],
  ['profiler and idle', ['(idle) ', 'dispatch ', '(program) ']],
];

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx bench/profile-split.ts DIR');
const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
const ms = new Map<string, number>();
for (const f of files) {
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const label = (x: Node) => `${x.callFrame.functionName || '(anonymous)'} ${x.callFrame.url.split('/').pop()!.replace(/\.[mc]?[tj]s$/, '')}`;
  p.samples.forEach((id, i) => {
    let stage = 'the rest (bookkeeping, study, engine glue)';
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const l = label(byId.get(at)!);
      const hit = STAGES.find(([, marks]) => marks.some((m) => l.startsWith(m)));
      if (hit) { stage = hit[0]; break; }
    }
    ms.set(stage, (ms.get(stage) ?? 0) + p.timeDeltas[i] / 1000);
  });
}
const busy = [...ms].filter(([k]) => k !== 'profiler and idle').reduce((a, [, v]) => a + v, 0);
console.log(`${files.length} warm calls; busy ${(busy / files.length).toFixed(0)} ms per call on this thread`);
console.log('| stage | ms per call | share of busy time |');
console.log('| --- | --- | --- |');
for (const [k, v] of [...ms].sort((a, b) => b[1] - a[1])) {
  console.log(`| ${k} | ${(v / files.length).toFixed(1)} | ${k === 'profiler and idle' ? '-' : `${((100 * v) / busy).toFixed(1)}%`} |`);
}
