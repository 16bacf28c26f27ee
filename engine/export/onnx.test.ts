/**
 * ONNX export checked with a real runtime: onnxruntime-web's wasm build in
 * node (offline), against the engine, on every example, at a T other than the
 * example data's, in the fused and the Scan form, with default and given
 * initial states.
 */
import { blockCell } from '../blocks/example.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runGraph } from '../grad.ts';
import { runOrt } from '../../test/onnx-runtime.ts';
import { layerModel } from '../layers/compile.ts';
import { compileAny } from '../layers/index.ts';
import { hostileLayered, outerCellOnLayers, zoneoutBiGru } from '../../test/torch/layered-graphs.ts';
import type { DataFile, Graph, TensorJSON } from '../format/types.ts';
import { importOnnx } from '../import/onnx.ts';
import { dataFromSource, outputFromValues, valuesInOriginalOrder } from '../import/tensors.ts';
import { ImportError } from '../import/types.ts';
import { exportOnnx } from './onnx.ts';
import { exportTorch } from './torch.ts';
import { stackedLstm } from '../layers/templates.ts';

/** onnxruntime (float32) against the engine (float64), relative: |ort − engine| / (1 + |engine|). Measured worst on the examples: docs/import-export.md (checked below). */
const TOL32 = 1e-6;
const EXAMPLES = join(import.meta.dirname, '../../assets/examples');
const MODELS = join(import.meta.dirname, '../../test/fixtures/models');

// Each case starts a runtime session: generous on a loaded machine (these are not timing tests).
vi.setConfig({ testTimeout: 60_000 });

function rng(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 * 2 - 1; };
}

/** Every cell with its reported id: outer cells, then each layer copy's (`l1/h`, `bi/reverse/h`). */
function cellsOf(graph: Graph): { id: string; size: number }[] {
  const outer = graph.nodes.filter((n) => n.kind === 'cell').map((n) => ({ id: n.id, size: n.size as number }));
  const model = layerModel(compileAny(graph));
  const nested = (model?.layers ?? []).flatMap((l) => l.copies.flatMap((c) => c.program.cells.map((i) => ({ id: c.prefix + c.program.nodes[i].id, size: c.program.nodes[i].size }))));
  return [...outer, ...nested];
}

/** Runs the export in onnxruntime and the graph in the engine on the same random data; returns the worst relative difference. */
async function compare(graph: Graph, opts: { T: number; B: number; initial: boolean; noFused?: boolean; seed?: number; outputs?: string[] }): Promise<{ worst: number; form: string; outputs: string[]; ops: string[] }> {
  const e = exportOnnx(graph, { noFused: opts.noFused, initialStates: opts.initial, ...(opts.outputs ? { outputs: opts.outputs } : {}) });
  const r = rng(opts.seed ?? 5);
  const data: DataFile = { inputs: {}, targets: {}, initialStates: {} };
  const feeds: Record<string, TensorJSON> = {};
  for (const n of graph.nodes) {
    if (n.kind === 'input' || n.kind === 'target') {
      const t = { shape: [opts.T, opts.B, n.size as number], data: Array.from({ length: opts.T * opts.B * (n.size as number) }, r) };
      if (n.kind === 'input') { data.inputs[n.id] = t; feeds[n.id] = t; } else data.targets![n.id] = t;
    }
  }
  for (const c of opts.initial ? cellsOf(graph) : []) {
    // Within (−0.5, 0.5): inside the basin of quadratic-map's sink, so no example diverges.
    const t = { shape: [opts.B, c.size], data: Array.from({ length: opts.B * c.size }, () => r() / 2) };
    data.initialStates![c.id] = t;
    feeds[`${c.id}.initial`] = t;
  }
  // The runtime computes in float32: give the engine the same float32-rounded numbers.
  for (const t of [...Object.values(feeds), ...Object.values(data.targets!)]) t.data = Array.from(Float32Array.from(t.data));
  const got = await runOrt(e.bytes, feeds);
  const values = valuesInOriginalOrder(graph, runGraph(graph, data, { dtype: 'float64' }).values);
  let worst = 0;
  for (const id of e.outputs) {
    expect(got[id].shape).toEqual(values[id].shape);
    got[id].data.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - values[id].data[i]) / (1 + Math.abs(values[id].data[i]))); });
  }
  return { worst, form: e.form, outputs: e.outputs, ops: e.ops };
}

