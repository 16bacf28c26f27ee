/**
 * The runtime end to end: the reference text's worked examples, the
 * gradient through time of a linear RNN (w^(T−t)), flags, every template
 * gradient-checked, float32 against float64, batches, reversal and states.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { batchFromData } from './batch.ts';
import { compile } from './compile.ts';
import type { DataFile, Graph } from './format/types.ts';
import { gradReport, runGraph } from './grad.ts';
import { createParams } from './params.ts';
import { Session } from './runtime.ts';
import * as templates from './templates.ts';
import { norm } from './tensor.ts';
import { randomBatch, randomParams } from './testing/build.ts';
import { gradcheck } from './testing/gradcheck.ts';

const examples = new URL('../assets/examples/', import.meta.url);
const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, examples), 'utf8')) as T;

function column(values: { shape: number[]; data: number[] }): number[] {
  return values.data;
}

describe('the reference text\'s worked examples', () => {
  it('1: scalar linear RNN, inputs 2, −0.5, 1, 1 give h = 2, 1.5, 2.5, 3.5', () => {
    const r = runGraph(load('worked-1-linear.json'), load('worked-1-linear.data.json'));
    expect(column(r.values.h)).toEqual([2, 1.5, 2.5, 3.5]);
    expect(column(r.values.y)).toEqual([2, 1.5, 2.5, 3.5]);
    expect(r.loss).toBe(3.5);
  });
  it('1: BPTT by hand — dL/dw_h = Σ h_{t−1}·w_h^(T−t), dL/dw_x = Σ x_t·w_h^(T−t)', () => {
    const r = gradReport(load('worked-1-linear.json'), load('worked-1-linear.data.json'));
    expect(r.gradients['edge:w_h'].data[0]).toBeCloseTo(0 + 2 + 1.5 + 2.5, 12);
    expect(r.gradients['edge:w_x'].data[0]).toBeCloseTo(2 - 0.5 + 1 + 1, 12);
    expect(r.gradients['edge:w_y'].data[0]).toBeCloseTo(3.5, 12);
  });
  it('2: two inputs weighted 1 and −1 give h = 4, 0.5, −0.7 and y = σ(5h)', () => {
    const r = runGraph(load('worked-2-two-input.json'), load('worked-2-two-input.data.json'));
    const h = column(r.values.h);
    [4, 0.5, -0.7].forEach((v, i) => expect(h[i]).toBeCloseTo(v, 12));
    column(r.values.y).forEach((y, i) => expect(y).toBeCloseTo(1 / (1 + Math.exp(-5 * h[i])), 12));
  });
  it('3: running parity 0,1,0,1,1,0,1,0,1,1 → 0,1,1,0,1,1,0,0,1,0 with step units, loss 0', () => {
    const r = runGraph(load('worked-3-parity.json'), load('worked-3-parity.data.json'));
    expect(column(r.values.out)).toEqual([0, 1, 1, 0, 1, 1, 0, 0, 1, 0]);
    expect(column(r.values.p)).toEqual([0, 1, 1, 0, 1, 1, 0, 0, 1, 0]);
    expect(r.loss).toBe(0);
  });
});

/** A scalar linear RNN h_t = x_t + w·h_{t−1}, L = h_T (sum loss, last step). */
function linearRnn(w: number): Graph {
  const g = templates.workedLinear({ x: 1, h: w, y: 1 });
  // L = h_T: the loss reads the node that writes h.
  g.edges = g.edges.filter((e) => e.id !== 'w_y' && e.target !== 'loss');
  g.nodes = g.nodes.filter((n) => n.id !== 'y');
  g.edges.push({ id: 'z_loss', source: 'z', target: 'loss', port: 'prediction' });
  delete g.parameters!['edge:w_y'];
  return g;
}

function linearData(T: number): DataFile {
  return { inputs: { x: { shape: [T, 1, 1], data: Array.from({ length: T }, (_, t) => Math.sin(t)) } } };
}

