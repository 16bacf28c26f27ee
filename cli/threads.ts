/** Helper threads for the fast engine's matrix products, on node's worker_threads. */
import { Worker } from 'node:worker_threads';
import type { ThreadHost } from '../engine/fast/index.ts';

/** Starts each helper as cli/gemm-worker.mjs, which runs the engine's serveGemm. */
export const nodeThreadHost: ThreadHost = {
  start(init) {
    const w = new Worker(new URL('./gemm-worker.mjs', import.meta.url), { workerData: init });
    // A helper must not keep the process alive once the command is done.
    w.unref();
    return { stop: () => { void w.terminate(); } };
  },
};
