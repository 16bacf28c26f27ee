/**
 * Every activation, weight kind, op and loss: the closed form of the forward
 * pass, and the BPTT gradient against central finite differences in float64
 * (h = 1e-5; relative error < 1e-6 with an absolute floor of 1e-7).
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../compile.ts';
import type { Activation, Graph, GraphEdge, GraphNode, LossKind, OpKind, WeightKind } from '../format/types.ts';
import { Session } from '../runtime.ts';
import { randomBatch, randomParams } from '../testing/build.ts';
import { gradcheck } from '../testing/gradcheck.ts';
import { activation } from './activations.ts';

const TOL = 1e-6;

function graph(nodes: GraphNode[], edges: GraphEdge[]): Graph {
  return { format: 'cellwright-graph', version: 1, nodes, edges };
}

/** x(3) → gate g (act) with a recurrent edge from cell h; readout y; mse. */
function gateGraph(act: Activation, recWeight: WeightKind = 'full'): Graph {
  return graph(
    [
      { id: 'x', kind: 'input', size: 3 },
      { id: 'h', kind: 'cell', size: 3 },
      { id: 'g', kind: 'gate', size: 3, activation: act },
      { id: 'y', kind: 'gate', size: 2, activation: 'identity' },
      { id: 't', kind: 'target', size: 2 },
      { id: 'L', kind: 'loss', loss: 'mse' },
    ],
    [
      { id: 'xg', source: 'x', target: 'g' },
      { id: 'hg', source: 'h', target: 'g', weight: recWeight },
      { id: 'gh', source: 'g', target: 'h' },
      { id: 'gy', source: 'g', target: 'y' },
      { id: 'yL', source: 'y', target: 'L', port: 'prediction' },
      { id: 'tL', source: 't', target: 'L', port: 'target' },
    ],
  );
}

describe('activations: closed form', () => {
  const cases: [Activation, number, number][] = [
    ['identity', -1.5, -1.5], ['sigmoid', 0, 0.5], ['sigmoid', 2, 1 / (1 + Math.exp(-2))], ['tanh', 0.7, Math.tanh(0.7)],
    ['relu', -2, 0], ['relu', 1.25, 1.25], ['step', 0.01, 1], ['step', 0, 0], ['step', -3, 0],
    ['softplus', 0, Math.log(2)], ['softplus', 3, Math.log(1 + Math.exp(3))], ['softplus', -800, 0], ['sigmoid', -800, 0],
  ];
  it.each(cases)('%s(%f) = %f', (act, z, y) => {
    const out = new Float64Array(1);
    activation(act).forward(Float64Array.of(z), 0, out, 0, 1);
    expect(out[0]).toBeCloseTo(y, 14);
    expect(Number.isFinite(out[0])).toBe(true);
  });
  it('derivatives expressed in the output match the slope of f', () => {
    for (const act of ['identity', 'sigmoid', 'tanh', 'softplus', 'relu'] as Activation[]) {
      for (const z of [-2.3, -0.4, 0.3, 1.7]) {
        const op = activation(act);
        const numeric = (op.f(z + 1e-6) - op.f(z - 1e-6)) / 2e-6;
        expect(op.derivative!(op.f(z))).toBeCloseTo(numeric, 6);
      }
    }
    expect(activation('step').derivative!(1)).toBe(0);
  });
});

describe('gradients of every activation (through a recurrent gate)', () => {
  it.each(['identity', 'sigmoid', 'tanh', 'relu', 'softplus'] as Activation[])('%s', (act) => {
    const p = compile(gateGraph(act));
    const r = gradcheck(p, randomParams(p, 1), randomBatch(p, 5, 2, 2, { initialStates: true }));
    expect(r.checked).toBe(9 + 9 + 3 + 6 + 2 + 6); // every weight, bias and initial state entry
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(TOL);
  });
  it('step: the gradient through a step unit is zero, the readout still learns', () => {
    const p = compile(gateGraph('step'));
    const theta = randomParams(p, 1);
    const s = new Session(p, { T: 4, B: 2 });
    s.forward(theta, randomBatch(p, 4, 2, 3));
    s.backward(theta);
    const xg = p.layout.byKey.get('edge:xg')!;
    const gy = p.layout.byKey.get('edge:gy')!;
    expect(Array.from(s.gparams.subarray(xg.offset, xg.offset + xg.length)).every((v) => v === 0)).toBe(true);
    expect(Array.from(s.gparams.subarray(gy.offset, gy.offset + gy.length)).some((v) => v !== 0)).toBe(true);
  });
});

