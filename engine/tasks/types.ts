/**
 * What a task is: a seeded generator of training sequences in the runtime's
 * time-major layout, a fixed validation set, and metadata that says how to
 * read its numbers ("classification: report accuracy").
 */
import type { LossKind } from '../format/types.ts';
import type { Rng } from '../rng.ts';
import type { Arr } from '../tensor.ts';

export type TaskName = 'parity' | 'adding' | 'copy' | 'sine' | 'text' | 'csv' | 'temporal-order' | 'flip-flop';
export const TASK_NAMES: readonly TaskName[] = ['parity', 'adding', 'copy', 'sine', 'text', 'csv', 'temporal-order', 'flip-flop'];

/** The metric a task reports besides its loss. */
export type MetricName = 'accuracy' | 'mse' | 'bpc';

export interface TaskMeta {
  name: TaskName;
  /** One line for people: what the network must do. */
  description: string;
  kind: 'classification' | 'regression' | 'language';
  /** The headline metric; `metricGoal` says which way is better. */
  metric: MetricName;
  metricGoal: 'max' | 'min';
  /** How to read the numbers, e.g. "classification: report accuracy". */
  note: string;
  /** Sequence length T. */
  T: number;
  inputSize: number;
  targetSize: number;
  /** What each input / target unit means (shown in the UI above heatmaps). */
  inputLabels: string[];
  targetLabels: string[];
  /** Loss kinds that make sense for this task's targets. */
  losses: LossKind[];
  /** `last`: the target is only defined at the last step (the loss must read `steps: "last"`). */
  lossSteps: 'all' | 'last';
  /** The steps the metric counts: every step, the last, or the last k. */
  metricSteps: { from: number };
  /** A reference point, e.g. adding: MSE ≈ 0.167 from always predicting the mean. */
  baseline?: { value: number; what: string };
  /** Validation sequences. */
  validationSize: number;
  /** Text: the symbols, in one-hot order. */
  vocab?: string[];
  /** Rows dropped or other remarks found while building the task (csv). */
  warnings: string[];
}

/** A validation set: B sequences in time-major layout. */
export interface SeqSet {
  B: number;
  x: Float64Array;
  y: Float64Array;
}

export interface Task {
  readonly meta: TaskMeta;
  /**
   * Writes B fresh training sequences: x [T, B, inputSize], y [T, B, targetSize]
   * (time-major, index (t·B + b)·size + unit). Draws only from `rng`.
   */
  fill(rng: Rng, B: number, x: Arr, y: Arr): void;
  /** The fixed validation set (the same for the same task block). */
  validation(): SeqSet;
}

/** Text the host supplies for file-based tasks (the engine reads no files). */
export interface TaskResources {
  /** The CSV file's text for `csv`. */
  csv?: string;
  /** A replacement corpus for `text` (default: the bundled one). */
  text?: string;
}

/** A task block that cannot be used: what is wrong, where, and how to fix it. */
export class TaskError extends Error {
  constructor(message: string, readonly path = 'task', readonly lines: string[] = []) {
    super(message);
    this.name = 'TaskError';
  }
}
