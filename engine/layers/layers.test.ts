/**
 * Layers (docs/layers.md): validation with problems that point into the file,
 * gradients against central finite differences (float64), the fast runtime
 * against the reference, a forward layer equal to the plain template, a
 * reverse layer equal to input reversal with values in data time order, and
 * the sessions' external-gradient hook.
 */
import { describe, expect, it } from 'vitest';
import type { Batch } from '../batch.ts';
import type { Program } from '../compile.ts';
import { compile, GraphError } from '../compile.ts';
import { createSession } from '../fast/index.ts';
import type { SessionLike } from '../fast/index.ts';
import { loadGraph } from '../format/parse.ts';
import type { Graph, GraphNode, Problem } from '../format/types.ts';
import { exportOnnx } from '../export/onnx.ts';
import { exportTorch } from '../export/torch.ts';
import { gradReport } from '../grad.ts';
import type { Snapshot } from '../train/trainer.ts';
import { createTrainer } from '../train/trainer.ts';
import { Session } from '../runtime.ts';
import { gru, lstm } from '../templates.ts';
import { randomBatch, randomParams } from '../testing/build.ts';
import { compileLayered, layerModel, stepProgram } from './compile.ts';
import { Diagnoser } from '../diagnostics/index.ts';
import { validateLayered, validateDataLayered } from './check.ts';
import type { LayeredSession } from './session.ts';
import { nestedCells, nestedFlags, sessionFor } from './session.ts';
import { bidirectionalGru, stackedLstm } from './templates.ts';
import type { LayerNode } from './types.ts';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const codes = (ps: Problem[]): string[] => ps.filter((p) => p.severity === 'error').map((p) => p.code);

function layerOf(g: Graph, id: string): LayerNode {
  return g.nodes.find((n) => n.id === id) as unknown as LayerNode;
}

/** A graph with one layer of the given direction over a small LSTM, read by a readout. */
function oneLayer(direction: 'forward' | 'reverse' | 'bidirectional'): Graph {
  const g = stackedLstm({ x: 2, h: 3, y: 2, layers: 1 });
  layerOf(g, 'l1').direction = direction;
  return g;
}

/** Central differences of the loss against the session's dL/dθ, every parameter. */
function fdWorst(p: Program, theta: Float64Array, batch: Batch, make: () => SessionLike = () => sessionFor(p, { T: batch.T, B: batch.B })): number {
  const s = make();
  s.forward(theta, batch);
  s.backward(theta);
  const g = Float64Array.from(s.gparams);
  let worst = 0;
  const h = 1e-5;
  for (let k = 0; k < theta.length; k++) {
    const o = theta[k];
    theta[k] = o + h;
    const lp = s.forward(theta, batch);
    theta[k] = o - h;
    const lm = s.forward(theta, batch);
    theta[k] = o;
    const num = (lp - lm) / (2 * h);
    worst = Math.max(worst, Math.abs(num - g[k]) / Math.max(1e-4, Math.abs(num) + Math.abs(g[k])));
  }
  return worst;
}

