/** Types of build-demo.mjs. */
export function buildDemo(opts?: { outDir?: string; minify?: boolean }): Promise<string>;
export const DEMO_DIGITS_PER_CLASS: number;