const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json') && !f.endsWith('.data.json'));
const load = (f: string): Graph => JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as Graph;
const fileT = (f: string): number => (Object.values((JSON.parse(readFileSync(join(EXAMPLES, f.replace(/\.json$/, '.data.json')), 'utf8')) as DataFile).inputs)[0]).shape[0];

describe('ONNX export runs in onnxruntime and matches the engine', () => {
  it.each(examples)('%s (fused where it is a standard layer, Scan otherwise), at T = file T + 3, default and given initial states', async (f) => {
    const g = load(f);
    const T = fileT(f) + 3;
    for (const initial of [false, true]) {
      const r = await compare(g, { T, B: 3, initial });
      expect(r.worst, `${f} (${r.form}, initial ${initial})`).toBeLessThan(TOL32);
    }
  });
  it.each(examples)('%s in the Scan form', async (f) => {
    const r = await compare(load(f), { T: fileT(f) + 3, B: 2, initial: true, noFused: true });
    expect(r.form).toBe('scan');
    expect(r.worst).toBeLessThan(TOL32);
  });
  it('the LSTM, GRU and Elman templates are written as the fused op, the others as a Scan', () => {
    const forms = Object.fromEntries(examples.map((f) => [f, exportOnnx(load(f)).form]));
    expect(forms['lstm.json']).toBe('fused');
    expect(forms['gru.json']).toBe('fused');
    expect(forms['elman.json']).toBe('fused');
    expect(forms['peephole-lstm.json']).toBe('fused');
    expect(forms['lstmp.json']).toBe('scan');
    // Layers (docs/layers.md): one fused node per layer, directions stacked.
    expect(forms['lstm-2-layer.json']).toBe('fused');
    expect(exportOnnx(load('lstm-2-layer.json')).ops).toEqual(['LSTM', 'LSTM']);
    expect(forms['gru-bidirectional.json']).toBe('fused');
    expect(exportOnnx(load('gru-bidirectional.json')).ops).toEqual(['GRU']);
  });
});

describe('the number the README and docs/import-export.md quote', () => {
  it('"worst relative difference" is the worst over every example, fused and Scan, with given initial states (rounded up to 2 digits)', async () => {
    let worst = 0;
    for (const f of examples) for (const noFused of [false, true]) worst = Math.max(worst, (await compare(load(f), { T: fileT(f) + 3, B: 3, initial: true, noFused })).worst);
    for (const doc of ['README.md', 'docs/import-export.md']) {
      const text = readFileSync(join(import.meta.dirname, '../..', doc), 'utf8').replace(/\s+/g, ' ');
      const quoted = Number(/worst relative difference ([0-9.]+e-[0-9]+)/.exec(text)?.[1]);
      expect(quoted, doc).toBeGreaterThanOrEqual(worst);
      expect(quoted, doc).toBeLessThan(worst * 1.1);
    }
  });
});

describe('export → import → export', () => {
  const imported = ['torch_lstm_2layers', 'torch_gru_classifier', 'lstm_default', 'lstm_peepholes', 'lstm_input_forget', 'lstm_reverse', 'lstm_initial_const', 'gru_lbr0', 'gru_lbr1', 'gru_activations', 'rnn_tanh', 'rnn_relu_f64', 'lstm_activations',
    // bidirectional and stacked bidirectional: layers (docs/layers.md)
    'torch_lstm_bidirectional', 'torch_lstm_bi_2layers', 'torch_gru_bi_batch_first', 'torch_rnn_bi_2layers_relu', 'lstm_bidirectional'];
  it.each(imported)('%s: the second export is byte for byte the first, and it matches the engine in onnxruntime', async (name) => {
    const g1 = importOnnx(new Uint8Array(readFileSync(join(MODELS, `${name}.onnx`)))).graph;
    const e1 = exportOnnx(g1);
    expect(e1.form).toBe('fused');
    const g2 = importOnnx(e1.bytes).graph;
    const e2 = exportOnnx(g2);
    expect(Buffer.from(e2.bytes).equals(Buffer.from(e1.bytes))).toBe(true);
    const r = await compare(g1, { T: 9, B: 2, initial: true });
    expect(r.worst).toBeLessThan(2e-5);
  });
});