describe('layered graphs validate, and problems point into the file', () => {
  it('the templates have no problems and stay version 1 files', () => {
    for (const g of [stackedLstm({ x: 2, h: 3, y: 1 }), bidirectionalGru({ x: 2, h: 3, y: 1 }), stackedLstm({ x: 2, h: 3, y: 1, bidirectional: true, layers: 3 })]) {
      expect(validateLayered(g)).toEqual([]);
      const loaded = loadGraph(clone(g));
      expect(loaded.ok).toBe(true);
      expect(g.version).toBe(1);
    }
  });

  it('refuses a layer fed from a gate, saying why and where', () => {
    const g = stackedLstm({ x: 2, h: 3, y: 1 });
    g.nodes.push({ id: 'proj', kind: 'gate', size: 3, activation: 'tanh' } as GraphNode);
    g.edges.push({ id: 'x_proj', source: 'x', target: 'proj' });
    const e = g.edges.find((x) => x.target === 'l2')!;
    e.source = 'proj';
    const ps = validateLayered(g);
    const p = ps.find((x) => x.code === 'CW174')!;
    expect(p.message).toContain('"proj"');
    expect(p.message).toMatch(/outer recurrence/);
    expect(p.path).toBe(`edges[${g.edges.indexOf(e)}].source`);
    expect(p.edge).toBe(e.id);
    expect(() => compileLayered(g)).toThrow(GraphError);
  });

  it('refuses layers that feed each other in a cycle', () => {
    const g = stackedLstm({ x: 3, h: 3, y: 1 });
    g.edges.find((e) => e.target === 'l1')!.source = 'l2';
    const ps = validateLayered(g);
    expect(codes(ps)).toContain('CW179');
    expect(ps.find((p) => p.code === 'CW179')!.nodes).toEqual(expect.arrayContaining(['l1', 'l2']));
  });

  it('names bad fields of the layer node', () => {
    const g = stackedLstm({ x: 2, h: 3, y: 1 });
    layerOf(g, 'l1').direction = 'sideways' as never;
    layerOf(g, 'l2').output = 'nope';
    const ps = validateLayered(g);
    expect(ps.find((p) => p.code === 'CW171')!.path).toBe('nodes[1].direction');
    expect(ps.find((p) => p.code === 'CW172')!.path).toBe('nodes[2].output');
    const h = stackedLstm({ x: 2, h: 3, y: 1 });
    (layerOf(h, 'l1') as Record<string, unknown>).graph = 'not a graph';
    expect(codes(validateLayered(h))).toContain('CW170');
  });

  it('reports problems inside a nested graph with their path in the layer, and port problems on the edge', () => {
    const g = stackedLstm({ x: 2, h: 3, y: 1 });
    const nested = layerOf(g, 'l1').graph;
    (nested.nodes.find((n) => n.id === 'f') as Record<string, unknown>).size = 4;
    const ps = validateLayered(g);
    const inner = ps.find((p) => p.path.startsWith('nodes[1].graph.'))!;
    expect(inner.message).toMatch(/^in layer "l1"/);
    expect(inner.node).toBe('l1');
    const k = stackedLstm({ x: 2, h: 3, y: 1 });
    const e = k.edges.find((x) => x.target === 'l2')!;
    e.port = 'nope' as never;
    const pk = validateLayered(k).find((p) => p.code === 'CW175')!;
    expect(pk.path).toBe(`edges[${k.edges.indexOf(e)}].port`);
    expect(pk.hint).toContain('x');
    expect(codes(validateLayered(k))).toContain('CW176');
  });

  it('refuses a source whose size is not the nested input\'s, a loss inside a layer, colliding ids and stray layer parameters', () => {
    const g = stackedLstm({ x: 2, h: 3, y: 1 });
    (g.nodes.find((n) => n.id === 'x') as Record<string, unknown>).size = 5;
    expect(codes(validateLayered(g))).toContain('CW177');
    const l = stackedLstm({ x: 2, h: 3, y: 1 });
    layerOf(l, 'l1').graph.nodes.push({ id: 'bad', kind: 'loss', loss: 'sum' } as GraphNode);
    expect(codes(validateLayered(l))).toContain('CW173');
    const c = stackedLstm({ x: 2, h: 3, y: 1 });
    c.nodes.push({ id: 'l1/h', kind: 'input', size: 1 } as GraphNode);
    expect(codes(validateLayered(c))).toContain('CW180');
    const p = stackedLstm({ x: 2, h: 3, y: 1 });
    p.parameters = { 'layer:nope/edge:x_f': { shape: [3, 2], data: [0, 0, 0, 0, 0, 0] }, 'layer:l1/edge:x_f': { shape: [2, 2], data: [0, 0, 0, 0] } };
    const pp = validateLayered(p);
    expect(pp.find((x) => x.code === 'CW183')!.path).toBe('parameters["layer:nope/edge:x_f"]');
    expect(pp.find((x) => x.code === 'CW065')!.path).toBe('parameters["layer:l1/edge:x_f"].shape');
  });

  it('survives hostile ids', () => {
    const g = stackedLstm({ x: 2, h: 3, y: 1 });
    const text = JSON.stringify(g).replaceAll('"l1"', '"__proto__"').replaceAll('l1_l2', 'constructor');
    const h = JSON.parse(text) as Graph;
    expect(validateLayered(h)).toEqual([]);
    const p = compileLayered(h);
    expect(p.layout.byKey.has('layer:__proto__/edge:x_f')).toBe(true);
    expect(p.byId.has('__proto__/h')).toBe(true);
  });

  it('checks data files: nested initial states under their reported ids', () => {
    const g = bidirectionalGru({ x: 2, h: 3, y: 1 });
    const stream = (n: number): { shape: number[]; data: number[] } => ({ shape: [2, 1, n], data: new Array<number>(2 * n).fill(0) });
    const ok = { inputs: { x: stream(2) }, targets: { y_t: stream(1) }, initialStates: { 'bi/h': { shape: [1, 3], data: [0, 0, 0] }, 'bi/reverse/h': { shape: [1, 3], data: [0, 0, 0] } } };
    expect(codes(validateDataLayered(g, ok))).toEqual([]);
    const bad = { ...ok, initialStates: { 'bi/zz': { shape: [1, 3], data: [0, 0, 0] } } };
    expect(codes(validateDataLayered(g, bad))).toEqual(['CW085']);
  });
});

