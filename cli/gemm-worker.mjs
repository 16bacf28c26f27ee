// A helper thread of the fast engine when the CLI runs from its TypeScript
// sources: node 20 cannot run .ts in worker_threads directly, so this
// bootstrap registers tsx, then loads gemm-worker.ts. (The bundle in
// dist-cli/ has its own compiled gemm-worker.mjs next to it.)
import { register } from 'tsx/esm/api';

register();
await import('./gemm-worker.ts');