describe('the gradient through time of a linear RNN is w^(T−t)', () => {
  it('w = 1.1 over T = 50: gradNorms[h][1] / gradNorms[h][50] = 1.1^49', () => {
    const r = gradReport(linearRnn(1.1), linearData(50));
    const g = r.gradNorms.h;
    expect(g).toHaveLength(50);
    expect(g[49]).toBe(1);
    expect(g[0] / g[49]).toBeCloseTo(106.71895716339, 9);
    expect(Math.abs(g[0] / g[49] - Math.pow(1.1, 49)) / Math.pow(1.1, 49)).toBeLessThan(1e-12);
    for (let t = 0; t < 50; t++) expect(g[t]).toBeCloseTo(Math.pow(1.1, 49 - t), 8);
  });
  it('w = 0.9: the ratio is 0.9^49 = 0.0057264168970…', () => {
    const g = gradReport(linearRnn(0.9), linearData(50)).gradNorms.h;
    expect(g[0] / g[49]).toBeCloseTo(0.005726416897, 12);
  });
  it('w = 1.5 raises an exploding flag, w = 0.5 a vanishing one, w = 1 none', () => {
    const up = gradReport(linearRnn(1.5), linearData(50)).flags;
    expect(up).toEqual([expect.objectContaining({ node: 'h', kind: 'exploding' })]);
    expect(up[0].ratio).toBeCloseTo(Math.pow(1.5, 49), -30);
    expect(up[0].perStep).toBeCloseTo(1.5, 10);
    const down = gradReport(linearRnn(0.5), linearData(50)).flags;
    expect(down).toEqual([expect.objectContaining({ node: 'h', kind: 'vanishing' })]);
    expect(down[0].perStep).toBeCloseTo(0.5, 10);
    expect(gradReport(linearRnn(1), linearData(50)).flags).toEqual([]);
  });
  it('thresholds are options', () => {
    expect(gradReport(linearRnn(1.1), linearData(50), { thresholds: { exploding: 1e3 } }).flags).toEqual([]);
    expect(gradReport(linearRnn(1.1), linearData(50), { thresholds: { exploding: 50 } }).flags[0].kind).toBe('exploding');
  });
  it('a non-finite gradient is flagged with the step where it appears', () => {
    const r = gradReport(linearRnn(1e200), linearData(5));
    expect(r.flags[0]).toMatchObject({ node: 'h', kind: 'nonfinite' });
  });
});

const TEMPLATES: [string, Graph][] = [
  ['elman', templates.elman({ x: 2, h: 3, y: 2 })],
  ['irnn', templates.irnn({ x: 2, h: 3, y: 2 })],
  ['lstm', templates.lstm({ x: 2, h: 3, y: 2 })],
  ['peephole lstm', templates.peepholeLstm({ x: 2, h: 3, y: 2 })],
  ['lstmp', templates.lstmp({ x: 2, h: 4, p: 2, y: 2 })],
  ['gru', templates.gru({ x: 2, h: 3, y: 2 })],
  ['lstm, cross-entropy on the last step', templates.lstm({ x: 2, h: 3, y: 3, loss: 'cross_entropy', steps: 'last' })],
  ['quadratic map', templates.quadraticMap()],
];

describe('every template is gradient-checked end to end (float64, finite differences)', () => {
  it.each(TEMPLATES)('%s', (_name, g) => {
    const p = compile(g);
    const theta = randomParams(p, 21, 0.5);
    const batch = randomBatch(p, 6, 2, 22, { initialStates: true, oneHotTargets: g.nodes.some((n) => n.kind === 'loss' && n.loss === 'cross_entropy') });
    const r = gradcheck(p, theta, batch);
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(1e-6);
  });
  // Not irnn: its example starts with pre-activations within 1e-5 of ReLU's
  // kink (input weights N(0, 0.001)), where a finite difference measures the
  // kink, not the gradient. The IRNN template is checked above.
  it.each(['elman', 'lstm', 'peephole-lstm', 'lstmp', 'gru', 'worked-2-two-input'])('example %s with its own parameters and data', (name) => {
    const g = load<Graph>(`${name}.json`);
    const p = compile(g);
    const theta = createParams(p.layout, g.parameters, { seed: 0, dtype: 'float64' }) as Float64Array;
    const r = gradcheck(p, theta, batchFromData(load(`${name}.data.json`), 'float64'));
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(1e-6);
  });
});

