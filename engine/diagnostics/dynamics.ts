/**
 * Fixed points and slow points of the full state map in N dimensions: with
 * every input held at a constant x, one step maps the joint state h (all
 * cells together, e.g. an LSTM's [h; C]) to F(h). Fixed points are zeros of
 * r(h) = F(h) − h, found by minimising q(h) = ½‖r(h)‖² with
 * Levenberg–Marquardt from many seeds at once (random ones in a box around
 * the visited states, a grid when the state is small, and states visited by
 * running the map). Slow points are local minima with q below a tolerance
 * but not zero. Each point is classified by the eigenvalues of the step
 * Jacobian ∂F/∂h there: `stable` (every |λ| < 1), `unstable` (every |λ| > 1),
 * `saddle` (both), `marginal` (some |λ| = 1 within 1e-9).
 *
 * ∂F/∂h is exact: one reverse sweep of the runtime per state unit, seeded as
 * an external output gradient on the state a cell writes, read back as the
 * gradient of the initial state (all seeds' rows in one batch).
 *
 * Pure: plain data in, plain data out, so the UI can call it as the CLI does.
 */
import type { Batch } from '../batch.ts';
import type { Program } from '../compile.ts';
import { problem } from '../errors.ts';
import { idTable, own } from '../format/dict.ts';
import { Rng } from '../rng.ts';
import { Session } from '../runtime.ts';
import type { Arr } from '../tensor.ts';
import type { LayerModel } from '../layers/index.ts';
import { layerModel } from '../layers/index.ts';
import { ProbeError, withoutLosses } from './connectivity.ts';
import { eigen } from './spectral.ts';

export type StateKind = 'stable' | 'unstable' | 'saddle' | 'marginal';

export interface StatePoint {
  /** Per cell id: the point's state. */
  state: Record<string, number[]>;
  /** ½‖F(h) − h‖². */
  q: number;
  /** Eigenvalues of ∂F/∂h as [re, im], by decreasing magnitude. */
  eigenvalues: [number, number][];
  kind: StateKind;
  /** How many eigenvalues have |λ| > 1. */
  unstable: number;
}

export interface FixedPointsReport {
  points: StatePoint[];
  slowPoints: StatePoint[];
  /**
   * A graph with layers: the map searched is the first layer's (its forward
   * copy), fed the constant input; its cells by reported id (l1/h). Later
   * layers and the outer graph's cells are not part of it.
   */
  layer?: { id: string; cells: string[] };
  /** The constant input, per input id. */
  input: Record<string, number[]>;
  /** How many seeds were started, Levenberg–Marquardt iterations, Jacobian sweeps, wall time. */
  cost: { seeds: number; iterations: number; sweeps: number; ms: number };
}

export interface FixedPointOptions {
  /** Constant input per input id (missing ones: zeros). */
  input?: Record<string, ArrayLike<number>>;
  /** Joint states visited by a run (each of length dims), used as seeds and to size the box. */
  visited?: ArrayLike<number>[];
  /** Random seeds in the box (default 200). */
  randomSeeds?: number;
  /** Seed of the random seeds (default 1). */
  seed?: number;
  /** Below this q a local minimum that is not a fixed point counts as a slow point (default 1e-4). */
  slowTolerance?: number;
  /** Refuse a joint state larger than this (default MAX_FIXED_POINT_DIMS). */
  maxDims?: number;
  /** Levenberg–Marquardt iterations per seed (default 200). */
  maxIterations?: number;
}

/** Above this joint state size the O(D³) solves per seed and iteration are refused unless asked. */
export const MAX_FIXED_POINT_DIMS = 64;
/** q at or below this is a fixed point (‖F(h) − h‖ ≈ 1e-10). */
export const FIXED_Q = 1e-20;
const MARGIN = 1e-9;

/** A point's kind and number of unstable directions from its eigenvalues. */
export function classify(eigenvalues: readonly (readonly [number, number])[]): { kind: StateKind; unstable: number } {
  let up = 0;
  let down = 0;
  for (const [re, im] of eigenvalues) {
    const m = Math.hypot(re, im);
    if (m > 1 + MARGIN) up++;
    else if (m < 1 - MARGIN) down++;
  }
  const n = eigenvalues.length;
  const kind: StateKind = down === n ? 'stable' : up === n ? 'unstable' : up + down < n ? 'marginal' : 'saddle';
  return { kind, unstable: up };
}

