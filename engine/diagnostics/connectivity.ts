/**
 * Connectivity through time, exact: how much of node IN's value at step s
 * still reaches node OUT at step t, ‖∂ values[OUT]_t / ∂ values[IN]_s‖ (the
 * Frobenius norm over the whole batch), and the loss itemized by step,
 * ‖∂ L_t / ∂ values[cell]_s‖. Computed in reverse mode with the runtime's
 * external output gradients: one backward sweep per (OUT step, OUT unit) —
 * or per loss step — of a copy of the program whose loss nodes are left out
 * of the schedule, so that only the seeded gradient flows.
 *
 * One sweep seeds unit i of OUT at step t in every sequence at once: the
 * gradient that comes back at IN(s, b′, j) is Σ_b ∂out(t, b, i)/∂in(s, b′, j),
 * which is the single term b = b′ because sequences never mix in evaluation
 * (no op couples the rows of a batch; losses, the only coupling, are left
 * out). The PyTorch cross-check compares with the full Jacobian, cross-batch
 * terms included.
 *
 * Semantics of "values[X] at step s" follow `values` and `gradNorms`: a cell
 * is the state written at s, and its gradient is that of the node that writes
 * it through every path (the same step's readers of the writer included); with
 * zoneout, the state is a mix read only through the next step, so its own
 * gradient slot is used.
 *
 * Graphs with layers (kind "layer") run as a LayeredSession: a seed on an
 * outer node flows back through the outer graph and then through every layer
 * copy, so IN may be an input that feeds a layer or a cell inside one (l1/h),
 * and the loss by step covers nested cells too. OUT must be a node of the
 * outer graph (the layer itself is one: its output); inside a layer it is
 * refused (CW320).
 *
 * Pure functions returning plain data (number[][]), so the UI can call them.
 */
import type { Batch } from '../batch.ts';
import type { CNode, Program } from '../compile.ts';
import { problem } from '../errors.ts';
import type { Problem } from '../format/types.ts';
import { idTable } from '../format/dict.ts';
import { LOSS_DEFS } from '../ops/losses.ts';
import type { ExternalGrads } from '../runtime.ts';
import { Session } from '../runtime.ts';
import type { Arr } from '../tensor.ts';
import { LayeredSession, layerModel, nestedCells, nestedOf } from '../layers/index.ts';
import type { RunSession } from '../session.ts';

/** Default refusal threshold of `estimateCost().work` (multiply-adds): about 20 s on a busy 2-core machine (1e7 per second measured). */
export const DEFAULT_MAX_WORK = 2e8;

/** Thrown with the problem (CW310–CW314) when a request cannot be answered. */
export class ProbeError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
    this.name = 'ProbeError';
  }
}

export interface ConnectivityPair {
  out: string;
  in: string;
}

export interface SweepCost {
  /** Backward sweeps (each one runs over all T steps and the whole batch). */
  sweeps: number;
  /** Estimated multiply-adds: sweeps × T × B × (parameters + node units). */
  work: number;
  /** Wall time it took (filled after the computation). */
  ms?: number;
}

export interface ConnectivityReport {
  /** "OUT:IN" → M, M[t−1][s−1] = ‖∂ values[OUT]_t / ∂ values[IN]_s‖ (0 where s > t, unless a reverse layer carries the future back). */
  connectivity: Record<string, number[][]>;
  cost: SweepCost;
}

export interface LossByStepReport {
  /** cell id → M, M[t−1][s−1] = ‖∂ L_t / ∂ values[cell]_s‖. */
  lossByStep: Record<string, number[][]>;
  cost: SweepCost;
}

export interface SweepOptions {
  /** Refuse (CW312) when the estimated work exceeds this; default DEFAULT_MAX_WORK. */
  maxWork?: number;
}

/**
 * The program with its loss nodes taken out of the schedule (same nodes, same
 * indices, same parameter layout): a backward pass then carries only the
 * external gradients it is given.
 */
