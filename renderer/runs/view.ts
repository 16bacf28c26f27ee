/**
 * What the Compare view draws, as pure functions: the runs' curves joined on
 * one step axis (uPlot wants one x array), a gradient-flow sparkline, and a
 * run's one-line status.
 */
import type { RunRecord } from '../../engine/experiments/compare.ts';

export type CompareSeries = 'loss' | 'valLoss' | 'valMetric';

export const SERIES_LABEL: Record<CompareSeries, string> = { loss: 'training loss', valLoss: 'validation loss', valMetric: 'validation metric' };

/** Distinct colours for up to eight runs (then they repeat). */
export const RUN_COLORS = ['#4257d6', '#d9480f', '#2b8a3e', '#ae3ec9', '#e8590c', '#0c8599', '#c2255c', '#5c940d'];

function points(run: RunRecord, which: CompareSeries): { x: number[]; y: number[] } {
  const c = run.curves;
  return which === 'loss' ? { x: c.step, y: c.loss } : { x: c.valStep, y: which === 'valLoss' ? c.valLoss : c.valMetric };
}

/**
 * One x array (the union of every run's steps, ascending) and one y array
 * per run, null where that run has no point (or a non-finite one, or ≤ 0 on
 * a log axis).
 */
export function joinCurves(runs: readonly RunRecord[], which: CompareSeries, log: boolean): [number[], ...Array<Array<number | null>>] {
  const steps = new Set<number>();
  const maps = runs.map((run) => {
    const { x, y } = points(run, which);
    const m = new Map<number, number>();
    x.forEach((s, i) => {
      if (!Number.isFinite(s)) return;
      steps.add(s);
      m.set(s, y[i]);
    });
    return m;
  });
  const xs = [...steps].sort((a, b) => a - b);
  const ys = maps.map((m) => xs.map((s) => {
    const v = m.get(s);
    return v === undefined || !Number.isFinite(v) || (log && v <= 0) ? null : v;
  }));
  return [xs, ...ys];
}

/**
 * An SVG path of log10 ‖dL/dh_t‖ over t in a w×h box, scaled to [lo, hi]
 * decades shared by every sparkline it is compared with. Non-finite or zero
 * norms break the line.
 */
export function gradFlowPath(values: readonly number[], w: number, h: number, lo: number, hi: number): string {
  if (values.length === 0) return '';
  const span = Math.max(1e-9, hi - lo);
  const dx = values.length > 1 ? w / (values.length - 1) : 0;
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (!(v > 0) || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    const y = h - ((Math.log10(v) - lo) / span) * h;
    d += `${pen ? 'L' : 'M'}${(i * dx).toFixed(1)},${Math.min(h, Math.max(0, y)).toFixed(1)}`;
    pen = true;
  });
  return d;
}

/** Whole decades around every positive finite norm of these runs. */
export function gradFlowRange(runs: readonly RunRecord[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const run of runs) for (const values of Object.values(run.gradFlow)) for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    const e = Math.log10(v);
    lo = Math.min(lo, e);
    hi = Math.max(hi, e);
  }
  if (!Number.isFinite(lo)) return [-1, 0];
  return [Math.floor(lo), Math.max(Math.floor(lo) + 1, Math.ceil(hi))];
}

/** "step 1200 / 2000 · training" for the runs list. */
export function runStatusText(run: RunRecord, progress?: { step: number; steps: number }): string {
  const total = typeof run.settings['training.steps'] === 'number' ? run.settings['training.steps'] : null;
  const step = progress?.step ?? run.steps;
  const of = progress?.steps ?? total;
  const word = run.status === 'training' ? 'training' : run.status === 'done' ? 'finished' : run.status;
  return `step ${step}${of ? ` / ${of}` : ''} · ${word}`;
}