/**
 * The step map h ↦ F(h) of a program under a constant input, evaluated on
 * many joint states at once (rows), with its exact Jacobian.
 *
 * @example
 * const m = new StateMap(program, theta, { x: [0] });
 * const F = m.evaluate(H, rows); const J = m.jacobian(H, rows); // J[r·D² + i·D + j] = ∂F_i/∂h_j
 */
export class StateMap {
  readonly program: Program;
  readonly dims: number;
  /** Per cell (program.cells order): offset of its units in the joint state. */
  readonly offsets: number[];
  /** Reverse sweeps run so far (one per state unit per jacobian call). */
  sweeps = 0;
  private readonly sessions = new Map<number, { session: Session; batch: Batch }>();

  constructor(program: Program, readonly theta: Arr, readonly input: Record<string, ArrayLike<number>> = {}) {
    this.program = withoutLosses(program);
    let d = 0;
    this.offsets = program.cells.map((i) => { const o = d; d += program.nodes[i].size; return o; });
    this.dims = d;
  }

  /** A T = 1 session of at least `rows` rows (powers of two, reused). */
  private at(rows: number): { session: Session; batch: Batch } {
    let R = 1;
    while (R < rows) R *= 2;
    let s = this.sessions.get(R);
    if (!s) {
      const p = this.program;
      const inputs = idTable<Float64Array>();
      for (const i of p.inputs) {
        const n = p.nodes[i];
        const a = new Float64Array(R * n.size);
        const x = own(this.input, n.id);
        if (x) for (let r = 0; r < R; r++) for (let u = 0; u < n.size; u++) a[r * n.size + u] = x[u];
        inputs[n.id] = a;
      }
      const targets = idTable<Float64Array>();
      for (const i of p.targets) targets[p.nodes[i].id] = new Float64Array(R * p.nodes[i].size);
      const initialStates = idTable<Float64Array>();
      for (const i of p.cells) initialStates[p.nodes[i].id] = new Float64Array(R * p.nodes[i].size);
      s = { session: new Session(p, { T: 1, B: R, dtype: 'float64' }), batch: { T: 1, B: R, inputs, targets, initialStates } };
      this.sessions.set(R, s);
    }
    return s;
  }

  private load(H: ArrayLike<number>, rows: number): { session: Session; batch: Batch } {
    const s = this.at(rows);
    const p = this.program;
    const D = this.dims;
    p.cells.forEach((ci, c) => {
      const n = p.nodes[ci].size;
      const dst = s.batch.initialStates![p.nodes[ci].id];
      const o = this.offsets[c];
      for (let r = 0; r < s.batch.B; r++) {
        const src = Math.min(r, rows - 1); // padding rows repeat the last state
        for (let u = 0; u < n; u++) dst[r * n + u] = H[src * D + o + u];
      }
    });
    s.session.forward(this.theta, s.batch);
    return s;
  }

  /** F(h) for `rows` joint states H [rows × dims]. */
  evaluate(H: ArrayLike<number>, rows: number): Float64Array {
    const { session } = this.load(H, rows);
    return this.collect(session, rows);
  }

  private collect(session: Session, rows: number): Float64Array {
    const p = this.program;
    const D = this.dims;
    const F = new Float64Array(rows * D);
    p.cells.forEach((ci, c) => {
      const n = p.nodes[ci].size;
      const v = session.values(ci);
      for (let r = 0; r < rows; r++) for (let u = 0; u < n; u++) F[r * D + this.offsets[c] + u] = v[r * n + u];
    });
    return F;
  }

  /** F(h) and the exact Jacobian ∂F/∂h [rows × dims × dims] (row-major per state). */
  jacobian(H: ArrayLike<number>, rows: number): { F: Float64Array; J: Float64Array } {
    const { session } = this.load(H, rows);
    const p = this.program;
    const D = this.dims;
    const R = session.B;
    const F = this.collect(session, rows);
    const J = new Float64Array(rows * D * D);
    p.cells.forEach((ci, c) => {
      const n = p.nodes[ci].size;
      const seed = new Float64Array(R * n);
      const ext = new Map([[ci, seed]]);
      for (let u = 0; u < n; u++) {
        seed.fill(0);
        for (let r = 0; r < R; r++) seed[r * n + u] = 1;
        session.backward(this.theta, ext);
        this.sweeps++;
        const i = this.offsets[c] + u;
        p.cells.forEach((cj, c2) => {
          const m = p.nodes[cj].size;
          const g = session.initialStateGrad(cj);
          for (let r = 0; r < rows; r++) for (let v = 0; v < m; v++) J[r * D * D + i * D + this.offsets[c2] + v] = g[r * m + v];
        });
      }
    });
    return { F, J };
  }

