/**
 * The engine's session factory: the fast runtime (WebAssembly SIMD kernels
 * where WebAssembly is available, JavaScript kernels otherwise), or the
 * reference Session when asked. Both satisfy SessionLike, so the trainer, the
 * CLI and the UI worker construct sessions the same way.
 *
 * @example
 * const s = createSession(program, { T, B, dtype: 'float32' });
 * s.forward(theta, batch); s.backward(theta); // s.gparams
 */
import type { Batch } from '../batch.ts';
import type { Program } from '../compile.ts';
import type { Noise } from '../ops/noise.ts';
import type { ExternalGrads, SessionOptions } from '../runtime.ts';
import { Session } from '../runtime.ts';
import type { Arr, DType } from '../tensor.ts';
import { jsBackend } from './kernels.ts';
import type { MemoryEstimate } from './plan.ts';
import { estimateMemory, makePlan } from './plan.ts';
import { FastSession } from './session.ts';
import type { ThreadHost } from './threads.ts';
import { wasmAvailable, wasmBackend } from './wasm.ts';

export type { ThreadHost } from './threads.ts';
export { serveGemm } from './threads.ts';

export { FastSession } from './session.ts';
export { estimateMemory, makePlan } from './plan.ts';
export type { MemoryEstimate } from './plan.ts';

/** What Session and FastSession have in common: type callers against this. */
export interface SessionLike {
  readonly program: Program;
  readonly T: number;
  readonly B: number;
  readonly dtype: DType;
  readonly vals: Arr[];
  readonly grads: (Arr | null)[];
  readonly gparams: Arr;
  readonly stepLoss: Float64Array[];
  readonly gradNorms: Float64Array[];
  loss: number;
  forward(params: Arr, batch: Batch): number;
  /** `external`: dL/d values(n) from outside the graph, added at every step (runtime.ts addExternalGrads). */
  backward(params: Arr, external?: ExternalGrads): void;
  initialStateGrad(cellIndex: number): Arr;
  values(nodeIndex: number): Arr;
  /** Training noise (dropout, zoneout masks) for the next passes; null (the default) = evaluation. */
  setNoise(noise: Noise | null): void;
  /** Which runtime runs: 'reference' (engine/runtime.ts) or 'fast' (engine/fast); never a silent fallback. */
  readonly engine: 'reference' | 'fast';
  /** Releases helper threads (fast sessions with threads); absent or a no-op otherwise. */
  dispose?(): void;
}

export interface CreateSessionOptions extends SessionOptions {
  /** 'fast' (default) or 'reference' (the unfused engine/runtime.ts). */
  engine?: 'fast' | 'reference';
  /** Kernels of the fast engine: 'auto' (WebAssembly SIMD when available), 'wasm' or 'js'. */
  kernels?: 'auto' | 'wasm' | 'js';
  /** Refuse (MemoryBudgetError) when one training step would need more than this many bytes. */
  memoryBudget?: number;
  /** Threads for large matrix products (default 1); more need `threadHost` and SharedArrayBuffer, else 1 is used. */
  threads?: number;
  /** Starts helper threads (node: cli/threads.ts). */
  threadHost?: ThreadHost;
}

/** Thrown by createSession when a graph at (T, B) would not fit the memory budget. */
export class MemoryBudgetError extends Error {
  constructor(readonly needed: number, readonly budget: number, readonly estimate: MemoryEstimate, T: number, B: number) {
    super(
      `one training step needs about ${mb(needed)} (values ${mb(estimate.parts.values)}, gradients ${mb(estimate.parts.gradients)}, ` +
      `fused products ${mb(estimate.parts.products)}, parameters ${mb(estimate.parts.parameters)}) at T=${T}, B=${B}, ` +
      `more than the budget of ${mb(budget)}: shorten the sequences (T), use a smaller batch (B), use float32, or raise the budget`,
    );
    this.name = 'MemoryBudgetError';
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(bytes < 10485760 ? 2 : 0)} MB`;
}

/** Makes a session for the program: the fast runtime unless the reference is asked for. */
export function createSession(program: Program, opts: CreateSessionOptions): SessionLike {
  const dtype = opts.dtype ?? 'float64';
  const plan = makePlan(program);
  if (opts.memoryBudget !== undefined) {
    const est = estimateMemory(program, { ...opts, dtype }, plan);
    if (est.bytes > opts.memoryBudget) throw new MemoryBudgetError(est.bytes, opts.memoryBudget, est, opts.T, opts.B);
  }
  if (opts.engine === 'reference') return new Session(program, opts);
  const kernels = opts.kernels ?? 'auto';
  const useWasm = kernels === 'wasm' || (kernels === 'auto' && wasmAvailable());
  let backend = jsBackend(dtype);
  if (useWasm) {
    try {
      backend = wasmBackend(dtype, { threads: opts.threads ?? 1, ...(opts.threadHost ? { host: opts.threadHost } : {}) });
    } catch (e) {
      // e.g. a browser's main thread refuses to compile a module this size synchronously.
      if (kernels === 'wasm') throw e;
    }
  }
  return new FastSession(program, { ...opts, dtype, backend, plan });
}
