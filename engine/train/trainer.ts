/**
 * The trainer: a graph + a task (or a fixed data file) + a training block →
 * steps of BPTT with clipping and an optimizer, validation, diagnostics and
 * throttled snapshots. It is what `cellwright train` runs and what the UI's
 * Web Worker drives:
 *
 * ```ts
 * const trainer = createTrainer(graph, { onSnapshot: (s) => postMessage(s, transferables(s)) });
 * trainer.run();          // async: trains to training.steps, yielding between slices
 * trainer.pause();        // the loop stops after the current step
 * trainer.step(1);        // one step, synchronously (the Step button)
 * trainer.run();          // resume
 * trainer.reset();        // back to the parameters it started from
 * trainer.cancel();
 * const g = trainer.graphWithParameters();   // the graph file to save
 * ```
 *
 * Determinism: every random number comes from the training seed (parameter
 * init: createParams; sequences: a separate stream) and the task's
 * validation seed, and nothing depends on time, so the same graph, task and
 * seed give bit-identical parameters and metrics.
 *
 * The trainer never touches the runtime's internals beyond the Session API
 * (forward, backward, gparams, vals, gradNorms, values), so a faster Session
 * can replace the reference one underneath it.
 */
import type { Batch } from '../batch.ts';
import type { RunSession } from '../session.ts';
import { batchFromData, dataRunShape } from '../batch.ts';
import type { Program } from '../compile.ts';
import { GraphError } from '../compile.ts';
import type { Diagnostics } from '../diagnostics/index.ts';
import { Diagnoser } from '../diagnostics/index.ts';
import type { DataFile, Graph, TensorJSON } from '../format/types.ts';
import { createParams, exportParams } from '../params.ts';
import { Rng } from '../rng.ts';
import { createSession } from '../fast/index.ts';
import type { SessionLike } from '../fast/index.ts';
import { compileAny, nestedCells, sessionFor, stepProgram, withLayers, withNestedFlags } from '../layers/index.ts';
import type { Task, TaskBinding, TaskMeta, TaskResources } from '../tasks/index.ts';
import { bindTask, createTask, TaskError } from '../tasks/index.ts';
import type { Block } from '../tasks/read.ts';
import type { Arr, DType } from '../tensor.ts';
import { alloc } from '../tensor.ts';
import type { TrainingConfig } from './config.ts';
import { resolveTraining, trainingBlock } from './config.ts';
import type { Metrics } from './metrics.ts';
import { metricNames, taskMetrics } from './metrics.ts';
import type { Optimizer, OptimizerState, Ranges } from './optimizers.ts';
import { clipGradNorm, clipGradValue, createOptimizer, gradNorm, learningRate, trainableRanges } from './optimizers.ts';
import { idTable } from '../format/dict.ts';
import type { Limits } from '../limits.ts';
import { checkRun } from '../limits.ts';
import type { TrainState } from './state.ts';
import { decodeState, encodeState } from './state.ts';

export type TrainerState = 'idle' | 'running' | 'paused' | 'done' | 'cancelled';

/** Makes the sessions that train and validate (default: the reference runtime). */
export type SessionFactory = (program: Program, opts: { T: number; B: number; dtype: DType }) => RunSession;

/** One row of the metrics history (and of the --metrics file). */
export interface MetricRow {
  /** Updates done after this row's step (1 = the first update); 0 for the initial validation. */
  step: number;
  /** Training loss of the step's batch, before its update (NaN on the step-0 row). */
  loss: number;
  metrics: Metrics;
  /** ‖g‖ over trainable parameters before clipping. */
  gradNorm: number;
  clipped: boolean;
  lr: number;
  /** Set on rows where validation ran (after this row's update). */
  val?: { loss: number; metrics: Metrics };
}

/**
 * Where training first produced a non-finite number. The failing step is not
 * applied (parameters, optimizer and data stream stay as after the step
 * before), training pauses; `rollback()` restores the last checkpoint.
 */
