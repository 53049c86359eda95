/** Types of build-demo.mjs. */
export function buildDemo(opts?: { outDir?: string; minify?: boolean; digits?: boolean }): Promise<string>;
export const DEMO_DIGITS_PER_CLASS: number;
export const DEMO_ASSETS_FILE: string;
