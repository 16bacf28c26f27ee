/** What every importer returns, and the error it throws. */
import type { Graph, Problem } from '../format/types.ts';

/**
 * Where one entry of a source tensor lives in the graph. `as` for inputs
 * (a data stream, or a cell's initial state); `step` for outputs (every step,
 * or the value after the last step processed). `lengths`: ONNX sequence_lens,
 * fed as a 0/1 mask stream (1 while t < length). `axes` is set when the source
 * tensor's axes are not time, batch, features (e.g. "BTF" for batch_first).
 */
export interface MappingEntry {
  node: string;
  as?: 'input' | 'initialState' | 'lengths';
  /** For `as: "lengths"` when the model holds the lengths as a constant. */
  lengths?: number[];
  step?: 'all' | 'final';
  axes?: string;
}

export interface ImportResult {
  graph: Graph;
  /** Source input name → one entry per index of its non-time, non-batch, non-feature axis. */
  inputs: Record<string, MappingEntry[]>;
  outputs: Record<string, MappingEntry[]>;
}

export class ImportError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
    this.name = 'ImportError';
  }
}