export interface Failure {
  step: number;
  where: 'loss' | 'gradient' | 'parameter';
  /** The node and 1-based time step where it first appeared (forward order for the loss, backward for a gradient). */
  node: string | null;
  t: number | null;
  /** `parameter`: the key of the parameter the update made non-finite. */
  parameter?: string;
  message: string;
}

/** Per-node values of one sequence, for heatmaps: data[t·size + unit]. */
export interface SampleValues {
  /** Which sequence: index into the validation set (or the data file's batch). */
  index: number;
  source: 'validation' | 'data';
  T: number;
  nodes: Record<string, { size: number; data: Float32Array }>;
}

export interface Snapshot {
  step: number;
  /** training.steps: where `run()` stops. */
  steps: number;
  state: TrainerState;
  /** The latest training loss and metrics. */
  loss: number;
  metrics: Metrics;
  /** Metric rows since the previous snapshot (so a chart misses no step). */
  rows: MetricRow[];
  /** The latest validation (null before the first, or with a data file). */
  validation: { step: number; loss: number; metrics: Metrics } | null;
  /** Diagnostics measured since the previous snapshot, else null. */
  diagnostics: Diagnostics | null;
  /** ‖dL/dh_t‖ per cell of the latest step's batch (t = 1..T). */
  gradNorms: Record<string, Float64Array>;
  sample: SampleValues | null;
  lr: number;
  clippedFraction: number;
  stepsPerSecond: number;
  failure: Failure | null;
}

export interface TrainerOptions {
  /** The task block (default graph.task). Ignored when `data` is given. */
  task?: Block;
  /** Training settings merged over graph.training (these win). */
  training?: Block;
  /** A fixed data file: every step trains on all of it (spec "What one training step is"). */
  data?: DataFile;
  /** File contents the task needs (csv; a text corpus). */
  resources?: TaskResources;
  onSnapshot?: (s: Snapshot) => void;
  /** Minimum time between snapshots while running (default 100 ms: 10 Hz). */
  snapshotEveryMs?: number;
  /** Which validation sequence the snapshot's per-node values show (default 0). */
  sample?: number;
  /** Node ids whose sample values a snapshot carries (default: every node but losses). */
  sampleNodes?: string[];
  /** Makes the training and validation sessions (default: engine/fast's createSession, the fused runtime). */
  createSession?: SessionFactory;
  /** Clock for throttling and steps/s (default Date.now). Never affects the numbers. */
  now?: () => number;
  /** Size limits over the defaults (engine/limits.ts): a graph or run over them throws GraphError before allocating. */
  limits?: Partial<Limits>;
  /**
   * Continue from the graph's `training.state` (step count, optimizer
   * moments, data stream) when it has one (default true); false starts them
   * afresh from the graph's parameters.
   */
  resume?: boolean;
}

interface Checkpoint {
  step: number;
  theta: Arr;
  opt: OptimizerState;
}

/** Index of the first non-finite entry in the ranges, or −1. */
function firstNonFinite(theta: Arr, ranges: Ranges): number {
  for (const [a, b] of ranges) for (let i = a; i < b; i++) if (!Number.isFinite(theta[i])) return i;
  return -1;
}

/** Yields to the event loop so messages (pause, cancel) can arrive between slices. */
function defaultYield(): Promise<void> {
  const g = globalThis as { setTimeout?: (f: () => void, ms: number) => unknown };
  return new Promise((resolve) => (g.setTimeout ? g.setTimeout(resolve, 0) : resolve()));
}

/** The ArrayBuffers a snapshot can transfer to another thread (postMessage's transfer list). */
export function transferables(s: Snapshot): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const add = (a: Float32Array | Float64Array): void => { if (a.buffer instanceof ArrayBuffer) out.push(a.buffer); };
  for (const v of Object.values(s.gradNorms)) add(v);
  if (s.sample) for (const v of Object.values(s.sample.nodes)) add(v.data);
  if (s.diagnostics) for (const c of s.diagnostics.cells) add(c.gradNorms);
  return out;
}

/**
 * Creates a trainer for a graph. Throws GraphError for an invalid graph and
 * TaskError for a task or training block that does not fit it.
 *
 * @example
 * const t = createTrainer(graph, { training: { steps: 100 } });
 * t.step(100); t.history.at(-1)?.loss
 */
