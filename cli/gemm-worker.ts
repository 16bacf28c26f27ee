/**
 * A helper thread of the fast engine (started by cli/threads.ts): serves the
 * matrix products it is handed. The bundle builds this file into
 * dist-cli/gemm-worker.mjs; from the sources, cli/gemm-worker.mjs loads it
 * through tsx.
 */
import { workerData } from 'node:worker_threads';
import { serveGemm } from '../engine/fast/threads.ts';

serveGemm(workerData);
