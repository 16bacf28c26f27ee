// A helper thread of the fast engine (cli/threads.ts): node 20 cannot run .ts
// in worker_threads directly, so this bootstrap registers tsx, then serves.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serveGemm } = await import('../engine/fast/threads.ts');
serveGemm(workerData);