describe('layers that are not one standard cell', () => {
  it.each([['a bidirectional GRU with zoneout', zoneoutBiGru()], ['a reverse second layer read by an outer cell', outerCellOnLayers()]] as const)('%s: a Scan per layer copy (and for the outer cell), with default and given initial states', async (_name, g) => {
    for (const initial of [false, true]) {
      const r = await compare(g, { T: 7, B: 3, initial });
      expect(r.worst).toBeLessThan(TOL32);
      expect(r.ops.length).toBeGreaterThan(0);
    }
    expect(exportOnnx(zoneoutBiGru()).ops).toEqual(['Scan', 'Scan']);
    // The standard first layer is fused; the reverse second too; the outer cell is a Scan.
    const o = exportOnnx(outerCellOnLayers());
    expect([o.ops, o.form]).toEqual([['LSTM', 'LSTM', 'Scan'], 'scan']);
  });
});

describe('hostile ids in a layered graph', () => {
  it('ids with quotes, line breaks and __proto__, outer and nested, are names: the export runs in onnxruntime and matches the engine', async () => {
    const { graph } = hostileLayered(stackedLstm({ x: 2, h: 3, y: 1, bidirectional: true }), { inputs: {} }, { nul: false });
    for (const noFused of [false, true]) {
      const r = await compare(graph, { T: 5, B: 2, initial: true, noFused });
      expect(r.worst).toBeLessThan(TOL32);
    }
  });
  it('an id holding NUL (a runtime cuts tensor names there) is refused naming the layer and node', () => {
    const { graph } = hostileLayered(stackedLstm({ x: 2, h: 3, y: 1, bidirectional: true }), { inputs: {} });
    expect(() => exportOnnx(graph)).toThrow(/cannot export to ONNX: the id "nul\\u0000" holds a NUL character.*\(layer ".*", node "nul\\u0000"\)/);
  });
});

describe('export → import → export of layered graphs', () => {
  it.each(['lstm-2-layer', 'gru-bidirectional'])('%s: the import of the export exports byte for byte the same again, and computes the template\'s numbers', async (name) => {
    const g = load(`${name}.json`);
    const e1 = exportOnnx(g);
    const r2 = importOnnx(e1.bytes);
    const e2 = exportOnnx(r2.graph);
    expect(e2.ops).toEqual(e1.ops);
    const e3 = exportOnnx(importOnnx(e2.bytes).graph);
    expect(Buffer.from(e3.bytes).equals(Buffer.from(e2.bytes))).toBe(true);
    // Both models give the readout y of the template (the import keeps the head's name).
    const x = { shape: [6, 2, 1], data: Array.from({ length: 12 }, rng(3)) };
    const [o1, o2] = [await runOrt(e1.bytes, { x }), await runOrt(e2.bytes, { x })];
    expect(r2.outputs.y).toEqual([{ node: 'y', step: 'all' }]);
    expect(o2.y.data).toEqual(o1.y.data);
  });
});