export function createTrainer(graph: Graph, opts: TrainerOptions = {}): Trainer {
  return new Trainer(graph, opts);
}

export class Trainer {
  readonly program: Program;
  readonly config: TrainingConfig;
  /** The task (null when training on a fixed data file). */
  readonly task: Task | null;
  readonly binding: TaskBinding | null;
  /** The task block as resolved (written back by graphWithParameters). */
  readonly taskBlock: Block | null;
  /** Every metric row so far. */
  readonly history: MetricRow[] = [];
  /** The latest diagnostics. */
  lastDiagnostics: Diagnostics | null = null;
  failure: Failure | null = null;
  /** Remarks on the training state that was loaded (e.g. saved with other parameters, so not used). */
  readonly warnings: string[] = [];

  private readonly graph: Graph;
  private readonly opts: TrainerOptions;
  private readonly ranges: Ranges;
  private theta: Arr;
  private readonly theta0: Arr;
  private readonly optimizer: Optimizer;
  /** The state the trainer started from (a resumed file's), restored by reset(). */
  private readonly initial: TrainState | null = null;
  /** Parameters and optimizer state before the current update, to undo an update that made a parameter non-finite. */
  private readonly prevTheta: Arr;
  private readonly optBackup: OptimizerState;
  private readonly session: RunSession;
  private readonly makeSession: SessionFactory;
  private readonly batch: Batch;
  private dataRng: Rng;
  private valSession: RunSession | null = null;
  private valBatch: Batch | null = null;
  private probe: SessionLike | null = null;
  private probeBatch: Batch | null = null;
  private readonly diagnoser: Diagnoser;
  private checkpoint: Checkpoint;
  private _state: TrainerState = 'idle';
  private _step = 0;
  private clippedSteps = 0;
  private lastValidation: Snapshot['validation'] = null;
  private rowsSent = 0;
  private diagnosticsSent: Diagnostics | null = null;
  private lastEmit = -Infinity;
  private rate = { t: 0, step: 0, value: 0 };
  private readonly now: () => number;

  constructor(graph: Graph, opts: TrainerOptions) {
    this.graph = graph;
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.makeSession = withLayers(opts.createSession ?? ((prog, o) => createSession(prog, o)));
    this.config = resolveTraining(graph.training ?? {}, opts.training ?? {});
    const c = this.config;
    this.program = compileAny(graph, { limits: opts.limits });
    const p = this.program;
    if (opts.data) {
      const refused = checkRun(p, dataRunShape(opts.data, c.dtype), opts.limits);
      if (refused.length > 0) throw new GraphError(refused);
      this.task = null;
      this.binding = null;
      this.taskBlock = null;
      this.batch = batchFromData(opts.data, c.dtype);
    } else {
      const block = opts.task ?? graph.task;
      if (!block) throw new TaskError('the graph has no task block and no data file was given: add "task": {"name": "parity"} (or adding, copy, sine, text, csv) to the graph, or train on a data file', 'task');
      this.taskBlock = { ...block };
      this.task = createTask(this.taskBlock, opts.resources);
      this.binding = bindTask(p, this.task, this.taskBlock);
      const m = this.task.meta;
      const B = c.batch;
      const refused = checkRun(p, { T: m.T, B, dtype: c.dtype, from: { T: 'task', B: 'training.batch' } }, opts.limits);
      if (refused.length > 0) throw new GraphError(refused);
      this.batch = {
        T: m.T, B,
        inputs: { [p.nodes[this.binding.input].id]: alloc(c.dtype, m.T * B * m.inputSize) },
        targets: { [p.nodes[this.binding.target].id]: alloc(c.dtype, m.T * B * m.targetSize) },
      };
    }
    this.ranges = trainableRanges(p.layout);
    this.theta = createParams(p.layout, graph.parameters, { seed: c.seed, dtype: c.dtype });
    this.theta0 = this.theta.slice();
    this.optimizer = createOptimizer(c.optimizer, p.layout.size, this.ranges, c.dtype);
    this.session = this.makeSession(p, { T: this.batch.T, B: this.batch.B, dtype: c.dtype });
    this.dataRng = this.freshDataRng();
    this.prevTheta = this.theta.slice();
    this.optBackup = this.optimizer.saveState();
    const saved = opts.resume === false ? undefined : graph.training?.state;
    if (saved !== undefined && saved !== null) {
      this.initial = decodeState(saved, p.layout, this.theta, this.optimizer, c.optimizer.name, this.warnings);
      if (this.initial) this.applyState(this.initial);
    }
    this.diagnoser = new Diagnoser(stepProgram(p));
    this.checkpoint = { step: this._step, theta: this.theta.slice(), opt: this.optimizer.saveState() };
  }

