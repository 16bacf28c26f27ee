/**
 * The step Jacobian J_t = ∂h_t/∂h_{t−1} along a real trajectory, by central
 * differences (float64, ε = 1e-6: error ≈ 1e-10 for smooth cells, far below
 * what the spectral radius is read for). Its spectral radius says whether one
 * step stretches (> 1) or squashes (< 1) a perturbation of the state — the
 * local version of the reference text's w^(T−1) story.
 *
 * h is the joint state of all cells (an LSTM's [h; C]); each cell also gets
 * the radius of its own diagonal block ∂h^(c)_t/∂h^(c)_{t−1} (the other cells
 * held fixed): for an LSTM's C that block is diag(f_t), the forget gate.
 */
import type { Program } from '../compile.ts';
import type { RunSession } from '../session.ts';
import type { Arr } from '../tensor.ts';
import { StepProbe } from './probe.ts';
import { eigen } from './spectral.ts';
import { idTable } from '../format/dict.ts';

export interface JacobianDiag {
  /** Mean over the sampled (step, sequence) pairs of the joint Jacobian's spectral radius. */
  radius: number;
  /** Per cell id: mean spectral radius of its own block. */
  cellRadius: Record<string, number>;
  /** Eigenvalues of the Jacobian averaged over the samples (for the unit-circle plot). */
  eigenvalues: { re: number[]; im: number[] };
  /** Joint state size and how many (t, b) pairs were averaged. */
  dims: number;
  samples: number;
}

const EPS = 1e-6;
/** Rows per probe run: 2·D rows per sampled pair. */
const MAX_ROWS = 1024;
/** Beyond this joint state size the O(D³) eigen solves cost more than a training step: skipped. */
export const MAX_JACOBIAN_DIMS = 128;

export class JacobianProbe {
  private probe: StepProbe | null = null;
  readonly pairs: number;
  readonly dims: number;

  constructor(readonly program: Program, maxPairs = 16) {
    this.dims = program.cells.reduce((s, i) => s + program.nodes[i].size, 0);
    this.pairs = Math.max(1, Math.min(maxPairs, Math.floor(MAX_ROWS / (2 * Math.max(1, this.dims)))));
  }

  /**
   * Jacobians at sampled steps of the trajectory held in `src` (after its
   * forward), with parameters theta. Returns null when the graph has no cell
   * or its state is too large.
   */
  measure(src: RunSession, theta: Arr): JacobianDiag | null {
    const p = this.program;
    const D = this.dims;
    if (D === 0 || D > MAX_JACOBIAN_DIMS) return null;
    const P = Math.min(this.pairs, src.T * src.B);
    this.probe ??= new StepProbe(p, this.pairs * 2 * D);
    const probe = this.probe;
    probe.clear();
    const { T, B } = src;
    const pairs: [number, number][] = [];
    for (let k = 0; k < P; k++) pairs.push([Math.min(T - 1, Math.floor(((k + 0.5) * T) / P)), k % B]);
    pairs.forEach(([t, b], k) => {
      for (let r = k * 2 * D; r < (k + 1) * 2 * D; r++) {
        for (const i of p.inputs) {
          const n = p.nodes[i].size;
          const dst = probe.input(i);
          const sv = src.vals[i];
          for (let u = 0; u < n; u++) dst[r * n + u] = sv[(t * B + b) * n + u];
        }
        p.cells.forEach((ci, c) => {
          const n = p.nodes[ci].size;
          const dst = probe.state(ci);
          const sv = src.vals[ci];
          for (let u = 0; u < n; u++) dst[r * n + u] = sv[(t * B + b) * n + u];
          const j = (r - k * 2 * D) >> 1;
          const sign = (r - k * 2 * D) & 1 ? -1 : 1;
          const o = probe.offsets[c];
          if (j >= o && j < o + n) dst[r * n + (j - o)] += sign * EPS;
        });
      }
    });
    probe.run(theta);
    const J = new Float64Array(D * D);
    const mean = new Float64Array(D * D);
    let radius = 0;
    const cellSum = new Float64Array(p.cells.length);
    for (let k = 0; k < P; k++) {
      p.cells.forEach((ci, c) => {
        const n = p.nodes[ci].size;
        const out = probe.next(ci);
        const o = probe.offsets[c];
        for (let j = 0; j < D; j++) {
          const rp = k * 2 * D + 2 * j;
          for (let u = 0; u < n; u++) J[(o + u) * D + j] = (out[rp * n + u] - out[(rp + 1) * n + u]) / (2 * EPS);
        }
      });
      for (let i = 0; i < D * D; i++) mean[i] += J[i] / P;
      radius += eigen(J, D).radius / P;
      p.cells.forEach((ci, c) => {
        const n = p.nodes[ci].size;
        const o = probe.offsets[c];
        const blk = new Float64Array(n * n);
        for (let a = 0; a < n; a++) for (let b2 = 0; b2 < n; b2++) blk[a * n + b2] = J[(o + a) * D + o + b2];
        cellSum[c] += eigen(blk, n).radius / P;
      });
    }
    const ev = eigen(mean, D);
    const cellRadius = idTable<number>();
    p.cells.forEach((ci, c) => { cellRadius[p.nodes[ci].id] = cellSum[c]; });
    return { radius, cellRadius, eigenvalues: { re: ev.re, im: ev.im }, dims: D, samples: P };
  }
}
