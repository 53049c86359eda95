/**
 * Worker ids of the journals open in this process. A backend names one
 * worker (its `workerId()`), but a caller may open several journals, hence
 * optimizers, on one backend it keeps open. Each journal is a worker of its
 * own: the first on a backend's worker id takes that id, the next ones
 * `<id>~2`, `<id>~3`, ..., never handed out twice. A journal's trials are
 * then its own, and once it is closed its pending trials are known to be
 * abandoned (failed and asked again by the next worker that reads them)
 * rather than taken as running for as long as the backend stays open.
 */

/**
 * Journals handed out per backend worker id, and the journal worker ids
 * closed in this process: on `globalThis`, so that two copies of this module
 * in one process (two bundles) share them, as the file lock's registry is.
 */
const registry = ((globalThis as Record<symbol, unknown>)[Symbol.for('webgpu-bayesopt.journal-workers')] ??= {
  handed: new Map<string, number>(), closed: new Set<string>(),
}) as { handed: Map<string, number>; closed: Set<string> };
const { handed, closed } = registry;

/** A fresh worker id for a journal on a backend whose worker is `base`. */
export function openJournalWorker(base: string): string {
  const n = (handed.get(base) ?? 0) + 1;
  handed.set(base, n);
  return n === 1 ? base : `${base}~${n}`;
}

/** Marks a journal's worker id as ended: its pending trials are abandoned. Idempotent. */
export function closeJournalWorker(worker: string): void {
  closed.add(worker);
}

/** false when `worker` is a journal of this process that was closed; undefined when this process cannot tell. */
export function journalWorkerOpen(worker: string): false | undefined {
  return closed.has(worker) ? false : undefined;
}

/** The backend's worker id behind a journal's (`<id>~n` -> `<id>`), which the backend can judge. */
export function backendWorker(worker: string): string {
  return worker.replace(/~\d+$/, '');
}
