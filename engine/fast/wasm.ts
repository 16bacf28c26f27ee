/**
 * The WebAssembly backend: every buffer of a session lives in one
 * WebAssembly.Memory (grown once, before the views are made, so they never
 * detach), and the matrix products run in the SIMD kernels of
 * wasm/gemm.as. One module instance per session; the module is compiled
 * once. Works wherever WebAssembly with SIMD does (node ≥ 16, every current
 * browser, workers) with no fetch: the bytes are in wasm/gemm.wasm.ts.
 */
import type { Activation } from '../format/types.ts';
import type { Arr, DType } from '../tensor.ts';
import type { Backend, EwOp, Kernels } from './kernels.ts';
import { jsKernels } from './kernels.ts';
import type { ThreadHost } from './threads.ts';
import { GemmCrew, OP_GEMM32, OP_GEMM64 } from './threads.ts';
import { GEMM_RELAXED_WASM_BASE64, GEMM_SHARED_RELAXED_WASM_BASE64, GEMM_SHARED_WASM_BASE64, GEMM_WASM_BASE64 } from './wasm/gemm.wasm.ts';

// The engine builds without DOM types, so WebAssembly is described here, just as far as it is used.
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmExports {
  memory: WasmMemory;
  scratchBytes(): number;
  setScratch(at: number): void;
  gemm32(M: number, N: number, K: number, a: number, sam: number, sak: number, b: number, ldb: number, c: number, ldc: number, acc: number): void;
  gemm64(M: number, N: number, K: number, a: number, sam: number, sak: number, b: number, ldb: number, c: number, ldc: number, acc: number): void;
  gateFwd32(act: number, R: number, N: number, bias: number, c1: number, ld1: number, c2: number, ld2: number, c3: number, ld3: number, y: number): void;
  gateBwd32(act: number, R: number, N: number, y: number, dy: number, dz: number, gbias: number, s1: number, ld1: number, s2: number, ld2: number): void;
  ew32(op: number, n: number, a: number, b: number, y: number): void;
  mulBwd32(n: number, dy: number, a: number, b: number, da: number, db: number): void;
  sumsq32(n: number, a: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Instance: new (module: object, imports: object) => { exports: unknown };
  validate(bytes: Uint8Array): boolean;
}

const PAGE = 65536;
/** Activations with a SIMD kernel (softplus runs in JavaScript). */
const ACT: Partial<Record<Activation, number>> = { identity: 0, sigmoid: 1, tanh: 2, relu: 3, step: 4 };
const EW: Record<EwOp, number> = { add: 0, mul: 1, oneMinus: 2, copy: 3, acc: 4, sub: 5 };
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeBase64(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    acc = (acc << 6) | B64.indexOf(clean[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

function api(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

let bytes: Uint8Array | null = null;
let compiled: object | null = null;
let compiledShared: object | null = null;
let available: boolean | null = null;
/** Whether the relaxed-SIMD (fused multiply-add) variant runs here. */
let relaxed = false;

/** True when this runtime can run the SIMD kernels. */
export function wasmAvailable(): boolean {
  if (available !== null) return available;
  const wa = api();
  try {
    const fma = decodeBase64(GEMM_RELAXED_WASM_BASE64);
    relaxed = wa !== undefined && wa.validate(fma);
    bytes = relaxed ? fma : decodeBase64(GEMM_WASM_BASE64);
    available = wa !== undefined && wa.validate(bytes);
  } catch {
    available = false;
  }
  return available;
}

function instantiate(): WasmExports {
  const wa = api();
  if (!wa || !wasmAvailable()) throw new Error('WebAssembly with SIMD is not available here; use the JavaScript kernels');
  compiled ??= new wa.Module(bytes!);
  return new wa.Instance(compiled, { env: {} }).exports as WasmExports;
}

/** True when helper threads can share a session's memory here (SharedArrayBuffer and shared WebAssembly memory). */
export function threadsAvailable(): boolean {
  const wa = api();
  if (!wa || !wasmAvailable() || typeof SharedArrayBuffer === 'undefined') return false;
  try {
    compiledShared ??= new wa.Module(decodeBase64(relaxed ? GEMM_SHARED_RELAXED_WASM_BASE64 : GEMM_SHARED_WASM_BASE64));
    new wa.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

export interface WasmBackendOptions {
  /** Threads for large matrix products (default 1). More than 1 needs `host`. */
  threads?: number;
  host?: ThreadHost;
  /** Products smaller than this many multiply-adds stay on the calling thread (default 2^23: the per-step products of workload L split, those of M do not). */
  minWork?: number;
}

/**
 * A backend whose buffers live in a fresh WebAssembly memory and whose
 * products run in WebAssembly SIMD.
 *
 * @example
 * const s = new FastSession(program, { T, B, dtype, backend: wasmBackend(dtype) });
 */
export function wasmBackend(dtype: DType, opts: WasmBackendOptions = {}): Backend {
  const threads = opts.threads ?? 1;
  const shared = threads > 1 && opts.host !== undefined && threadsAvailable();
  let sharedMemory: WasmMemory | null = null;
  let ex: WasmExports;
  if (shared) {
    sharedMemory = new (api()!).Memory({ initial: 2, maximum: 65536, shared: true });
    ex = new (api()!).Instance(compiledShared!, { env: { memory: sharedMemory } }).exports as WasmExports;
  } else ex = instantiate();
  const memory = sharedMemory ?? ex.memory;
  const es = dtype === 'float64' ? 8 : 4;
  let mem: ArrayBuffer | SharedArrayBuffer | null = null;
  let crew: GemmCrew | null = null;
  const ptr = (a: Arr, off: number): number => {
    if (a.buffer !== mem) throw new Error('internal: a buffer outside the WebAssembly memory reached a WebAssembly kernel');
    return a.byteOffset + off * es;
  };
  const kernel = dtype === 'float64' ? ex.gemm64 : ex.gemm32;
  const gemm = (M: number, N: number, K: number, a: number, sam: number, sak: number, b: number, ldb: number, c: number, ldc: number, acc: number): void => {
    if (crew) crew.run(kernel, M, N, K, a, sam, sak, b, ldb, c, ldc, acc);
    else kernel(M, N, K, a, sam, sak, b, ldb, c, ldc, acc);
  };
  const inMem = (a: Arr | null): boolean => a === null || a.buffer === mem;
  const p = (a: Arr | null, off: number): number => (a === null ? 0 : a.byteOffset + off * es);
  const f32 = dtype === 'float32';
  const kernels: Kernels = {
    ...jsKernels,
    name: (relaxed ? 'wasm-relaxed-simd' : 'wasm-simd') + (f32 ? '' : ' (products only)') + (shared ? `, ${threads} threads for products` : ''),
    gemmNN(M, N, K, A, ao, lda, B, bo, ldb, C, co, ldc, acc) {
      if (A.buffer !== mem || B.buffer !== mem || C.buffer !== mem) { jsKernels.gemmNN(M, N, K, A, ao, lda, B, bo, ldb, C, co, ldc, acc); return; }
      gemm(M, N, K, ptr(A, ao), lda, 1, ptr(B, bo), ldb, ptr(C, co), ldc, acc ? 1 : 0);
    },
    gemmTN(M, N, K, A, ao, lda, B, bo, ldb, C, co, ldc, acc) {
      if (A.buffer !== mem || B.buffer !== mem || C.buffer !== mem) { jsKernels.gemmTN(M, N, K, A, ao, lda, B, bo, ldb, C, co, ldc, acc); return; }
      gemm(M, N, K, ptr(A, ao), 1, lda, ptr(B, bo), ldb, ptr(C, co), ldc, acc ? 1 : 0);
    },
  };
  // The elementwise kernels exist in float32 only: in float64 the JavaScript
  // loops (the reference's own activation code) are as fast as scalar WebAssembly.
  if (f32) {
    kernels.gateForward = (act, R, N, bias, bo, cs, y, yo) => {
      const code = ACT[act];
      if (code === undefined || cs.length > 3 || !inMem(bias) || !inMem(y) || cs.some((c) => c.buf.buffer !== mem)) {
        jsKernels.gateForward(act, R, N, bias, bo, cs, y, yo);
        return;
      }
      const c1 = cs[0], c2 = cs[1], c3 = cs[2];
      ex.gateFwd32(code, R, N, p(bias, bo), c1 ? p(c1.buf, c1.off) : 0, c1 ? c1.ld : 0, c2 ? p(c2.buf, c2.off) : 0, c2 ? c2.ld : 0, c3 ? p(c3.buf, c3.off) : 0, c3 ? c3.ld : 0, p(y, yo));
    };
    kernels.gateBackward = (act, R, N, y, yo, dy, dyo, dz, dzo, gbias, gbo, ds) => {
      const code = ACT[act];
      if (code === undefined || ds.length > 2 || !inMem(y) || !inMem(dy) || !inMem(dz) || !inMem(gbias) || ds.some((d) => d.buf.buffer !== mem)) {
        jsKernels.gateBackward(act, R, N, y, yo, dy, dyo, dz, dzo, gbias, gbo, ds);
        return;
      }
      const s1 = ds[0], s2 = ds[1];
      ex.gateBwd32(code, R, N, p(y, yo), p(dy, dyo), p(dz, dzo), p(gbias, gbo), s1 ? p(s1.buf, s1.off) : 0, s1 ? s1.ld : 0, s2 ? p(s2.buf, s2.off) : 0, s2 ? s2.ld : 0);
    };
    kernels.ew = (op, n, a, ao, b, bo, y, yo) => {
      if (!inMem(a) || !inMem(b) || !inMem(y)) { jsKernels.ew(op, n, a, ao, b, bo, y, yo); return; }
      ex.ew32(EW[op], n, p(a, ao), p(b, bo), p(y, yo));
    };
    kernels.mulBackward = (n, dy, dyo, a, ao, b, bo, da, dao, db, dbo) => {
      if (!inMem(dy) || !inMem(a) || !inMem(b) || !inMem(da) || !inMem(db)) { jsKernels.mulBackward(n, dy, dyo, a, ao, b, bo, da, dao, db, dbo); return; }
      ex.mulBwd32(n, p(dy, dyo), p(a, ao), p(b, bo), p(da, dao), p(db, dbo));
    };
    kernels.sumsq = (n, a, ao) => (inMem(a) ? ex.sumsq32(n, p(a, ao)) : jsKernels.sumsq(n, a, ao));
  }
  return {
    kernels,
    dtype,
    allocate(sizes) {
      if (mem) throw new Error('internal: a WebAssembly backend allocates once');
      const align = (n: number): number => Math.ceil(n / 64) * 64;
      const scratches: number[] = [];
      let at = align(memory.buffer.byteLength);
      for (let t = 0; t < (shared ? threads : 1); t++) {
        scratches.push(at);
        at = align(at + ex.scratchBytes());
      }
      const offsets = sizes.map((n) => {
        const o = at;
        at = align(at + n * es);
        return o;
      });
      const need = Math.ceil(at / PAGE) - memory.buffer.byteLength / PAGE;
      if (need > 0) {
        if (at > 4 * 1024 * 1024 * 1024 - PAGE) throw new RangeError(`the session needs ${Math.round(at / 1048576)} MB, more than WebAssembly's 4 GB`);
        memory.grow(need);
      }
      ex.setScratch(scratches[0]);
      mem = memory.buffer;
      if (shared) crew = new GemmCrew(opts.host!, compiledShared!, memory, scratches.slice(1), dtype === 'float64' ? OP_GEMM64 : OP_GEMM32, es, opts.minWork ?? 1 << 23);
      return sizes.map((n, i) => (dtype === 'float64' ? new Float64Array(mem!, offsets[i], n) : new Float32Array(mem!, offsets[i], n)));
    },
    threadsReady: () => crew?.ready() ?? 0,
    dispose() {
      crew?.stop();
      crew = null;
    },
  };
}
