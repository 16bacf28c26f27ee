// A sweep's worker thread when the CLI runs from its TypeScript sources:
// node 20 cannot run .ts in worker_threads directly, so this bootstrap
// registers tsx, then loads sweep-worker.ts. (The bundle in dist-cli/ has
// its own compiled sweep-worker.mjs next to main.mjs.)
import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker.ts');
