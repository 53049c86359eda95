/**
 * Lines a hostile or broken writer of a shared journal may add: each is a damaged line, skipped and
 * said in a few words, and the study reads on (a deeply nested line crashed every reader).
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RandomSearch } from '../../src/optimizer';
import { readStudy } from '../../src/report';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A 3-trial study's journal path. */
async function study(): Promise<string> {
  const d = mkdtempSync(join(tmpdir(), 'hostile-lines-'));
  dirs.push(d);
  const path = join(d, 'study.jsonl');
  const opt = new RandomSearch({ f: ({ x }) => x, pbounds: { x: [0, 1] }, randomState: 1, journal: path, log: () => undefined });
  await opt.maximize({ initPoints: 3, nIter: 0 });
  await opt.close();
  return path;
}

const nested = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);

describe('hostile journal lines', () => {
  it('a user attr nested 5,000 levels and an op_code nested so are skipped as damaged; the trials read on', async () => {
    const path = await study();
    const worker = JSON.parse(readFileSync(path, 'utf8').split('\n')[0]).worker_id as string;
    appendFileSync(path, `{"op_code": 8, "worker_id": ${JSON.stringify(worker)}, "trial_id": 0, "user_attr": {"deep": ${nested(5000)}}}\n`);
    appendFileSync(path, `{"op_code": ${nested(5000)}, "worker_id": "w"}\n`);
    // Optuna's own nesting limit is about 1,000 levels: a line within it is read (a fourth trial, its attr 900 deep)
    const create = readFileSync(path, 'utf8').split('\n').map((l) => JSON.parse(l || '{}')).find((o) => o.op_code === 4);
    const line = JSON.stringify({ ...create, user_attrs: { ok: 0 } }).replace('{"ok":0}', `{"ok":${nested(900)}}`);
    appendFileSync(path, `${line}\n`);
    const s = await readStudy(path);
    expect(s.skipped?.map((k) => k.reason)).toEqual(['nested deeper than 1000 levels', 'nested deeper than 1000 levels']);
    expect(s.trials).toHaveLength(4);
    expect(JSON.stringify(s.trials[3].userAttrs?.ok).length).toBe(1801);
  });

  it('says a damaged line in at most 200 characters, whatever text it quotes (a 20 MB op_code made a 20 MB line on stderr)', async () => {
    const path = await study();
    appendFileSync(path, `{"op_code": ${JSON.stringify('A'.repeat(100_000))}, "worker_id": "w"}\n`);
    const s = await readStudy(path);
    expect(s.skipped).toHaveLength(1);
    expect(s.skipped![0].reason.length).toBeLessThanOrEqual(200);
    expect(s.skipped![0].reason).toMatch(/^unknown op_code "AAAA.*\.\.\.$/);
  });
});
