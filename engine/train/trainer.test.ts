import { describe, expect, it } from 'vitest';
import type { Graph } from '../format/types.ts';
import { createTask } from '../tasks/index.ts';
import { elman, gru, lstm } from '../templates.ts';
import { clipGradNorm, clipGradValue, createOptimizer, learningRate } from './optimizers.ts';
import type { Snapshot } from './trainer.ts';
import { createTrainer, transferables } from './trainer.ts';

const adding = (): Graph => ({ ...elman({ x: 2, h: 6, y: 1, steps: 'last' }), task: { name: 'adding', length: 12, validation: 32 } });

describe('clipping and optimizers (PyTorch semantics without PyTorch)', () => {
  it('clip_grad_norm_ scales by max/(norm + 1e-6) over the trainable ranges only', () => {
    const g = Float64Array.of(3, 4, 100);
    const r = clipGradNorm(g, [[0, 2]], 1);
    expect(r.norm).toBe(5);
    expect(r.clipped).toBe(true);
    expect(g[0]).toBe(3 * (1 / (5 + 1e-6)));
    expect(g[2]).toBe(100);
    const h = Float64Array.of(0.3, 0.4);
    expect(clipGradNorm(h, [[0, 2]], 1).clipped).toBe(false);
    expect(Array.from(h)).toEqual([0.3, 0.4]);
    const v = Float64Array.of(-2, 0.5, 3);
    expect(clipGradValue(v, [[0, 3]], 1).clipped).toBe(true);
    expect(Array.from(v)).toEqual([-1, 0.5, 1]);
  });

  it('Adam\'s first step moves every parameter by lr against the gradient\'s sign; frozen entries stay', () => {
    const opt = createOptimizer({ name: 'adam' }, 3, [[0, 2]], 'float64');
    const theta = Float64Array.of(1, 1, 1);
    opt.step(theta, Float64Array.of(0.5, -2, 7), 0.1);
    expect(theta[0]).toBeCloseTo(0.9, 6);
    expect(theta[1]).toBeCloseTo(1.1, 6);
    expect(theta[2]).toBe(1);
  });

  it('step decay multiplies the rate by gamma every `every` steps', () => {
    expect([0, 99, 100, 250].map((s) => learningRate(0.1, { kind: 'step', every: 100, gamma: 0.5 }, s))).toEqual([0.1, 0.1, 0.05, 0.025]);
  });
});

