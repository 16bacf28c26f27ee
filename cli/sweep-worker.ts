/**
 * A worker thread of `cellwright sweep` (started by cli/pool.ts): trains the
 * runs it is handed, one at a time, and posts back each result and trained
 * graph. The bundle builds this file into dist-cli/sweep-worker.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { handleRunMessage } from './pool.ts';

const port = parentPort;
if (port) port.on('message', (m: unknown) => { void handleRunMessage(m).then((reply) => port.postMessage(reply)); });
