/**
 * Runs many training runs on worker threads (cli/sweep-worker.ts), a run per
 * worker at a time, up to `jobs` at once. With one job the runs go in this
 * thread: the numbers are the same either way (each run is deterministic and
 * single-threaded), only the wall time differs.
 */
import { Worker } from 'node:worker_threads';
import type { RunHooks, RunInput, RunResult } from '../engine/experiments/run.ts';
import { trainRun } from '../engine/experiments/run.ts';
import { serializeGraph } from '../engine/format/parse.ts';

export interface RunJob {
  key: string;
  input: RunInput;
}

export type RunReply =
  | { key: string; ok: true; result: RunResult; graphText: string; seconds: number }
  | { key: string; ok: false; error: string; seconds: number };

function isJob(m: unknown): m is RunJob {
  return typeof m === 'object' && m !== null && typeof (m as RunJob).key === 'string' && typeof (m as RunJob).input === 'object';
}

/** Trains one job and reports it; a graph or task that does not fit becomes an error reply, not a crash. */
export async function handleRunMessage(m: unknown, hooks: RunHooks = {}): Promise<RunReply> {
  const started = performance.now();
  if (!isJob(m)) return { key: '', ok: false, error: 'internal: a sweep worker got a message that is not a run', seconds: 0 };
  try {
    const { result, graph } = await trainRun(m.input, hooks);
    return { key: m.key, ok: true, result, graphText: serializeGraph(graph), seconds: (performance.now() - started) / 1000 };
  } catch (e) {
    return { key: m.key, ok: false, error: e instanceof Error ? e.message : String(e), seconds: (performance.now() - started) / 1000 };
  }
}

/** Lets the event loop run (worker replies, the next job handed out) between a main-thread run's slices. */
const toEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs every job, `jobs` at a time, calling `onDone` as each finishes (in
 * finishing order). Resolves when all are done; a worker that dies fails
 * its run with the reason and is replaced. With N jobs, N − 1 run on worker
 * threads and one on this thread, which would otherwise sit idle: a worker
 * costs a start-up (≈ 1 s of CPU from the TypeScript sources, loading the
 * engine through tsx) that this already-loaded thread does not.
 */
export async function runPool(list: RunJob[], jobs: number, onDone: (r: RunReply) => void | Promise<void>): Promise<void> {
  if (jobs <= 1 || list.length <= 1) {
    for (const j of list) await onDone(await handleRunMessage(j));
    return;
  }
  const queue = [...list];
  const n = Math.min(jobs, list.length) - 1;
  let failed = false;
  const started = new Set<Worker>();
  // The workers first, so they load while this thread trains its first run.
  const workers = new Promise<void>((resolve, reject) => {
    let active = 0;
    const start = (): void => {
      const w = new Worker(new URL('./sweep-worker.mjs', import.meta.url));
      started.add(w);
      active++;
      let current: RunJob | undefined;
      const next = (): void => {
        current = queue.shift();
        if (current) w.postMessage(current);
        else { void w.terminate(); }
      };
      w.on('message', (r: RunReply) => {
        Promise.resolve(onDone(r)).then(next, (e: unknown) => { failed = true; void w.terminate(); reject(e); });
      });
      w.on('error', (e) => {
        if (current) void onDone({ key: current.key, ok: false, error: `worker failed: ${e.message}`, seconds: 0 });
        current = undefined;
      });
      w.on('exit', () => {
        active--;
        if (failed) return;
        if (current) { void onDone({ key: current.key, ok: false, error: 'worker exited before finishing the run', seconds: 0 }); current = undefined; }
        if (queue.length > 0) start();
        else if (active === 0) resolve();
      });
      next();
    };
    for (let i = 0; i < n; i++) start();
  });
  const here = (async () => {
    for (let job = queue.shift(); job && !failed; job = queue.shift()) await onDone(await handleRunMessage(job, { yieldFn: toEventLoop }));
  })();
  try {
    await Promise.all([here, workers]);
  } catch (e) {
    failed = true;
    for (const w of started) void w.terminate();
    throw e;
  }
}
