#!/usr/bin/env node
// Bundles the Electron main process and preload into dist-electron/ as two
// separate single-entry CommonJS files. Separate on purpose: a sandboxed
// preload can `require` only `electron` and a few builtins, never a shared chunk.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {{ outDir?: string, minify?: boolean, quiet?: boolean }} [options]
 * @returns {Promise<{ main: string, preload: string }>}
 */
export async function buildElectron(options = {}) {
  const outDir = options.outDir ?? path.join(root, 'dist-electron');
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // electron is provided at runtime; node builtins too. Nothing else stays external.
    external: ['electron'],
    sourcemap: true,
    minify: options.minify ?? false,
    logLevel: options.quiet ? 'silent' : 'warning',
    absWorkingDir: root,
  };
  const main = path.join(outDir, 'main.cjs');
  const preload = path.join(outDir, 'preload.cjs');
  await Promise.all([
    build({ ...common, entryPoints: [path.join(root, 'electron/main.ts')], outfile: main }),
    // The preload runs in a sandboxed renderer: no node builtins, only `electron`.
    build({ ...common, entryPoints: [path.join(root, 'electron/preload.ts')], outfile: preload, platform: 'browser', external: ['electron'] }),
  ]);
  return { main, preload };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildElectron().then(({ main, preload }) => {
    console.log(`Built ${path.relative(root, main)} and ${path.relative(root, preload)}.`);
  }, (error) => {
    console.error(`Building the Electron main/preload failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
