/**
 * Live telemetry from training (activations, gradient norms, curves), kept
 * apart from the document and the UI: it changes many times a second and is
 * never undone or saved. Filled by the training client (train/client.ts) from
 * the worker's snapshots; components read it through narrow selectors.
 *
 * The histories are append-only arrays shared with the charts (uPlot reads
 * the same arrays); `version` says when they grew, so a chart redraws only
 * then and nothing copies thousands of points ten times a second.
 */
import { createStore, useStore } from 'zustand';
import type { Diagnostics } from '../../engine/diagnostics/index.ts';
import type { Flag } from '../../engine/diagnostics/flags.ts';
import type { Probe } from '../train/protocol.ts';
import { idTable } from '../../engine/format/dict.ts';

/** One node's activation over time: `values[t * units + u]`, already scaled to [0, 1]. */
export interface HeatStrip {
  steps: number;
  units: number;
  values: Float32Array;
}

export interface Curves {
  step: number[];
  loss: number[];
  metric: number[];
  valStep: number[];
  valLoss: number[];
  valMetric: number[];
}

export interface GrowthHistory {
  step: number[];
  /** Per cell: the average factor per step back in time, (‖dL/dh_1‖/‖dL/dh_T‖)^(1/(T−1)). */
  perStep: Record<string, number[]>;
}

export interface DynamicsHistory {
  step: number[];
  /** Spectral radius per square recurrent weight (edge id). */
  weights: Record<string, number[]>;
  /** Mean spectral radius of the step Jacobian ∂h_t/∂h_{t−1}. */
  jacobian: number[];
}

export interface TelemetryState {
  /** Bumped on every snapshot (views that draw the latest state listen to it). */
  seq: number;
  strips: Readonly<Record<string, HeatStrip>>;
  probe: Probe | null;
  /** ‖dL/dh_t‖ per cell, t = 1..T, of the latest training batch. */
  gradNorms: Readonly<Record<string, Float64Array>>;
  curves: Curves;
  curvesVersion: number;
  growth: GrowthHistory;
  growthVersion: number;
  dynamics: DynamicsHistory;
  dynamicsVersion: number;
  /** The latest diagnostics (eigenvalues, fixed points, gate saturation). */
  diagnostics: Diagnostics | null;
  /** Explode / vanish / non-finite, per node id. */
  flags: Readonly<Record<string, Flag>>;
  /** Per edge: gradient magnitude through it, scaled to [0, 1] on a log axis. */
  edgeGrad: Readonly<Record<string, number>>;
  setStrips(strips: Record<string, HeatStrip>): void;
  clear(): void;
}

export function emptyCurves(): Curves {
  return { step: [], loss: [], metric: [], valStep: [], valLoss: [], valMetric: [] };
}

/** Telemetry before any run (fresh arrays each call). */
export const emptyTelemetry = (): Omit<TelemetryState, 'setStrips' | 'clear'> => ({
  seq: 0,
  strips: idTable(),
  probe: null,
  gradNorms: idTable(),
  curves: emptyCurves(),
  curvesVersion: 0,
  growth: { step: [], perStep: idTable() },
  growthVersion: 0,
  dynamics: { step: [], weights: idTable(), jacobian: [] },
  dynamicsVersion: 0,
  diagnostics: null,
  flags: idTable(),
  edgeGrad: idTable(),
});

export const telemetryStore = createStore<TelemetryState>()((set) => ({
  ...emptyTelemetry(),
  setStrips(strips) {
    set({ strips });
  },
  clear() {
    set((state) => ({ ...emptyTelemetry(), curvesVersion: state.curvesVersion + 1, growthVersion: state.growthVersion + 1, dynamicsVersion: state.dynamicsVersion + 1, seq: state.seq + 1 }));
  },
}));

export function useTelemetry<T>(selector: (state: TelemetryState) => T): T {
  return useStore(telemetryStore, selector);
}
