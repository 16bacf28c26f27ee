/**
 * The training worker: wraps the engine's trainer (engine/train/trainer.ts)
 * on its own thread and speaks protocol.ts. Besides the trainer's snapshots
 * it runs one "probe" sequence through the current parameters, forward and
 * backward, so the UI can colour every node and edge by its activation and
 * its gradient through time.
 */
import { z } from 'zod';
import { GraphError } from '../../engine/compile.ts';
import type { Diagnostics } from '../../engine/diagnostics/index.ts';
import type { Flag } from '../../engine/diagnostics/flags.ts';
import { createSession } from '../../engine/fast/index.ts';
import { wasmAvailable } from '../../engine/fast/wasm.ts';
import type { DataFile, TensorJSON } from '../../engine/format/types.ts';
import { createParams, exportParams } from '../../engine/params.ts';
import { Session } from '../../engine/runtime.ts';
import { nestedCells } from '../../engine/layers/index.ts';
import type { Batch } from '../../engine/batch.ts';
import { batchFromData } from '../../engine/batch.ts';
import { RunProbe, sequenceOf } from '../../engine/diagnostics/run-probe.ts';
import { TaskError } from '../../engine/tasks/types.ts';
import type { SessionFactory, Snapshot, Trainer } from '../../engine/train/trainer.ts';
import { createTrainer } from '../../engine/train/trainer.ts';
import { sampleText } from '../../engine/tasks/sample.ts';
import type { MetricName } from '../../engine/tasks/types.ts';
import type { CompiledInfo, FromWorker, InsideInputs, LiveSnapshot, Probe, ToWorker } from './protocol.ts';
import { snapshotTransferables } from './protocol.ts';

// zod's eval probe would trip a Content-Security-Policy without 'unsafe-eval'.
z.config({ jitless: true });

/** Diagnostics often enough for live badges and the dynamics charts (they never change the numbers). */
const LIVE_DIAGNOSTICS_EVERY = 10;
/** Under the trainer's 100 ms default, so snapshots arrive at ≥ 10 Hz even when a slice runs long. */
const SNAPSHOT_EVERY_MS = 60;
const SLICE_MS = 30;

interface Current {
  seq: number;
  trainer: Trainer;
  data: DataFile | null;
  probe: RunProbe | null;
  probeBatch: Batch | null;
  sample: number;
  flags: Flag[];
  /** Diagnostics measured at compile time, sent with the first snapshot. */
  pendingDiagnostics: Diagnostics | null;
  keep: Record<string, TensorJSON> | null;
  /** Where the current (or next) run stops: the step counter's "of". */
  until: number;
}

let current: Current | null = null;
let runtimeName = wasmAvailable() ? 'fast, WebAssembly kernels' : 'fast, JavaScript kernels';

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  (self as unknown as { postMessage(m: unknown, t: ArrayBuffer[]): void }).postMessage(message, transfer);
}

const fastSessions: SessionFactory = (program, opts) => {
  try {
    return createSession(program, opts);
  } catch {
    runtimeName = 'reference';
    return new Session(program, opts);
  }
};

/** The batch the probe runs: the sequence `index` of the task's validation set or of the data file. */
function probeBatch(cur: Current, index: number): Batch {
  const t = cur.trainer;
  const p = t.program;
  if (t.task && t.binding) {
    const vs = t.task.validation();
    const all: Batch = { T: t.task.meta.T, B: vs.B, inputs: { [p.nodes[t.binding.input].id]: vs.x }, targets: { [p.nodes[t.binding.target].id]: vs.y } };
    return sequenceOf(all, index);
  }
  return sequenceOf(batchFromData(cur.data!, 'float64'), index);
}

/** Forward and backward of one sequence at the current parameters (engine/diagnostics/run-probe.ts). */
function runProbe(cur: Current): Probe | null {
  const t = cur.trainer;
  cur.probeBatch ??= probeBatch(cur, cur.sample);
  cur.probe ??= new RunProbe(t.program);
  const { T, nodes, initial, edges } = cur.probe.measure(t.parameters, cur.probeBatch);
  return { index: cur.sample, T, nodes, initial, edges };
}

function live(cur: Current, s: Snapshot): LiveSnapshot {
  let diagnostics = s.diagnostics;
  if (cur.pendingDiagnostics && !diagnostics) diagnostics = cur.pendingDiagnostics;
  cur.pendingDiagnostics = null;
  if (diagnostics) cur.flags = diagnostics.flags;
  let probe: Probe | null = null;
  try {
    probe = runProbe(cur);
  } catch {
    // A probe that fails (non-finite parameters after a failure) leaves the last picture up.
  }
  return {
    // A run continued past training.steps plans another run of the same length: the counter shows that plan, never less than the steps done.
    step: s.step, steps: Math.max(s.steps, cur.until, s.step), state: s.state, loss: s.loss, rows: s.rows, validation: s.validation,
    diagnostics, flags: cur.flags, gradNorms: s.gradNorms, probe, lr: s.lr,
    clippedFraction: s.clippedFraction, stepsPerSecond: s.stepsPerSecond, failure: s.failure,
  };
}

