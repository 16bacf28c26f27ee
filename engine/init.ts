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
  init: InitName;
  initScale?: number;
  /** [rows, cols] for a matrix, [n] for a vector, [1] for a scalar. */
  shape: number[];
}

/** How one initializer fills a parameter. */
export interface InitializerDef {
  name: string;
  /** One line for the inspector and docs/primitives.md. */
  doc: string;
  /** Offered for edges in the editor and the file format (false: internal, e.g. layer-norm gains). */
  forEdges: boolean;
  fill(f: InitFill): void;
}

interface InitFill {
  rng: Rng;
  out: { length: number; [i: number]: number };
  offset: number;
  rows: number;
  cols: number;
  isMatrix: boolean;
  fanIn: number;
  fanOut: number;
  initScale: number | undefined;
}

function fillAll(f: InitFill, v: (i: number) => number): void {
  const n = f.rows * f.cols;
  for (let i = 0; i < n; i++) f.out[f.offset + i] = v(i);
}

/** The initializers, by name (the edge ones are part of the file format). */
export const INITIALIZERS: Record<InitName, InitializerDef> = {
  glorot_uniform: {
    name: 'glorot_uniform', forEdges: true, doc: 'U(−a, a), a = √(6 / (fan in + fan out)) · initScale (the default)',
    fill: (f) => { const a = Math.sqrt(6 / (f.fanIn + f.fanOut)) * (f.initScale ?? 1); fillAll(f, () => f.rng.range(-a, a)); },
  },
  orthogonal: {
    name: 'orthogonal', forEdges: true, doc: 'an orthogonal matrix (as PyTorch\'s orthogonal_) times initScale; a vector gets ones',
    fill: (f) => {
      const g = f.initScale ?? 1;
      if (!f.isMatrix) { fillAll(f, () => g); return; }
      const q = orthogonal(f.rows, f.cols, f.rng);
      fillAll(f, (i) => g * q[i]);
    },
  },
  identity: {
    name: 'identity', forEdges: true, doc: 'the identity matrix times initScale (the IRNN recipe); a vector gets ones',
    fill: (f) => {
      const g = f.initScale ?? 1;
      if (!f.isMatrix) { fillAll(f, () => g); return; }
      fillAll(f, () => 0);
      for (let i = 0; i < Math.min(f.rows, f.cols); i++) f.out[f.offset + i * f.cols + i] = g;
    },
  },
  normal: {
    name: 'normal', forEdges: true, doc: 'N(0, σ²), σ = initScale, default 1/√(fan in)',
    fill: (f) => { const s = f.initScale ?? 1 / Math.sqrt(f.fanIn); fillAll(f, () => s * f.rng.normal()); },
  },
  uniform: {
    name: 'uniform', forEdges: true, doc: 'U(−s, s), s = initScale, default 1/√(fan in) (PyTorch\'s RNN default)',
    fill: (f) => { const s = f.initScale ?? 1 / Math.sqrt(f.fanIn); fillAll(f, () => f.rng.range(-s, s)); },
  },
  zeros: { name: 'zeros', forEdges: true, doc: 'all zeros', fill: (f) => fillAll(f, () => 0) },
  ones: { name: 'ones', forEdges: false, doc: 'all ones (layer-norm gains)', fill: (f) => fillAll(f, () => 1) },
};

/** Every initializer name, the internal `ones` included. */
export type InitName = InitKind | 'ones';

export function initialize(spec: InitSpec, rng: Rng, out: { length: number; [i: number]: number }, offset = 0): void {
  const { shape, init, initScale } = spec;
  const isMatrix = shape.length === 2;
  const rows = shape[0];
  const cols = isMatrix ? shape[1] : 1;
  const def = Object.hasOwn(INITIALIZERS, init) ? INITIALIZERS[init] : undefined;
  if (!def) throw new Error(`unknown initializer ${String(init)}`);
  def.fill({ rng, out, offset, rows, cols, isMatrix, fanIn: isMatrix ? cols : rows, fanOut: rows, initScale });
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