describe('layered graphs compute the right gradients', () => {
  const graphs: [string, Graph][] = [
    ['2-layer LSTM', stackedLstm({ x: 2, h: 3, y: 2 })],
    ['bidirectional GRU', bidirectionalGru({ x: 2, h: 3, y: 2 })],
    ['reverse LSTM layer', oneLayer('reverse')],
    ['2-layer bidirectional LSTM, cross-entropy on the last step', stackedLstm({ x: 2, h: 2, y: 3, bidirectional: true, loss: 'cross_entropy', steps: 'last' })],
  ];

  it.each(graphs)('%s: dL/dθ and dL/d(initial states) equal central finite differences (float64)', (_name, g) => {
    const p = compileLayered(g);
    const batch = randomBatch(p, 5, 2, 7, { oneHotTargets: g.name?.includes('bidirectional LSTM') });
    batch.initialStates = {};
    for (const i of nestedCells(p)) batch.initialStates[p.nodes[i].id] = Float64Array.from({ length: 2 * p.nodes[i].size }, (_, k) => Math.sin(k + i));
    const theta = randomParams(p, 3);
    expect(fdWorst(p, theta, batch)).toBeLessThan(1e-6);
    // initial states
    const s = sessionFor(p, { T: 5, B: 2 }) as LayeredSession;
    s.forward(theta, batch);
    s.backward(theta);
    const states = s.nestedStateGrads(batch);
    expect(states.length).toBe(nestedCells(p).length);
    for (const { id, grad } of states) {
      const x = batch.initialStates[id];
      for (let k = 0; k < x.length; k++) {
        const o = x[k];
        x[k] = o + 1e-5;
        const lp = s.forward(theta, batch);
        x[k] = o - 1e-5;
        const lm = s.forward(theta, batch);
        x[k] = o;
        const num = (lp - lm) / 2e-5;
        expect(Math.abs(num - grad[k]) / Math.max(1e-4, Math.abs(num) + Math.abs(grad[k])), `${id}[${k}]`).toBeLessThan(1e-6);
      }
    }
  });

  it.each(graphs)('%s: the fast runtime equals the reference (float64, two steps)', (_name, g) => {
    const p = compileLayered(g);
    const batch = randomBatch(p, 6, 3, 11);
    const theta = randomParams(p, 5);
    const ref = sessionFor(p, { T: 6, B: 3, inputGrads: true });
    const fast = sessionFor(p, { T: 6, B: 3, inputGrads: true }, (q, o) => createSession(q, { ...o, kernels: 'js' }));
    for (let rep = 0; rep < 2; rep++) {
      const a = ref.forward(theta, batch);
      const b = fast.forward(theta, batch);
      expect(Math.abs(a - b)).toBeLessThan(1e-12 * Math.max(1, Math.abs(a)));
      ref.backward(theta);
      fast.backward(theta);
      for (let k = 0; k < theta.length; k++) expect(fast.gparams[k]).toBeCloseTo(ref.gparams[k], 11);
      for (const n of p.nodes) {
        if (n.kind === 'loss') continue;
        const va = ref.values(n.index);
        const vb = fast.values(n.index);
        for (let k = 0; k < va.length; k++) expect(vb[k], n.id).toBeCloseTo(va[k], 11);
        for (let t = 0; t < 6; t++) expect(fast.gradNorms[n.index][t], `${n.id} t=${t}`).toBeCloseTo(ref.gradNorms[n.index][t], 11);
      }
      for (let k = 0; k < theta.length; k++) theta[k] -= 0.1 * ref.gparams[k];
    }
  });

  it('a forward layer holding the LSTM template computes what the plain template computes', () => {
    const g = oneLayer('forward');
    const plain = lstm({ x: 2, h: 3, y: 2 });
    const p = compileLayered(g);
    const q = compile(plain);
    const theta = randomParams(p, 9);
    // The same numbers under the plain template's keys.
    const map = new Float64Array(q.layout.size);
    for (const e of q.layout.entries) {
      const key = e.key === 'edge:m_y' ? 'edge:l1_y' : e.key === 'bias:y' ? e.key : `layer:l1/${e.key}`;
      const from = p.layout.byKey.get(key)!;
      map.set(theta.subarray(from.offset, from.offset + from.length), e.offset);
    }
    const batch = randomBatch(p, 5, 2, 4);
    const a = sessionFor(p, { T: 5, B: 2 });
    const b = new Session(q, { T: 5, B: 2 });
    expect(a.forward(theta, batch)).toBeCloseTo(b.forward(map, batch), 13);
    a.backward(theta);
    b.backward(map);
    for (const e of q.layout.entries) {
      const key = e.key === 'edge:m_y' ? 'edge:l1_y' : e.key === 'bias:y' ? e.key : `layer:l1/${e.key}`;
      const from = p.layout.byKey.get(key)!;
      for (let k = 0; k < e.length; k++) expect(a.gparams[from.offset + k], key).toBeCloseTo(b.gparams[e.offset + k], 13);
    }
    const m = q.byId.get('m')!;
    expect(Array.from(a.values(p.byId.get('l1/m')!))).toEqual(Array.from(b.values(m)));
    expect(Array.from(a.values(p.byId.get('l1')!))).toEqual(Array.from(b.values(m)));
  });

  it('a reverse layer reports its values in data time order (= the plain template fed the reversed sequence)', () => {
    const g = oneLayer('reverse');
    const plain = lstm({ x: 2, h: 3, y: 2 });
    (plain.nodes.find((n) => n.id === 'x') as Record<string, unknown>).reverse = true;
    const p = compileLayered(g);
    const q = compile(plain);
    const theta = randomParams(p, 2);
    const map = new Float64Array(q.layout.size);
    for (const e of q.layout.entries) {
      const key = e.key === 'edge:m_y' ? 'edge:l1_y' : e.key === 'bias:y' ? e.key : `layer:l1/${e.key}`;
      const from = p.layout.byKey.get(key)!;
      map.set(theta.subarray(from.offset, from.offset + from.length), e.offset);
    }
    const T = 4;
    const B = 2;
    const batch = randomBatch(p, T, B, 6);
    // The plain graph scores step s against the target of data time T−1−s.
    const y = batch.targets.y_t;
    const flipped = new Float64Array(y.length);
    const sz = B * 2;
    for (let t = 0; t < T; t++) flipped.set(y.subarray((T - 1 - t) * sz, (T - t) * sz), t * sz);
    const a = sessionFor(p, { T, B });
    const b = new Session(q, { T, B });
    expect(a.forward(theta, batch)).toBeCloseTo(b.forward(map, { ...batch, targets: { y_t: flipped } }), 13);
    const va = a.values(p.byId.get('l1/h')!);
    const vb = b.values(q.byId.get('h')!);
    const H = B * 3;
    for (let t = 0; t < T; t++) {
      expect(Array.from(va.subarray(t * H, (t + 1) * H))).toEqual(Array.from(vb.subarray((T - 1 - t) * H, (T - t) * H)));
    }
    a.backward(theta);
    b.backward(map);
    const na = a.gradNorms[p.byId.get('l1/h')!];
    const nb = b.gradNorms[q.byId.get('h')!];
    for (let t = 0; t < T; t++) expect(na[t]).toBeCloseTo(nb[T - 1 - t], 13);
  });

  it('grad reports list nested nodes under namespaced ids and parameters under namespaced keys', () => {
    const g = bidirectionalGru({ x: 2, h: 3, y: 1 });
    const p = compileLayered(g);
    const batch = randomBatch(p, 3, 2, 1);
    const data = {
      inputs: { x: { shape: [3, 2, 2], data: Array.from(batch.inputs.x) } },
      targets: { y_t: { shape: [3, 2, 1], data: Array.from(batch.targets.y_t) } },
      initialStates: { 'bi/reverse/h': { shape: [2, 3], data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] } },
    };
    const r = gradReport(g, data);
    expect(r.values.bi.shape).toEqual([3, 2, 6]);
    expect(r.values['bi/reverse/h_new'].shape).toEqual([3, 2, 3]);
    expect(r.gradNorms['bi/h']).toHaveLength(3);
    expect(Object.keys(r.gradients)).toEqual(expect.arrayContaining(['layer:bi/edge:x_r', 'layer:bi/reverse/edge:x_r', 'edge:bi_y', 'state:bi/reverse/h']));
    expect(r.gradients['state:bi/h']).toBeUndefined();
    // Forward half of the layer's output is the forward copy's h_new; the rest the reverse copy's.
    expect(r.values.bi.data.slice(0, 3)).toEqual(r.values['bi/h_new'].data.slice(0, 3));
    expect(r.values.bi.data.slice(3, 6)).toEqual(r.values['bi/reverse/h_new'].data.slice(0, 3));
    expect(layerModel(p)!.layers[0].copies.map((c) => c.reverse)).toEqual([false, true]);
  });
});