describe('--initial-states: the exported <cell>.initial inputs import back as initial states', () => {
  it.each(['lstm', 'gru', 'elman', 'peephole-lstm', 'lstm-2-layer', 'gru-bidirectional'])('%s: the import maps every .initial input to its cell and computes what onnxruntime computes; export → import → export is stable', async (name) => {
    const f = `${name}.json`;
    const e1 = exportOnnx(load(f), { initialStates: true });
    const r = importOnnx(e1.bytes);
    const states = e1.inputs.filter((n) => n.endsWith('.initial'));
    expect(states.length).toBeGreaterThan(0);
    for (const name of states) expect(r.inputs[name]).toEqual([expect.objectContaining({ as: 'initialState' })]);
    const next = rng(11);
    const feeds: Record<string, TensorJSON> = {};
    const x = load(f).nodes.find((n) => n.kind === 'input')!;
    feeds[x.id] = { shape: [6, 2, x.size as number], data: Array.from({ length: 12 * (x.size as number) }, next) };
    for (const name of states) {
      const size = cellsOf(load(f)).find((c) => `${c.id}.initial` === name)!.size;
      feeds[name] = { shape: [2, size], data: Array.from({ length: 2 * size }, () => next() / 2) };
    }
    for (const t of Object.values(feeds)) t.data = Array.from(Float32Array.from(t.data));
    const got = await runOrt(e1.bytes, feeds);
    const values = valuesInOriginalOrder(r.graph, runGraph(r.graph, dataFromSource(r, feeds), { dtype: 'float64' }).values);
    for (const out of e1.outputs) {
      const want = got[out];
      const mine = outputFromValues(r, out, want.shape, values);
      const worst = mine.data.reduce((m, v, i) => Math.max(m, Math.abs(v - want.data[i]) / (1 + Math.abs(want.data[i]))), 0);
      expect(worst, out).toBeLessThan(TOL32);
    }
    const e2 = exportOnnx(r.graph, { initialStates: true });
    const e3 = exportOnnx(importOnnx(e2.bytes).graph, { initialStates: true });
    expect(Buffer.from(e3.bytes).equals(Buffer.from(e2.bytes))).toBe(true);
  });
});

describe('imported models and every primitive export too', () => {
  const fixtures = readdirSync(MODELS).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5));
  const importable = fixtures.filter((n) => { try { return importOnnx(new Uint8Array(readFileSync(join(MODELS, `${n}.onnx`)))).graph !== undefined; } catch { return false; } });
  it('most fixtures import', () => expect(importable.length).toBeGreaterThan(25));
  it.each(importable)('%s', async (name) => {
    const g = importOnnx(new Uint8Array(readFileSync(join(MODELS, `${name}.onnx`)))).graph;
    const r = await compare(g, { T: 8, B: 2, initial: true });
    expect(r.worst).toBeLessThan(2e-5);
  });
  it('a graph of the registry\'s ops and activations (sub, div, concat, slice, scale, softmax, layer_norm, exp, log, square, neg, dropout, zoneout, tied edges)', async () => {
    const gate = (id: string, size: number, activation: string, extra: Record<string, unknown> = {}) => ({ id, kind: 'gate', size, activation, ...extra });
    const op = (id: string, o: string, extra: Record<string, unknown> = {}) => ({ id, kind: 'op', op: o, ...extra });
    const e = (source: string, target: string, extra: Record<string, unknown> = {}) => ({ id: `${source}_${target}`, source, target, ...extra });
    const acts = ['identity', 'sigmoid', 'tanh', 'relu', 'step', 'softplus', 'leaky_relu', 'elu', 'gelu', 'silu', 'hard_sigmoid', 'hard_tanh', 'sin', 'exp'];
    const graph = {
      format: 'cellwright-graph', version: 1, name: 'primitives',
      nodes: [
        { id: 'x', kind: 'input', size: 3 }, { id: 'h', kind: 'cell', size: 3, zoneout: 0.25 }, { id: 'y_t', kind: 'target', size: 3 },
        ...acts.map((a) => gate(`a_${a}`, 3, a)),
        op('sum', 'add'), op('d', 'sub'), op('q', 'div'), op('cat', 'concat'), op('sl', 'slice', { start: 1, size: 3 }),
        op('sc', 'scale', { factor: 0.5 }), op('sm', 'softmax'), op('ln', 'layer_norm'), op('ex', 'exp'), op('lg', 'log'),
        op('sq', 'square'), op('ng', 'neg'), op('dr', 'dropout', { p: 0.3 }), gate('pos', 3, 'softplus'), gate('new', 3, 'tanh'),
        { id: 'loss', kind: 'loss', loss: 'mse' },
      ],
      edges: [
        ...acts.flatMap((a) => [e('x', `a_${a}`), e('h', `a_${a}`, { weight: 'diagonal' })]),
        ...acts.map((a) => e(`a_${a}`, 'sum')),
        e('a_tanh', 'd', { slot: 0 }), e('a_sigmoid', 'd', { slot: 1 }),
        e('x', 'pos'), e('pos', 'q', { slot: 1 }), e('d', 'q', { slot: 0 }),
        e('q', 'cat', { slot: 1 }), e('sum', 'cat', { slot: 0 }), e('cat', 'sl'), e('sl', 'sc'), e('sc', 'sm'), e('sm', 'ln'),
        e('ln', 'ex'), e('pos', 'lg'), e('ex', 'sq'), e('sq', 'ng'), e('ng', 'dr'),
        e('dr', 'new'), e('lg', 'new'), e('x', 'new', { id: 'w1' }), { id: 'w2', source: 'x', target: 'a_relu', tie: 'w1' },
        e('new', 'h'), e('new', 'loss', { port: 'prediction' }), e('y_t', 'loss', { port: 'target' }),
      ],
    } as unknown as Graph;
    graph.edges = graph.edges.filter((x) => x.id !== 'x_a_relu');
    const r = await compare(graph, { T: 6, B: 2, initial: true });
    expect(r.form).toBe('scan');
    expect(r.worst).toBeLessThan(2e-5);
  });
});

