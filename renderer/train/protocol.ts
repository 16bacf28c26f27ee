/**
 * The one contract between the UI and the training worker: every message in
 * either direction, typed. The UI never trains on its own thread; it sends
 * commands and draws what comes back. Large arrays travel as transferables.
 *
 * `seq` names the document version a trainer was compiled from, so the UI
 * can drop late messages about a graph it has since changed.
 */
import type { Diagnostics } from '../../engine/diagnostics/index.ts';
import type { Explanation } from '../../engine/diagnostics/explain.ts';
import type { GradientExplanation } from '../../engine/diagnostics/gradient-paths.ts';
import type { StatePoint } from '../../engine/diagnostics/dynamics.ts';
import type { Flag } from '../../engine/diagnostics/flags.ts';
import type { Batch } from '../../engine/batch.ts';
import type { DataFile, Graph, TensorJSON } from '../../engine/format/types.ts';
import type { MetricName, TaskMeta, TaskResources } from '../../engine/tasks/types.ts';
import type { Failure, MetricRow, TrainerState } from '../../engine/train/trainer.ts';

export type ToWorker =
  /** Compile this graph (replacing any trainer); `data` instead of the graph's task; `resources` the files the task reads. */
  | { type: 'load'; seq: number; graph: Graph; data: DataFile | null; resources: TaskResources }
  | { type: 'train' }
  | { type: 'pause' }
  | { type: 'step'; n: number }
  | { type: 'reset' }
  | { type: 'rollback' }
  /** The answer to a keepOffer; `except`: learned parameters not to keep (re-initialized since). */
  | { type: 'keep'; keep: boolean; except?: string[] }
  /** Draw these parameters afresh from their initializers (null: all of them, and start the run over). */
  | { type: 'reinit'; keys: string[] | null }
  /** Which validation sequence the heatmaps show. */
  | { type: 'sample'; index: number }
  /** Ask for the current parameters (to write them into the document). */
  | { type: 'parameters' }
  /** Draw text from a character model at the current parameters (text task). */
  | { type: 'sampleText'; id: number; prime: string; length: number; temperature: number; seed: number }
  /** What a see-inside view needs to run on its own worker (inside.worker.ts): the parameters and the probe's sequence. */
  | { type: 'insideInputs'; id: number }
  /** Test hook: make the worker throw, as a crash would. */
  | { type: 'crash' };

/** What the UI needs to know of a compiled graph and its task. */
export interface CompiledInfo {
  T: number;
  steps: number;
  /** null when training on a data file. */
  task: Pick<TaskMeta, 'name' | 'description' | 'kind' | 'metric' | 'metricGoal' | 'note' | 'inputLabels' | 'targetLabels' | 'lossSteps' | 'baseline'> | null;
  metricNames: MetricName[];
  /** Node ids the task's streams bind to (null with a data file). */
  binding: { input: string; target: string; prediction: string; loss: string; lossKind: string } | null;
  cells: string[];
  /** How many sequences the sample selector can choose from. */
  samples: number;
  clipNorm: number | null;
  flagThresholds: { exploding: number; vanishing: number };
  /** Which runtime trains: the fast one (WebAssembly or JavaScript kernels) or the reference. */
  runtime: string;
}

/** One sequence run through the current parameters: every node's values and gradient norms over time. */
export interface Probe {
  index: number;
  T: number;
  /** values: data[t·size + unit]; grad: ‖dL/d value‖ per step (t = 1..T). */
  nodes: Record<string, { size: number; values: Float32Array; grad: Float32Array }>;
  /** Initial state of each cell for this sequence (the h_0 of a return map). */
  initial: Record<string, Float32Array>;
  /** Per edge: the norm of the gradient it carries back at each step (t = 1..T). */
  edges: Record<string, Float32Array>;
}

