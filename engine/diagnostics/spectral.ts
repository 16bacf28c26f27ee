/**
 * Eigenvalues and spectral radius of square matrices (ml-matrix's
 * EigenvalueDecomposition), and the recurrent weights they are asked of.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Program } from '../compile.ts';
import type { Arr } from '../tensor.ts';

export interface Eigen {
  /** Real and imaginary parts, sorted by decreasing magnitude. */
  re: number[];
  im: number[];
  /** max |λ|. */
  radius: number;
}

/**
 * Eigenvalues of the n×n row-major matrix a[off .. off + n²).
 *
 * @example
 * eigen(Float64Array.of(0, -1, 1, 0), 2).radius // 1 (a rotation)
 */
export function eigen(a: ArrayLike<number>, n: number, off = 0): Eigen {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) data[i] = a[off + i];
  for (const v of data) if (!Number.isFinite(v)) return { re: [], im: [], radius: NaN };
  const evd = new EigenvalueDecomposition(Matrix.from1DArray(n, n, data));
  const pairs = evd.realEigenvalues.map((re, i) => [re, evd.imaginaryEigenvalues[i]] as const);
  pairs.sort((p, q) => Math.hypot(q[0], q[1]) - Math.hypot(p[0], p[1]));
  return { re: pairs.map((p) => p[0]), im: pairs.map((p) => p[1]), radius: pairs.length ? Math.hypot(pairs[0][0], pairs[0][1]) : 0 };
}

export interface WeightDiag {
  /** The edge id and its parameter key. */
  edge: string;
  key: string;
  source: string;
  target: string;
  spectralRadius: number;
  eigenvalues: { re: number[]; im: number[] };
}

/**
 * The square recurrent weights of a graph: full edges from a cell into a gate
 * of the same size (W_hh of an Elman RNN, W_fh, W_ih, … of an LSTM).
 */
export function recurrentWeights(program: Program, theta: Arr): WeightDiag[] {
  const out: WeightDiag[] = [];
  for (const e of program.edges) {
    const s = program.nodes[e.source];
    const t = program.nodes[e.target];
    if (e.weight !== 'full' || !e.param || s.kind !== 'cell' || t.kind !== 'gate' || s.size !== t.size) continue;
    const ev = eigen(theta, s.size, e.param.offset);
    out.push({ edge: e.id, key: e.param.key, source: s.id, target: t.id, spectralRadius: ev.radius, eigenvalues: { re: ev.re, im: ev.im } });
  }
  return out;
}
