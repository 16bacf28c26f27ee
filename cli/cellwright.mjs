#!/usr/bin/env node
// The `cellwright` command.
//
// In a source checkout (cli/main.ts beside this file and tsx installed, as
// after `npm ci`) it runs the TypeScript sources through tsx's loader: no
// build step, and never a stale build. Installed from the package
// (`npm pack`, `npm install -g cellwright-*.tgz`) there are no sources: it
// runs the self-contained bundle dist-cli/main.mjs (built by
// `npm run build:cli`, and by `prepack`), which needs nothing but node.
// CELLWRIGHT_BUNDLE=1 runs the bundle even in a checkout.
import { existsSync } from 'node:fs';

// `cellwright run … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const bundle = new URL('../dist-cli/main.mjs', import.meta.url);

async function fromSources() {
  if (process.env.CELLWRIGHT_BUNDLE === '1' || !existsSync(new URL('./main.ts', import.meta.url))) return null;
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    return null; // Installed without dev dependencies: use the bundle.
  }
  register();
  return import('./main.ts');
}

const mod = (await fromSources()) ?? (existsSync(bundle) ? await import(bundle.href) : null);
if (!mod) {
  process.stderr.write('cellwright: the command is not built: run `npm run build:cli` (or `npm ci` to run it from the sources)\n');
  process.exit(1);
}
process.exitCode = await mod.main(process.argv.slice(2));
