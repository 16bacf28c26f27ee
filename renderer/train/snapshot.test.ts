import { describe, expect, it } from 'vitest';
import type { Diagnostics } from '../../engine/diagnostics/index.ts';
import type { Graph } from '../../engine/format/types.ts';
import type { MetricRow } from '../../engine/train/trainer.ts';
import type { RunState } from '../store/training.ts';
import type { CompiledInfo, LiveSnapshot, Probe } from './protocol.ts';
import type { SnapshotContext, TelemetryData } from './snapshot.ts';
import { emptyTelemetry } from '../store/telemetry.ts';
import { applySnapshot } from './snapshot.ts';

const graph = {
  format: 'cellwright-graph', version: 1,
  nodes: [
    { id: 'x', kind: 'input', size: 1 },
    { id: 'h', kind: 'cell', size: 1 },
    { id: 'h_new', kind: 'gate', size: 1, activation: 'tanh' },
  ],
  edges: [{ id: 'xh', source: 'x', target: 'h_new' }, { id: 'hh', source: 'h', target: 'h_new' }, { id: 'w', source: 'h_new', target: 'h' }],
} as Graph;

const info = { metricNames: ['accuracy'] } as unknown as CompiledInfo;

function telemetry(): TelemetryData {
  return emptyTelemetry();
}

function row(step: number, loss: number, val?: number): MetricRow {
  return { step, loss, metrics: { accuracy: 0.5 }, gradNorm: 1, clipped: false, lr: 0.01, ...(val !== undefined ? { val: { loss: val, metrics: { accuracy: 0.6 } } } : {}) } as MetricRow;
}

function snap(over: Partial<LiveSnapshot> = {}): LiveSnapshot {
  return {
    step: 10, steps: 100, state: 'running', loss: 0.5, rows: [], validation: null, diagnostics: null, flags: [],
    gradNorms: { h: Float64Array.of(0.1, 0.5, 1) }, probe: null, lr: 0.01, clippedFraction: 0, stepsPerSecond: 50, failure: null,
    ...over,
  };
}

const ctx = (over: Partial<SnapshotContext> = {}): SnapshotContext => ({ info, graph, pendingCompile: false, awaitingReset: false, ...over });
const idle: RunState = { kind: 'idle' };

/** Applies a snapshot as the client does: patches merged into the state; returns whether it was taken. */
function apply(state: { run: RunState; tel: TelemetryData; awaiting: boolean }, s: LiveSnapshot, over: Partial<SnapshotContext> = {}): boolean {
  const out = applySnapshot(state.run, state.tel, s, ctx({ awaitingReset: state.awaiting, ...over }));
  if (out.ignored) return false;
  state.run = out.training.run ?? state.run;
  state.tel = { ...state.tel, ...out.telemetry };
  state.awaiting = out.awaitingReset;
  return true;
}

