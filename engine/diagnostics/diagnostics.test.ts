import { describe, expect, it } from 'vitest';
import type { Batch } from '../batch.ts';
import { compile } from '../compile.ts';
import type { Graph } from '../format/types.ts';
import { createParams } from '../params.ts';
import { Rng } from '../rng.ts';
import { Session } from '../runtime.ts';
import { elman, lstm, quadraticMap } from '../templates.ts';
import { FixedPointFinder } from './fixedpoints.ts';
import { Diagnoser, eigen } from './index.ts';
import { JacobianProbe } from './jacobian.ts';

function randomBatch(T: number, B: number, x: number, seed = 3): Batch {
  const rng = new Rng(seed);
  return { T, B, inputs: { x: Float64Array.from({ length: T * B * x }, () => rng.range(-1, 1)) }, targets: { y_t: new Float64Array(T * B) } };
}

function withParams(g: Graph, params: Record<string, number[]>, shapes: Record<string, number[]>): Graph {
  return { ...g, parameters: Object.fromEntries(Object.entries(params).map(([k, d]) => [k, { shape: shapes[k], data: d }])) };
}

describe('fixed points of a size-1 cell', () => {
  it('finds the sink and the source of x ↦ x² + 0.15 (the reference text\'s example)', () => {
    const g = quadraticMap();
    const p = compile(g);
    const theta = createParams(p.layout, g.parameters, { seed: 0, dtype: 'float64' });
    const [d] = new FixedPointFinder(p).find(theta);
    expect(d.cell).toBe('h');
    expect(d.points.map((q) => q.kind)).toEqual(['sink', 'source']);
    // h² − h + 0.15 = 0 → h = (1 ± √0.4)/2 = 0.1838, 0.8162 (the text's "about 0.1775 and 0.8225").
    expect(d.points[0].h).toBeCloseTo((1 - Math.sqrt(0.4)) / 2, 10);
    expect(d.points[1].h).toBeCloseTo((1 + Math.sqrt(0.4)) / 2, 10);
    expect(Math.abs(d.points[0].h - 0.1775)).toBeLessThan(0.01);
    expect(Math.abs(d.points[1].h - 0.8225)).toBeLessThan(0.01);
    expect(d.points[0].slope).toBeCloseTo(2 * d.points[0].h, 6);
    expect(d.points[1].slope).toBeCloseTo(2 * d.points[1].h, 6);
    // The curve for a return-map plot is the map itself.
    d.curve.h.forEach((h, i) => expect(d.curve.f[i]).toBeCloseTo(h * h + 0.15, 12));
  });

  it('classifies tanh(w·h) by its slope: one sink for w = 0.5, a source at 0 and two sinks for w = 2', () => {
    for (const [w, kinds] of [[0.5, ['sink']], [2, ['sink', 'source', 'sink']]] as const) {
      const g = withParams(elman({ x: 1, h: 1, y: 1 }), { 'edge:h_h_new': [w], 'edge:x_h_new': [0.3], 'bias:h_new': [0], 'edge:h_new_y': [1], 'bias:y': [0] },
        { 'edge:h_h_new': [1, 1], 'edge:x_h_new': [1, 1], 'bias:h_new': [1], 'edge:h_new_y': [1, 1], 'bias:y': [1] });
      const p = compile(g);
      const theta = createParams(p.layout, g.parameters, { seed: 0, dtype: 'float64' });
      const [d] = new FixedPointFinder(p).find(theta);
      expect(d.points.map((q) => q.kind)).toEqual(kinds);
      expect(d.points.find((q) => q.kind === 'source' || kinds.length === 1)!.h).toBeCloseTo(0, 9);
    }
  });
});

