/**
 * Runs a planned sweep in the app (Sweep…): every run of the SPEC, in SPEC
 * order, on background workers (up to the cores the foreground and the
 * background runs leave), each filed in the run history as it starts and
 * updated as it trains. A run's inputs are the engine's runInputOf over
 * builtGraph — what `cellwright sweep` hands its workers — and its numbers
 * come from the same trainRun, so a row equals the CLI's row bit for bit.
 */
import { createStore, useStore } from 'zustand';
import type { RunResult } from '../../engine/experiments/run.ts';
import type { SweepRow, SweepSpec } from '../../engine/experiments/sweep.ts';
import { builtGraph, expandSweep, runInputOf } from '../../engine/experiments/sweep.ts';
import type { Graph } from '../../engine/format/types.ts';
import { updateRun } from '../runs/store.ts';
import { taskResources } from '../train/client.ts';
import { LaneGroup, runOnLanes, type Lane, type LaneTask } from './lanes.ts';
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

let group: LaneGroup | null = null;

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
  const tasks: LaneTask[] = [];
  for (const config of configs) {
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
    const pointText = Object.entries(config.point).map(([k, v]) => `${k.split('.')[1]}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
    tasks.push({ key: config.id, trained, input: { ...input, resources: taskResources(trained) }, suffix: `sweep${pointText ? ` ${pointText}` : ''}`, seed: config.seed });
  }
  group = new LaneGroup();
  await runOnLanes(tasks, {
    started: (task, runId) => patchRow(task.key, { status: 'training', runId }),
    progress: (task, step, steps, curves, metric) => patchRow(task.key, { step, steps, best: bestOf(curves.valMetric, metric) }),
    finished: (task, end) => patchRow(task.key, {
      status: end.status, ...(end.result ? { step: end.result.steps, result: end.result } : {}), seconds: end.seconds, error: end.error,
      best: bestOf([...end.curves.valMetric, ...(end.result ? [end.result.metric] : [])], end.metric),
    }),
  }, group, o);
  sweepStore.setState((state) => (state.sweep ? { sweep: { ...state.sweep, running: false } } : {}));
  return true;
}

/** Stop the sweep: training runs keep what they trained (stopped), waiting ones never start. */
export function stopSweep(): void {
  group?.stop();
  const sweep = sweepStore.getState().sweep;
  if (!sweep) return;
  for (const row of sweep.rows) {
    if (row.status === 'training' && row.runId) updateRun(row.runId, { status: 'stopped' });
  }
  sweepStore.setState({ sweep: { ...sweep, running: false, rows: sweep.rows.map((r) => (r.status === 'training' || r.status === 'waiting' ? { ...r, status: 'stopped' } : r)) } });
}