export function withoutLosses(p: Program): Program {
  return { ...p, order: p.order.filter((i) => p.nodes[i].kind !== 'loss'), losses: [] };
}

/**
 * Resolves "OUT:IN" to two node ids. Ids may themselves hold ':'; the split
 * that names two nodes is taken, and more than one is refused as ambiguous.
 *
 * @example
 * parsePair(program, 'y:h') // { out: 'y', in: 'h' }
 */
export function parsePair(program: Program, spec: string): ConnectivityPair {
  const found: ConnectivityPair[] = [];
  for (let k = spec.indexOf(':'); k >= 0; k = spec.indexOf(':', k + 1)) {
    const out = spec.slice(0, k);
    const inn = spec.slice(k + 1);
    if (program.byId.has(out) && program.byId.has(inn)) found.push({ out, in: inn });
  }
  if (found.length !== 1) {
    throw new ProbeError(problem('CW310', { spec, ambiguous: found.length > 1 }, { path: '--connectivity' }));
  }
  const pair = found[0];
  // Inside a layer: the nested node's own kind (its public entry is an input-like stand-in).
  const kindOf = (id: string): string => {
    const i = program.byId.get(id)!;
    const nest = nestedOf(program, i);
    return nest ? nest.copy.program.nodes[nest.node].kind : program.nodes[i].kind;
  };
  const outNest = nestedOf(program, program.byId.get(pair.out)!);
  if (outNest) {
    throw new ProbeError(problem('CW320', { spec, node: pair.out, layer: outNest.layer.id }, { path: '--connectivity', node: pair.out }));
  }
  const kind = kindOf(pair.in);
  if (kind !== 'input' && kind !== 'cell') {
    throw new ProbeError(problem('CW311', { spec, node: pair.in, kind }, { path: '--connectivity', node: pair.in }));
  }
  return pair;
}

/** Multiply-adds of one step of one sequence, forward or backward (parameters + units). */
export function stepWork(p: Program): number {
  return p.layout.size + p.nodes.reduce((s, n) => s + n.size, 0);
}

/** Loss steps that hold a term (all T, or only the last when every loss is steps: 'last'). */
export function lossSteps(p: Program, T: number): number[] {
  const steps = new Set<number>();
  for (const i of p.losses) {
    if (p.nodes[i].steps === 'last') steps.add(T - 1);
    else for (let t = 0; t < T; t++) steps.add(t);
  }
  return [...steps].sort((a, b) => a - b);
}

/**
 * What connectivity and lossByStep will cost on a (T, B) batch, before running them.
 *
 * @example
 * estimateCost(program, 50, 8, [{ out: 'y', in: 'x' }], false).sweeps // 50 × size of y
 */
export function estimateCost(p: Program, T: number, B: number, pairs: readonly ConnectivityPair[], lossByStep: boolean): SweepCost {
  let sweeps = 0;
  for (const pr of pairs) {
    const n = p.nodes[p.byId.get(pr.out)!];
    if (n.kind === 'target') continue;
    sweeps += n.kind === 'loss' ? lossSteps({ ...p, losses: [n.index] }, T).length : T * n.size;
  }
  if (lossByStep) sweeps += lossSteps(p, T).length;
  return { sweeps, work: sweeps * (T + 1) * B * stepWork(p) };
}

export function refuseIfTooLarge(cost: SweepCost, T: number, opts: SweepOptions): void {
  const max = opts.maxWork ?? DEFAULT_MAX_WORK;
  if (cost.work > max) throw new ProbeError(problem('CW312', { sweeps: cost.sweeps, work: cost.work, max, T }, { path: '--max-work' }));
}

/** What a sweep reads of its session: the reference Session, or a LayeredSession of reference sessions. */
type SweepSession = RunSession & { edgeGradNorms(params: Arr): Float64Array[] };

