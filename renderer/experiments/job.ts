/**
 * One sweep run in a worker (sweep.worker.ts): the engine's trainRun — the
 * function `cellwright sweep` runs on its worker threads — with its rows
 * posted as it trains so the app can draw the run's curves. No DOM here: the
 * unit tests call it in-process, the worker calls it on its own thread.
 */
import type { FixedPointSummary, PresetMode } from '../../engine/experiments/presets.ts';
import { getPreset, measureOnTest, testSet } from '../../engine/experiments/presets.ts';
import type { RunInput, RunResult } from '../../engine/experiments/run.ts';
import { trainRun } from '../../engine/experiments/run.ts';
import type { DataFile } from '../../engine/format/types.ts';
import type { Block } from '../../engine/tasks/read.ts';
import type { MetricRow } from '../../engine/train/trainer.ts';

export interface SweepJob {
  type: 'run';
  /** The run's id (RunConfig.id). */
  key: string;
  input: RunInput;
  /** A Reproduce run: measure the trained graph on the preset's fresh test set (as `cellwright reproduce` does). */
  measure?: { preset: string; mode: PresetMode };
}

/** A trained graph on a preset's test set (engine/experiments/presets.ts measureOnTest). */
export interface TestMeasure {
  loss: number;
  metricName: string;
  metric: number;
  extra: Record<string, number>;
  fixedPoints?: FixedPointSummary[];
}

/** The rows a chart needs: training loss per step, validation loss and metrics where validation ran. */
export type SweepRowPoint = Pick<MetricRow, 'step' | 'loss' | 'val'>;

export type SweepReply =
  | { type: 'progress'; key: string; step: number; steps: number; rows: SweepRowPoint[] }
  | { type: 'done'; key: string; result: RunResult; gradFlow: Record<string, number[]>; test?: TestMeasure; seconds: number }
  | { type: 'error'; key: string; error: string; seconds: number };

/** A preset's test set, made once per worker and mode (every arm and seed is measured on the same one). */
const tests = new Map<string, { task: Block; data: DataFile }>();

/** How often progress goes out (a chart is redrawn no faster than this). */
const PROGRESS_EVERY_MS = 150;

/** Trains one job, posting progress and then its result; a graph or task that does not fit is an error reply, not a crash. */
export async function trainSweepJob(job: SweepJob, post: (reply: SweepReply) => void, now: () => number = () => performance.now()): Promise<void> {
  const started = now();
  let pending: SweepRowPoint[] = [];
  let last = -Infinity;
  let gradFlow: Record<string, number[]> = {};
  try {
    const { result, graph } = await trainRun(job.input, {
      onRows: (rows, step, steps) => {
        for (const r of rows) pending.push({ step: r.step, loss: r.loss, ...(r.val ? { val: r.val } : {}) });
        const t = now();
        if (t - last < PROGRESS_EVERY_MS && step < steps) return;
        last = t;
        post({ type: 'progress', key: job.key, step, steps, rows: pending });
        pending = [];
      },
      onGradFlow: (norms) => { gradFlow = norms; },
    });
    if (pending.length > 0) post({ type: 'progress', key: job.key, step: result.steps, steps: result.steps, rows: pending });
    let test: TestMeasure | undefined;
    const preset = job.measure ? getPreset(job.measure.preset) : undefined;
    if (job.measure && preset) {
      const key = `${preset.name}/${job.measure.mode}`;
      const set = tests.get(key) ?? testSet(preset, job.measure.mode);
      tests.set(key, set);
      test = measureOnTest(preset, graph, set);
    }
    post({ type: 'done', key: job.key, result, gradFlow, ...(test ? { test } : {}), seconds: (now() - started) / 1000 });
  } catch (e) {
    post({ type: 'error', key: job.key, error: e instanceof Error ? e.message : String(e), seconds: (now() - started) / 1000 });
  }
}