describe('sessions take gradients from outside the graph (the hook layers use)', () => {
  const g = gru({ x: 2, h: 3, y: 1 });
  const p = compile(g);
  const T = 4;
  const B = 2;
  const batch = randomBatch(p, T, B, 3);
  const theta = randomParams(p, 4);
  const makers: [string, () => SessionLike][] = [
    ['reference', () => new Session(p, { T, B })],
    ['fast', () => createSession(p, { T, B, kernels: 'js' })],
  ];
  it.each(makers)('%s: backward(θ, external) is the gradient of L + Σ ext · values(n), for an op and a cell', (_name, make) => {
    for (const id of ['zn', 'h']) {
      const n = p.byId.get(id)!;
      const s = make();
      s.forward(theta, batch);
      const ext = Float64Array.from({ length: s.values(n).length }, (_, k) => Math.cos(k));
      s.backward(theta, new Map([[n, ext]]));
      const g0 = Float64Array.from(s.gparams);
      const total = (): number => {
        const l = s.forward(theta, batch);
        const v = s.values(n);
        let dot = 0;
        for (let k = 0; k < v.length; k++) dot += ext[k] * v[k];
        return l + dot;
      };
      for (let k = 0; k < theta.length; k++) {
        const o = theta[k];
        theta[k] = o + 1e-6;
        const lp = total();
        theta[k] = o - 1e-6;
        const lm = total();
        theta[k] = o;
        const num = (lp - lm) / 2e-6;
        expect(Math.abs(num - g0[k]) / Math.max(1e-4, Math.abs(num) + Math.abs(g0[k])), `${id}: θ[${k}]`).toBeLessThan(1e-6);
      }
    }
  });
});

