/**
 * Runs a planned sweep in the app (Sweep…): every run of the SPEC, in SPEC
 * order, on background workers (up to the cores the foreground and the
 * background runs leave), each filed in the run history as it starts and
 * updated as it trains. A run's inputs are the engine's runInputOf over
 * builtGraph — what `cellwright sweep` hands its workers — and its numbers
 * come from the same trainRun, so a row equals the CLI's row bit for bit.
 */
import { createStore, useStore } from 'zustand';
import { graphForRun, runName, runSettings, type RunCurves, type RunRecord } from '../../engine/experiments/compare.ts';
import type { RunResult } from '../../engine/experiments/run.ts';
import type { SweepRow, SweepSpec } from '../../engine/experiments/sweep.ts';
import { builtGraph, expandSweep, runInputOf } from '../../engine/experiments/sweep.ts';
import type { Graph } from '../../engine/format/types.ts';
import { appendRows, backgroundCount, backgroundSlots } from '../runs/pool.ts';
import { nextRunNumber, updateRun, upsertRun } from '../runs/store.ts';
import { taskResources } from '../train/client.ts';
import type { SweepJob, SweepReply, SweepRowPoint } from './job.ts';
import type { SweepForm } from './plan.ts';

export type RowStatus = 'waiting' | 'training' | 'done' | 'diverged' | 'failed' | 'stopped';

/** One row of the Sweep dialog's results table. */
export interface SweepRowState {
  /** The run's id in the SPEC (RunConfig.id, as `cellwright sweep` names runs/<id>.json). */
  id: string;
  label: string;
  seed: number;
  point: Record<string, unknown>;
  configKey: string;
  status: RowStatus;
  step: number;
  steps: number;
  /** Its run in the run history, once started. */
  runId: string | null;
  result: RunResult | null;
  /** The best validation metric along the run (the goal's direction). */
  best: number | null;
  error: string | null;
  seconds: number;
}

export interface ActiveSweep {
  /** The SPEC file's text (Export SPEC writes it). */
  text: string;
  spec: SweepSpec;
  keys: string[];
  rows: SweepRowState[];
  running: boolean;
}

export interface SweepState {
  open: boolean;
  form: SweepForm | null;
  sweep: ActiveSweep | null;
}

export const sweepStore = createStore<SweepState>()(() => ({ open: false, form: null, sweep: null }));

export function useSweep<T>(selector: (state: SweepState) => T): T {
  return useStore(sweepStore, selector);
}

function patchRow(id: string, patch: Partial<SweepRowState>): void {
  sweepStore.setState((state) => {
    if (!state.sweep) return {};
    return { sweep: { ...state.sweep, rows: state.sweep.rows.map((r) => (r.id === id ? { ...r, ...patch } : r)) } };
  });
}

/** Better is larger for accuracy, smaller for losses, MSE and bpc (as the CLI's summary judges). */
export const goalOf = (metric: string | null): 'max' | 'min' => (metric === 'accuracy' ? 'max' : 'min');

function bestOf(values: number[], metric: string | null): number | null {
  const f = values.filter(Number.isFinite);
  if (f.length === 0) return null;
  return goalOf(metric) === 'max' ? Math.max(...f) : Math.min(...f);
}

/** A row as results.csv has it (engine/experiments/sweep.ts resultsCsv), for the CSV export and the comparison with the CLI. */
export function csvRow(row: SweepRowState): SweepRow {
  const r = row.result;
  const base = { run: row.id, graph: row.label, seed: row.seed, point: row.point, configKey: row.configKey, seconds: row.seconds };
  if (!r) return { ...base, loss: NaN, metricName: '', metric: NaN, trainLoss: NaN, steps: 0, diverged: false, error: row.error ?? row.status };
  return { ...base, loss: r.loss, metricName: r.metricName, metric: r.metric, trainLoss: r.trainLoss, steps: r.steps, diverged: r.diverged, ...(r.failure ? { error: r.failure } : {}) };
}

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
        finish = resolve;
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
        const done = () => {
          w.removeEventListener('message', onMessage);
          w.removeEventListener('error', onError);
          finish = null;
          resolve();
        };
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

let lanes: Lane[] = [];
let stopped = false;

/** How many runs at once: the cores less the foreground trainer and the background runs, at least one. */
export function sweepLanes(): number {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 2;
  return Math.max(1, backgroundSlots(cores, backgroundCount()));
}

/**
 * Starts a planned sweep (plan.ts planSweep) and resolves when every run has
 * ended. One sweep at a time: a second start while one runs is refused.
 */