describe('trainer', () => {
  it('is deterministic: the same graph, task and seed give bit-identical parameters and metrics; another seed differs', () => {
    const run = (seed: number) => {
      const t = createTrainer(adding(), { training: { steps: 30, seed, clipNorm: 1, validateEvery: 10 } });
      t.step(30);
      return { theta: Array.from(t.parameters), rows: JSON.stringify(t.history) };
    };
    const a = run(4);
    const b = run(4);
    expect(b.theta).toEqual(a.theta);
    expect(b.rows).toBe(a.rows);
    expect(run(5).theta).not.toEqual(a.theta);
  });

  it('learns: an Elman RNN on sine beats predicting the current value within 150 steps', () => {
    const t = createTrainer({ ...gru({ x: 1, h: 8, y: 1 }), task: { name: 'sine', length: 20, validation: 64 } }, { training: { steps: 150, lr: 0.01, validateEvery: 150 } });
    t.step(150);
    const v = t.validate()!;
    expect(v.loss).toBeLessThan(t.meta!.baseline!.value);
    expect(v.metrics.mse).toBeCloseTo(v.loss, 12);
  });

  it('step(n) advances by n; run() stops on pause and resumes; cancel stops it for good', async () => {
    const t = createTrainer(adding(), { training: { steps: 1000 } });
    expect(t.step(1)).toBe(1);
    expect(t.stepCount).toBe(1);
    const running = t.run({ sliceMs: 0, yieldFn: async () => { if (t.stepCount >= 5) t.pause(); } });
    expect(await running).toBe('paused');
    const at = t.stepCount;
    expect(at).toBeGreaterThanOrEqual(5);
    t.step(1);
    expect(t.stepCount).toBe(at + 1);
    const resumed = t.run({ until: at + 4, sliceMs: 0, yieldFn: async () => {} });
    expect(await resumed).toBe('done');
    expect(t.stepCount).toBe(at + 4);
    t.cancel();
    expect(t.step(3)).toBe(0);
    expect(await t.run()).toBe('cancelled');
  });

  it('reset returns to the starting parameters and replays the same run', () => {
    const t = createTrainer(adding(), { training: { steps: 10 } });
    const start = Array.from(t.parameters);
    t.step(10);
    const after = Array.from(t.parameters);
    expect(after).not.toEqual(start);
    t.reset();
    expect(Array.from(t.parameters)).toEqual(start);
    expect(t.stepCount).toBe(0);
    t.step(10);
    expect(Array.from(t.parameters)).toEqual(after);
  });

  it('continues from the parameters a graph already has, and writes them back with the blocks that reproduce the run', () => {
    const g = adding();
    const t = createTrainer(g, { training: { steps: 5, seed: 9 } });
    t.step(5);
    const out = t.graphWithParameters();
    expect(out.training).toMatchObject({ steps: 5, seed: 9, optimizer: 'adam' });
    expect(out.task).toEqual(g.task);
    const again = createTrainer({ ...out, extra: 'kept' });
    expect(Array.from(again.parameters)).toEqual(Array.from(t.parameters));
    expect(again.graphWithParameters().extra).toBe('kept');
  });

  it('keeps the learned parameters that still fit when the graph changes', () => {
    const t = createTrainer(adding(), { training: { steps: 3 } });
    t.step(3);
    const bigger = { ...elman({ x: 2, h: 7, y: 1, steps: 'last' as const }), task: adding().task };
    const u = createTrainer(bigger);
    const kept = u.setParameters(t.exportParameters());
    // Only the input-free pieces whose shapes did not change: the readout bias.
    expect(kept).toEqual(['bias:y']);
    expect(u.exportParameters()['bias:y'].data).toEqual(t.exportParameters()['bias:y'].data);
  });

  it('a non-finite loss pauses training, names where it appeared, keeps finite parameters, and rolls back', () => {
    // A linear RNN with recurrent weight 10 overflows over 400 steps.
    const g: Graph = { ...elman({ x: 1, h: 1, y: 1 }, 'identity'), task: { name: 'sine', length: 400, validation: 4 } };
    g.parameters = { 'edge:h_h_new': { shape: [1, 1], data: [10] }, 'edge:h_new_y': { shape: [1, 1], data: [0.5] } };
    const t = createTrainer(g, { training: { steps: 5 } });
    t.step(5);
    expect(t.failure).not.toBeNull();
    expect(t.failure!.where).toBe('loss');
    expect(t.failure!.node).toBe('h_new');
    expect(t.failure!.t).toBeGreaterThan(100);
    expect(t.failure!.message).toContain('clipping');
    expect(t.state).toBe('paused');
    expect(Array.from(t.parameters).every(Number.isFinite)).toBe(true);
    expect(t.rollback()).toBe(0);
    expect(t.failure).toBeNull();
  });

  it('emits throttled snapshots with the rows since the last one, new diagnostics once, and one sample\'s values', async () => {
    let clock = 0;
    const snaps: Snapshot[] = [];
    const t = createTrainer(adding(), {
      training: { steps: 20, diagnosticsEvery: 10 }, onSnapshot: (s) => snaps.push(s), snapshotEveryMs: 100, now: () => clock, sample: 3,
    });
    await t.run({ sliceMs: 1e9, yieldFn: async () => {} });
    clock += 1000;
    t.step(1);
    const rows = snaps.flatMap((s) => s.rows).filter((r) => r.step > 0).map((r) => r.step);
    expect(rows).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    // Diagnostics ran at steps 0, 10 and 20; the step-0 ones were superseded before any snapshot.
    expect(snaps.filter((s) => s.diagnostics).map((s) => s.diagnostics!.step)).toEqual([10, 20]);
    const last = snaps[snaps.length - 1];
    expect(last.sample!.index).toBe(3);
    expect(last.sample!.nodes.h_new.data.length).toBe(12 * 6);
    expect(last.sample!.nodes.loss).toBeUndefined();
    expect(last.gradNorms.h.length).toBe(12);
    expect(transferables(last).length).toBeGreaterThan(2);
  });

  it('explains a task that does not fit, a missing task, and conflicting clipping', () => {
    expect(() => createTrainer({ ...elman({ x: 1, h: 4, y: 1 }), task: { name: 'adding' } })).toThrow(/set its size to 2/);
    expect(() => createTrainer(elman({ x: 1, h: 4, y: 1 }))).toThrow(/no task block/);
    expect(() => createTrainer(adding(), { training: { clipNorm: 1, clipValue: 1 } })).toThrow(/both clipNorm and clipValue/);
    expect(() => createTrainer(adding(), { training: { optimizer: 'lbfgs' } })).toThrow('training.optimizer must be one of "sgd", "momentum", "adam", "rmsprop", got "lbfgs"');
  });
});

