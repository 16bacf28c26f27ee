/**
 * Reproduce in the app: a preset of engine/experiments/presets.ts opens as a
 * new document (its first cell, with the preset's task and training
 * settings), every arm and seed of its quick form trains on worker lanes
 * into the run history, each trained graph is measured on the preset's
 * fresh test set in its worker, and the preset's own judge gives PASS or
 * FAIL — the numbers `cellwright reproduce NAME --quick` prints.
 */
import { createStore, useStore } from 'zustand';
import type { ArmMeasure, PresetMode, PresetReport } from '../../engine/experiments/presets.ts';
import { getPreset, judgePreset, presetJobs } from '../../engine/experiments/presets.ts';
import type { Graph } from '../../engine/format/types.ts';
import { updateRun } from '../runs/store.ts';
import { LaneGroup, runOnLanes, type Lane, type LaneStatus, type LaneTask } from './lanes.ts';

export type JobStatus = 'waiting' | 'training' | LaneStatus | 'stopped';

export interface ReproduceJobState {
  key: string;
  arm: string;
  seed: number;
  status: JobStatus;
  step: number;
  steps: number;
  runId: string | null;
}

export interface ReproduceRun {
  preset: string;
  mode: PresetMode;
  jobs: ReproduceJobState[];
  measures: ArmMeasure[];
  /** The verdict once every run was measured. */
  report: PresetReport | null;
  /** Why there is no verdict (a run failed, or it was stopped). */
  error: string | null;
  running: boolean;
  seconds: number;
}

export interface ReproduceState {
  open: boolean;
  active: ReproduceRun | null;
}

export const reproduceStore = createStore<ReproduceState>()(() => ({ open: false, active: null }));

export function useReproduce<T>(selector: (state: ReproduceState) => T): T {
  return useStore(reproduceStore, selector);
}

function patch(f: (run: ReproduceRun) => Partial<ReproduceRun>): void {
  reproduceStore.setState((state) => (state.active ? { active: { ...state.active, ...f(state.active) } } : {}));
}

function patchJob(key: string, p: Partial<ReproduceJobState>): void {
  patch((run) => ({ jobs: run.jobs.map((j) => (j.key === key ? { ...j, ...p } : j)) }));
}

/** A job's graph with the task and training settings it trains with (what the document and its run record show). */
function trainedGraph(input: { graph: Graph; task?: unknown; training?: unknown }): Graph {
  return { ...input.graph, ...(input.task ? { task: input.task as Graph['task'] } : {}), training: { ...(input.graph.training ?? {}), ...(input.training as object) } as Graph['training'] };
}

/** The document a preset opens as: its first arm's cell, sized to the task, with the task and training settings. */
export function presetDocument(name: string, mode: PresetMode = 'quick'): Graph | null {
  const p = getPreset(name);
  const first = p ? presetJobs(p, mode)[0] : undefined;
  return first ? trainedGraph(first.input) : null;
}

let group: LaneGroup | null = null;

/**
 * Runs a preset: `open` makes its document (the app loads it; false: the
 * user kept their unsaved work, nothing starts), then every arm × seed trains
 * and is measured; resolves with the report, or null.
 */
export async function startReproduce(name: string, o: { mode?: PresetMode; open: (graph: Graph) => Promise<boolean>; lanes?: number; lane?: () => Lane }): Promise<PresetReport | null> {
  const p = getPreset(name);
  const mode = o.mode ?? 'quick';
  if (!p || reproduceStore.getState().active?.running) return null;
  const jobs = presetJobs(p, mode);
  if (!(await o.open(trainedGraph(jobs[0].input)))) return null;
  const started = performance.now();
  reproduceStore.setState({
    active: {
      preset: p.name, mode, measures: [], report: null, error: null, running: true, seconds: 0,
      jobs: jobs.map((j) => ({ key: j.key, arm: j.arm, seed: j.seed, status: 'waiting', step: 0, steps: Number(j.input.training?.steps ?? 0), runId: null })),
    },
  });
  const tasks: LaneTask[] = jobs.map((j) => ({
    key: j.key, trained: trainedGraph(j.input), input: j.input, seed: j.seed,
    suffix: `reproduce ${p.name}${mode === 'quick' ? ' (quick)' : ''}`, measure: { preset: p.name, mode },
  }));
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  group = new LaneGroup();
  await runOnLanes(tasks, {
    started: (task, runId) => patchJob(task.key, { status: 'training', runId }),
    progress: (task, step, steps) => patchJob(task.key, { step, steps }),
    finished: (task, end) => {
      const job = byKey.get(task.key)!;
      patchJob(task.key, { status: end.status, ...(end.result ? { step: end.result.steps } : {}) });
      if (end.result && end.test) {
        const measure: ArmMeasure = { arm: job.arm, seed: job.seed, ...end.test, steps: end.result.steps, seconds: end.seconds, diverged: end.result.diverged };
        patch((run) => ({ measures: [...run.measures, measure] }));
      } else {
        patch((run) => ({ error: run.error ?? `${task.key} failed: ${end.error ?? 'no result'}` }));
      }
    },
  }, group, o);
  const run = reproduceStore.getState().active;
  if (!run || run.preset !== p.name) return null;
  // Reports list arms and seeds in the preset's order, whatever order the lanes finished in.
  const order = jobs.map((j) => j.key);
  const measures = [...run.measures].sort((a, b) => order.indexOf(`${a.arm}-s${a.seed}`) - order.indexOf(`${b.arm}-s${b.seed}`));
  const complete = measures.length === jobs.length && run.error === null;
  const report = complete ? judgePreset(p, mode, measures) : null;
  patch(() => ({ measures, report, running: false, seconds: (performance.now() - started) / 1000 }));
  return report;
}

/** Stop a preset's runs: no verdict (the criterion needs every run). */
export function stopReproduce(): void {
  group?.stop();
  patch((run) => {
    for (const j of run.jobs) if (j.status === 'training' && j.runId) updateRun(j.runId, { status: 'stopped' });
    return { running: false, error: run.error ?? 'stopped before every run was measured', jobs: run.jobs.map((j) => (j.status === 'training' || j.status === 'waiting' ? { ...j, status: 'stopped' } : j)) };
  });
}