function send(cur: Current, s: Snapshot): void {
  if (current !== cur) return;
  const snapshot = live(cur, s);
  post({ type: 'snapshot', seq: cur.seq, snapshot }, snapshotTransferables(snapshot));
}

function info(t: Trainer, data: DataFile | null): CompiledInfo {
  const p = t.program;
  const m = t.task?.meta ?? null;
  const b = t.binding;
  let samples = 1;
  if (t.task) samples = t.task.meta.validationSize;
  else if (data) samples = (Object.values(data.inputs)[0]?.shape[1]) ?? 1;
  const T = m?.T ?? (data ? (Object.values(data.inputs)[0]?.shape[0] ?? 0) : 0);
  return {
    T, steps: t.config.steps,
    task: m ? {
      name: m.name, description: m.description, kind: m.kind, metric: m.metric, metricGoal: m.metricGoal, note: m.note,
      inputLabels: m.inputLabels, targetLabels: m.targetLabels, lossSteps: m.lossSteps, baseline: m.baseline,
    } : null,
    metricNames: t.metricNames() as MetricName[],
    binding: b ? { input: p.nodes[b.input].id, target: p.nodes[b.target].id, prediction: p.nodes[b.prediction].id, loss: p.nodes[b.loss].id, lossKind: p.nodes[b.loss].loss ?? 'mse' } : null,
    cells: [...p.cells, ...nestedCells(p)].map((i) => p.nodes[i].id),
    samples,
    clipNorm: t.config.clipNorm,
    flagThresholds: { ...t.config.flags },
    runtime: runtimeName,
  };
}

function load(seq: number, graph: ToWorker & { type: 'load' }): void {
  const old = current;
  let oldParams: Record<string, TensorJSON> | null = null;
  let oldStep = 0;
  if (old) {
    current = null;
    oldStep = old.trainer.stepCount;
    if (oldStep > 0) oldParams = old.trainer.exportParameters();
    old.trainer.cancel();
  }
  let trainer: Trainer;
  const cur: Current = { seq, trainer: null as unknown as Trainer, data: graph.data, probe: null, probeBatch: null, sample: old?.sample ?? 0, flags: [], pendingDiagnostics: null, keep: null, until: 0 };
  try {
    const every = Math.min(LIVE_DIAGNOSTICS_EVERY, Number(graph.graph.training?.diagnosticsEvery ?? LIVE_DIAGNOSTICS_EVERY) || LIVE_DIAGNOSTICS_EVERY);
    trainer = createTrainer(graph.graph, {
      ...(graph.data ? { data: graph.data } : {}),
      resources: graph.resources,
      training: { diagnosticsEvery: every },
      onSnapshot: (s) => send(cur, s),
      snapshotEveryMs: SNAPSHOT_EVERY_MS,
      sampleNodes: [],
      createSession: fastSessions,
    });
  } catch (error) {
    const kind = error instanceof GraphError ? 'graph' : error instanceof TaskError ? 'task' : 'other';
    const path = error instanceof TaskError ? error.path : null;
    const lines = error instanceof TaskError ? error.lines.map((line) => line.trim()) : [];
    const message = error instanceof GraphError ? `The graph has problems: ${error.message}` : (error as Error).message;
    post({ type: 'compileError', seq, message, path, kind, lines });
    return;
  }
  cur.trainer = trainer;
  if (cur.sample >= 0) cur.sample = Math.min(cur.sample, Math.max(0, info(trainer, graph.data).samples - 1));
  current = cur;
  post({ type: 'compiled', seq, info: info(trainer, graph.data) });
  try {
    // Flags and dynamics before the first step: a vanishing gradient shows before anyone trains.
    cur.pendingDiagnostics = trainer.diagnose();
  } catch {
    cur.pendingDiagnostics = null;
  }
  send(cur, trainer.snapshot());
  if (oldParams) {
    const entries = trainer.program.layout.entries;
    const keys = entries.filter((e) => {
      const g = oldParams![e.key];
      return g !== undefined && g.shape.join('x') === e.shape.join('x') && g.data.length === e.length;
    }).map((e) => e.key);
    if (keys.length > 0) {
      cur.keep = oldParams;
      post({ type: 'keepOffer', seq, keys, total: entries.length, fromStep: oldStep });
    }
  }
}

