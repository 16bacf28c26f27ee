/**
 * The engine's answer to "why won't my cell learn?": everything measured on a
 * forward + backward pass of a Session, in one report.
 *
 * - per cell: ‖dL/dh_t‖ over t, the growth ratio first/last and its per-step
 *   factor, the explode/vanish flag (flags.ts), the step Jacobian's radius;
 * - per gate: mean activation and saturation (share of units whose
 *   activation derivative is below 1e-2);
 * - per square recurrent weight: eigenvalues and spectral radius;
 * - the joint step Jacobian ∂h_t/∂h_{t−1}: mean spectral radius and eigenvalues;
 * - per size-1 cell: fixed points of its step map, sink or source.
 */
import type { Program } from '../compile.ts';

import type { Arr } from '../tensor.ts';
import type { RunSession } from '../session.ts';
import type { FixedPointDiag } from './fixedpoints.ts';
import { FixedPointFinder } from './fixedpoints.ts';
import type { Flag, FlagThresholds } from './flags.ts';
import { DEFAULT_FLAG_THRESHOLDS, flagSeries } from './flags.ts';
import type { JacobianDiag } from './jacobian.ts';
import { JacobianProbe } from './jacobian.ts';
import type { WeightDiag } from './spectral.ts';
import { recurrentWeights } from './spectral.ts';

export type { FixedPoint, FixedPointDiag, FixedPointKind } from './fixedpoints.ts';
export type { JacobianDiag } from './jacobian.ts';
export type { Eigen, WeightDiag } from './spectral.ts';
export { eigen } from './spectral.ts';
// Probing a run (issue 17): pure functions returning plain data, for the CLI and the views alike.
export type { ConnectivityPair, ConnectivityReport, LossByStepReport, SweepCost } from './connectivity.ts';
export { connectivity, DEFAULT_MAX_WORK, estimateCost, lossByStep, parsePair, ProbeError } from './connectivity.ts';
export type { FixedPointOptions, FixedPointsReport, StateKind, StatePoint } from './dynamics.ts';
export { classify, findFixedPoints, StateMap } from './dynamics.ts';
export type { ProbeOptions, ProbeResult } from './run-probe.ts';
export { RunProbe, sequenceOf, visitedStates } from './run-probe.ts';

/** Below this derivative a unit counts as saturated. */
export const SATURATION_DERIVATIVE = 1e-2;

export interface CellDiag {
  node: string;
  /** ‖dL/dh_t‖, t = 1..T. */
  gradNorms: Float64Array;
  /** gradNorms[first] / gradNorms[latest non-zero]; NaN when undefined. */
  ratio: number;
  /** ratio^(1/(span−1)): the average factor per step going back in time. */
  perStep: number;
  flag: Flag | null;
  /** Mean spectral radius of this cell's own block of the step Jacobian (null if not measured). */
  jacobianRadius: number | null;
  /** Smallest and largest state value seen. */
  range: [number, number];
}

export interface GateDiag {
  node: string;
  activation: string;
  /** Mean activation over steps, sequences and units. */
  mean: number;
  /** Share of (step, sequence, unit) entries with f′ < 1e-2. */
  saturation: number;
}

export interface Diagnostics {
  /** The training step they were measured at (number of updates before it). */
  step: number;
  cells: CellDiag[];
  gates: GateDiag[];
  weights: WeightDiag[];
  jacobian: JacobianDiag | null;
  fixedPoints: FixedPointDiag[];
  flags: Flag[];
}

export interface DiagnoseOptions {
  thresholds?: FlagThresholds;
  /** Measure the step Jacobian (default true). */
  jacobian?: boolean;
  /** Find fixed points of size-1 cells (default true). */
  fixedPoints?: boolean;
}

/** ratio and perStep of a gradient-norm series (flags.ts' definitions, without thresholds). */
export function growth(norms: ArrayLike<number>): { ratio: number; perStep: number } {
  let last = -1;
  for (let t = norms.length - 1; t >= 0; t--) if (norms[t] !== 0) { last = t; break; }
  if (last < 1) return { ratio: NaN, perStep: NaN };
  const ratio = norms[0] / norms[last];
  return { ratio, perStep: Math.pow(ratio, 1 / last) };
}

/**
 * Holds the probe sessions of one program, so repeated diagnostics allocate nothing new.
 *
 * @example
 * const d = new Diagnoser(program);
 * session.forward(theta, batch); session.backward(theta);
 * const report = d.measure(session, theta, 0);
 */
export class Diagnoser {
  private readonly jac: JacobianProbe;
  private readonly fixed: FixedPointFinder;

  constructor(readonly program: Program) {
    this.jac = new JacobianProbe(program);
    this.fixed = new FixedPointFinder(program);
  }

  /** Diagnostics of the pass held by `session` (after forward and backward) at parameters theta. */
  measure(session: RunSession, theta: Arr, step: number, opts: DiagnoseOptions = {}): Diagnostics {
    const p = this.program;
    const th = opts.thresholds ?? DEFAULT_FLAG_THRESHOLDS;
    const jacobian = opts.jacobian === false ? null : this.jac.measure(session, theta);
    const cells: CellDiag[] = p.cells.map((i) => {
      const n = p.nodes[i];
      const gradNorms = Float64Array.from(session.gradNorms[i]);
      const v = session.values(i);
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = 0; k < v.length; k++) { if (v[k] < lo) lo = v[k]; if (v[k] > hi) hi = v[k]; }
      return {
        node: n.id, gradNorms, ...growth(gradNorms), flag: flagSeries(n.id, gradNorms, th),
        jacobianRadius: jacobian ? jacobian.cellRadius[n.id] : null, range: [lo, hi] as [number, number],
      };
    });
    const gates: GateDiag[] = p.nodes.filter((n) => n.kind === 'gate').map((n) => {
      // Saturation is measured where f′ is a function of the output (not for gelu, silu, sin).
      const derivative = n.act!.derivative;
      const v = session.values(n.index);
      let s = 0;
      let sat = 0;
      for (let k = 0; k < v.length; k++) { s += v[k]; if (derivative && derivative(v[k]) < SATURATION_DERIVATIVE) sat++; }
      return { node: n.id, activation: n.activation!, mean: s / v.length, saturation: sat / v.length };
    });
    const observed = Object.fromEntries(cells.map((c) => [c.node, c.range]));
    const fixedPoints = opts.fixedPoints === false ? [] : this.fixed.find(theta, observed);
    return {
      step, cells, gates, weights: recurrentWeights(p, theta), jacobian, fixedPoints,
      flags: cells.flatMap((c) => (c.flag ? [c.flag] : [])),
    };
  }
}
