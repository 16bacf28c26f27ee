/**
 * Fixed points of a one-unit cell's step map h ↦ f(h), with every input held
 * at zero and every other cell at zero: found as sign changes of f(h) − h on a
 * grid, refined by bisection, and classified by the slope there — a sink
 * (|f′| < 1: nearby states converge to it) or a source (|f′| > 1: they run
 * away). The reference text's x ↦ x² + 0.15 has a sink at (1 − √0.4)/2 ≈
 * 0.1838 and a source at ≈ 0.8162 (the text rounds them to 0.1775 and 0.8225).
 */
import type { Program } from '../compile.ts';
import type { Arr } from '../tensor.ts';
import { StepProbe } from './probe.ts';
import { own } from '../format/dict.ts';

export type FixedPointKind = 'sink' | 'source' | 'neutral';

export interface FixedPoint {
  h: number;
  /** f′(h). */
  slope: number;
  kind: FixedPointKind;
  /** Set when f(h) = h on a whole interval (e.g. ReLU with weight 1): its ends. */
  interval?: [number, number];
}

export interface FixedPointDiag {
  cell: string;
  points: FixedPoint[];
  /** The map sampled on the searched range, for drawing the return map and a cobweb. */
  curve: { h: number[]; f: number[] };
  range: [number, number];
}

const GRID = 401;
const CURVE_EVERY = 4;

export class FixedPointFinder {
  private probe: StepProbe | null = null;

  constructor(readonly program: Program) {}

  /** The size-1 cells this finder reports on. */
  cells(): number[] {
    return this.program.cells.filter((i) => this.program.nodes[i].size === 1);
  }

  /**
   * Fixed points of every size-1 cell on [lo, hi] (default [−2, 2], widened to
   * cover `observed`, the range the cell's state actually visited).
   */
  find(theta: Arr, observed?: Record<string, [number, number]>): FixedPointDiag[] {
    const out: FixedPointDiag[] = [];
    for (const ci of this.cells()) {
      const id = this.program.nodes[ci].id;
      let lo = -2;
      let hi = 2;
      const seen = own(observed, id);
      if (seen && Number.isFinite(seen[0]) && Number.isFinite(seen[1])) {
        lo = Math.max(-1e3, Math.min(lo, seen[0] - 0.5));
        hi = Math.min(1e3, Math.max(hi, seen[1] + 0.5));
      }
      out.push(this.findOne(ci, theta, lo, hi));
    }
    return out;
  }

  /** f at each of hs (at most GRID values), other cells and inputs at zero. */
  private map(ci: number, theta: Arr, hs: ArrayLike<number>): Float64Array {
    this.probe ??= new StepProbe(this.program, GRID);
    const probe = this.probe;
    probe.clear();
    const st = probe.state(ci);
    for (let k = 0; k < hs.length; k++) st[k] = hs[k];
    probe.run(theta);
    return Float64Array.from(probe.next(ci).subarray(0, hs.length));
  }

  private findOne(ci: number, theta: Arr, lo: number, hi: number): FixedPointDiag {
    const hs = new Float64Array(GRID);
    for (let k = 0; k < GRID; k++) hs[k] = lo + ((hi - lo) * k) / (GRID - 1);
    const fs = this.map(ci, theta, hs);
    const g = (k: number): number => fs[k] - hs[k];
    const brackets: [number, number][] = [];
    const exact: [number, number][] = [];
    for (let k = 0; k < GRID; k++) {
      if (g(k) === 0) {
        const last = exact[exact.length - 1];
        if (last && last[1] === k - 1) last[1] = k; else exact.push([k, k]);
        continue;
      }
      if (k + 1 < GRID && g(k + 1) !== 0 && Math.sign(g(k)) * Math.sign(g(k + 1)) < 0) brackets.push([hs[k], hs[k + 1]]);
    }
    // Bisection of all brackets at once, one probe run per halving.
    const a = brackets.map((b) => b[0]);
    const b = brackets.map((x) => x[1]);
    if (brackets.length > 0) {
      const ga = this.map(ci, theta, a).map((v, i) => v - a[i]);
      for (let it = 0; it < 60; it++) {
        const mid = a.map((v, i) => (v + b[i]) / 2);
        const gm = this.map(ci, theta, mid).map((v, i) => v - mid[i]);
        for (let i = 0; i < mid.length; i++) {
          if (gm[i] === 0) { a[i] = mid[i]; b[i] = mid[i]; } else if (Math.sign(gm[i]) === Math.sign(ga[i])) { a[i] = mid[i]; ga[i] = gm[i]; } else b[i] = mid[i];
        }
      }
    }
    const roots = a.map((v, i) => (v + b[i]) / 2);
    const intervals = exact.map(([k0, k1]) => [hs[k0], hs[k1]] as [number, number]);
    const at = [...roots, ...intervals.map(([x, y]) => (x + y) / 2)];
    const points: FixedPoint[] = [];
    if (at.length > 0) {
      const d = 1e-6;
      const fp = this.map(ci, theta, at.map((h) => h + d));
      const fm = this.map(ci, theta, at.map((h) => h - d));
      at.forEach((h, i) => {
        const slope = (fp[i] - fm[i]) / (2 * d);
        const m = Math.abs(slope);
        const kind: FixedPointKind = m < 1 - 1e-6 ? 'sink' : m > 1 + 1e-6 ? 'source' : 'neutral';
        const p: FixedPoint = { h, slope, kind };
        if (i >= roots.length) {
          const iv = intervals[i - roots.length];
          if (iv[1] > iv[0]) p.interval = iv;
        }
        points.push(p);
      });
    }
    points.sort((p, q) => p.h - q.h);
    const curve = { h: [] as number[], f: [] as number[] };
    for (let k = 0; k < GRID; k += CURVE_EVERY) { curve.h.push(hs[k]); curve.f.push(fs[k]); }
    return { cell: this.program.nodes[ci].id, points, curve, range: [lo, hi] };
  }
}