describe('gradients of every weight kind', () => {
  it.each(['full', 'diagonal', 'scalar', 'identity'] as WeightKind[])('%s recurrent edge', (w) => {
    const p = compile(gateGraph('tanh', w));
    const r = gradcheck(p, randomParams(p, 4), randomBatch(p, 6, 3, 5, { initialStates: true }));
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(TOL);
  });
  it('a scalar edge from a size-1 source broadcasts', () => {
    const g = graph(
      [
        { id: 'x', kind: 'input', size: 1 }, { id: 'g', kind: 'gate', size: 3, activation: 'tanh' },
        { id: 't', kind: 'target', size: 3 }, { id: 'L', kind: 'loss', loss: 'mse' },
      ],
      [
        { id: 'xg', source: 'x', target: 'g', weight: 'scalar' },
        { id: 'gL', source: 'g', target: 'L', port: 'prediction' }, { id: 'tL', source: 't', target: 'L', port: 'target' },
      ],
    );
    const p = compile(g);
    const theta = Float64Array.from([0.5, 0.1, -0.2, 0.3]);
    const batch = randomBatch(p, 2, 1, 1);
    const s = new Session(p, { T: 2, B: 1 });
    s.forward(theta, batch);
    const x0 = batch.inputs.x[0];
    expect(Array.from(s.values(1).subarray(0, 3))).toEqual([0.1, -0.2, 0.3].map((b) => Math.tanh(0.5 * x0 + b)));
    expect(gradcheck(p, theta, batch).maxRelError).toBeLessThan(TOL);
  });
});

describe('ops', () => {
  function opGraph(op: OpKind, arity: number): Graph {
    const nodes: GraphNode[] = [{ id: 'x', kind: 'input', size: 2 }];
    const edges: GraphEdge[] = [];
    for (let k = 0; k < arity; k++) {
      nodes.push({ id: `a${k}`, kind: 'gate', size: 2, activation: 'tanh' });
      edges.push({ id: `x_a${k}`, source: 'x', target: `a${k}` }, { id: `a${k}_o`, source: `a${k}`, target: 'o' });
    }
    nodes.push({ id: 'o', kind: 'op', op }, { id: 't', kind: 'target', size: 2 }, { id: 'L', kind: 'loss', loss: 'mse' });
    edges.push({ id: 'oL', source: 'o', target: 'L', port: 'prediction' }, { id: 'tL', source: 't', target: 'L', port: 'target' });
    return graph(nodes, edges);
  }
  const cases: [OpKind, number, (xs: number[]) => number][] = [
    ['mul', 3, (xs) => xs[0] * xs[1] * xs[2]],
    ['add', 3, (xs) => xs[0] + xs[1] + xs[2]],
    ['one_minus', 1, (xs) => 1 - xs[0]],
  ];
  it.each(cases)('%s: closed form and gradient', (op, arity, f) => {
    const p = compile(opGraph(op, arity));
    const theta = randomParams(p, 7);
    const batch = randomBatch(p, 3, 2, 8);
    const s = new Session(p, { T: 3, B: 2 });
    s.forward(theta, batch);
    const o = p.byId.get('o')!;
    for (let k = 0; k < 12; k++) {
      const xs = Array.from({ length: arity }, (_, j) => s.vals[p.byId.get(`a${j}`)!][k]);
      expect(s.vals[o][k]).toBeCloseTo(f(xs), 14);
    }
    const r = gradcheck(p, theta, batch);
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(TOL);
  });
  it('mul with the same source twice is a square (gradient 2x)', () => {
    const g = graph(
      [
        { id: 'x', kind: 'input', size: 1 }, { id: 'a', kind: 'gate', size: 1, activation: 'identity', bias: false },
        { id: 'sq', kind: 'op', op: 'mul' }, { id: 'L', kind: 'loss', loss: 'sum' },
      ],
      [
        { id: 'xa', source: 'x', target: 'a', weight: 'scalar' },
        { id: 's1', source: 'a', target: 'sq' }, { id: 's2', source: 'a', target: 'sq' },
        { id: 'sL', source: 'sq', target: 'L', port: 'prediction' },
      ],
    );
    const p = compile(g);
    const s = new Session(p, { T: 1, B: 1 });
    const theta = Float64Array.of(3);
    expect(s.forward(theta, { T: 1, B: 1, inputs: { x: Float64Array.of(2) }, targets: {} })).toBe(36);
    s.backward(theta);
    expect(s.gparams[0]).toBe(2 * 6 * 2); // d(w x)²/dw = 2 (w x) x
  });
});

