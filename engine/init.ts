/**
 * Initializers of learned parameters. Defaults (initScale absent):
 * - glorot_uniform: U(−a, a), a = √(6 / (fanIn + fanOut)); a vector of n (diagonal)
 *   uses fanIn = fanOut = n, a scalar fanIn = fanOut = 1 (Keras' convention). initScale multiplies a.
 * - orthogonal: an orthogonal matrix (QR of a Gaussian, signs fixed as PyTorch's
 *   `orthogonal_`), times initScale (the gain, default 1). A vector gets ones.
 * - identity: the identity matrix (ones on the diagonal of a non-square one; a
 *   vector or scalar gets ones), times initScale (default 1) — the IRNN recipe.
 * - normal: N(0, σ²), σ = initScale, default 1/√fanIn.
 * - uniform: U(−s, s), s = initScale, default 1/√fanIn (PyTorch's RNN default).
 * - zeros.
 */
import type { InitKind } from './format/types.ts';
import type { Rng } from './rng.ts';

export interface InitSpec {
  init: InitKind;
  initScale?: number;
  /** [rows, cols] for a matrix, [n] for a vector, [1] for a scalar. */
  shape: number[];
}

export function initialize(spec: InitSpec, rng: Rng, out: { length: number; [i: number]: number }, offset = 0): void {
  const { shape, init, initScale } = spec;
  const rows = shape.length === 2 ? shape[0] : shape[0];
  const cols = shape.length === 2 ? shape[1] : 1;
  const n = rows * cols;
  const isMatrix = shape.length === 2;
  const fanIn = isMatrix ? cols : shape[0];
  const fanOut = isMatrix ? rows : shape[0];
  switch (init) {
    case 'zeros':
      for (let i = 0; i < n; i++) out[offset + i] = 0;
      return;
    case 'glorot_uniform': {
      const a = Math.sqrt(6 / (fanIn + fanOut)) * (initScale ?? 1);
      for (let i = 0; i < n; i++) out[offset + i] = rng.range(-a, a);
      return;
    }
    case 'uniform': {
      const s = initScale ?? 1 / Math.sqrt(fanIn);
      for (let i = 0; i < n; i++) out[offset + i] = rng.range(-s, s);
      return;
    }
    case 'normal': {
      const s = initScale ?? 1 / Math.sqrt(fanIn);
      for (let i = 0; i < n; i++) out[offset + i] = s * rng.normal();
      return;
    }
    case 'identity': {
      const g = initScale ?? 1;
      for (let i = 0; i < n; i++) out[offset + i] = 0;
      if (!isMatrix) {
        for (let i = 0; i < n; i++) out[offset + i] = g;
        return;
      }
      for (let i = 0; i < Math.min(rows, cols); i++) out[offset + i * cols + i] = g;
      return;
    }
    case 'orthogonal': {
      const g = initScale ?? 1;
      if (!isMatrix) {
        for (let i = 0; i < n; i++) out[offset + i] = g;
        return;
      }
      const q = orthogonal(rows, cols, rng);
      for (let i = 0; i < n; i++) out[offset + i] = g * q[i];
      return;
    }
    default: {
      const never: never = init;
      throw new Error(`unknown initializer ${String(never)}`);
    }
  }
}

/** A rows×cols matrix with orthonormal rows or columns (whichever is fewer), row-major. */
function orthogonal(rows: number, cols: number, rng: Rng): Float64Array {
  // Work on the tall orientation (m ≥ k), then transpose back if needed.
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const k = tall ? cols : rows;
  // Columns of A (m×k), Gaussian; modified Gram–Schmidt twice for stability.
  const a: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const col = new Float64Array(m);
    for (let i = 0; i < m; i++) col[i] = rng.normal();
    a.push(col);
  }
  for (let j = 0; j < k; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let d = 0;
        for (let i = 0; i < m; i++) d += a[p][i] * a[j][i];
        for (let i = 0; i < m; i++) a[j][i] -= d * a[p][i];
      }
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += a[j][i] * a[j][i];
    nrm = Math.sqrt(nrm) || 1;
    for (let i = 0; i < m; i++) a[j][i] /= nrm;
  }
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < m; i++) {
      if (tall) out[i * cols + j] = a[j][i];
      else out[j * cols + i] = a[j][i];
    }
  }
  return out;
}
