/**
 * How a training snapshot from the worker changes the training and telemetry
 * stores, as one function of (what the stores hold, the snapshot, a little
 * context) → patches. The client (client.ts) only calls it and sets the
 * patches, so every rule below is tested without a worker or a store:
 *
 * - Stale snapshots are ignored: after a reset (or a re-initialization of
 *   every parameter) the UI has cleared the charts; a snapshot the worker
 *   sent before it saw the reset would bring the old run back, so until a
 *   snapshot at step 0 arrives, later-step ones are dropped. (Snapshots of a
 *   graph since recompiled are dropped earlier, by their `seq`.)
 * - Ordering: the histories (loss curves, growth, dynamics) only grow
 *   forward — a row at or before the last recorded step is not appended twice.
 * - Partial snapshots: a snapshot without gradient norms, diagnostics or a
 *   probe keeps what the stores already show.
 * - Non-finite values: a NaN or infinite training loss is not plotted (the
 *   run bar still shows it, and the failure names the node); a non-finite
 *   validation loss is plotted as a gap.
 *
 * The histories are append-only arrays shared with the charts (see
 * store/telemetry.ts): this function appends to the ones it is given, and
 * hands out fresh ones after a reset, so the charts never copy them.
 */
import type { Flag } from '../../engine/diagnostics/flags.ts';
import type { Graph } from '../../engine/format/types.ts';
import { idTable, own } from '../../engine/format/dict.ts';
import type { TelemetryState } from '../store/telemetry.ts';
import type { RunState, TrainingState } from '../store/training.ts';
import { diverged, edgeMagnitudes, perStepGrowth, stripsFromProbe } from './derive.ts';
import type { CompiledInfo, LiveSnapshot } from './protocol.ts';

export type TelemetryData = Omit<TelemetryState, 'setStrips' | 'clear'>;

export interface SnapshotContext {
  info: CompiledInfo | null;
  /** The graph the worker compiled (node ids for strips and edges). */
  graph: Graph;
  /** A recompile is waiting: the run state stays as it is. */
  pendingCompile: boolean;
  /** A reset was sent and its step-0 snapshot has not come back yet. */
  awaitingReset: boolean;
}

export type SnapshotOutcome =
  | { ignored: true; reason: 'stale' }
  | { ignored: false; training: Partial<Omit<TrainingState, 'set'>>; telemetry: Partial<TelemetryData>; awaitingReset: boolean };

/** The run state a snapshot implies, given the one shown. */
export function runStateOf(s: LiveSnapshot, previous: RunState, firstLoss: number | undefined): RunState {
  switch (s.state) {
    case 'running': return { kind: 'training' };
    case 'idle': return previous.kind === 'error' && previous.source === 'worker' ? previous : { kind: 'idle' };
    case 'paused': return { kind: 'paused', reason: s.failure ? 'failure' : previous.kind === 'paused' ? previous.reason : 'user' };
    case 'done': return { kind: 'paused', reason: s.step > 0 && diverged(s.loss, firstLoss, s.validation?.loss) ? 'diverged' : 'done' };
    case 'cancelled': return previous;
    default: {
      const never: never = s.state;
      return never;
    }
  }
}

function sameFlags(a: TelemetryData['flags'], b: TelemetryData['flags']): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => b[k]?.kind === a[k].kind);
}

/**
 * The patches one snapshot makes (see the file comment), or `ignored` for a
 * stale one.
 *
 * @example
 * const out = applySnapshot(trainingStore.getState().run, telemetryStore.getState(), snapshot, ctx);
 * if (!out.ignored) { trainingStore.getState().set(out.training); telemetryStore.setState(out.telemetry); }
 */