export async function startSweep(planned: { spec: SweepSpec; text: string }, o: { lanes?: number; lane?: () => Lane } = {}): Promise<boolean> {
  if (sweepStore.getState().sweep?.running) return false;
  const { spec, text } = planned;
  const configs = expandSweep(spec);
  const rows: SweepRowState[] = configs.map((c) => ({
    id: c.id, label: c.label, seed: c.seed, point: c.point, configKey: c.configKey, status: 'waiting', step: 0,
    steps: typeof c.training.steps === 'number' ? c.training.steps : 0, runId: null, result: null, best: null, error: null, seconds: 0,
  }));
  sweepStore.setState({ sweep: { text, spec, keys: Object.keys(spec.grid), rows, running: true } });
  stopped = false;
  const queue = [...configs];
  const n = Math.min(o.lanes ?? sweepLanes(), configs.length);
  lanes = Array.from({ length: n }, () => (o.lane ?? workerLane)());
  const work = async (lane: Lane) => {
    for (let config = queue.shift(); config && !stopped; config = queue.shift()) {
      let graph: Graph;
      try {
        graph = builtGraph(spec, config)!;
      } catch (e) {
        patchRow(config.id, { status: 'failed', error: (e as Error).message });
        continue;
      }
      const input = runInputOf(graph, config);
      // The settings as the run trains them: its task block, its training settings over the graph's.
      const trained: Graph = { ...graph, ...(input.task ? { task: input.task as Graph['task'] } : {}), training: { ...(graph.training ?? {}), ...input.training } as Graph['training'] };
      const { index, id } = nextRunNumber();
      const pointText = Object.entries(config.point).map(([k, v]) => `${k.split('.')[1]}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
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
      upsertRun({
        id, name: `${runName(index, trained)} · sweep${pointText ? ` ${pointText}` : ''}`, started: new Date().toISOString(),
        graphName: typeof graph.name === 'string' ? graph.name : '', graph: graphForRun(trained), settings: runSettings(trained), seed: config.seed,
        steps: 0, metricName: null, curves: curvesNow(), final: { loss: null, valLoss: null, metric: null }, gradFlow: {}, status: 'training',
      } satisfies RunRecord);
      patchRow(config.id, { status: 'training', runId: id });
      await lane.run({ type: 'run', key: config.id, input: { ...input, resources: taskResources(trained) } }, (reply) => {
        if (reply.type === 'progress') {
          points.push(...reply.rows);
          const curves = curvesNow();
          updateRun(id, { steps: reply.step, curves, status: 'training' });
          patchRow(config.id, { step: reply.step, steps: reply.steps, best: bestOf(curves.valMetric, metric) });
        } else if (reply.type === 'done') {
          metric = reply.result.metricName;
          const curves = curvesNow();
          const status: RowStatus = reply.result.failure ? 'failed' : reply.result.diverged ? 'diverged' : 'done';
          const finite = (x: number) => (Number.isFinite(x) ? x : null);
          updateRun(id, { steps: reply.result.steps, curves, metricName: metric, status, gradFlow: reply.gradFlow, final: { loss: finite(reply.result.trainLoss), valLoss: finite(reply.result.loss), metric: finite(reply.result.metric) } });
          patchRow(config.id, { status, step: reply.result.steps, result: reply.result, best: bestOf([...curves.valMetric, reply.result.metric], metric), seconds: reply.seconds, error: reply.result.failure });
        } else {
          updateRun(id, { status: 'failed' });
          patchRow(config.id, { status: 'failed', error: reply.error, seconds: reply.seconds });
        }
      });
    }
  };
  await Promise.all(lanes.map(work));
  lanes.forEach((lane) => lane.stop());
  lanes = [];
  sweepStore.setState((state) => (state.sweep ? { sweep: { ...state.sweep, running: false } } : {}));
  return true;
}

/** Stop the sweep: training runs keep what they trained (stopped), waiting ones never start. */
export function stopSweep(): void {
  stopped = true;
  for (const lane of lanes) lane.stop();
  const sweep = sweepStore.getState().sweep;
  if (!sweep) return;
  for (const row of sweep.rows) {
    if (row.status === 'training' && row.runId) updateRun(row.runId, { status: 'stopped' });
  }
  sweepStore.setState({ sweep: { ...sweep, running: false, rows: sweep.rows.map((r) => (r.status === 'training' || r.status === 'waiting' ? { ...r, status: 'stopped' } : r)) } });
}