describe('training and export of layered graphs', () => {
  it('the trainer trains a bidirectional GRU on a task; snapshots show nested nodes under namespaced ids', () => {
    const g: Graph = { ...bidirectionalGru({ x: 1, h: 4, y: 1 }), task: { name: 'sine', length: 12 }, training: { optimizer: 'adam', lr: 0.02, batch: 8, steps: 60, seed: 1 } };
    const snaps: Snapshot[] = [];
    const t = createTrainer(g, { onSnapshot: (s) => snaps.push(s) });
    t.step(60);
    const rows = t.history.filter((r) => Number.isFinite(r.loss));
    expect(rows.at(-1)!.loss).toBeLessThan(rows[0].loss * 0.5);
    const last = snaps.at(-1)!;
    expect(Object.keys(last.gradNorms).sort()).toEqual(['bi/h', 'bi/reverse/h']);
    expect(last.sample!.nodes['bi/reverse/h_new'].data).toHaveLength(12 * 4);
    expect(last.sample!.nodes.bi.size).toBe(8);
    const saved = t.graphWithParameters();
    expect(Object.keys(saved.parameters!)).toEqual(expect.arrayContaining(['layer:bi/edge:x_r', 'layer:bi/reverse/edge:x_r']));
    expect(validateLayered(saved)).toEqual([]);
    // The saved parameters are the trained ones: a new trainer starts where this one ended.
    const again = createTrainer(saved);
    expect(Array.from(again.parameters)).toEqual(Array.from(t.parameters));
  });

  it('the PyTorch and ONNX exports write graphs with layers (checked against PyTorch and onnxruntime in test/torch-layers-export.test.ts, engine/export/onnx.test.ts)', () => {
    expect(exportTorch(stackedLstm({ x: 1, h: 2, y: 1 })).files['model.py']).toMatch(/class Layer_l2\(nn\.Module\)/);
    expect(exportOnnx(bidirectionalGru({ x: 1, h: 2, y: 1 })).ops).toEqual(['GRU']);
  });
});