export function applySnapshot(run: RunState, tel: TelemetryData, s: LiveSnapshot, ctx: SnapshotContext): SnapshotOutcome {
  if (ctx.awaitingReset && s.step > 0) return { ignored: true, reason: 'stale' };
  const training: Partial<Omit<TrainingState, 'set'>> = {
    run: ctx.pendingCompile ? run : runStateOf(s, run, tel.curves.loss[0]),
    step: s.step,
    steps: s.steps,
    stepsPerSecond: Number.isFinite(s.stepsPerSecond) ? s.stepsPerSecond : 0,
    loss: s.loss,
    failure: s.failure,
  };
  // Before the first step the compile-time diagnostics (validation set) give the picture.
  let gradNorms = s.gradNorms;
  if (Object.keys(gradNorms).length === 0 && s.diagnostics) gradNorms = Object.fromEntries(s.diagnostics.cells.map((c) => [c.node, c.gradNorms]));
  else if (Object.keys(gradNorms).length === 0) gradNorms = tel.gradNorms;
  const patch: Partial<TelemetryData> = { seq: tel.seq + 1, gradNorms };
  // Back at step 0 after a run (some history holds a later step): a repeated step-0 snapshot (another sample chosen) keeps the initial validation point.
  const later = (xs: number[]): boolean => (xs.at(-1) ?? 0) > 0;
  const restart = s.step === 0 && s.rows.length === 0 && s.state === 'idle' && (later(tel.curves.step) || later(tel.curves.valStep) || later(tel.growth.step) || later(tel.dynamics.step));
  if (restart) {
    // Reset: the histories start over (fresh arrays: the charts hold the old ones).
    patch.curves = { step: [], loss: [], metric: [], valStep: [], valLoss: [], valMetric: [] };
    patch.growth = { step: [], perStep: idTable() };
    patch.dynamics = { step: [], weights: idTable(), jacobian: [] };
    patch.curvesVersion = tel.curvesVersion + 1;
    patch.growthVersion = tel.growthVersion + 1;
    patch.dynamicsVersion = tel.dynamicsVersion + 1;
  }
  const curves = patch.curves ?? tel.curves;
  if (s.rows.length > 0) {
    const metric = ctx.info?.metricNames[0];
    let grew = false;
    for (const row of s.rows) {
      if (Number.isFinite(row.loss) && !(row.step <= (curves.step.at(-1) ?? -Infinity))) {
        curves.step.push(row.step);
        curves.loss.push(row.loss);
        curves.metric.push(metric ? row.metrics[metric] ?? NaN : NaN);
        grew = true;
      }
      if (row.val && !(row.step <= (curves.valStep.at(-1) ?? -Infinity))) {
        curves.valStep.push(row.step);
        curves.valLoss.push(Number.isFinite(row.val.loss) ? row.val.loss : NaN);
        curves.valMetric.push(metric ? row.val.metrics[metric] ?? NaN : NaN);
        grew = true;
      }
    }
    if (grew) patch.curvesVersion = (patch.curvesVersion ?? tel.curvesVersion) + 1;
  }
  const growth = patch.growth ?? tel.growth;
  const cells = Object.keys(gradNorms);
  if (cells.length > 0 && !(s.step <= (growth.step.at(-1) ?? -Infinity))) {
    growth.step.push(s.step);
    for (const cell of cells) {
      const series = own(growth.perStep, cell) ?? (growth.perStep[cell] = new Array<number>(growth.step.length - 1).fill(NaN));
      series.push(perStepGrowth(gradNorms[cell]));
    }
    for (const series of Object.values(growth.perStep)) if (series.length < growth.step.length) series.push(NaN);
    patch.growthVersion = (patch.growthVersion ?? tel.growthVersion) + 1;
  }
  if (s.diagnostics) {
    const d = s.diagnostics;
    const dyn = patch.dynamics ?? tel.dynamics;
    if (!(d.step <= (dyn.step.at(-1) ?? -Infinity))) {
      dyn.step.push(d.step);
      for (const w of d.weights) {
        const series = own(dyn.weights, w.edge) ?? (dyn.weights[w.edge] = new Array<number>(dyn.step.length - 1).fill(NaN));
        series.push(w.spectralRadius);
      }
      for (const series of Object.values(dyn.weights)) if (series.length < dyn.step.length) series.push(NaN);
      dyn.jacobian.push(d.jacobian?.radius ?? NaN);
      patch.dynamicsVersion = (patch.dynamicsVersion ?? tel.dynamicsVersion) + 1;
    }
    patch.diagnostics = d;
  }
  const flags = idTable<Flag>();
  for (const flag of s.flags) flags[flag.node] = flag;
  if (s.failure?.node) flags[s.failure.node] = { node: s.failure.node, kind: 'nonfinite', ratio: NaN, perStep: NaN, ...(s.failure.t !== null ? { step: s.failure.t } : {}) };
  patch.flags = sameFlags(tel.flags, flags) ? tel.flags : flags;
  if (s.probe) {
    patch.probe = s.probe;
    patch.strips = stripsFromProbe(ctx.graph, s.probe);
    patch.edgeGrad = edgeMagnitudes(ctx.graph, s.probe);
  }
  // Any snapshot that gets here is at step 0 or not awaited: the reset (if any) has come back.
  return { ignored: false, training, telemetry: patch, awaitingReset: false };
}
