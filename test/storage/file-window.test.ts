/**
 * Reading a journal in windows (FileJournalBackend and
 * MemoryJournalBackend.readWindow): after
 * the first read, only what follows the last complete line is read; the
 * window's `start` counts characters, not bytes; a partial last line is read
 * again; a replaced, truncated or rewritten file is read whole. And a
 * Journal on a file folds the same study as one reading it whole, while its
 * reads stay small as the study grows.
 */
import { appendFileSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RandomSearch } from '../../src/optimizer';
import { FileJournalBackend, Journal, MemoryJournalBackend } from '../../src/storage';
import type { JournalBackend, TextWindow } from '../../src/storage/types';
import { useTempDirs } from './temp-dirs';

const dir = useTempDirs('file-window-');
const line = (k: number, s = 'x') => JSON.stringify({ op_code: 9, k, s }) + '\n';

describe('FileJournalBackend.readWindow', () => {
  it('reads what follows the last complete line, counting characters (multi-byte text, a BOM)', async () => {
    const path = join(dir(), 'j.log');
    const first = '\ufeff' + line(0, 'é€😀') + line(1);
    writeFileSync(path, first);
    const b = new FileJournalBackend(path);
    const w0 = await b.readWindow(null);
    expect([w0.text, w0.start]).toEqual([first, 0]);
    appendFileSync(path, line(2, 'ü') + '{"op_code": 9, "k": 3'); // a partial last line: read again next time
    const w1 = await b.readWindow(w0.mark);
    expect([w1.start, w1.reread]).toEqual([first.length, false]);
    expect(w1.text).toBe(line(2, 'ü') + '{"op_code": 9, "k": 3');
    appendFileSync(path, '}\n' + line(4));
    const w2 = await b.readWindow(w1.mark);
    expect(w2.start).toBe(first.length + line(2, 'ü').length);
    expect(w2.text).toBe('{"op_code": 9, "k": 3}\n' + line(4));
    // the windows put together are the file's text
    expect(readFileSync(path, 'utf8')).toBe(first + line(2, 'ü') + w2.text);
    expect(await b.readWindow(w2.mark)).toMatchObject({ text: '', start: readFileSync(path, 'utf8').length });
  });

  it('reads the whole file again when it was replaced, truncated or rewritten in place', async () => {
    const path = join(dir(), 'j.log');
    writeFileSync(path, line(0) + line(1));
    const b = new FileJournalBackend(path);
    const w = await b.readWindow(null);
    const other = join(dir(), 'other.log');
    writeFileSync(other, line(0) + line(1) + line(2));
    renameSync(other, path); // the same text and more, but another file
    expect(await b.readWindow(w.mark)).toMatchObject({ start: 0, text: line(0) + line(1) + line(2), reread: true });
    const w2 = await b.readWindow(null);
    writeFileSync(path, line(0)); // truncated (same file)
    expect(await b.readWindow(w2.mark)).toMatchObject({ start: 0, text: line(0), reread: true });
    const w3 = await b.readWindow(null);
    writeFileSync(path, line(7) + line(8)); // rewritten, longer: the bytes before the mark differ
    expect(await b.readWindow(w3.mark)).toMatchObject({ start: 0, text: line(7) + line(8), reread: true });
    expect(await new FileJournalBackend(join(dir(), 'none.log')).readWindow(null)).toEqual({ text: '', start: 0, mark: null, reread: false });
    rmSync(path); // removed under a reader: read afresh (as empty)
    expect(await b.readWindow(w3.mark)).toEqual({ text: '', start: 0, mark: null, reread: true });
  });
});

/** A backend that records the windows it hands out. */
function recording(b: FileJournalBackend): { backend: JournalBackend; windows: TextWindow[] } {
  const windows: TextWindow[] = [];
  const backend: JournalBackend = {
    name: b.name,
    readAll: () => b.readAll(),
    append: (l) => b.append(l),
    withLock: (fn, o) => b.withLock(fn, o),
    exists: () => b.exists(),
    readWindow: async (after) => {
      const w = await b.readWindow(after);
      windows.push(w);
      return w;
    },
  };
  return { backend, windows };
}

