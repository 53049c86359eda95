/**
 * Entry point of the `webgpu-bayesopt` command (bundled to dist/cli.js).
 * See `webgpu-bayesopt --help`, and `program.ts` for the commands.
 */
import { writeSync } from 'node:fs';
import { runCli } from './program';

// An objective that never settles, and holds nothing that could settle it (no timer, no socket),
// leaves Node with an empty event loop: it would quit with no word. Say what happened instead,
// with the command line's failure code. 'beforeExit' comes only when the loop has drained, not on
// process.exit() (an interrupt relayed as exit(130), an objective ending the process itself).
let settled = false;
process.once('beforeExit', () => {
  if (settled) return;
  writeSync(2, 'error: the run stopped waiting: a promise never settled and nothing was left that could settle it ' +
    '(an objective that never resolves, with no timer or I/O pending); the trial in flight stays pending in a journal ' +
    'and is retried on resume; an objective must settle (resolve or reject) on its own, with a timeout of its own if need be\n');
  process.exitCode = 1;
});

// not a top-level await: Node would end such a module with code 13 before the listener above could set 1
void runCli(process.argv).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (e: unknown) => {
    settled = true;
    process.stderr.write(`error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
