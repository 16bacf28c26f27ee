/**
 * Central finite differences against the runtime's BPTT gradient (float64).
 * Used by the op, template and property tests.
 */
import type { Batch } from '../batch.ts';
import type { Program } from '../compile.ts';
import type { Noise } from '../ops/noise.ts';
import { Session } from '../runtime.ts';
import type { Arr } from '../tensor.ts';

/** What gradcheck needs of a session (the reference Session and the FastSession both fit). */
export interface CheckedSession {
  readonly gparams: Arr;
  forward(params: Arr, batch: Batch): number;
  backward(params: Arr): void;
  initialStateGrad(cellIndex: number): Arr;
  setNoise?(noise: Noise | null): void;
}

export interface GradcheckOptions {
  h?: number;
  floor?: number;
  maxPerParam?: number;
  /** Makes the sessions compared (default: the reference Session in float64). */
  session?: (program: Program, T: number, B: number) => CheckedSession;
  /** Training noise held fixed for every pass (dropout, zoneout masks). */
  noise?: Noise;
}

export interface GradcheckResult {
  /**
   * Largest |analytic − numeric| / max(floor, |analytic| + |numeric|) over all
   * checked entries: a relative error for gradients of magnitude ≥ floor
   * (default 1e-4), an absolute one, scaled by 1/floor, below it (where the
   * finite difference's own rounding, ~1e-16·L/h, dominates).
   */
  maxRelError: number;
  worst: { key: string; index: number; analytic: number; numeric: number } | null;
  checked: number;
}

/**
 * Compares dL/dθ (and dL/d initial state where the batch gives one) with
 * (L(θ + h) − L(θ − h)) / 2h.
 *
 * @example
 * const r = gradcheck(program, theta, batch); expect(r.maxRelError).toBeLessThan(1e-6);
 */
export function gradcheck(program: Program, theta: Float64Array, batch: Batch, opts: GradcheckOptions = {}): GradcheckResult {
  const h = opts.h ?? 1e-5;
  const floor = opts.floor ?? 1e-4;
  const make = opts.session ?? ((p: Program, T: number, B: number): CheckedSession => new Session(p, { T, B, dtype: 'float64' }));
  const s = make(program, batch.T, batch.B);
  if (opts.noise) s.setNoise?.(opts.noise);
  s.forward(theta, batch);
  s.backward(theta);
  const analytic = Float64Array.from(s.gparams);
  const result: GradcheckResult = { maxRelError: 0, worst: null, checked: 0 };
  const consider = (key: string, index: number, a: number, n: number): void => {
    const rel = Math.abs(a - n) / Math.max(floor, Math.abs(a) + Math.abs(n));
    result.checked++;
    if (rel > result.maxRelError || Number.isNaN(rel)) {
      result.maxRelError = Number.isNaN(rel) ? Infinity : rel;
      result.worst = { key, index, analytic: a, numeric: n };
    }
  };
  const probe = make(program, batch.T, batch.B);
  if (opts.noise) probe.setNoise?.(opts.noise);
  for (const e of program.layout.entries) {
    const count = Math.min(e.length, opts.maxPerParam ?? Infinity);
    for (let k = 0; k < count; k++) {
      const i = e.offset + k;
      const keep = theta[i];
      theta[i] = keep + h;
      const lp = probe.forward(theta, batch);
      theta[i] = keep - h;
      const lm = probe.forward(theta, batch);
      theta[i] = keep;
      consider(e.key, k, analytic[i], (lp - lm) / (2 * h));
    }
  }
  for (const c of program.cells) {
    const n = program.nodes[c];
    const st = batch.initialStates?.[n.id];
    if (!st) continue;
    const g = Float64Array.from(s.initialStateGrad(c));
    for (let k = 0; k < st.length; k++) {
      const keep = st[k];
      st[k] = keep + h;
      const lp = probe.forward(theta, batch);
      st[k] = keep - h;
      const lm = probe.forward(theta, batch);
      st[k] = keep;
      consider(`state:${n.id}`, k, g[k], (lp - lm) / (2 * h));
    }
  }
  return result;
}
