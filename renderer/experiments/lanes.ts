/**
 * Recorded runs on worker lanes, for Sweep… and Reproduce: each task trains
 * in a sweep worker (job.ts), is filed in the run history as it starts
 * ("… · sweep lr=0.03"), and its curves, status and final numbers follow the
 * worker's replies. Up to the cores the foreground trainer and background
 * runs leave, at least one lane; a lane keeps its worker from run to run.
 */
import { graphForRun, runName, runSettings, type RunCurves, type RunRecord } from '../../engine/experiments/compare.ts';
import type { RunInput, RunResult } from '../../engine/experiments/run.ts';
import type { Graph } from '../../engine/format/types.ts';
import { appendRows, backgroundCount, backgroundSlots } from '../runs/pool.ts';
import { nextRunNumber, updateRun, upsertRun } from '../runs/store.ts';
import type { SweepJob, SweepReply, SweepRowPoint, TestMeasure } from './job.ts';
import { trainSweepJob } from './job.ts';

/** Where runs train: a worker of its own per lane, reused run after run; tests give an in-process one. */
export interface Lane {
  run(job: SweepJob, onReply: (reply: SweepReply) => void): Promise<void>;
  stop(): void;
}

export function workerLane(): Lane {
  let worker: Worker | null = null;
  let finish: (() => void) | null = null;
  return {
    run(job, onReply) {
      worker ??= new Worker(new URL('./sweep.worker.ts', import.meta.url), { type: 'module', name: 'cellwright-sweep' });
      const w = worker;
      return new Promise<void>((resolve) => {
        const done = () => {
          w.removeEventListener('message', onMessage);
          w.removeEventListener('error', onError);
          finish = null;
          resolve();
        };
        const onMessage = (event: MessageEvent<SweepReply>) => {
          if (event.data.key !== job.key) return;
          onReply(event.data);
          if (event.data.type !== 'progress') done();
        };
        const onError = (event: ErrorEvent) => {
          event.preventDefault();
          onReply({ type: 'error', key: job.key, error: `its worker crashed (${event.message || 'unknown error'})`, seconds: 0 });
          worker = null;
          w.terminate();
          done();
        };
        finish = done;
        w.addEventListener('message', onMessage);
        w.addEventListener('error', onError);
        w.postMessage(job);
      });
    },
    stop() {
      worker?.terminate();
      worker = null;
      finish?.();
    },
  };
}

/** The worker's code in this thread (unit tests; a worker's numbers are the same). */
export function inProcessLane(): Lane {
  return { run: (job, onReply) => trainSweepJob(job, onReply), stop: () => undefined };
}

/** How many runs at once: the cores less the foreground trainer and the background runs, at least one. */
export function laneCount(): number {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 2;
  return Math.max(1, backgroundSlots(cores, backgroundCount()));
}

/** One run to train and record. */
export interface LaneTask {
  key: string;
  /** The graph with the task and training settings the run trains with (its run record keeps this). */
  trained: Graph;
  input: RunInput;
  /** After the run's name: "sweep lr=0.03", "reproduce adding (quick)". */
  suffix: string;
  seed: number;
  measure?: SweepJob['measure'];
}

export type LaneStatus = 'done' | 'diverged' | 'failed';

/** What the caller hears of each task. */
export interface LaneEvents {
  /** A graph that could not be built for the task (before it is filed). */
  started?(task: LaneTask, runId: string): void;
  progress?(task: LaneTask, step: number, steps: number, curves: RunCurves, metric: string | null): void;
  finished(task: LaneTask, end: { status: LaneStatus; result: RunResult | null; test?: TestMeasure; error: string | null; seconds: number; curves: RunCurves; metric: string | null }): void;
}

/** The lanes of one runOnLanes call: stop() ends the runs in training and starts no more. */
export class LaneGroup {
  stopped = false;
  lanes: Lane[] = [];
  stop(): void {
    this.stopped = true;
    for (const lane of this.lanes) lane.stop();
  }
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

/** Trains the tasks in order on `lanes` lanes; resolves when all have ended or the group was stopped. */
export async function runOnLanes(tasks: readonly LaneTask[], events: LaneEvents, group: LaneGroup, o: { lanes?: number; lane?: () => Lane } = {}): Promise<void> {
  const queue = [...tasks];
  const lanes = Array.from({ length: Math.min(o.lanes ?? laneCount(), tasks.length) }, () => (o.lane ?? workerLane)());
  group.lanes = lanes;
  const work = async (lane: Lane) => {
    for (let task = queue.shift(); task && !group.stopped; task = queue.shift()) {
      const { index, id } = nextRunNumber();
      const points: SweepRowPoint[] = [];
      let metric: string | null = null;
      const curvesNow = (): RunCurves => {
        const c: RunCurves = { step: [], loss: [], valStep: [], valLoss: [], valMetric: [] };
        // Until the result names the task's metric, the first one validation reported.
        const val = points.find((p) => p.val)?.val;
        metric ??= val ? Object.keys(val.metrics)[0] ?? null : null;
        appendRows(c, points, metric);
        return c;
      };
      const g = task.trained;
      upsertRun({
        id, name: `${runName(index, g)} · ${task.suffix}`, started: new Date().toISOString(), graphName: typeof g.name === 'string' ? g.name : '',
        graph: graphForRun(g), settings: runSettings(g), seed: task.seed, steps: 0, metricName: null, curves: curvesNow(),
        final: { loss: null, valLoss: null, metric: null }, gradFlow: {}, status: 'training',
      } satisfies RunRecord);
      events.started?.(task, id);
      await lane.run({ type: 'run', key: task.key, input: task.input, ...(task.measure ? { measure: task.measure } : {}) }, (reply) => {
        if (reply.type === 'progress') {
          points.push(...reply.rows);
          const curves = curvesNow();
          updateRun(id, { steps: reply.step, curves });
          events.progress?.(task, reply.step, reply.steps, curves, metric);
        } else if (reply.type === 'done') {
          metric = reply.result.metricName;
          const curves = curvesNow();
          const status: LaneStatus = reply.result.failure ? 'failed' : reply.result.diverged ? 'diverged' : 'done';
          updateRun(id, { steps: reply.result.steps, curves, metricName: metric, status, gradFlow: reply.gradFlow, final: { loss: finite(reply.result.trainLoss), valLoss: finite(reply.result.loss), metric: finite(reply.result.metric) } });
          events.finished(task, { status, result: reply.result, test: reply.test, error: reply.result.failure, seconds: reply.seconds, curves, metric });
        } else {
          updateRun(id, { status: 'failed' });
          events.finished(task, { status: 'failed', result: null, error: reply.error, seconds: reply.seconds, curves: curvesNow(), metric });
        }
      });
    }
  };
  await Promise.all(lanes.map(work));
  lanes.forEach((lane) => lane.stop());
}