  private applyState(s: TrainState): void {
    this._step = s.step;
    this.clippedSteps = s.clippedSteps;
    this.optimizer.loadState(s.optimizer);
    if (s.dataRng) this.dataRng.setState(s.dataRng);
  }

  /**
   * Everything besides the parameters that the next step depends on: the
   * step count (also the learning-rate schedule's position), clipping count,
   * optimizer moments and the data stream's position. Written to
   * `training.state` by graphWithParameters().
   */
  trainingState(): TrainState {
    return {
      step: this._step, clippedSteps: this.clippedSteps, optimizerName: this.config.optimizer.name,
      optimizer: this.optimizer.saveState(), dataRng: this.dataRng.getState(),
    };
  }

  /** The training sequences' stream: derived from the seed, distinct from the parameters' stream. */
  private freshDataRng(): Rng {
    return new Rng((this.config.seed ^ 0x5bd1e995) >>> 0);
  }

  get state(): TrainerState { return this._state; }
  /** Updates done so far. */
  get stepCount(): number { return this._step; }
  get meta(): TaskMeta | null { return this.task?.meta ?? null; }
  /** The current parameter vector (a live view: copy it to keep it). */
  get parameters(): Arr { return this.theta; }
  get clippedFraction(): number { return this._step === 0 ? 0 : this.clippedSteps / this._step; }

  /** The parameters as a graph file's `parameters` object. */
  exportParameters(): Record<string, TensorJSON> {
    return exportParams(this.program.layout, this.theta);
  }

  /**
   * The graph with its trained parameters, the task and training blocks
   * that reproduce the run, and (once it has trained, or when it resumed) the
   * training state to resume from; unknown fields of the loaded graph are kept.
   */
  graphWithParameters(): Graph {
    const out: Graph = { ...this.graph, parameters: this.exportParameters() };
    if (this.taskBlock) out.task = { ...this.taskBlock };
    const training = trainingBlock(this.config, this.graph.training ?? {});
    delete training.state;
    if (this._step > 0 || this.initial) training.state = encodeState(this.trainingState(), this.program.layout, this.theta);
    out.training = training;
    return out;
  }

  // ---------------------------------------------------------------- control

  /**
   * Runs `n` steps synchronously (stops early on a non-finite loss or
   * gradient) and emits a snapshot. Returns the number of steps done.
   */
  step(n = 1): number {
    if (this._state === 'cancelled') return 0;
    let done = 0;
    while (done < n && !this.failure) {
      this.stepOnce();
      done++;
    }
    if (this._state !== 'running') {
      if (this.failure) this._state = 'paused';
      else if (this._state === 'idle' && done > 0) this._state = 'paused';
    }
    this.emit(true);
    return done;
  }

