/** Types of build-demo.mjs. */
export function buildDemo(opts?: { outDir?: string; minify?: boolean }): Promise<string>;