  /** A joint state as {cell id: units}. */
  split(h: ArrayLike<number>): Record<string, number[]> {
    const out = idTable<number[]>();
    this.program.cells.forEach((ci, c) => {
      const o = this.offsets[c];
      out[this.program.nodes[ci].id] = Array.from({ length: this.program.nodes[ci].size }, (_, u) => h[o + u]);
    });
    return out;
  }
}

/** Solves A x = b (n×n, row-major, overwritten) by Gaussian elimination with partial pivoting; false if singular. */
function solve(A: Float64Array, b: Float64Array, n: number): boolean {
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(A[i * n + k]) > Math.abs(A[piv * n + k])) piv = i;
    if (!(Math.abs(A[piv * n + k]) > 0)) return false;
    if (piv !== k) {
      for (let j = 0; j < n; j++) { const t = A[k * n + j]; A[k * n + j] = A[piv * n + j]; A[piv * n + j] = t; }
      const t = b[k]; b[k] = b[piv]; b[piv] = t;
    }
    for (let i = k + 1; i < n; i++) {
      const f = A[i * n + k] / A[k * n + k];
      if (f === 0) continue;
      for (let j = k; j < n; j++) A[i * n + j] -= f * A[k * n + j];
      b[i] -= f * b[k];
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    let s = b[k];
    for (let j = k + 1; j < n; j++) s -= A[k * n + j] * b[j];
    b[k] = s / A[k * n + k];
  }
  return true;
}

interface Seed { h: Float64Array; q: number; lambda: number; done: boolean; grad: number }

/**
 * Levenberg–Marquardt on r(h) = F(h) − h from every seed at once: each
 * iteration takes one Jacobian of all live seeds and one evaluation of all
 * their trial steps; a seed stops when q ≤ FIXED_Q, when its gradient Jᵣᵀr
 * vanishes (a local minimum: a slow point or nothing), or after maxIterations.
 */
function descend(map: StateMap, seeds: Seed[], maxIterations: number): number {
  const D = map.dims;
  let iterations = 0;
  for (let it = 0; it < maxIterations; it++) {
    const live = seeds.filter((s) => !s.done);
    if (live.length === 0) break;
    iterations++;
    const H = new Float64Array(live.length * D);
    live.forEach((s, k) => H.set(s.h, k * D));
    const { F, J } = map.jacobian(H, live.length);
    const trial = new Float64Array(live.length * D);
    const JtJs: Float64Array[] = [];
    const gs: Float64Array[] = [];
    live.forEach((s, k) => {
      const r = new Float64Array(D);
      let q = 0;
      for (let i = 0; i < D; i++) { r[i] = F[k * D + i] - s.h[i]; q += r[i] * r[i]; }
      s.q = q / 2;
      // Jr = J − I; g = Jrᵀ r; A = JrᵀJr.
      const Jr = J.subarray(k * D * D, (k + 1) * D * D).slice();
      for (let i = 0; i < D; i++) Jr[i * D + i] -= 1;
      const g = new Float64Array(D);
      const A = new Float64Array(D * D);
      for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) g[j] += Jr[i * D + j] * r[i];
      for (let a = 0; a < D; a++) for (let b = a; b < D; b++) {
        let acc = 0;
        for (let i = 0; i < D; i++) acc += Jr[i * D + a] * Jr[i * D + b];
        A[a * D + b] = acc; A[b * D + a] = acc;
      }
      s.grad = Math.sqrt(g.reduce((x, y) => x + y * y, 0));
      if (s.q <= FIXED_Q || s.grad < 1e-15 * Math.max(1, Math.sqrt(s.q))) { s.done = true; }
      JtJs.push(A);
      gs.push(g);
      trial.set(s.h, k * D);
    });
    // Try steps, raising the damping of a seed until its q falls (at most a few evaluations).
    const pending = live.map((s, k) => k).filter((k) => !live[k].done);
    for (let attempt = 0; attempt < 8 && pending.length > 0; attempt++) {
      const cand = new Float64Array(pending.length * D);
      const ok: boolean[] = [];
      pending.forEach((k, idx) => {
        const s = live[k];
        const A = JtJs[k].slice();
        for (let i = 0; i < D; i++) A[i * D + i] += s.lambda * (1 + JtJs[k][i * D + i]);
        const step = gs[k].map((v) => -v);
        ok.push(solve(A, step, D));
        for (let i = 0; i < D; i++) cand[idx * D + i] = s.h[i] + (ok[idx] && Number.isFinite(step[i]) ? step[i] : 0);
      });
      const Fc = map.evaluate(cand, pending.length);
      const still: number[] = [];
      pending.forEach((k, idx) => {
        const s = live[k];
        let q = 0;
        for (let i = 0; i < D; i++) { const ri = Fc[idx * D + i] - cand[idx * D + i]; q += ri * ri; }
        q /= 2;
        if (Number.isFinite(q) && q < s.q) {
          s.h = cand.slice(idx * D, (idx + 1) * D);
          s.q = q;
          s.lambda = Math.max(s.lambda / 10, 1e-12);
        } else {
          s.lambda *= 10;
          if (s.lambda > 1e12) s.done = true; // no step decreases q: a local minimum
          else still.push(k);
        }
      });
      pending.length = 0;
      pending.push(...still);
    }
  }
  return iterations;
}