  /**
   * Trains until `until` updates (default training.steps) in slices of about
   * `sliceMs` (default 50), yielding between slices; resolves with the state
   * it stopped in: done, paused (pause() or a failure) or cancelled.
   */
  async run(o: {
    until?: number; sliceMs?: number; yieldFn?: () => Promise<void>;
    /** Calls `save` (and waits for it) after every update whose count is a multiple of `every`. */
    checkpoint?: { every: number; save: (step: number) => Promise<void> };
  } = {}): Promise<TrainerState> {
    if (this._state === 'running' || this._state === 'cancelled') return this._state;
    const until = o.until ?? this.config.steps;
    const sliceMs = o.sliceMs ?? 50;
    const yieldFn = o.yieldFn ?? defaultYield;
    const cp = o.checkpoint && o.checkpoint.every >= 1 ? o.checkpoint : null;
    this._state = 'running';
    this.rate = { t: this.now(), step: this._step, value: this.rate.value };
    while (this._state === 'running' && this._step < until) {
      const start = this.now();
      let due = false;
      do {
        this.stepOnce();
        if (this.failure) { this._state = 'paused'; break; }
        due = cp !== null && this._step % cp.every === 0;
      } while (this._step < until && !due && this.now() - start < sliceMs);
      this.emit(false);
      if (due && cp) await cp.save(this._step);
      if (this._state === 'running' && this._step < until) await yieldFn();
    }
    if (this._state === 'running') {
      this._state = 'done';
      if (this.lastValidation?.step !== this._step && this.task) this.validate(true);
    }
    this.emit(true);
    return this._state;
  }

  /** Stops a running loop after its current step (resume with run()). */
  pause(): void {
    if (this._state === 'running' || this._state === 'idle') this._state = 'paused';
  }

  /** Stops for good: run() and step() do nothing afterwards (reset() revives). */
  cancel(): void {
    this._state = 'cancelled';
    this.emit(true);
  }

  /**
   * Back to the start: the parameters the trainer was created with, with the
   * training state it resumed from if any (or, with `reinitialize`, fresh
   * parameters drawn from the initializers with `seed` at step 0); history
   * cleared.
   */
  reset(o: { reinitialize?: boolean; seed?: number } = {}): void {
    if (o.reinitialize) {
      const fresh = createParams(this.program.layout, undefined, { seed: o.seed ?? this.config.seed, dtype: this.config.dtype });
      this.theta.set(fresh);
    } else {
      this.theta.set(this.theta0);
    }
    this.optimizer.reset();
    this.dataRng = this.freshDataRng();
    this._step = 0;
    this.clippedSteps = 0;
    this.history.length = 0;
    this.rowsSent = 0;
    this.lastValidation = null;
    this.lastDiagnostics = null;
    this.diagnosticsSent = null;
    this.failure = null;
    if (this.initial && !o.reinitialize) this.applyState(this.initial);
    this.checkpoint = { step: this._step, theta: this.theta.slice(), opt: this.optimizer.saveState() };
    this._state = 'idle';
    this.emit(true);
  }

  /** After a failure: restores the parameters and optimizer state of the last good checkpoint. */
  rollback(): number {
    this.theta.set(this.checkpoint.theta);
    this.optimizer.loadState(this.checkpoint.opt);
    this.failure = null;
    if (this._state !== 'cancelled') this._state = 'paused';
    this.emit(true);
    return this.checkpoint.step;
  }

  /**
   * Replaces the parameters (e.g. the ones a recompiled graph kept): a
   * parameters object like a graph file's; keys that are absent or do not fit
   * keep their current values. Returns the keys it took.
   */
  setParameters(params: Record<string, TensorJSON>): string[] {
    const taken: string[] = [];
    for (const e of this.program.layout.entries) {
      const g = params[e.key];
      if (!g || g.data.length !== e.length || g.shape.join('x') !== e.shape.join('x')) continue;
      for (let i = 0; i < e.length; i++) this.theta[e.offset + i] = g.data[i];
      taken.push(e.key);
    }
    return taken;
  }

  // ------------------------------------------------------------- one step

