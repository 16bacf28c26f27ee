/**
 * ONNX export checked with a real runtime: onnxruntime-web's wasm build in
 * node (offline), against the engine, on every example, at a T other than the
 * example data's, in the fused and the Scan form, with default and given
 * initial states.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { runGraph } from '../grad.ts';
import type { DataFile, Graph, TensorJSON } from '../format/types.ts';
import { importOnnx } from '../import/onnx.ts';
import { valuesInOriginalOrder } from '../import/tensors.ts';
import { ImportError } from '../import/types.ts';
import { exportOnnx } from './onnx.ts';

const EXAMPLES = join(import.meta.dirname, '../../assets/examples');
const MODELS = join(import.meta.dirname, '../../test/fixtures/models');

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
});

function rng(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 * 2 - 1; };
}

async function runOrt(bytes: Uint8Array, feeds: Record<string, TensorJSON>): Promise<Record<string, TensorJSON>> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const f: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', Float32Array.from(v.data), v.shape);
  const r = await session.run(f);
  await session.release();
  const out: Record<string, TensorJSON> = {};
  for (const [k, v] of Object.entries(r)) out[k] = { shape: [...v.dims], data: Array.from(v.data as Float32Array) };
  return out;
}

/** Runs the export in onnxruntime and the graph in the engine on the same random data; returns the worst relative difference. */
async function compare(graph: Graph, opts: { T: number; B: number; initial: boolean; noFused?: boolean; seed?: number }): Promise<{ worst: number; form: string; outputs: string[] }> {
  const e = exportOnnx(graph, { noFused: opts.noFused, initialStates: opts.initial });
  const r = rng(opts.seed ?? 5);
  const data: DataFile = { inputs: {}, targets: {}, initialStates: {} };
  const feeds: Record<string, TensorJSON> = {};
  for (const n of graph.nodes) {
    if (n.kind === 'input' || n.kind === 'target') {
      const t = { shape: [opts.T, opts.B, n.size as number], data: Array.from({ length: opts.T * opts.B * (n.size as number) }, r) };
      if (n.kind === 'input') { data.inputs[n.id] = t; feeds[n.id] = t; } else data.targets![n.id] = t;
    }
    if (n.kind === 'cell' && opts.initial) {
      // Within (−0.5, 0.5): inside the basin of quadratic-map's sink, so no example diverges.
      const t = { shape: [opts.B, n.size as number], data: Array.from({ length: opts.B * (n.size as number) }, () => r() / 2) };
      data.initialStates![n.id] = t;
      feeds[`${n.id}.initial`] = t;
    }
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
  return { worst, form: e.form, outputs: e.outputs };
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
      expect(r.worst, `${f} (${r.form}, initial ${initial})`).toBeLessThan(2e-5);
    }
  });
  it.each(examples)('%s in the Scan form', async (f) => {
    const r = await compare(load(f), { T: fileT(f) + 3, B: 2, initial: true, noFused: true });
    expect(r.form).toBe('scan');
    expect(r.worst).toBeLessThan(2e-5);
  });
  it('the LSTM, GRU and Elman templates are written as the fused op, the others as a Scan', () => {
    const forms = Object.fromEntries(examples.map((f) => [f, exportOnnx(load(f)).form]));
    expect(forms['lstm.json']).toBe('fused');
    expect(forms['gru.json']).toBe('fused');
    expect(forms['elman.json']).toBe('fused');
    expect(forms['peephole-lstm.json']).toBe('fused');
    expect(forms['lstmp.json']).toBe('scan');
  });
});

describe('export → import → export', () => {
  const imported = ['lstm_default', 'lstm_peepholes', 'lstm_input_forget', 'lstm_reverse', 'lstm_initial_const', 'gru_lbr0', 'gru_lbr1', 'gru_activations', 'rnn_tanh', 'rnn_relu_f64', 'lstm_activations'];
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

describe('export refusals and choices', () => {
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