/**
 * Fixed points and slow points of the program's step map under a constant input.
 *
 * @example
 * const r = findFixedPoints(program, theta, { input: { x: [0] } });
 * r.points.map((p) => p.kind) // e.g. ['stable', 'saddle', 'stable']
 */
export function findFixedPoints(program: Program, theta: Arr, opts: FixedPointOptions = {}): FixedPointsReport {
  const model = layerModel(program);
  if (model) return firstLayerFixedPoints(model, theta, opts);
  const t0 = Date.now();
  const map = new StateMap(program, theta, opts.input ?? {});
  const D = map.dims;
  if (D === 0) throw new ProbeError(problem('CW315', {}, { path: 'nodes' }));
  const maxDims = opts.maxDims ?? MAX_FIXED_POINT_DIMS;
  if (D > maxDims) throw new ProbeError(problem('CW316', { dims: D, max: maxDims }, { path: '--max-dims' }));
  const rng = new Rng(opts.seed ?? 1);

  // The box: the visited range widened by half its span (at least [−1, 1]).
  const lo = new Float64Array(D).fill(-1);
  const hi = new Float64Array(D).fill(1);
  for (const v of opts.visited ?? []) {
    for (let i = 0; i < D; i++) if (Number.isFinite(v[i])) { lo[i] = Math.min(lo[i], v[i]); hi[i] = Math.max(hi[i], v[i]); }
  }
  for (let i = 0; i < D; i++) { const w = (hi[i] - lo[i]) / 4; lo[i] -= w; hi[i] += w; }

  const starts: Float64Array[] = [];
  const nRandom = opts.randomSeeds ?? 200;
  for (let k = 0; k < nRandom; k++) starts.push(Float64Array.from({ length: D }, (_, i) => rng.range(lo[i], hi[i])));
  // Small states: a grid of 5 points per unit, so that every basin of a decoupled map is seeded.
  if (Math.pow(5, D) <= 256) {
    const total = Math.pow(5, D);
    for (let k = 0; k < total; k++) {
      let m = k;
      starts.push(Float64Array.from({ length: D }, (_, i) => { const c = m % 5; m = Math.floor(m / 5); return lo[i] + ((hi[i] - lo[i]) * (c + 0.5)) / 5; }));
    }
  }
  const visited = (opts.visited ?? []).filter((v) => Array.from({ length: D }, (_, i) => v[i]).every(Number.isFinite));
  const every = Math.max(1, Math.floor(visited.length / 128));
  for (let k = 0; k < visited.length; k += every) starts.push(Float64Array.from({ length: D }, (_, i) => visited[k][i]));
  // States visited by running the map itself from some random seeds (attractors' neighbourhoods).
  const runs = Math.min(32, nRandom);
  if (runs > 0) {
    let H: Float64Array = new Float64Array(runs * D);
    for (let k = 0; k < runs; k++) H.set(starts[k], k * D);
    for (let step = 0; step < 30; step++) H = map.evaluate(H, runs);
    for (let k = 0; k < runs; k++) starts.push(H.slice(k * D, (k + 1) * D));
  }

  const seeds: Seed[] = starts.map((h) => ({ h, q: Infinity, lambda: 1e-3, done: false, grad: Infinity }));
  const iterations = descend(map, seeds, opts.maxIterations ?? 200);

  const slowTol = opts.slowTolerance ?? 1e-4;
  const found = seeds.filter((s) => Number.isFinite(s.q) && s.h.every(Number.isFinite) && s.q <= slowTol).sort((a, b) => a.q - b.q);
  const fixed: Float64Array[] = [];
  const slow: Float64Array[] = [];
  const near = (a: Float64Array, b: Float64Array, tol: number): boolean => {
    let m = 0;
    let s = 1;
    for (let i = 0; i < D; i++) { m = Math.max(m, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(a[i])); }
    return m <= tol * s;
  };
  for (const s of found) {
    if (s.q <= FIXED_Q) {
      if (!fixed.some((f) => near(f, s.h, 1e-6))) fixed.push(s.h);
    } else if (!fixed.some((f) => near(f, s.h, 1e-3)) && !slow.some((f) => near(f, s.h, 1e-3))) {
      slow.push(s.h);
    }
  }
  const describe = (hs: Float64Array[]): StatePoint[] => {
    if (hs.length === 0) return [];
    const H = new Float64Array(hs.length * D);
    hs.forEach((h, k) => H.set(h, k * D));
    const { F, J } = map.jacobian(H, hs.length);
    return hs.map((h, k) => {
      let q = 0;
      for (let i = 0; i < D; i++) q += (F[k * D + i] - h[i]) ** 2;
      const ev = eigen(J, D, k * D * D);
      const eigenvalues = ev.re.map((re, i) => [re, ev.im[i]] as [number, number]);
      return { state: map.split(h), q: q / 2, eigenvalues, ...classify(eigenvalues) };
    });
  };
  const order = (a: StatePoint, b: StatePoint): number => {
    const x = Object.values(a.state).flat();
    const y = Object.values(b.state).flat();
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  };
  const input = idTable<number[]>();
  for (const i of program.inputs) {
    const n = program.nodes[i];
    const x = own(opts.input, n.id);
    input[n.id] = Array.from({ length: n.size }, (_, u) => (x ? x[u] : 0));
  }
  const points = describe(fixed).sort(order);
  const slowPoints = describe(slow).sort((a, b) => a.q - b.q);
  return { points, slowPoints, input, cost: { seeds: seeds.length, iterations, sweeps: map.sweeps, ms: Date.now() - t0 } };
}

