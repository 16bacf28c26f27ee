/** Types for scripts/build-electron.mjs (plain JS so `node` runs it without a build step). */
export function buildElectron(options?: { outDir?: string; minify?: boolean; quiet?: boolean }): Promise<{ main: string; preload: string }>;