/** A trainer snapshot as the UI receives it (the trainer's own, with the probe in place of its sample). */
export interface LiveSnapshot {
  step: number;
  steps: number;
  state: TrainerState;
  loss: number;
  rows: MetricRow[];
  validation: { step: number; loss: number; metrics: Partial<Record<MetricName, number>> } | null;
  /** New diagnostics since the previous snapshot (or the ones measured at compile time). */
  diagnostics: Diagnostics | null;
  /** The flags of the latest diagnostics (kept while no newer ones arrive). */
  flags: Flag[];
  gradNorms: Record<string, Float64Array>;
  probe: Probe | null;
  lr: number;
  clippedFraction: number;
  stepsPerSecond: number;
  failure: Failure | null;
}

export type FromWorker =
  | { type: 'compiled'; seq: number; info: CompiledInfo }
  /** `lines`: the details of a TaskError (e.g. each bad CSV row with its line number). */
  | { type: 'compileError'; seq: number; message: string; path: string | null; kind: 'graph' | 'task' | 'other'; lines: string[] }
  | { type: 'snapshot'; seq: number; snapshot: LiveSnapshot }
  /** After a recompile of a trained graph: these learned parameters still fit (same key and shape). */
  | { type: 'keepOffer'; seq: number; keys: string[]; total: number; fromStep: number }
  | { type: 'parameters'; seq: number; step: number; parameters: Record<string, TensorJSON> }
  /** The answer to sampleText `id`: the text, or why there is none. */
  | { type: 'sampledText'; seq: number; id: number; step: number; text: string | null; reason: string | null }
  /** The answer to insideInputs `id`: a copy of the parameters, the probe's sequence and the compiled graph; or why not. */
  | { type: 'insideInputs'; seq: number; id: number; step: number; sample: number; inputs: InsideInputs | null; reason: string | null }
  /** A command that could not run (e.g. Step before compiling). */
  | { type: 'notice'; seq: number; text: string };

/** What the see-inside worker computes on: the graph the trainer compiled, its parameters now, the probe's sequence (a batch of one). */
export interface InsideInputs {
  graph: Graph;
  theta: Float64Array;
  batch: Batch;
}

/** A see-inside question (views: connectivity, explain a value or a gradient, fixed points). */
export type InsideQuery =
  | { kind: 'connectivity'; out: string; in: string }
  | { kind: 'explain'; node: string; t: number }
  | { kind: 'explainGradient'; node: string; t: number }
  | { kind: 'fixedPoints' };

/** UI → see-inside worker: the question, and what to compute it on. */
export type ToInside = InsideQuery & { id: number; seq: number; step: number; sample: number; inputs: InsideInputs };

/** See-inside worker → UI: the answers (each with the refusal's message instead when the engine refuses). */
export type FromInside =
  /** The answer to connectivity `id`: M (M[t−1][s−1], 0-based) or the engine's refusal. */
  | { type: 'connectivityResult'; seq: number; id: number; step: number; sample: number; matrix: number[][] | null; reason: string | null }
  /** The answer to explain `id`. */
  | { type: 'explained'; seq: number; id: number; explanation: Explanation | null; reason: string | null }
  /** The answer to explainGradient `id`. */
  | { type: 'gradientExplained'; seq: number; id: number; explanation: GradientExplanation | null; reason: string | null }
  /** The answer to fixedPoints `id`: points (fixed, then slow) or the engine's refusal. */
  /** `layer`: a graph with layers — the map searched is this layer's (its cells), not the whole graph's. */
  | { type: 'fixedPointsResult'; seq: number; id: number; points: StatePoint[]; slow: number; layer: { id: string; cells: string[] } | null; reason: string | null };

/** The ArrayBuffers of a snapshot, for postMessage's transfer list. */
export function snapshotTransferables(s: LiveSnapshot): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: Float32Array | Float64Array): void => {
    if (a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  };
  for (const v of Object.values(s.gradNorms)) add(v);
  if (s.diagnostics) for (const c of s.diagnostics.cells) add(c.gradNorms);
  if (s.probe) {
    for (const n of Object.values(s.probe.nodes)) {
      add(n.values);
      add(n.grad);
    }
    for (const v of Object.values(s.probe.initial)) add(v);
  }
  return [...out];
}
