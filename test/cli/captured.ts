/** What runCli writes, captured: the `io` to pass it, and the text written to each stream. */
export function captured() {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s), isTTY: false } },
    out: () => out,
    err: () => err,
  };
}

/** process.argv as the installed command sees it. */
export const argv = (...args: string[]) => ['node', 'webgpu-bayesopt', ...args];
