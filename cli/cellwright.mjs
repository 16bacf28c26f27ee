#!/usr/bin/env node
// The `cellwright` command. Runs the TypeScript sources through tsx's loader,
// so `npx cellwright` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
// `cellwright run … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