/**
 * The first layer of a graph with layers (its forward copy; the only copy of
 * a reverse layer): its nested step graph's state map under the constant
 * input its feeds carry. The first layer in dependency order reads only the
 * graph's inputs, so the input means what it means for a plain graph.
 * States are reported under the cells' reported ids (l1/h).
 */
function firstLayerFixedPoints(model: LayerModel, theta: Arr, opts: FixedPointOptions): FixedPointsReport {
  const layer = model.layers[0];
  const copy = layer.copies.find((c) => !c.reverse) ?? layer.copies[0];
  const cp = copy.program;
  const input = idTable<ArrayLike<number>>();
  for (const f of layer.feeds) {
    const v = f.layer < 0 ? own(opts.input ?? {}, model.outer.nodes[f.source].id) : undefined;
    if (v) input[cp.nodes[f.port].id] = v;
  }
  const r = findFixedPoints(cp, theta.subarray(copy.offset, copy.offset + cp.layout.size), { ...opts, input });
  const rename = (pt: StatePoint): StatePoint => {
    const state = idTable<number[]>();
    for (const [k, v] of Object.entries(pt.state)) state[copy.prefix + k] = v;
    return { ...pt, state };
  };
  const outerInput = idTable<number[]>();
  for (const f of layer.feeds) {
    const v = own(r.input, cp.nodes[f.port].id);
    if (v && f.layer < 0) outerInput[model.outer.nodes[f.source].id] = v;
  }
  return {
    ...r, points: r.points.map(rename), slowPoints: r.slowPoints.map(rename), input: outerInput,
    layer: { id: layer.id, cells: cp.cells.map((i) => copy.prefix + cp.nodes[i].id) },
  };
}

/**
 * Public indices of the cells whose joint state findFixedPoints searches, in
 * its order: the program's cells, or for a graph with layers the first
 * layer's (see firstLayerFixedPoints).
 *
 * @example
 * fixedPointCells(compileAny(stackedLstm({ x: 1, h: 8, y: 1 }))).map((i) => program.nodes[i].id) // ['l1/h', 'l1/c']
 */
export function fixedPointCells(program: Program): number[] {
  const model = layerModel(program);
  if (!model) return program.cells;
  const copy = model.layers[0].copies.find((c) => !c.reverse) ?? model.layers[0].copies[0];
  return copy.program.cells.map((i) => copy.firstPublic + i);
}