  private stepOnce(): void {
    const c = this.config;
    const p = this.program;
    if (this._step === 0 && this.history.length === 0) this.initialPass();
    // A failing step is undone entirely, data stream included, so the state saved after it is the previous step's.
    const rng0 = this.task ? this.dataRng.getState() : null;
    if (this.task && this.binding) {
      this.task.fill(this.dataRng, c.batch, this.batch.inputs[p.nodes[this.binding.input].id], this.batch.targets[p.nodes[this.binding.target].id]);
    }
    const s = this.session;
    // Dropout and zoneout masks: fresh for every update, drawn from the training seed.
    s.setNoise?.({ seed: c.seed, round: this._step });
    const loss = s.forward(this.theta, this.batch);
    if (!Number.isFinite(loss)) {
      s.setNoise?.(null);
      if (rng0) this.dataRng.setState(rng0);
      this.fail('loss', loss);
      return;
    }
    s.backward(this.theta);
    s.setNoise?.(null);
    const g = s.gparams;
    const norm0 = gradNorm(g, this.ranges);
    if (!Number.isFinite(norm0)) {
      if (rng0) this.dataRng.setState(rng0);
      this.fail('gradient', norm0);
      return;
    }
    if (this._step % c.diagnosticsEvery === 0) {
      this.lastDiagnostics = withNestedFlags(this.diagnoser.measure(s, this.theta, this._step, { thresholds: c.flags }), p, s.gradNorms, c.flags);
    }
    let clipped = false;
    if (c.clipNorm !== null) clipped = clipGradNorm(g, this.ranges, c.clipNorm).clipped;
    else if (c.clipValue !== null) clipped = clipGradValue(g, this.ranges, c.clipValue).clipped;
    const lr = learningRate(c.lr, c.schedule, this._step);
    this.prevTheta.set(this.theta);
    this.optimizer.saveState(this.optBackup);
    this.optimizer.step(this.theta, g, lr);
    const badIndex = firstNonFinite(this.theta, this.ranges);
    if (badIndex >= 0) {
      const value = this.theta[badIndex];
      this.theta.set(this.prevTheta);
      this.optimizer.loadState(this.optBackup);
      if (rng0) this.dataRng.setState(rng0);
      this.failParameter(badIndex, value, lr);
      return;
    }
    this._step++;
    if (clipped) this.clippedSteps++;
    const row: MetricRow = { step: this._step, loss, metrics: this.metricsOf(s), gradNorm: norm0, clipped, lr };
    this.history.push(row);
    if (this.task && this._step % c.validateEvery === 0) this.validate(false);
  }

  /** Step 0: validation and diagnostics of the starting parameters. */
  private initialPass(): void {
    if (!this.task) return;
    this.history.push({ step: 0, loss: NaN, metrics: {}, gradNorm: NaN, clipped: false, lr: learningRate(this.config.lr, this.config.schedule, 0) });
    this.validate(false);
  }

  private metricsOf(s: RunSession): Metrics {
    if (!this.task || !this.binding) return {};
    const p = this.program;
    const m = this.task.meta;
    const pred = s.values(this.binding.prediction);
    const y = s.vals[this.binding.target];
    return taskMetrics(m, p.nodes[this.binding.loss].loss!, pred, y, s.T, s.B, m.targetSize);
  }

  private fail(where: 'loss' | 'gradient', value: number): void {
    const s = this.session;
    const p = this.program;
    let node: string | null = null;
    let t: number | null = null;
    if (where === 'loss') {
      // The first node, in forward order, with a non-finite value.
      const order = [...p.order, ...p.cells];
      search: for (let k = 0; k < s.T; k++) {
        for (const i of order) {
          const n = p.nodes[i];
          if (n.kind === 'loss') continue;
          const v = s.values(i);
          for (let u = k * s.B * n.size; u < (k + 1) * s.B * n.size; u++) {
            if (!Number.isFinite(v[u])) { node = n.id; t = k + 1; break search; }
          }
        }
      }
      if (node === null) {
        const l = p.losses.find((i) => s.stepLoss[i].some((x) => !Number.isFinite(x)));
        if (l !== undefined) { node = p.nodes[l].id; t = s.stepLoss[l].findIndex((x) => !Number.isFinite(x)) + 1; }
      }
    } else {
      // Back-propagation runs from the last step: the latest non-finite step is where it began.
      search: for (let k = s.T - 1; k >= 0; k--) {
        for (const i of [...p.order].reverse()) {
          if (!Number.isFinite(s.gradNorms[i][k])) { node = p.nodes[i].id; t = k + 1; break search; }
        }
      }
    }
    const at = node ? ` at node "${node}", step t = ${t}` : '';
    const help = this.config.clipNorm === null ? ' Try gradient clipping (clipNorm 1), a lower learning rate, or roll back.' : ' Try a lower learning rate, or roll back.';
    this.failure = {
      step: this._step + 1, where, node, t,
      message: `training step ${this._step + 1}: the ${where} became ${String(value)}${at}.${help}`,
    };
  }