describe('explode/vanish flags of nested cells', () => {
  it('read a reverse copy in its own step order (data time T … 1)', () => {
    const p = compileLayered(bidirectionalGru({ x: 1, h: 2, y: 1 }));
    const T = 20;
    const norms = p.nodes.map(() => new Float64Array(T));
    const rising = Float64Array.from({ length: T }, (_, t) => 0.5 ** (T - 1 - t)); // tiny early, 1 at the end
    norms[p.byId.get('bi/h')!] = rising;
    norms[p.byId.get('bi/reverse/h')!] = Float64Array.from(rising).reverse(); // its own first steps are data's last
    const flags = nestedFlags(p, norms);
    expect(flags.map((f) => [f.node, f.kind])).toEqual([['bi/h', 'vanishing'], ['bi/reverse/h', 'vanishing']]);
    expect(flags[1].ratio).toBeCloseTo(0.5 ** (T - 1), 12);
  });
});

describe('a layer under an outer recurrence', () => {
  /** x → LSTM layer l1 → an outer Elman cell reading l1 at every step → readout. */
  function mixed(): Graph {
    const g = stackedLstm({ x: 1, h: 3, y: 1, layers: 1 });
    g.nodes.push(
      { id: 'h2', kind: 'cell', size: 2 } as GraphNode,
      { id: 'h2_new', kind: 'gate', size: 2, activation: 'tanh' } as GraphNode,
    );
    g.edges = g.edges.filter((e) => e.id !== 'l1_y');
    g.edges.push(
      { id: 'l1_h2', source: 'l1', target: 'h2_new' },
      { id: 'h2_h2', source: 'h2', target: 'h2_new' },
      { id: 'h2_w', source: 'h2_new', target: 'h2' },
      { id: 'h2_y', source: 'h2_new', target: 'y' },
    );
    return g;
  }

  it('validates, matches finite differences, and trains with diagnostics of the outer cell', () => {
    const g = mixed();
    expect(validateLayered(g)).toEqual([]);
    const p = compileLayered(g);
    const batch = randomBatch(p, 6, 2, 3);
    expect(fdWorst(p, randomParams(p, 8), batch)).toBeLessThan(1e-6);
    const t = createTrainer({ ...g, task: { name: 'sine', length: 10 }, training: { batch: 4, steps: 5, seed: 2, diagnosticsEvery: 1 } });
    t.step(5);
    const d = t.diagnose();
    expect(d.cells.map((c) => c.node)).toEqual(['h2']);
    // The step Jacobian of h2 is probed with the layer's real output as its input, not zeros.
    expect(d.jacobian).not.toBeNull();
    expect(Number.isFinite(d.jacobian!.radius)).toBe(true);
    const s = sessionFor(p, { T: 6, B: 2 });
    const theta = randomParams(p, 8);
    s.forward(theta, batch);
    s.backward(theta);
    const real = new Diagnoser(stepProgram(p)).measure(s, theta, 0).jacobian!.radius;
    const zeros = new Diagnoser(p).measure(s, theta, 0).jacobian!.radius; // the layer's input read as zeros
    expect(Math.abs(real - zeros)).toBeGreaterThan(1e-6);
    expect(t.history.filter((r) => Number.isFinite(r.loss))).toHaveLength(5);
  });
});