describe('runtime semantics', () => {
  it('float32 agrees with float64 to float32 precision', () => {
    const g = load<Graph>('lstm.json');
    const d = load<DataFile>('lstm.data.json');
    const a = gradReport(g, d, { dtype: 'float64' });
    const b = gradReport(g, d, { dtype: 'float32' });
    expect(Math.abs(a.loss - b.loss) / a.loss).toBeLessThan(1e-5);
    for (const [k, v] of Object.entries(a.gradients)) {
      const n = Math.sqrt(v.data.reduce((s, x) => s + x * x, 0));
      const diff = Math.sqrt(v.data.reduce((s, x, i) => s + (x - b.gradients[k].data[i]) ** 2, 0));
      expect(diff / Math.max(n, 1e-6), k).toBeLessThan(1e-4);
    }
  });
  it('a batch of B sequences equals B runs of one sequence (mean loss)', () => {
    const p = compile(templates.gru({ x: 2, h: 3, y: 2 }));
    const theta = randomParams(p, 5, 0.5);
    const batch = randomBatch(p, 4, 3, 6);
    const all = new Session(p, { T: 4, B: 3 }).forward(theta, batch);
    let sum = 0;
    for (let b = 0; b < 3; b++) {
      const pick = (a: Float64Array | Float32Array, n: number): Float64Array => {
        const out = new Float64Array(4 * n);
        for (let t = 0; t < 4; t++) for (let i = 0; i < n; i++) out[t * n + i] = a[(t * 3 + b) * n + i];
        return out;
      };
      sum += new Session(p, { T: 4, B: 1 }).forward(theta, { T: 4, B: 1, inputs: { x: pick(batch.inputs.x, 2) }, targets: { y_t: pick(batch.targets.y_t, 2) } });
    }
    expect(all).toBeCloseTo(sum / 3, 12);
  });
  it('input reversal feeds x_T first', () => {
    const g = templates.workedLinear();
    (g.nodes.find((n) => n.id === 'x') as { reverse?: boolean }).reverse = true;
    const r = runGraph(g, { inputs: { x: { shape: [4, 1, 1], data: [2, -0.5, 1, 1] } } });
    expect(r.values.x.data).toEqual([1, 1, -0.5, 2]);
    expect(r.values.h.data).toEqual([1, 2, 1.5, 3.5]);
  });
  it('initial states from the data are used, and their gradient is reported as state:<cell>', () => {
    const g = templates.workedLinear();
    const r = gradReport(g, { inputs: { x: { shape: [2, 2, 1], data: [1, 1, 1, 1] } }, initialStates: { h: { shape: [2, 1], data: [10, -3] } } });
    expect(r.values.h.data).toEqual([11, -2, 12, -1]);
    // L = Σ_b y_T = Σ_b (h0_b + 2); dL/dh0_b = 1.
    expect(r.gradients['state:h']).toEqual({ shape: [2, 1], data: [1, 1] });
  });
  it('a learned initial state is a parameter init:<cell> with the batch-summed gradient', () => {
    const g = templates.elman({ x: 1, h: 2, y: 1 });
    (g.nodes.find((n) => n.id === 'h') as { initial?: string }).initial = 'learned';
    const p = compile(g);
    expect(p.layout.byKey.get('init:h')?.shape).toEqual([2]);
    const r = gradcheck(p, randomParams(p, 3), randomBatch(p, 3, 2, 4));
    expect(r.maxRelError).toBeLessThan(1e-6);
  });
  it('the same buffers are reused: a second forward gives the same loss', () => {
    const g = load<Graph>('gru.json');
    const p = compile(g);
    const theta = createParams(p.layout, g.parameters, { seed: 0, dtype: 'float64' });
    const batch = batchFromData(load('gru.data.json'), 'float64');
    const s = new Session(p, { T: batch.T, B: batch.B });
    const a = s.forward(theta, batch);
    s.backward(theta);
    const g1 = Float64Array.from(s.gparams);
    expect(s.forward(theta, batch)).toBe(a);
    s.backward(theta);
    expect(Array.from(s.gparams)).toEqual(Array.from(g1));
  });
  it('a missing parameter is drawn from its initializer with the seed, reproducibly', () => {
    const p = compile(templates.irnn({ x: 2, h: 4, y: 1 }));
    const a = createParams(p.layout, undefined, { seed: 7, dtype: 'float64' });
    const b = createParams(p.layout, undefined, { seed: 7, dtype: 'float64' });
    const c = createParams(p.layout, undefined, { seed: 8, dtype: 'float64' });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const rec = p.layout.byKey.get('edge:h_h_new')!;
    expect(Array.from(a.subarray(rec.offset, rec.offset + rec.length))).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });
});

describe('edgeGradNorms: the gradient each edge carries back', () => {
  it('the flows out of a node add up to its gradient (checked where a node has one consumer, and by the sum of squares bound)', async () => {
    const { randomGraph } = await import('./testing/random-graph.ts');
    for (let seed = 1; seed <= 40; seed++) {
      const p = compile(randomGraph(seed));
      const theta = randomParams(p, seed, 0.6);
      const s = new Session(p, { T: 4, B: 2, inputGrads: true });
      s.forward(theta, randomBatch(p, 4, 2, seed));
      s.backward(theta);
      const flows = s.edgeGradNorms(theta);
      for (const n of p.nodes) {
        if (n.kind === 'loss' || n.kind === 'target') continue;
        // A cell's value at step t is slot t (h_{t−1}); its out-edges feed the steps that read it.
        const consumers = n.outEdges.filter((e) => !(p.nodes[e.target].kind === 'loss' && e.port === 'target'));
        const g = s.grads[n.index]!;
        const sz = 2 * n.size;
        for (let t = 0; t < 4; t++) {
          const total = norm(g, t * sz, sz);
          const parts = consumers.map((e) => flows[e.index][t]);
          // Triangle inequality both ways: ‖Σ v_e‖ ≤ Σ ‖v_e‖, and equality with one consumer.
          expect(total).toBeLessThanOrEqual(parts.reduce((a, b) => a + b, 0) + 1e-12);
          if (consumers.length === 1) expect(parts[0]).toBeCloseTo(total, 12);
        }
      }
    }
  });
  it('a linear chain carries w^(T−t) back through the recurrent edge', () => {
    const g = linearRnn(1.1);
    const p = compile(g);
    const s = new Session(p, { T: 10, B: 1 });
    const batch = batchFromData(linearData(10), 'float64');
    const theta = createParams(p.layout, g.parameters, { seed: 1, dtype: 'float64' });
    s.forward(theta, batch);
    s.backward(theta);
    const rec = p.edges.find((e) => e.id === 'w_h')!;
    const f = s.edgeGradNorms(theta)[rec.index];
    // At step t (0-based) the edge h → z carries w_h · dL/dz_t = 1.1 · 1.1^(T−1−t).
    for (let t = 0; t < 10; t++) expect(f[t]).toBeCloseTo(Math.pow(1.1, 10 - t), 10);
  });
});
