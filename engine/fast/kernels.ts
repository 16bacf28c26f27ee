/**
 * Matrix-product kernels of the fast runtime and the memory they work in.
 * Row-major matrices given as (array, offset, leading dimension).
 *
 * The JavaScript kernels below are the portable fallback (register-blocked
 * 4×4: sixteen accumulators in locals, each loaded value used four times);
 * wasm.ts provides the same interface with WebAssembly SIMD kernels.
 */
import type { Activation } from '../format/types.ts';
import { activation } from '../ops/activations.ts';
import type { Arr, DType } from '../tensor.ts';

/** A [rows, n] block read or written with a leading dimension: element (r, k) at buf[off + r·ld + k]. */
export interface Strided { buf: Arr; off: number; ld: number }

/** Elementwise: add y=a+b, mul y=a·b, oneMinus y=1−a, copy y=a, acc y+=a, sub y−=a. */
export type EwOp = 'add' | 'mul' | 'oneMinus' | 'copy' | 'acc' | 'sub';

export interface Kernels {
  readonly name: string;
  /** y[r,k] = act(bias[bo+k] + Σ_c c.buf[c.off + r·c.ld + k]) for r < R, k < N (at most 3 contributions). */
  gateForward(act: Activation, R: number, N: number, bias: Arr | null, bo: number, contribs: readonly Strided[], y: Arr, yo: number): void;
  /**
   * dz[dzo + r·N + k] = act′(y)·dy; the same value also into every dest (at most 2),
   * and Σ_r of it into gbias[gbo + k] when gbias is given.
   */
  gateBackward(act: Activation, R: number, N: number, y: Arr, yo: number, dy: Arr, dyo: number, dz: Arr, dzo: number, gbias: Arr | null, gbo: number, dests: readonly Strided[]): void;
  ew(op: EwOp, n: number, a: Arr, ao: number, b: Arr | null, bo: number, y: Arr, yo: number): void;
  /** da += dy·b, db += dy·a (either may be null; they may alias). */
  mulBackward(n: number, dy: Arr, dyo: number, a: Arr, ao: number, b: Arr, bo: number, da: Arr | null, dao: number, db: Arr | null, dbo: number): void;
  /** Σ a[ao+i]² for i < n. */
  sumsq(n: number, a: Arr, ao: number): number;
  /** C[M,N] (acc ? += : =) A[M,K] · B[K,N]. */
  gemmNN(M: number, N: number, K: number, A: Arr, ao: number, lda: number, B: Arr, bo: number, ldb: number, C: Arr, co: number, ldc: number, acc: boolean): void;
  /** C[M,N] (acc ? += : =) Aᵀ · B with A stored [K,M], B [K,N]. */
  gemmTN(M: number, N: number, K: number, A: Arr, ao: number, lda: number, B: Arr, bo: number, ldb: number, C: Arr, co: number, ldc: number, acc: boolean): void;
}

/** Where a session's buffers live: one allocation, carved into typed-array views. */
export interface Backend {
  readonly kernels: Kernels;
  readonly dtype: DType;
  /** Allocates all buffers at once (sizes in elements); the views stay valid for the backend's life. */
  allocate(sizes: number[]): Arr[];
  /** Releases what the backend holds beyond memory (helper threads). */
  dispose?(): void;
  /** Helper threads started and ready to take products. */
  threadsReady?(): number;
}