describe('losses', () => {
  function lossGraph(loss: LossKind, steps: 'all' | 'last' = 'all'): Graph {
    const nodes: GraphNode[] = [
      { id: 'x', kind: 'input', size: 3 }, { id: 'h', kind: 'cell', size: 4 },
      { id: 'g', kind: 'gate', size: 4, activation: 'tanh' }, { id: 'p', kind: 'gate', size: 3, activation: 'identity' },
      { id: 'L', kind: 'loss', loss, steps },
    ];
    const edges: GraphEdge[] = [
      { id: 'xg', source: 'x', target: 'g' }, { id: 'hg', source: 'h', target: 'g' }, { id: 'gh', source: 'g', target: 'h' },
      { id: 'gp', source: 'g', target: 'p' }, { id: 'pL', source: 'p', target: 'L', port: 'prediction' },
    ];
    if (loss !== 'sum') {
      nodes.push({ id: 't', kind: 'target', size: 3 });
      edges.push({ id: 'tL', source: 't', target: 'L', port: 'target' });
    }
    return graph(nodes, edges);
  }
  const closed: Record<LossKind, (p: number[], y: number[]) => number> = {
    mse: (p, y) => p.reduce((a, v, i) => a + (v - y[i]) ** 2, 0) / p.length,
    bce: (p, y) => p.reduce((a, v, i) => a - (y[i] * Math.log(1 / (1 + Math.exp(-v))) + (1 - y[i]) * Math.log(1 - 1 / (1 + Math.exp(-v)))), 0) / p.length,
    cross_entropy: (p, y) => {
      const lse = Math.log(p.reduce((a, v) => a + Math.exp(v), 0));
      return -p.reduce((a, v, i) => a + y[i] * (v - lse), 0);
    },
    sum: (p) => p.reduce((a, v) => a + v, 0),
  };
  it.each(['mse', 'bce', 'cross_entropy', 'sum'] as LossKind[])('%s: closed form over one step and one sequence, and its gradient', (loss) => {
    const p = compile(lossGraph(loss));
    const theta = randomParams(p, 9);
    const batch = randomBatch(p, 1, 1, 10, { oneHotTargets: loss === 'cross_entropy', binaryTargets: loss === 'bce' });
    const s = new Session(p, { T: 1, B: 1 });
    const l = s.forward(theta, batch);
    const pred = Array.from(s.vals[p.byId.get('p')!].subarray(0, 3));
    const y = loss === 'sum' ? [] : Array.from(batch.targets.t);
    expect(l).toBeCloseTo(closed[loss](pred, y), 12);
    for (const steps of ['all', 'last'] as const) {
      const q = compile(lossGraph(loss, steps));
      const r = gradcheck(q, randomParams(q, 11), randomBatch(q, 5, 3, 12, { oneHotTargets: loss === 'cross_entropy', binaryTargets: loss === 'bce' }));
      expect(r.maxRelError, `${steps}: ${JSON.stringify(r.worst)}`).toBeLessThan(TOL);
    }
  });
  it('mse normalizes by steps, batch and units; last reads only the last step', () => {
    const all = compile(lossGraph('mse', 'all'));
    const last = compile(lossGraph('mse', 'last'));
    const theta = randomParams(all, 3);
    const batch = randomBatch(all, 4, 2, 4);
    const sa = new Session(all, { T: 4, B: 2 });
    const sl = new Session(last, { T: 4, B: 2 });
    sa.forward(theta, batch);
    const ll = sl.forward(theta, batch);
    const pv = sa.vals[all.byId.get('p')!];
    const ty = batch.targets.t;
    let sum = 0;
    for (let i = 0; i < pv.length; i++) sum += (pv[i] - ty[i]) ** 2;
    expect(sa.loss).toBeCloseTo(sum / (4 * 2 * 3), 12);
    let lastSum = 0;
    for (let i = 3 * 6; i < 4 * 6; i++) lastSum += (pv[i] - ty[i]) ** 2;
    expect(ll).toBeCloseTo(lastSum / 6, 12);
  });
  it('bce and cross_entropy stay finite for huge logits', () => {
    const p = compile(lossGraph('bce'));
    const theta = randomParams(p, 3, 200);
    const s = new Session(p, { T: 3, B: 2 });
    const l = s.forward(theta, randomBatch(p, 3, 2, 4, { binaryTargets: true }));
    s.backward(theta);
    expect(Number.isFinite(l)).toBe(true);
    expect(Array.from(s.gparams).every(Number.isFinite)).toBe(true);
  });
});