describe('step Jacobian', () => {
  it('of a linear RNN is its recurrent weight: spectral radius 1.2 for a scaled rotation', () => {
    const g = elman({ x: 2, h: 2, y: 1 }, 'identity');
    const W = [0, -1.2, 1.2, 0]; // eigenvalues ±1.2i
    const given = withParams(g, { 'edge:h_h_new': W }, { 'edge:h_h_new': [2, 2] });
    const p = compile(given);
    const theta = createParams(p.layout, given.parameters, { seed: 1, dtype: 'float64' });
    const s = new Session(p, { T: 6, B: 3 });
    s.forward(theta, randomBatch(6, 3, 2));
    const j = new JacobianProbe(p).measure(s, theta)!;
    expect(j.radius).toBeCloseTo(1.2, 8);
    expect(j.cellRadius.h).toBeCloseTo(1.2, 8);
    expect(j.eigenvalues.im.map(Math.abs)).toEqual([expect.closeTo(1.2, 8), expect.closeTo(1.2, 8)]);
    const d = new Diagnoser(p);
    s.backward(theta);
    const w = d.measure(s, theta, 0).weights;
    expect(w).toHaveLength(1);
    expect(w[0].spectralRadius).toBeCloseTo(1.2, 12);
  });

  it('of a tanh RNN is diag(1 − h_t²)·W at each step, averaged', () => {
    const g = elman({ x: 1, h: 3, y: 1 });
    const p = compile(g);
    const theta = createParams(p.layout, undefined, { seed: 5, dtype: 'float64' });
    const T = 8;
    const s = new Session(p, { T, B: 1 });
    s.forward(theta, randomBatch(T, 1, 1));
    const W = theta.subarray(p.layout.byKey.get('edge:h_h_new')!.offset, p.layout.byKey.get('edge:h_h_new')!.offset + 9);
    const h = s.values(p.byId.get('h')!);
    let expected = 0;
    for (let t = 0; t < T; t++) {
      const J = new Float64Array(9);
      for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) J[i * 3 + k] = (1 - h[t * 3 + i] ** 2) * W[i * 3 + k];
      expected += eigen(J, 3).radius / T;
    }
    const j = new JacobianProbe(p).measure(s, theta)!;
    expect(j.samples).toBe(T);
    expect(j.radius).toBeCloseTo(expected, 8);
  });

  it('of an LSTM\'s memory cell C, holding h fixed, is diag(f_t): its radius is the largest forget gate', () => {
    const g = lstm({ x: 1, h: 4, y: 1 });
    const p = compile(g);
    const theta = createParams(p.layout, undefined, { seed: 2, dtype: 'float64' });
    const T = 8;
    const s = new Session(p, { T, B: 1 });
    s.forward(theta, randomBatch(T, 1, 1));
    const f = s.values(p.byId.get('f')!);
    let expected = 0;
    for (let t = 0; t < T; t++) expected += Math.max(...f.subarray(t * 4, t * 4 + 4)) / T;
    const j = new JacobianProbe(p).measure(s, theta)!;
    expect(j.dims).toBe(8);
    expect(j.cellRadius.c).toBeCloseTo(expected, 8);
  });
});

describe('gates and gradient flow', () => {
  it('reports a gate pushed far from zero as saturated, and a vanishing tanh cell', () => {
    const g = lstm({ x: 1, h: 2, y: 1 });
    const p = compile(g);
    const given = { 'bias:f': { shape: [2], data: [20, 20] } };
    const theta = createParams(p.layout, given, { seed: 2, dtype: 'float64' });
    const s = new Session(p, { T: 5, B: 2 });
    s.forward(theta, randomBatch(5, 2, 1));
    s.backward(theta);
    const d = new Diagnoser(p).measure(s, theta, 0);
    const f = d.gates.find((x) => x.node === 'f')!;
    expect(f.saturation).toBe(1);
    expect(f.mean).toBeGreaterThan(0.999);
    const gate = d.gates.find((x) => x.node === 'g')!;
    expect(gate.saturation).toBeLessThan(0.5);

    const e = elman({ x: 1, h: 4, y: 1, steps: 'last' });
    const ep = compile(e);
    const et = createParams(ep.layout, undefined, { seed: 1, dtype: 'float64' });
    for (const k of ['edge:h_h_new']) { const en = ep.layout.byKey.get(k)!; for (let i = 0; i < en.length; i++) et[en.offset + i] *= 0.3; }
    const es = new Session(ep, { T: 40, B: 2 });
    es.forward(et, randomBatch(40, 2, 1));
    es.backward(et);
    const ed = new Diagnoser(ep).measure(es, et, 0);
    const cell = ed.cells.find((c) => c.node === 'h')!;
    expect(cell.flag?.kind).toBe('vanishing');
    expect(cell.perStep).toBeLessThan(1);
    expect(ed.flags.map((x) => x.node)).toEqual(['h']);
  });
});
