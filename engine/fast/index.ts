/**
 * The engine's session factory: the fast runtime (WebAssembly SIMD kernels
 * where WebAssembly is available, JavaScript kernels otherwise), or the
 * reference Session when asked. Both satisfy RunSession (engine/session.ts), so the trainer, the
 * CLI and the UI worker construct sessions the same way.
 *
 * @example
 * const s = createSession(program, { T, B, dtype: 'float32' });
 * s.forward(theta, batch); s.backward(theta); // s.gparams
 */
import type { Program } from '../compile.ts';
import type { SessionOptions } from '../runtime.ts';
import { Session } from '../runtime.ts';
import { jsBackend } from './kernels.ts';
import type { MemoryEstimate } from './plan.ts';
import { estimateMemory, makePlan } from './plan.ts';
import { FastSession } from './session.ts';
import type { RunSession } from '../session.ts';
import type { ThreadHost } from './threads.ts';
import { wasmAvailable, wasmBackend } from './wasm.ts';

export type { ThreadHost } from './threads.ts';
export { serveGemm } from './threads.ts';

export { FastSession } from './session.ts';
export { estimateMemory, makePlan } from './plan.ts';
export type { MemoryEstimate } from './plan.ts';

export type { RunSession } from '../session.ts';
/** The same contract under its former name (the layers code types its sessions with it). */
export type SessionLike = RunSession;

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
export function createSession(program: Program, opts: CreateSessionOptions): RunSession {
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
