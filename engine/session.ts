/**
 * The one contract every runtime session fulfils: the reference Session
 * (engine/runtime.ts) and the FastSession (engine/fast/session.ts) implement
 * it; the trainer, the benchmarks, the comparisons and the diagnostics type
 * their sessions against it (formerly SessionLike, TrainSession, Comparable, PassView).
 *
 * @example
 * const s: RunSession = createSession(program, { T, B });
 * s.forward(theta, batch); s.backward(theta); s.gparams; s.gradNorms[i]
 */
import type { Batch } from './batch.ts';
import type { Program } from './compile.ts';
import type { Noise } from './ops/noise.ts';
import type { ExternalGrads } from './runtime.ts';
import type { Arr, DType } from './tensor.ts';

export interface RunSession {
  readonly program: Program;
  readonly T: number;
  readonly B: number;
  readonly dtype: DType;
  /** Per node: values (cells: T+1 state slots, slot 0 the initial state). */
  readonly vals: Arr[];
  /** Per node: dL/d value; null where no gradient is kept. */
  readonly grads: (Arr | null)[];
  /** dL/dθ, laid out like the parameter vector. */
  readonly gparams: Arr;
  /** Per loss node: its contribution at each step. */
  readonly stepLoss: Float64Array[];
  /** Per node: ‖dL/d value_t‖ for t = 0..T−1 (after backward). */
  readonly gradNorms: Float64Array[];
  /** The last forward's total loss. */
  loss: number;
  /** Which runtime runs: 'reference' (engine/runtime.ts) or 'fast' (engine/fast); never a silent fallback. */
  readonly engine: 'reference' | 'fast';
  forward(params: Arr, batch: Batch): number;
  /** Back-propagates the last forward; `external` adds gradients from outside the graph. */
  backward(params: Arr, external?: ExternalGrads): void;
  /** dL/d(initial state) of a cell, [B, size] (after backward). */
  initialStateGrad(cellIndex: number): Arr;
  /** Node n's values as [T, B, size] (a cell: the states written). */
  values(nodeIndex: number): Arr;
  /** Training noise (dropout, zoneout masks) for the next passes; null (the default) = evaluation. */
  setNoise(noise: Noise | null): void;
  /** Releases helper threads (fast sessions with threads); absent or a no-op otherwise. */
  dispose?(): void;
}
