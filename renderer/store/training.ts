/**
 * The run: one discriminated union for where training stands, what the
 * compiled graph's task is, and the questions training asks the user (keep
 * learned parameters after an edit). Changes a few times a second at most;
 * the heavy live data is in the telemetry store.
 */
import { createStore, useStore } from 'zustand';
import type { DataFile } from '../../engine/format/types.ts';
import type { Failure } from '../../engine/train/trainer.ts';
import type { CompiledInfo } from '../train/protocol.ts';

export type RunState =
  | { kind: 'idle' }
  | { kind: 'compiling' }
  | { kind: 'training' }
  /** `diverged`: the run reached its end with a loss that blew up (≥ 1e10, or a thousand times where it started). */
  | { kind: 'paused'; reason: 'user' | 'done' | 'diverged' | 'failure' | 'edited' }
  | { kind: 'error'; message: string; path: string | null; source: 'graph' | 'task' | 'worker' | 'other'; lines?: string[] };

/** A file a task reads (csv, text): its name as the task block saves it, and its contents, which only live here. */
export interface TaskFile {
  name: string;
  text: string;
}

export interface KeepOffer {
  keys: string[];
  total: number;
  fromStep: number;
  /** Learned parameters that fit but were re-initialized since: not kept. */
  except?: string[];
}

export interface TrainingState {
  run: RunState;
  info: CompiledInfo | null;
  step: number;
  steps: number;
  stepsPerSecond: number;
  loss: number;
  failure: Failure | null;
  keepOffer: KeepOffer | null;
  /** A data file to train on instead of a task (not part of the graph file). */
  data: { name: string; file: DataFile } | null;
  /**
   * Files the task reads, chosen by the user. The graph keeps only the name
   * (`task.file`); a contents is used while the task block names its file.
   */
  resources: { csv: TaskFile | null; text: TaskFile | null };
  /** Which validation sequence the heatmaps show. */
  sample: number;
  /** How many times the worker was restarted after a crash. */
  restarts: number;
  /** A compile is scheduled or running: the run state may change at any moment (the run bar is aria-busy). */
  busy: boolean;
  set(patch: Partial<Omit<TrainingState, 'set'>>): void;
}

export const trainingStore = createStore<TrainingState>()((set) => ({
  run: { kind: 'compiling' },
  info: null,
  step: 0,
  steps: 0,
  stepsPerSecond: 0,
  loss: NaN,
  failure: null,
  keepOffer: null,
  data: null,
  resources: { csv: null, text: null },
  sample: 0,
  restarts: 0,
  busy: true,
  set(patch) {
    set(patch);
  },
}));

export function useTraining<T>(selector: (state: TrainingState) => T): T {
  return useStore(trainingStore, selector);
}

export const RUN_LABEL: Record<RunState['kind'], string> = {
  idle: 'ready',
  compiling: 'compiling',
  training: 'training',
  paused: 'paused',
  error: 'error',
};
