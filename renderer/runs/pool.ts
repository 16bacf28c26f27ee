/**
 * Background runs: "Train in background" copies the current graph and its
 * settings into a worker of its own (the same trainer worker the client
 * uses), trains it to its planned steps and files the result in the run
 * history. Up to navigator.hardwareConcurrency workers at once, the
 * foreground trainer included; each run shows its progress in the runs list.
 * The foreground client (train/client.ts) is untouched.
 */
import { graphForRun, runName, runSettings, type RunCurves, type RunRecord } from '../../engine/experiments/compare.ts';
import type { Graph } from '../../engine/format/types.ts';
import type { MetricRow } from '../../engine/train/trainer.ts';
import { hasDiverged } from '../../engine/train/diverged.ts';
import { documentStore } from '../store/document.ts';
import { trainingStore } from '../store/training.ts';
import { uiStore } from '../store/ui.ts';
import { taskResources } from '../train/client.ts';
import type { FromWorker, ToWorker } from '../train/protocol.ts';
import { nextRunNumber, runsStore, updateRun, upsertRun } from './store.ts';

/** A snapshot's rows appended to a run's curves (the rows the foreground's loss chart reads, the same way). */
export function appendRows(curves: RunCurves, rows: readonly Pick<MetricRow, 'step' | 'loss' | 'val'>[], metric: string | null): void {
  for (const row of rows) {
    if (Number.isFinite(row.loss)) {
      curves.step.push(row.step);
      curves.loss.push(row.loss);
    }
    if (row.val) {
      curves.valStep.push(row.step);
      curves.valLoss.push(row.val.loss);
      curves.valMetric.push(metric ? (row.val.metrics as Record<string, number | undefined>)[metric] ?? NaN : NaN);
    }
  }
}

/** How many background runs may train now: the cores, less the foreground trainer. */
export function backgroundSlots(cores: number, running: number): number {
  return Math.max(0, Math.max(1, cores - 1) - running);
}

const workers = new Map<string, Worker>();

export function backgroundCount(): number {
  return workers.size;
}

const lastFinite = (xs: number[]): number | null => {
  for (let i = xs.length - 1; i >= 0; i--) if (Number.isFinite(xs[i])) return xs[i];
  return null;
};

/** Stop a background run (its worker ends; what it trained so far is kept). */
export function cancelBackground(id: string): void {
  const worker = workers.get(id);
  if (!worker) return;
  worker.terminate();
  workers.delete(id);
  const run = runsStore.getState().runs.find((r) => r.id === id);
  if (run?.status === 'training') updateRun(id, { status: 'stopped' });
}

/** Train a copy of the current graph and settings in a new worker; returns the run's id, or null when every core is busy. */
export function trainInBackground(graph: Graph = documentStore.getState().graph): string | null {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 2;
  if (backgroundSlots(cores, workers.size) === 0) {
    uiStore.getState().notify('info', `Every core is busy (${cores}): wait for a background run to finish, or stop one in the runs list.`);
    return null;
  }
  const { index, id } = nextRunNumber();
  const training = (graph.training ?? {}) as Record<string, unknown>;
  const curves: RunCurves = { step: [], loss: [], valStep: [], valLoss: [], valMetric: [] };
  let metric: string | null = null;
  let gradFlow: Record<string, number[]> = {};
  const record: RunRecord = {
    id, name: `${runName(index, graph)} · background`, started: new Date().toISOString(), graphName: typeof graph.name === 'string' ? graph.name : '',
    graph: graphForRun(graph), settings: runSettings(graph), seed: typeof training.seed === 'number' ? training.seed : 1, steps: 0, metricName: null,
    curves, final: { loss: null, valLoss: null, metric: null }, gradFlow: {}, status: 'training',
  };
  upsertRun(record);
  const worker = new Worker(new URL('../train/trainer.worker.ts', import.meta.url), { type: 'module', name: `cellwright-background-${index}` });
  workers.set(id, worker);
  const post = (message: ToWorker) => worker.postMessage(message);
  const finish = (status: RunRecord['status']) => {
    worker.terminate();
    workers.delete(id);
    const copy: RunCurves = { step: curves.step.slice(), loss: curves.loss.slice(), valStep: curves.valStep.slice(), valLoss: curves.valLoss.slice(), valMetric: curves.valMetric.slice() };
    updateRun(id, { status, curves: copy, metricName: metric, gradFlow, final: { loss: lastFinite(copy.loss), valLoss: lastFinite(copy.valLoss), metric: lastFinite(copy.valMetric) } });
    runsStore.setState((state) => {
      const { [id]: _done, ...progress } = state.progress;
      return { progress };
    });
  };
  worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    if (!runsStore.getState().runs.some((r) => r.id === id)) {
      // Deleted from the list while training.
      worker.terminate();
      workers.delete(id);
      return;
    }
    switch (message.type) {
      case 'compiled':
        metric = message.info.metricNames[0] ?? null;
        post({ type: 'train' });
        break;
      case 'compileError':
        uiStore.getState().notify('error', `Background run ${index} could not start: ${message.message}`);
        finish('failed');
        break;
      case 'snapshot': {
        const s = message.snapshot;
        appendRows(curves, s.rows, metric);
        if (Object.keys(s.gradNorms).length > 0) gradFlow = Object.fromEntries(Object.entries(s.gradNorms).map(([cell, v]) => [cell, Array.from(v)]));
        runsStore.setState((state) => ({ progress: { ...state.progress, [id]: { step: s.step, steps: s.steps, loss: s.loss } } }));
        // A new curves object over the same growing arrays: an open Compare redraws as the run trains.
        updateRun(id, { steps: s.step, curves: { ...curves } });
        if (s.failure) finish('failed');
        else if (s.state === 'done') finish(s.step > 0 && hasDiverged(s.loss, curves.loss[0], s.validation?.loss) ? 'diverged' : 'done');
        break;
      }
      default:
        break;
    }
  });
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    uiStore.getState().notify('error', `Background run ${index} stopped: its worker crashed (${event.message || 'unknown error'}).`);
    finish('failed');
  });
  const data = trainingStore.getState().data;
  post({ type: 'load', seq: 1, graph, data: data?.file ?? null, resources: taskResources(graph) });
  return id;
}