  private failParameter(index: number, value: number, lr: number): void {
    const e = this.program.layout.entries.find((en) => index >= en.offset && index < en.offset + en.length)!;
    const at = index - e.offset;
    const where = e.shape.length === 2 ? `[${Math.floor(at / e.shape[1])}, ${at % e.shape[1]}]` : `[${at}]`;
    const n = this._step + 1;
    const help = this.config.clipNorm === null && this.config.clipValue === null ? 'a lower learning rate or gradient clipping (clipNorm 1)' : 'a lower learning rate';
    this.failure = {
      step: n, where: 'parameter', node: null, t: null, parameter: e.key,
      message: `training step ${n}: parameter "${e.key}" entry ${where} became ${String(value)} in the ${this.config.optimizer.name} update with learning rate ${lr}; that update was not applied, the parameters of step ${n - 1} are kept. Try ${help}.`,
    };
  }

  // ----------------------------------------------------------- validation

  /** Validation loss and metrics on the task's fixed validation set, at the current parameters. */
  validate(record = true): { step: number; loss: number; metrics: Metrics } | null {
    if (!this.task || !this.binding) return null;
    const { s } = this.validationPass();
    const loss = s.loss;
    const result = { step: this._step, loss, metrics: this.metricsOf(s) };
    this.lastValidation = result;
    if (Number.isFinite(loss)) this.checkpoint = { step: this._step, theta: this.theta.slice(), opt: this.optimizer.saveState() };
    const last = this.history[this.history.length - 1];
    if (last && last.step === this._step) last.val = { loss, metrics: result.metrics };
    else if (record) this.history.push({ step: this._step, loss: NaN, metrics: {}, gradNorm: NaN, clipped: false, lr: NaN, val: { loss, metrics: result.metrics } });
    return result;
  }

  private validationPass(): { s: RunSession } {
    const p = this.program;
    const b = this.binding!;
    const m = this.task!.meta;
    if (!this.valSession) {
      const vs = this.task!.validation();
      const dt = this.config.dtype;
      const x = alloc(dt, vs.x.length);
      x.set(vs.x);
      const y = alloc(dt, vs.y.length);
      y.set(vs.y);
      this.valBatch = { T: m.T, B: vs.B, inputs: { [p.nodes[b.input].id]: x }, targets: { [p.nodes[b.target].id]: y } };
      this.valSession = this.makeSession(p, { T: m.T, B: vs.B, dtype: dt });
    }
    this.valSession.forward(this.theta, this.valBatch!);
    return { s: this.valSession };
  }

  /**
   * Diagnostics on the validation set (or the data file) at the current
   * parameters, on demand — e.g. the flags at the end of a run.
   */
  diagnose(): Diagnostics {
    let s: RunSession;
    if (this.task) {
      s = this.validationPass().s;
    } else {
      s = this.session;
      s.forward(this.theta, this.batch);
    }
    s.backward(this.theta);
    return withNestedFlags(this.diagnoser.measure(s, this.theta, this._step, { thresholds: this.config.flags }), this.program, s.gradNorms, this.config.flags);
  }

  // ------------------------------------------------------------ snapshots