describe('a Journal on a file read in windows', () => {
  it('folds the study a whole read folds, and reads little once it has read the file', async () => {
    const path = join(dir(), 'study.jsonl');
    const { backend, windows } = recording(new FileJournalBackend(path));
    const opt = new RandomSearch({ pbounds: { x: [0, 1], y: [0, 1] }, f: (p) => p.x as number, randomState: 3, verbose: 0, storage: backend });
    await opt.maximize({ initPoints: 60, nIter: 0 });
    await opt.close();
    const size = readFileSync(path, 'utf8').length;
    expect(size).toBeGreaterThan(20_000);
    const late = windows.slice(-20);
    expect(Math.max(...late.map((w) => w.text.length))).toBeLessThan(2_000);
    expect(Math.min(...late.map((w) => w.start))).toBeGreaterThan(size / 2);
    // the same journal read whole (a memory backend holding its text) folds the same trials
    const whole = await Journal.open(new MemoryJournalBackend(readFileSync(path, 'utf8')), { readOnly: true });
    const windowed = await Journal.open(path, { readOnly: true });
    expect((await windowed.load()).trials).toEqual((await whole.load()).trials);
    expect((await windowed.load()).trials).toHaveLength(60);
    await windowed.close();
    await whole.close();
  });
});

describe('a Journal on a file that changes under it', () => {
  const SPACE = { x: { type: 'float', low: 0, high: 1 } } as const;
  const fresh = async (path: string) => {
    const j = await Journal.open(path, { readOnly: true });
    const s = await j.load();
    await j.close();
    return s.trials.map((t) => [t.id, t.status, t.target]);
  };

  it('folds as a fresh read does after a last line it had folded without its newline is cut off', async () => {
    const path = join(dir(), 'j.log');
    const a = await Journal.open(path, { space: SPACE });
    await a.record({ x: 0.1 }, { target: 1 });
    const size = statSync(path).size;
    appendFileSync(path, JSON.stringify({ op_code: 2, worker_id: 'hand', study_id: 0, user_attr: { note: 'hand' } })); // no '\n'
    await a.load();
    truncateSync(path, size);
    expect((await a.load()).trials.map((t) => [t.id, t.status, t.target])).toEqual([[0, 'complete', 1]]);
    expect((await a.ask({ x: 0.2 })).trial.id).toBe(1);
    const b = await Journal.open(path, { space: SPACE });
    for (let i = 0; i < 3; i++) await b.record({ x: 0.3 + i / 10 }, { target: 2 + i });
    expect((await a.load()).trials.map((t) => [t.id, t.status, t.target])).toEqual(await fresh(path));
    expect((await a.load()).skipped).toEqual([]);
    await b.close();
    await a.close();
  });

  it('folds a file put in its place as a fresh read does, not as an append to the old one', async () => {
    const path = join(dir(), 'j.log');
    const a = await Journal.open(path, { space: SPACE });
    for (let i = 0; i < 2; i++) await a.record({ x: i / 10 }, { target: i });
    const other = join(dir(), 'other.log');
    const o = await Journal.open(other, { space: SPACE });
    for (let i = 0; i < 4; i++) await o.record({ x: 0.5 + i / 10 }, { target: 50 + i });
    await o.close();
    renameSync(other, path);
    const s = await a.load();
    expect(s.trials.map((t) => [t.id, t.status, t.target])).toEqual(await fresh(path));
    expect(s.trials.map((t) => t.target)).toEqual([50, 51, 52, 53]);
    await a.close();
  });
});

describe('MemoryJournalBackend.readWindow', () => {
  it('reads the parts after those read; an append cuts a torn tail or closes a whole last line in the last part only', async () => {
    const torn = line(0) + '{"op_code": 9, "k"'; // a torn tail in the text given first
    const b = new MemoryJournalBackend(torn);
    const w0 = await b.readWindow(null);
    expect([w0.text, w0.start]).toEqual([torn, 0]);
    await b.append(line(1));
    expect(b.text).toBe(line(0) + line(1)); // the torn tail cut, as the contract says
    const w1 = await b.readWindow(w0.mark);
    expect([w1.text, w1.start]).toEqual([line(0) + line(1), 0]); // the first part changed: read from it again
    await b.append(line(2));
    const w2 = await b.readWindow(w1.mark);
    expect([w2.text, w2.start]).toEqual([line(1) + line(2), line(0).length]);
    const closed = new MemoryJournalBackend(line(0).slice(0, -1)); // a whole last line without its '\n'
    await closed.append(line(1));
    expect(closed.text).toBe(line(0) + line(1));
    // a mark from another backend is not this one's: the whole text
    expect(await b.readWindow((await closed.readWindow(null)).mark)).toMatchObject({ start: 0, text: b.text, reread: true });
    // a journal that only holds the text given first is read from its start each time, and not read again afresh
    const still = new MemoryJournalBackend(line(0));
    const s0 = await still.readWindow(null);
    expect(await still.readWindow(s0.mark)).toMatchObject({ start: 0, text: line(0), reread: false });
  });
});