describe('input reversal works with every task', () => {
  const V = createTask({ name: 'text', length: 8 }).meta.inputSize;
  const csv = 'a,b\n' + Array.from({ length: 60 }, (_, i) => `${Math.sin(i)},${Math.cos(i)}`).join('\n');
  const cases: [string, Graph, Record<string, unknown>, { csv?: string }][] = [
    ['parity', lstm({ x: 1, h: 3, y: 1, loss: 'bce' }), { name: 'parity', length: 8, validation: 4 }, {}],
    ['adding', elman({ x: 2, h: 3, y: 1, steps: 'last' }), { name: 'adding', length: 8, validation: 4 }, {}],
    ['copy', elman({ x: 6, h: 3, y: 5, loss: 'cross_entropy' }), { name: 'copy', symbols: 4, sequence: 2, delay: 3, validation: 4 }, {}],
    ['sine', gru({ x: 1, h: 3, y: 1 }), { name: 'sine', length: 8, validation: 4 }, {}],
    ['text', elman({ x: V, h: 3, y: V, loss: 'cross_entropy' }), { name: 'text', length: 8, validation: 4 }, {}],
    ['csv', elman({ x: 2, h: 3, y: 1 }), { name: 'csv', file: 'f.csv', inputs: ['a', 'b'], targets: ['b'], window: 8, validationFraction: 0.4 }, { csv }],
  ];
  it.each(cases)('%s: the input node sees the sequence reversed, targets stay in order, training runs', (_name, g, task, res) => {
    const graph: Graph = { ...g, nodes: g.nodes.map((n) => (n.id === 'x' ? { ...n, reverse: true } : n)), task };
    const t = createTrainer(graph, { resources: res, training: { steps: 3 } });
    t.step(3);
    const m = t.meta!;
    const vs = createTask(task, res).validation();
    const sample = t.sampleValues(1);
    const x = sample.nodes.x.data;
    const y = sample.nodes.y_t.data;
    const X = m.inputSize;
    for (let s = 0; s < m.T; s++) {
      for (let k = 0; k < X; k++) expect(x[s * X + k]).toBe(Math.fround(vs.x[((m.T - 1 - s) * vs.B + 1) * X + k]));
      for (let k = 0; k < m.targetSize; k++) expect(y[s * m.targetSize + k]).toBe(Math.fround(vs.y[(s * vs.B + 1) * m.targetSize + k]));
    }
    expect(Number.isFinite(t.history[t.history.length - 1].loss)).toBe(true);
    expect(Object.values(t.validate()!.metrics).every(Number.isFinite)).toBe(true);
  });
});