  /** The per-node values of one sequence at the current parameters (forward of one sequence). */
  sampleValues(index = this.opts.sample ?? 0): SampleValues {
    const p = this.program;
    let src: Batch;
    let source: SampleValues['source'];
    if (this.task && this.binding) {
      const vs = this.task.validation();
      const m = this.task.meta;
      const b = Math.max(0, Math.min(vs.B - 1, index));
      index = b;
      if (!this.probeBatch) {
        this.probeBatch = {
          T: m.T, B: 1,
          inputs: { [p.nodes[this.binding.input].id]: new Float64Array(m.T * m.inputSize) },
          targets: { [p.nodes[this.binding.target].id]: new Float64Array(m.T * m.targetSize) },
        };
      }
      const x = this.probeBatch.inputs[p.nodes[this.binding.input].id];
      const y = this.probeBatch.targets[p.nodes[this.binding.target].id];
      for (let t = 0; t < m.T; t++) {
        for (let k = 0; k < m.inputSize; k++) x[t * m.inputSize + k] = vs.x[(t * vs.B + b) * m.inputSize + k];
        for (let k = 0; k < m.targetSize; k++) y[t * m.targetSize + k] = vs.y[(t * vs.B + b) * m.targetSize + k];
      }
      src = this.probeBatch;
      source = 'validation';
    } else {
      const B = this.batch.B;
      const b = Math.max(0, Math.min(B - 1, index));
      index = b;
      const pick = (r: Record<string, Arr> | undefined): Record<string, Float64Array> => Object.fromEntries(Object.entries(r ?? {}).map(([id, a]) => {
        const n = a.length / (this.batch.T * B);
        const out = new Float64Array(this.batch.T * n);
        for (let t = 0; t < this.batch.T; t++) for (let k = 0; k < n; k++) out[t * n + k] = a[(t * B + b) * n + k];
        return [id, out];
      }));
      src = { T: this.batch.T, B: 1, inputs: pick(this.batch.inputs), targets: pick(this.batch.targets) };
      if (this.batch.initialStates) {
        src.initialStates = Object.fromEntries(Object.entries(this.batch.initialStates).map(([id, a]) => {
          const n = a.length / B;
          return [id, Float64Array.from(a.subarray(b * n, (b + 1) * n))];
        }));
      }
      source = 'data';
    }
    this.probe ??= sessionFor(p, { T: src.T, B: 1, dtype: 'float64' });
    this.probe.forward(this.theta, src);
    const want = this.opts.sampleNodes ? new Set(this.opts.sampleNodes) : null;
    const nodes: SampleValues['nodes'] = idTable();
    for (const n of p.nodes) {
      if (n.kind === 'loss' || (want && !want.has(n.id))) continue;
      nodes[n.id] = { size: n.size, data: Float32Array.from(this.probe.values(n.index)) };
    }
    return { index, source, T: src.T, nodes };
  }

  /** Builds a snapshot now (rows since the previous one; diagnostics only if new). */
  snapshot(): Snapshot {
    const last = this.history.length ? this.history[this.history.length - 1] : null;
    const rows = this.history.slice(this.rowsSent);
    this.rowsSent = this.history.length;
    const diagnostics = this.lastDiagnostics !== this.diagnosticsSent ? this.lastDiagnostics : null;
    this.diagnosticsSent = this.lastDiagnostics;
    const gradNorms = idTable<Float64Array>();
    if (this._step > 0) for (const i of [...this.program.cells, ...nestedCells(this.program)]) gradNorms[this.program.nodes[i].id] = Float64Array.from(this.session.gradNorms[i]);
    const now = this.now();
    if (now - this.rate.t >= 250) {
      this.rate = { t: now, step: this._step, value: ((this._step - this.rate.step) * 1000) / (now - this.rate.t) };
    }
    return {
      step: this._step, steps: this.config.steps, state: this._state,
      loss: last && Number.isFinite(last.loss) ? last.loss : NaN, metrics: last?.metrics ?? {},
      rows, validation: this.lastValidation, diagnostics, gradNorms,
      sample: this.failure ? null : this.sampleValues(),
      lr: learningRate(this.config.lr, this.config.schedule, this._step),
      clippedFraction: this.clippedFraction, stepsPerSecond: this.rate.value, failure: this.failure,
    };
  }

  private emit(force: boolean): void {
    if (!this.opts.onSnapshot) return;
    const now = this.now();
    if (!force && now - this.lastEmit < (this.opts.snapshotEveryMs ?? 100)) return;
    this.lastEmit = now;
    this.opts.onSnapshot(this.snapshot());
  }

  /** Names of the metrics each row carries (for file headers). */
  metricNames(): string[] {
    return this.task ? metricNames(this.task.meta) : [];
  }
}
