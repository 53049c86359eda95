/**
 * Entry point of the `webgpu-bayesopt` command (bundled to dist/cli.js).
 * See `webgpu-bayesopt --help`, and `program.ts` for the commands.
 */
import { writeSync as writeSyncOrThrow } from 'node:fs';
import { runPhase } from './process-guard';
import { runCli } from './program';

/** Writes to a file descriptor, as the last words are: a closed pipe (EPIPE) drops them. */
function writeSync(fd: number, text: string): void {
  try {
    writeSyncOrThrow(fd, text);
  } catch {
    // nobody reads any more
  }
}

// A reader that stops early (`tune ... | head`) closes the pipe: the run goes on, what it would still print
// dropped, instead of ending on EPIPE with the study mid-run (what it records is in the journal)
for (const out of [process.stdout, process.stderr]) {
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}

// An objective that never settles, and holds nothing that could settle it (no timer, no socket),
// leaves Node with an empty event loop: it would quit with no word. Say what happened instead,
// with the command line's failure code. 'beforeExit' comes only when the loop has drained, not on
// process.exit() (an interrupt relayed as exit(130), an objective ending the process itself).
let settled = false;
process.once('beforeExit', () => {
  if (settled) return;
  settled = true; // said here: the exit that follows needs no word of its own
  process.exitCode = 1;
  if (runPhase.importing !== null) {
    // the objective module's own top-level code (a top-level await), before any trial ran: in the
    // words and with the exit code of every other module that cannot be imported (a usage error)
    process.exitCode = 2;
    writeSync(2, `error: option --objective: cannot import ${runPhase.importing}: its top-level code never settled (a top-level await ` +
      'on a promise nothing settles); no trial was run\n');
    return;
  }
  writeSync(2, 'error: the run stopped waiting: a promise never settled and nothing was left that could settle it ' +
    '(an objective that never resolves, with no timer or I/O pending); the trial in flight stays pending in a journal ' +
    'and is retried on resume; an objective must settle (resolve or reject) on its own, with a timeout of its own if need be\n');
});
// process.exit() before the run settled (an objective ending the process): no table, no report, trials in
// flight left pending; say so, and never as a success. The call itself is watched: an exit after an uncaught
// error (Node's own, with its stack) is no call of it.
let exitCalled = false;
const exit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  exitCalled = true;
  return exit(code ?? undefined);
}) as typeof process.exit;
process.on('exit', (code) => {
  // 130 and 143: an interrupt or a termination relayed as an exit (tsx does so), which needs no word
  if (settled || !exitCalled || code === 130 || code === 143) return;
  writeSync(2, `error: the process was ended (exit code ${code}) before the run finished, by a call to process.exit() ` +
    '(in the objective?); the trials in flight stay pending in a journal and are retried on resume\n');
  if (code === 0) process.exitCode = 1;
});

/**
 * The run is over and everything it records is written (the optimizer closed, the table, record and
 * report out): the process ends with `code`, also where the objective left something that holds Node
 * open (an interval, a keep-alive socket, a call abandoned at --trial-timeout that sleeps on), which
 * kept the finished command waiting for as long as that lasted, or for ever. An empty event loop ends
 * it first; the timer does not hold it (unref) and waits for the output to be flushed.
 */
function finish(code: number): void {
  settled = true;
  process.exitCode = code;
  setTimeout(() => process.stdout.write('', () => process.stderr.write('', () => exit(code))), 200).unref();
}

// not a top-level await: Node would end such a module with code 13 before the listener above could set 1
void runCli(process.argv).then(
  (code) => finish(code),
  (e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    finish(1);
  },
);