describe('blocks (docs/blocks.md)', () => {
  it.each([false, true])('a cell using a block twice (tied: %s) is written expanded and matches the engine', async (tied) => {
    const r = await compare(blockCell({ x: 2, h: 3, y: 2, tied }), { T: 6, B: 2, initial: true });
    expect(r.form).toBe('scan');
    expect(r.worst).toBeLessThan(2e-5);
  });
});

describe('export refusals and choices', () => {
  it('nested nodes of layers can be chosen as outputs (that layer is then a Scan); an input or an unknown id is refused', async () => {
    const g = load('lstm-2-layer.json');
    const r = await compare(g, { T: 7, B: 2, initial: false, outputs: ['y', 'l1/c', 'l2/h'] });
    expect(r.ops).toEqual(['Scan', 'Scan']);
    expect(r.worst).toBeLessThan(TOL32);
    const bi = await compare(load('gru-bidirectional.json'), { T: 7, B: 2, initial: true, outputs: ['bi/reverse/h', 'bi/h', 'y'] });
    expect(bi.ops).toEqual(['Scan', 'Scan']);
    expect(bi.worst).toBeLessThan(TOL32);
    expect(() => exportOnnx(g, { outputs: ['x'] })).toThrow(/"x" is an input of the model/);
    expect(() => exportOnnx(g, { outputs: ['l3/h'] })).toThrow(/"l3\/h", which is neither a node of the graph nor a nested node/);
  });
  it('a layer fed by an input that says "reverse": true is refused by both exports, naming the layer and the input', () => {
    const g = stackedLstm({ x: 1, h: 2, y: 1 });
    g.nodes = g.nodes.map((n) => (n.id === 'x' ? { ...n, reverse: true } : n));
    expect(() => exportOnnx(g)).toThrow(/layer "l1" reads input "x", which says "reverse": true/);
    expect(() => exportTorch(g)).toThrow(/input "x" says "reverse": true and feeds a layer.*"direction": "reverse"/);
  });
  it('--outputs chooses the outputs; asking for the LSTM memory cell gives the Scan form', async () => {
    const g = load('lstm.json');
    expect(exportOnnx(g, { outputs: ['h'] }).form).toBe('fused');
    const r = exportOnnx(g, { outputs: ['c', 'y'] });
    expect(r.form).toBe('scan');
    expect(r.outputs).toEqual(['c', 'y']);
  });
  it('an unknown or loss node in --outputs is refused by name', () => {
    expect(() => exportOnnx(load('lstm.json'), { outputs: ['nope'] })).toThrow(ImportError);
    expect(() => exportOnnx(load('lstm.json'), { outputs: ['nope'] })).toThrow(/"nope", which is not a node/);
    expect(() => exportOnnx(load('lstm.json'), { outputs: ['loss'] })).toThrow(/"loss" is a loss node/);
  });
});