/**
 * A forward pass of the loss-free program, ready for seeded backward sweeps.
 * A graph with layers runs as a LayeredSession whose outer graph has no
 * losses: seeds on outer nodes flow back through the outer graph, then
 * through every layer (reverse copies in their own step order), so nested
 * nodes and the inputs that feed layers get their share.
 */
export class Sweeper {
  readonly session: SweepSession;
  readonly program: Program;
  /** Public indices from here on are nested nodes of layers (Infinity without layers). */
  readonly firstNested: number;

  constructor(program: Program, readonly theta: Arr, batch: Batch) {
    this.program = withoutLosses(program);
    const opts = { T: batch.T, B: batch.B, dtype: 'float64' as const, inputGrads: true };
    const model = layerModel(program);
    this.firstNested = model ? model.outer.nodes.length : Infinity;
    this.session = model
      ? new LayeredSession(this.program, { ...model, outer: withoutLosses(model.outer) }, opts, (p, o) => new Session(p, o))
      : new Session(this.program, opts);
    this.session.forward(theta, batch);
  }

  /** A nested node of a layer (its gradient is known only as a norm per step). */
  isNested(n: CNode): boolean {
    return n.index >= this.firstNested;
  }

  get T(): number { return this.session.T; }
  get B(): number { return this.session.B; }

  sweep(seeds: ExternalGrads): void {
    this.session.backward(this.theta, seeds);
  }

  /** ‖∂(seeded)/∂ values[n] at step s‖ over batch and units, after a sweep (see the module comment). */
  normAt(n: CNode, s: number): number {
    if (this.isNested(n)) return this.session.gradNorms[n.index][s] ** 2;
    const { B } = this;
    const sz = B * n.size;
    let g: Arr;
    let off: number;
    if (n.kind === 'cell' && !n.zoneout) { g = this.session.grads[n.writer!]!; off = s * sz; }
    else if (n.kind === 'cell') { g = this.session.grads[n.index]!; off = (s + 1) * sz; }
    else { g = this.session.grads[n.index]!; off = s * sz; }
    let acc = 0;
    for (let k = off; k < off + sz; k++) acc += g[k] * g[k];
    return acc;
  }

  /**
   * Seeds for the loss node `li`'s term at step t: its gradient on the
   * prediction (and on a node read by the target port), as external gradients
   * laid out like values (a cell read at step t is the state written at t − 1).
   */
  addLossSeeds(li: number, t: number, seeds: Map<number, Float64Array>): void {
    const p = this.program;
    const { T, B } = this;
    const n = p.nodes[li];
    if (n.steps === 'last' && t !== T - 1) return;
    const pred = p.nodes[n.inEdges[0].source];
    const tn = n.inEdges[1] ? p.nodes[n.inEdges[1].source] : null;
    const S = n.steps === 'last' ? 1 : T;
    const def = LOSS_DEFS[n.loss!];
    const N = pred.size;
    const read = (x: CNode): { buf: Arr; off: number } => ({ buf: this.session.vals[x.index], off: t * B * x.size });
    const dp = new Float64Array(B * N);
    const dy = new Float64Array(B * N);
    const ps = read(pred);
    const ys = tn ? read(tn) : null;
    def.backward(ps.buf, ps.off, ys?.buf ?? null, ys?.off ?? 0, dp, 0, tn && tn.kind !== 'target' ? dy : null, 0, B, N, def.scale(S, B, N));
    const put = (x: CNode, g: Float64Array): void => {
      if (x.kind === 'target' || x.kind === 'loss') return; // data: keeps no gradient
      const at = x.kind === 'cell' ? t - 1 : t; // a cell read at step t is the state written at t − 1
      if (at < 0) return; // the initial state: not a value of any step
      let buf = seeds.get(x.index);
      if (!buf) { buf = new Float64Array(T * B * x.size); seeds.set(x.index, buf); }
      for (let k = 0; k < B * N; k++) buf[at * B * N + k] += g[k];
    };
    put(pred, dp);
    if (tn) put(tn, dy);
  }
}