function untilOf(t: Trainer): number {
  const steps = t.config.steps;
  // Train again after a finished run: another run of the same length.
  return t.stepCount < steps ? steps : t.stepCount + Math.max(1, steps);
}

function handle(message: ToWorker): void {
  if (message.type === 'load') {
    load(message.seq, message);
    return;
  }
  if (message.type === 'crash') {
    setTimeout(() => {
      throw new Error('the training worker was made to crash (test hook)');
    }, 0);
    return;
  }
  const cur = current;
  if (!cur && message.type === 'insideInputs') {
    post({ type: 'insideInputs', seq: -1, id: message.id, step: 0, sample: 0, inputs: null, reason: 'Nothing to look inside yet: the graph did not compile.' });
    return;
  }
  if (!cur) {
    if (message.type !== 'pause') post({ type: 'notice', seq: -1, text: 'Nothing to train yet: the graph did not compile.' });
    return;
  }
  const t = cur.trainer;
  switch (message.type) {
    case 'train':
      if (t.failure) {
        post({ type: 'notice', seq: cur.seq, text: 'Training stopped on a non-finite value: roll back first (or Reset).' });
        return;
      }
      cur.until = untilOf(t);
      void t.run({ until: cur.until, sliceMs: SLICE_MS });
      return;
    case 'pause':
      t.pause();
      return;
    case 'step':
      if (t.state === 'running') t.pause();
      if (t.stepCount + message.n > Math.max(t.config.steps, cur.until)) cur.until = untilOf(t);
      t.step(message.n);
      return;
    case 'reset':
      cur.until = 0;
      t.reset();
      return;
    case 'rollback':
      t.rollback();
      return;
    case 'keep':
      if (message.keep && cur.keep) {
        const except = new Set(message.except ?? []);
        t.setParameters(Object.fromEntries(Object.entries(cur.keep).filter(([key]) => !except.has(key))));
        try {
          cur.pendingDiagnostics = t.diagnose();
        } catch {
          cur.pendingDiagnostics = null;
        }
      }
      cur.keep = null;
      send(cur, t.snapshot());
      return;
    case 'reinit':
      if (message.keys === null) {
        cur.until = 0;
        t.reset({ reinitialize: true });
      } else {
        const fresh = exportParams(t.program.layout, createParams(t.program.layout, undefined, { seed: t.config.seed, dtype: t.config.dtype }));
        const wanted = new Set(message.keys);
        t.setParameters(Object.fromEntries(Object.entries(fresh).filter(([key]) => wanted.has(key))));
        try {
          cur.pendingDiagnostics = t.diagnose();
        } catch {
          cur.pendingDiagnostics = null;
        }
        send(cur, t.snapshot());
      }
      return;
    case 'sample':
      cur.sample = Math.max(0, Math.floor(message.index));
      cur.probeBatch = null;
      if (t.state !== 'running') send(cur, t.snapshot());
      return;
    case 'parameters':
      post({ type: 'parameters', seq: cur.seq, step: t.stepCount, parameters: t.exportParameters() });
      return;
    case 'sampleText': {
      const vocab = t.task?.meta.vocab;
      const reply = (text: string | null, reason: string | null) => post({ type: 'sampledText', seq: cur.seq, id: message.id, step: t.stepCount, text, reason });
      if (!vocab || !t.binding) {
        reply(null, 'Sampled text needs the text task (Training tab → task: text).');
        return;
      }
      try {
        reply(sampleText(t.program, t.parameters, { input: t.binding.input, prediction: t.binding.prediction, vocab, prime: message.prime, length: message.length, temperature: message.temperature, seed: message.seed }), null);
      } catch (error) {
        reply(null, (error as Error).message);
      }
      return;
    }
    case 'insideInputs': {
      // A copy of what the see-inside worker needs: it computes there, so training never waits for a view.
      const reply = (inputs: InsideInputs | null, reason: string | null) => post({ type: 'insideInputs', seq: cur.seq, id: message.id, step: t.stepCount, sample: cur.sample, inputs, reason }, inputs ? [inputs.theta.buffer as ArrayBuffer] : []);
      try {
        cur.probeBatch ??= probeBatch(cur, cur.sample);
        reply({ graph: t.program.graph, theta: Float64Array.from(t.parameters), batch: cur.probeBatch }, null);
      } catch (error) {
        reply(null, (error as Error).message);
      }
      return;
    }
    default: {
      const never: never = message;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
}

self.addEventListener('message', (event: MessageEvent<ToWorker>) => handle(event.data));