function gemm(tA: boolean, M: number, N: number, K: number, A: Arr, ao: number, lda: number, B: Arr, bo: number, ldb: number, C: Arr, co: number, ldc: number, acc: boolean): void {
  // A(m, k) = tA ? A[ao + k·lda + m] : A[ao + m·lda + k]
  const sm = tA ? 1 : lda;
  const sk = tA ? lda : 1;
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const a0 = ao + m * sm;
    const a1 = a0 + sm;
    const a2 = a1 + sm;
    const a3 = a2 + sm;
    let n = 0;
    for (; n + 4 <= N; n += 4) {
      const c0 = co + m * ldc + n;
      const c1 = c0 + ldc;
      const c2 = c1 + ldc;
      const c3 = c2 + ldc;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let bk = bo + n;
      let ak = 0;
      for (let k = 0; k < K; k++, bk += ldb, ak += sk) {
        const b0 = B[bk], b1 = B[bk + 1], b2 = B[bk + 2], b3 = B[bk + 3];
        const x0 = A[a0 + ak], x1 = A[a1 + ak], x2 = A[a2 + ak], x3 = A[a3 + ak];
        c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
        c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
        c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
        c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
      }
      if (acc) {
        C[c0] += c00; C[c0 + 1] += c01; C[c0 + 2] += c02; C[c0 + 3] += c03;
        C[c1] += c10; C[c1 + 1] += c11; C[c1 + 2] += c12; C[c1 + 3] += c13;
        C[c2] += c20; C[c2 + 1] += c21; C[c2 + 2] += c22; C[c2 + 3] += c23;
        C[c3] += c30; C[c3 + 1] += c31; C[c3 + 2] += c32; C[c3 + 3] += c33;
      } else {
        C[c0] = c00; C[c0 + 1] = c01; C[c0 + 2] = c02; C[c0 + 3] = c03;
        C[c1] = c10; C[c1 + 1] = c11; C[c1 + 2] = c12; C[c1 + 3] = c13;
        C[c2] = c20; C[c2 + 1] = c21; C[c2 + 2] = c22; C[c2 + 3] = c23;
        C[c3] = c30; C[c3 + 1] = c31; C[c3 + 2] = c32; C[c3 + 3] = c33;
      }
    }
    for (; n < N; n++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let bk = bo + n;
      let ak = 0;
      for (let k = 0; k < K; k++, bk += ldb, ak += sk) {
        const b = B[bk];
        s0 += A[a0 + ak] * b; s1 += A[a1 + ak] * b; s2 += A[a2 + ak] * b; s3 += A[a3 + ak] * b;
      }
      const c = co + m * ldc + n;
      if (acc) { C[c] += s0; C[c + ldc] += s1; C[c + 2 * ldc] += s2; C[c + 3 * ldc] += s3; }
      else { C[c] = s0; C[c + ldc] = s1; C[c + 2 * ldc] = s2; C[c + 3 * ldc] = s3; }
    }
  }
  for (; m < M; m++) {
    const a = ao + m * sm;
    for (let n = 0; n < N; n++) {
      let s = 0;
      let bk = bo + n;
      let ak = a;
      for (let k = 0; k < K; k++, bk += ldb, ak += sk) s += A[ak] * B[bk];
      const c = co + m * ldc + n;
      if (acc) C[c] += s; else C[c] = s;
    }
  }
}

export const jsKernels: Kernels = {
  name: 'js',
  gemmNN: (M, N, K, A, ao, lda, B, bo, ldb, C, co, ldc, acc) => gemm(false, M, N, K, A, ao, lda, B, bo, ldb, C, co, ldc, acc),
  gemmTN: (M, N, K, A, ao, lda, B, bo, ldb, C, co, ldc, acc) => gemm(true, M, N, K, A, ao, lda, B, bo, ldb, C, co, ldc, acc),
  gateForward(act, R, N, bias, bo, contribs, y, yo) {
    for (let r = 0; r < R; r++) {
      const yr = yo + r * N;
      if (bias) for (let k = 0; k < N; k++) y[yr + k] = bias[bo + k];
      else for (let k = 0; k < N; k++) y[yr + k] = 0;
      for (const c of contribs) {
        const cb = c.buf;
        const co = c.off + r * c.ld;
        for (let k = 0; k < N; k++) y[yr + k] += cb[co + k];
      }
    }
    activation(act).forward(y, yo, y, yo, R * N);
  },
  gateBackward(act, R, N, y, yo, dy, dyo, dz, dzo, gbias, gbo, dests) {
    activation(act).backward(null, 0, y, yo, dy, dyo, dz, dzo, R * N);
    for (let r = 0; r < R; r++) {
      const d = dzo + r * N;
      if (gbias) for (let k = 0; k < N; k++) gbias[gbo + k] += dz[d + k];
      for (const s of dests) {
        const sb = s.buf;
        const so = s.off + r * s.ld;
        for (let k = 0; k < N; k++) sb[so + k] = dz[d + k];
      }
    }
  },
  ew(op, n, a, ao, b, bo, y, yo) {
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) y[yo + i] = a[ao + i] + b![bo + i]; return;
      case 'mul': for (let i = 0; i < n; i++) y[yo + i] = a[ao + i] * b![bo + i]; return;
      case 'oneMinus': for (let i = 0; i < n; i++) y[yo + i] = 1 - a[ao + i]; return;
      case 'copy': y.set(a.subarray(ao, ao + n), yo); return;
      case 'acc': for (let i = 0; i < n; i++) y[yo + i] += a[ao + i]; return;
      case 'sub': for (let i = 0; i < n; i++) y[yo + i] -= a[ao + i]; return;
    }
  },
  mulBackward(n, dy, dyo, a, ao, b, bo, da, dao, db, dbo) {
    for (let i = 0; i < n; i++) {
      const g = dy[dyo + i];
      if (da) da[dao + i] += g * b[bo + i];
      if (db) db[dbo + i] += g * a[ao + i];
    }
  },
  sumsq(n, a, ao) {
    let s = 0;
    for (let i = ao; i < ao + n; i++) s += a[i] * a[i];
    return s;
  },
};

/** Plain typed arrays (one per buffer) with the JavaScript kernels. */
export function jsBackend(dtype: DType): Backend {
  return {
    kernels: jsKernels,
    dtype,
    allocate: (sizes) => sizes.map((n) => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n))),
  };
}