describe('applying a training snapshot', () => {
  it('appends rows in step order: a row at or before the last plotted step is not plotted again', () => {
    const st = { run: idle, tel: telemetry(), awaiting: false };
    apply(st, snap({ step: 2, rows: [row(1, 0.9), row(2, 0.8, 0.85)] }));
    expect(st.tel.curves.step).toEqual([1, 2]);
    expect(st.tel.curves.valStep).toEqual([2]);
    expect(st.tel.curves.metric).toEqual([0.5, 0.5]);
    const version = st.tel.curvesVersion;
    // The same rows again (a repeated snapshot), then one out of order among new ones.
    apply(st, snap({ step: 2, rows: [row(1, 0.9), row(2, 0.8, 0.85)] }));
    expect(st.tel.curvesVersion).toBe(version);
    apply(st, snap({ step: 4, rows: [row(3, 0.7), row(2, 0.75), row(4, 0.6)] }));
    expect(st.tel.curves.step).toEqual([1, 2, 3, 4]);
    expect(st.tel.curves.loss).toEqual([0.9, 0.8, 0.7, 0.6]);
    expect(st.tel.curvesVersion).toBe(version + 1);
    // The growth history gets one point per training step, never a step back.
    expect(st.tel.growth.step).toEqual([2, 4]);
    apply(st, snap({ step: 3 }));
    expect(st.tel.growth.step).toEqual([2, 4]);
  });

  it('ignores snapshots sent before a reset came back, then starts the charts over with fresh arrays', () => {
    const st = { run: { kind: 'training' } as RunState, tel: telemetry(), awaiting: false };
    apply(st, snap({ step: 5, rows: [row(5, 0.4)] }));
    const oldCurves = st.tel.curves;
    // The UI pressed Reset (and cleared its charts); the worker's last running snapshot is still on its way.
    st.awaiting = true;
    st.tel = { ...telemetry(), seq: st.tel.seq };
    expect(apply(st, snap({ step: 6, rows: [row(6, 0.3)] }))).toBe(false);
    expect(st.tel.curves.step).toEqual([]);
    expect(st.run).toEqual({ kind: 'training' });
    expect(apply(st, snap({ step: 0, state: 'idle', rows: [] }))).toBe(true);
    expect(st.awaiting).toBe(false);
    expect(st.run).toEqual({ kind: 'idle' });
    apply(st, snap({ step: 1, rows: [row(1, 0.9)] }));
    expect(st.tel.curves.step).toEqual([1]);
    expect(oldCurves.step).toEqual([5]);
  });

  it('a reset the stores had not cleared (the worker reset itself) also starts the histories over', () => {
    const st = { run: idle, tel: telemetry(), awaiting: false };
    apply(st, snap({ step: 5, rows: [row(5, 0.4)] }));
    const before = st.tel.curves;
    apply(st, snap({ step: 0, state: 'idle' }));
    expect(st.tel.curves).not.toBe(before);
    expect(st.tel.curves.step).toEqual([]);
    expect(st.tel.growth.step).toEqual([0]);
  });

  it('a repeated step-0 snapshot (another sample chosen before training) keeps the initial validation point', () => {
    const st = { run: idle, tel: telemetry(), awaiting: false };
    apply(st, snap({ step: 0, state: 'idle', rows: [row(0, NaN, 0.7)] }));
    const curves = st.tel.curves;
    apply(st, snap({ step: 0, state: 'idle', rows: [] }));
    expect(st.tel.curves).toBe(curves);
    expect(st.tel.curves.valLoss).toEqual([0.7]);
  });

  it('keeps what the views show when a snapshot leaves parts out (no gradient norms, no probe, no diagnostics)', () => {
    const st = { run: idle, tel: telemetry(), awaiting: false };
    const probe: Probe = { index: 0, T: 3, nodes: { h_new: { size: 1, values: Float32Array.of(0.1, 0.2, 0.3), grad: Float32Array.of(1, 1, 1) } }, initial: {}, edges: { hh: Float32Array.of(1, 2, 3) } };
    const diagnostics = { step: 10, cells: [], weights: [{ edge: 'hh', spectralRadius: 0.9 }], jacobian: { radius: 0.8 }, flags: [] } as unknown as Diagnostics;
    apply(st, snap({ probe, diagnostics }));
    expect(st.tel.probe).toBe(probe);
    expect(Object.keys(st.tel.strips)).toContain('h_new');
    const norms = st.tel.gradNorms;
    apply(st, snap({ step: 11, gradNorms: {}, probe: null, diagnostics: null }));
    expect(st.tel.gradNorms).toBe(norms);
    expect(st.tel.probe).toBe(probe);
    expect(st.tel.diagnostics).toBe(diagnostics);
    expect(st.tel.dynamics.weights.hh).toEqual([0.9]);
    // Before any step, the compile-time diagnostics' gradient norms stand in.
    const st2 = { run: idle, tel: telemetry(), awaiting: false };
    apply(st2, snap({ step: 0, state: 'idle', gradNorms: {}, diagnostics: { ...diagnostics, cells: [{ node: 'h', gradNorms: Float64Array.of(3, 2, 1) }] } as unknown as Diagnostics }));
    expect(Array.from(st2.tel.gradNorms.h)).toEqual([3, 2, 1]);
  });

  it('does not plot non-finite losses, shows the failure on its node, and reads a NaN speed as 0', () => {
    const st = { run: { kind: 'training' } as RunState, tel: telemetry(), awaiting: false };
    const out = applySnapshot(st.run, st.tel, snap({
      step: 3, state: 'paused', loss: NaN, stepsPerSecond: NaN, rows: [row(1, 0.5), row(2, NaN), row(3, Infinity, NaN)],
      failure: { step: 3, where: 'loss', node: 'h_new', t: 7, message: 'NaN' },
    }), ctx());
    if (out.ignored) throw new Error('taken');
    expect(st.tel.curves.step).toEqual([1]);
    expect(st.tel.curves.valStep).toEqual([3]);
    expect(Number.isNaN(st.tel.curves.valLoss[0])).toBe(true);
    expect(Number.isNaN(out.training.loss!)).toBe(true);
    expect(out.training.stepsPerSecond).toBe(0);
    expect(out.training.run).toEqual({ kind: 'paused', reason: 'failure' });
    expect(out.telemetry.flags!.h_new).toMatchObject({ kind: 'nonfinite', step: 7 });
  });

  it('leaves the run state alone while a recompile is pending, and calls a finished run that blew up diverged', () => {
    const compiling: RunState = { kind: 'compiling' };
    const a = applySnapshot(compiling, telemetry(), snap({ state: 'running' }), ctx({ pendingCompile: true }));
    expect(!a.ignored && a.training.run).toEqual(compiling);
    const tel = telemetry();
    tel.curves.loss.push(0.5);
    tel.curves.step.push(1);
    const b = applySnapshot({ kind: 'training' }, tel, snap({ step: 100, state: 'done', loss: 1e12 }), ctx());
    expect(!b.ignored && b.training.run).toEqual({ kind: 'paused', reason: 'diverged' });
    const c = applySnapshot({ kind: 'training' }, tel, snap({ step: 100, state: 'done', loss: 0.1 }), ctx());
    expect(!c.ignored && c.training.run).toEqual({ kind: 'paused', reason: 'done' });
  });

  it('pads a cell that appears later with gaps, so every growth series lines up with the steps', () => {
    const st = { run: idle, tel: telemetry(), awaiting: false };
    apply(st, snap({ step: 1 }));
    apply(st, snap({ step: 2, gradNorms: { h: Float64Array.of(1, 1), c: Float64Array.of(0.5, 1) } }));
    expect(st.tel.growth.step).toEqual([1, 2]);
    expect(st.tel.growth.perStep.c).toHaveLength(2);
    expect(Number.isNaN(st.tel.growth.perStep.c[0])).toBe(true);
    expect(st.tel.growth.perStep.c[1]).toBeCloseTo(0.5, 12);
  });
});
