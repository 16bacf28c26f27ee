#!/usr/bin/env node
// Bundles the `cellwright` command into dist-cli/ so it runs with plain node
// and no node_modules: main.mjs (every command, the engine, commander,
// cli-progress, zod, ml-matrix, the WebAssembly kernels, which the engine
// embeds as base64) and gemm-worker.mjs (the fast engine's helper thread;
// cli/threads.ts starts it from next to the bundle). cli/cellwright.mjs, the
// package's bin, loads main.mjs when the TypeScript sources are not there.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {{ outDir?: string, quiet?: boolean }} [options]
 * @returns {Promise<{ main: string, worker: string, sweepWorker: string }>}
 */
export async function buildCli(options = {}) {
  const outDir = options.outDir ?? path.join(root, 'dist-cli');
  rmSync(outDir, { recursive: true, force: true });
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    absWorkingDir: root,
    sourcemap: false,
    legalComments: 'eof',
    logLevel: options.quiet ? 'silent' : 'warning',
    // CommonJS dependencies (commander, cli-progress) call require() for node
    // builtins; an ES module has no require, so give them one.
    banner: { js: "import { createRequire as __cwCreateRequire } from 'node:module';\nconst require = __cwCreateRequire(import.meta.url);" },
  };
  const main = path.join(outDir, 'main.mjs');
  const worker = path.join(outDir, 'gemm-worker.mjs');
  const sweepWorker = path.join(outDir, 'sweep-worker.mjs');
  await Promise.all([
    build({ ...common, entryPoints: [path.join(root, 'cli/main.ts')], outfile: main }),
    build({ ...common, entryPoints: [path.join(root, 'cli/gemm-worker.ts')], outfile: worker }),
    build({ ...common, entryPoints: [path.join(root, 'cli/sweep-worker.ts')], outfile: sweepWorker }),
  ]);
  return { main, worker, sweepWorker };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildCli().then(({ main, worker, sweepWorker }) => {
    // On stderr: `npm pack --json` (prepack) keeps stdout for its JSON.
    console.error(`Built ${path.relative(root, main)}, ${path.relative(root, worker)} and ${path.relative(root, sweepWorker)}.`);
  }, (error) => {
    console.error(`Building the CLI failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
