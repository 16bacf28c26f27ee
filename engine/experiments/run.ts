/**
 * One run of a sweep or preset: a graph, a task block and training settings
 * in, the trained graph and its final numbers out. It is exactly what
 * `cellwright train` does (createTrainer with the same blocks, resumed from
 * the graph's training state, then a validation), so a sweep's row equals a
 * single train run with the same settings and seed, bit for bit.
 *
 * @example
 * const r = await trainRun({ graph, task: { name: 'adding' }, training: { steps: 100, seed: 1 } });
 * r.result.metric // validation MSE after 100 steps
 */
import type { Graph } from '../format/types.ts';
import type { Block } from '../tasks/read.ts';
import type { TaskResources } from '../tasks/types.ts';
import type { MetricRow, SessionFactory } from '../train/trainer.ts';
import { createTrainer } from '../train/trainer.ts';
import { hasDiverged } from '../train/diverged.ts';

export interface RunInput {
  graph: Graph;
  /** The task block (default: the graph's). */
  task?: Block;
  /** Training settings over the graph's training block (these win), as `train`'s flags do. */
  training?: Block;
  resources?: TaskResources;
  createSession?: SessionFactory;
}

export interface RunResult {
  /** Validation loss and headline metric at the end (the task's fixed validation set: fresh data). */
  loss: number;
  metricName: string;
  metric: number;
  /** Training loss of the last step's batch. */
  trainLoss: number;
  steps: number;
  /** The run blew up: a non-finite loss stopped it, or its loss ended ≥ 1e10 or 1000× where it started. */
  diverged: boolean;
  /** What stopped a failed run, if one did. */
  failure: string | null;
}

export { DIVERGED_LOSS, hasDiverged } from '../train/diverged.ts';

/** Watching a run as it trains (the app's Sweep… draws its curves); reading only, so the numbers are the same. */
export interface RunHooks {
  /** The metric rows recorded since the last call (validation rows carry `val`), the step done and the step it stops at. */
  onRows?: (rows: readonly MetricRow[], step: number, until: number) => void;
  /**
   * Called between slices of about 50 ms instead of an immediate resume: a
   * thread that also serves other work (the CLI's main thread, feeding its
   * sweep workers) lets it run here. The numbers do not depend on it.
   */
  yieldFn?: () => Promise<void>;
  /** At the end, after the result and the trained graph are taken: ‖dL/dh_t‖ per cell of the last training batch (t = 1..T). */
  onGradFlow?: (norms: Record<string, number[]>) => void;
}

/** Trains one configuration to its end. Throws GraphError or TaskError when the graph, task or settings do not fit. */
export async function trainRun(input: RunInput, hooks: RunHooks = {}): Promise<{ result: RunResult; graph: Graph }> {
  const trainer = createTrainer(input.graph, {
    task: input.task, training: input.training, resources: input.resources, resume: true,
    ...(input.createSession ? { createSession: input.createSession } : {}),
  });
  const until = trainer.stepCount + trainer.config.steps;
  let sent = 0;
  const report = () => {
    if (!hooks.onRows) return;
    hooks.onRows(trainer.history.slice(sent), trainer.stepCount, until);
    sent = trainer.history.length;
  };
  // Yields nothing to wait for: a worker runs one run at a time, and the numbers do not depend on slicing.
  await trainer.run({ until, yieldFn: () => { report(); return hooks.yieldFn ? hooks.yieldFn() : Promise.resolve(); } });
  report();
  const v = trainer.validate(false);
  const h = trainer.history.filter((r) => r.step > 0);
  const last = h[h.length - 1];
  const metricName = trainer.metricNames()[0] ?? 'loss';
  const lastLoss = last ? last.loss : NaN;
  const metric = v ? (v.metrics as Record<string, number | undefined>)[metricName] ?? NaN : NaN;
  const result: RunResult = {
    loss: v ? v.loss : NaN, metricName, metric, trainLoss: lastLoss, steps: trainer.stepCount,
    diverged: trainer.failure !== null || hasDiverged(lastLoss, h[0]?.loss, v?.loss),
    failure: trainer.failure ? trainer.failure.message : null,
  };
  const graph = trainer.graphWithParameters();
  if (hooks.onGradFlow) {
    const norms: Record<string, number[]> = Object.create(null) as Record<string, number[]>;
    for (const [cell, values] of Object.entries(trainer.snapshot().gradNorms)) norms[cell] = Array.from(values);
    hooks.onGradFlow(norms);
  }
  return { result, graph };
}
