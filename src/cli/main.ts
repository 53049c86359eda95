/**
 * Entry point of the `webgpu-bayesopt` command (bundled to dist/cli.js).
 * See `webgpu-bayesopt --help`, and `program.ts` for the commands.
 */
import { runCli } from './program';

const code = await runCli(process.argv);
process.exitCode = code;