/**
 * Connectivity matrices of the given OUT:IN pairs on one batch.
 * Refuses (CW312, with the estimate) beyond opts.maxWork.
 *
 * @example
 * const r = connectivity(program, theta, batch, [{ out: 'y', in: 'x' }]);
 * r.connectivity['y:x'][9][0] // how much x at step 1 still moves y at step 10
 */
export function connectivity(program: Program, theta: Arr, batch: Batch, pairs: readonly ConnectivityPair[], opts: SweepOptions = {}): ConnectivityReport {
  const { T, B } = batch;
  const cost = estimateCost(program, T, B, pairs, false);
  refuseIfTooLarge(cost, T, opts);
  const t0 = now();
  const sw = new Sweeper(program, theta, batch);
  const p = sw.program;
  const out = idTable<number[][]>();
  for (const pr of pairs) {
    const on = p.nodes[p.byId.get(pr.out)!];
    const inn = p.nodes[p.byId.get(pr.in)!];
    const sq = Array.from({ length: T }, () => new Array<number>(T).fill(0));
    if (on.kind === 'loss') {
      for (const t of lossSteps({ ...p, losses: [on.index] }, T)) {
        const seeds = new Map<number, Float64Array>();
        sw.addLossSeeds(on.index, t, seeds);
        sw.sweep(seeds);
        for (let s = 0; s < T; s++) sq[t][s] += sw.normAt(inn, s);
      }
    } else if (on.kind !== 'target') {
      // A target is data: no node's value reaches it (its rows stay zero).
      const N = on.size;
      const seed = new Float64Array(T * B * N);
      const seeds = new Map([[on.index, seed]]);
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < N; i++) {
          seed.fill(0);
          for (let b = 0; b < B; b++) seed[(t * B + b) * N + i] = 1;
          sw.sweep(seeds);
          for (let s = 0; s < T; s++) sq[t][s] += sw.normAt(inn, s);
        }
      }
    }
    out[`${pr.out}:${pr.in}`] = sq.map((row) => row.map(Math.sqrt));
  }
  return { connectivity: out, cost: { ...cost, ms: now() - t0 } };
}

/**
 * The loss itemized by step: for every cell, M[t−1][s−1] = ‖∂ L_t / ∂ values[cell]_s‖
 * with L_t every loss node's term at step t, normalized as in the total.
 * Since Σ_t ∂L_t/∂h_s = ∂L/∂h_s, gradNorms[s] ≤ Σ_t M[t][s].
 *
 * @example
 * lossByStep(program, theta, batch).lossByStep.h[T - 1] // what the last step's loss sends back to each h_s
 */
export function lossByStep(program: Program, theta: Arr, batch: Batch, opts: SweepOptions = {}): LossByStepReport {
  const { T, B } = batch;
  const cost = estimateCost(program, T, B, [], true);
  refuseIfTooLarge(cost, T, opts);
  const t0 = now();
  const sw = new Sweeper(program, theta, batch);
  const p = sw.program;
  // Every cell, the nested cells of layers too (ids like l1/h; a reverse copy's gradient reaches the steps after t).
  const cells = [...program.cells, ...nestedCells(program)];
  const mats = cells.map(() => Array.from({ length: T }, () => new Array<number>(T).fill(0)));
  for (const t of lossSteps(program, T)) {
    const seeds = new Map<number, Float64Array>();
    for (const li of program.losses) sw.addLossSeeds(li, t, seeds);
    sw.sweep(seeds);
    cells.forEach((ci, c) => {
      for (let s = 0; s < T; s++) mats[c][t][s] = Math.sqrt(sw.normAt(p.nodes[ci], s));
    });
  }
  const out = idTable<number[][]>();
  cells.forEach((ci, c) => { out[program.nodes[ci].id] = mats[c]; });
  return { lossByStep: out, cost: { ...cost, ms: now() - t0 } };
}

function now(): number {
  return Date.now();
}
