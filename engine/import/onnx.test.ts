import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGraph } from '../grad.ts';
import type { TensorJSON } from '../format/types.ts';
import { validateAny as validateGraph } from '../layers/index.ts';
import { importOnnx } from './onnx.ts';
import { decodeModel, DT, encodeModel } from './onnx-proto.ts';
import { dataFromSource, outputFromValues, valuesInOriginalOrder } from './tensors.ts';
import { ImportError } from './types.ts';
import { exportOnnx } from '../export/onnx.ts';
import { bidirectionalGru } from '../layers/templates.ts';

const DIR = join(import.meta.dirname, '../../test/fixtures/models');

interface Fixture { source: string; dtype: 'float32' | 'float64'; inputs: Record<string, TensorJSON>; outputs: Record<string, TensorJSON> }
const fixture = (name: string): Fixture => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Fixture;
const model = (name: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, `${name}.onnx`)));

function maxDiff(a: TensorJSON, b: TensorJSON): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** Imports a fixture, runs it on the source's inputs and compares every source output. */
function check(name: string): void {
  const f = fixture(name);
  const r = importOnnx(model(name), `${name}.onnx`);
  expect(validateGraph(r.graph).filter((p) => p.severity === 'error')).toEqual([]);
  const data = dataFromSource(r, f.inputs);
  // The reference computes in the file's precision; the engine in float64 on the same numbers.
  const run = runGraph(r.graph, data, { dtype: 'float64' });
  const values = valuesInOriginalOrder(r.graph, run.values);
  const tol = f.dtype === 'float64' ? 1e-9 : 1e-6;
  for (const [out, want] of Object.entries(f.outputs)) {
    expect(r.outputs[out], `${name}: output ${out} is mapped`).toBeDefined();
    expect(maxDiff(outputFromValues(r, out, want.shape, values), want), `${name}: ${out}`).toBeLessThan(tol);
  }
}

const SUPPORTED = [
  'torch_lstm_head', 'torch_gru_batch_first', 'torch_rnn_tanh', 'torch_rnn_relu_sigmoid_head', 'torch_lstm_2layers', 'torch_gru_classifier',
  'torch_gru_opset9', 'torch_lstm_opset7', 'torch_lstm_state_inputs', 'torch_gru_mixed_heads', 'torch_lstm_bidirectional', 'lstm_bidirectional',
  'torch_lstm_bi_2layers', 'torch_gru_bi_batch_first', 'torch_rnn_bi_2layers_relu',
  'lstm_default', 'lstm_f64', 'lstm_no_bias', 'lstm_peepholes', 'lstm_input_forget', 'lstm_reverse', 'lstm_layout1',
  'lstm_initial_inputs', 'lstm_initial_const', 'lstm_activations', 'gru_lbr0', 'gru_lbr1', 'gru_lbr0_f64',
  'gru_reverse_layout1', 'gru_activations', 'rnn_tanh', 'rnn_relu_f64', 'rnn_reverse',
  'lstm_clip', 'lstm_clip_peepholes_f64', 'gru_affine_clip', 'rnn_thresholded_clip', 'lstm_activations_alpha',
  'lstm_leaky_elu_softsign', 'gru_leaky_default_elu', 'rnn_scaledtanh', 'lstm_sequence_lens', 'gru_sequence_lens_input',
  // sequence_lens with reverse passes: each starts at its sequence's own last step (the fixtures agree with onnxruntime: onnx-reference.test.ts)
  'rnn_reverse_sequence_lens', 'gru_reverse_sequence_lens_input', 'lstm_bidirectional_sequence_lens', 'gru_bidirectional_sequence_lens_input',
  'rnn_bidirectional_sequence_lens', 'lstm_bidirectional_initial_inputs',
];

describe('ONNX import matches the source outputs', () => {
  it.each(SUPPORTED)('%s', (name) => check(name));

  it('every fixture in the folder is either checked here or refused by a test below', () => {
    const all = readdirSync(DIR).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5));
    expect(all.filter((n) => !SUPPORTED.includes(n) && !Object.keys(REFUSED).includes(n))).toEqual([]);
  });
});

const REFUSED: Record<string, RegExp> = {
  gru_bidirectional_mixed_activations: /"gru_node" \(GRU\): attribute activations = .*the two directions use activations that build different step graphs/,
};

describe('what cannot be expressed yet is refused naming the node, op and attribute', () => {
  it.each(Object.entries(REFUSED))('%s', (name, message) => {
    let err: unknown;
    try {
      importOnnx(model(name), `${name}.onnx`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).message).toMatch(message);
  });
});

describe('the imported graph', () => {
  it('names the gates and lands every ONNX number on its gate (LSTM i, o, f, c)', () => {
    const r = importOnnx(model('lstm_default'));
    const ids = r.graph.nodes.map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining(['x', 'h', 'c', 'i', 'f', 'g', 'o']));
    // Row 0 of W for the forget gate is ONNX's third block (i, o, f, c).
    const W = r.graph.parameters!['edge:x_f'];
    expect(W.shape).toEqual([4, 3]);
    expect(r.graph.nodes.every((n) => n.position !== undefined)).toBe(true);
    expect(r.outputs).toEqual({ Y: [{ node: 'h', step: 'all' }], Y_h: [{ node: 'h', step: 'final' }], Y_c: [{ node: 'c', step: 'final' }] });
    expect(r.inputs).toEqual({ X: [{ node: 'x', as: 'input' }] });
  });

  it('maps torch names: input, output, h_n and the head by module name', () => {
    const r = importOnnx(model('torch_lstm_head'));
    expect(r.inputs).toEqual({ input: [{ node: 'x', as: 'input' }] });
    expect(r.outputs.output).toEqual([{ node: 'head', step: 'all' }]);
    expect(r.outputs.h_n).toEqual([{ node: 'h', step: 'final' }]);
  });

  it('a batch_first model says its input axes', () => {
    const r = importOnnx(model('torch_gru_batch_first'));
    expect(r.inputs.input).toEqual([{ node: 'x', as: 'input', axes: 'BTF' }]);
  });

  it('h0 and c0 given as model inputs map to each layer\'s initial state, in layer order', () => {
    const r = importOnnx(model('torch_lstm_state_inputs'));
    expect(r.inputs).toEqual({
      input: [{ node: 'x', as: 'input', axes: 'BTF' }],
      h0: [{ node: 'h_l0', as: 'initialState' }, { node: 'h_l1', as: 'initialState' }],
      c0: [{ node: 'c_l0', as: 'initialState' }, { node: 'c_l1', as: 'initialState' }],
    });
  });

  it('initial_h and initial_c given as model inputs of a bidirectional node map to each direction\'s cell', () => {
    const r = importOnnx(model('lstm_bidirectional_initial_inputs'));
    expect(r.inputs.initial_h).toEqual([{ node: 'l1/h', as: 'initialState' }, { node: 'l1/reverse/h', as: 'initialState' }]);
    expect(r.inputs.initial_c).toEqual([{ node: 'l1/c', as: 'initialState' }, { node: 'l1/reverse/c', as: 'initialState' }]);
    // Given states change the outputs: the check against the source above feeds them.
    const f = fixture('lstm_bidirectional_initial_inputs');
    const zero = Object.fromEntries(Object.entries(f.inputs).map(([k, v]) => [k, k.startsWith('initial') ? { ...v, data: v.data.map(() => 0) } : v]));
    const run = (feeds: Record<string, TensorJSON>): number[] => outputFromValues(r, 'Y_h', f.outputs.Y_h.shape, runGraph(r.graph, dataFromSource(r, feeds)).values).data;
    expect(maxDiff({ shape: f.outputs.Y_h.shape, data: run(f.inputs) }, f.outputs.Y_h)).toBeLessThan(1e-6);
    expect(maxDiff({ shape: f.outputs.Y_h.shape, data: run(zero) }, f.outputs.Y_h)).toBeGreaterThan(1e-3);
  });

  it('stacked layers get one named set of gates each and list h_n per layer', () => {
    const r = importOnnx(model('torch_lstm_2layers'));
    expect(r.outputs.h_n.map((e) => e.node)).toEqual(['h_l0', 'h_l1']);
  });
});

describe('bad, truncated or hostile ONNX files get a clear error, never a crash or a hang', () => {
  const refusal = (bytes: Uint8Array, file = 'm.onnx'): string => {
    try {
      importOnnx(bytes, file);
    } catch (e) {
      expect(e).toBeInstanceOf(ImportError);
      return (e as ImportError).message;
    }
    throw new Error('expected a refusal');
  };
  it('every truncation of a real model is refused with the file name and a byte offset', () => {
    const full = model('torch_lstm_head');
    for (let cut = 0; cut < full.length; cut += Math.max(1, Math.floor(full.length / 97))) {
      expect(refusal(full.subarray(0, cut), 'cut.onnx')).toMatch(/^cut\.onnx: cannot read the model/);
    }
  });
  it('random bytes', () => {
    let seed = 3;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed >> 8; };
    for (let k = 0; k < 200; k++) {
      const junk = Uint8Array.from({ length: 1 + (rnd() % 400) }, () => rnd() & 255);
      expect(refusal(junk, 'junk.onnx')).toMatch(/junk\.onnx|ONNX node/);
    }
  });
  it('a tensor declaring huge dims is refused before anything is allocated', () => {
    // TensorProto{dims: [2^31, 2^31], data_type: FLOAT, name: "W"} inside GraphProto.initializer inside ModelProto.graph.
    const varint = (v: number): number[] => { const o: number[] = []; while (v >= 128) { o.push((v % 128) | 128); v = Math.floor(v / 128); } o.push(v); return o; };
    const len = (field: number, body: number[]): number[] => [field * 8 + 2, ...varint(body.length), ...body];
    const tensor = [8, ...varint(2 ** 31), 8, ...varint(2 ** 31), 16, 1, ...len(8, [87])];
    const bytes = Uint8Array.from(len(7, len(5, tensor)));
    expect(refusal(bytes, 'huge.onnx')).toMatch(/huge\.onnx: cannot read the model .*tensor "W" declares shape \[2147483648, 2147483648\]/);
  });
  it('an unsupported op is named with its node', () => {
    const m = decodeModel(model('torch_lstm_head'));
    const add = m.graph.nodes.find((n) => n.opType === 'Add')!;
    add.opType = 'LpNormalization';
    expect(refusal(encodeModel(m))).toBe(`ONNX node "${add.name}" (LpNormalization): operator LpNormalization is not supported`);
  });
  it('tensor names like __proto__ and constructor are just names', () => {
    const m = decodeModel(model('rnn_tanh'));
    const rename = (from: string, to: string): void => {
      for (const n of m.graph.nodes) { n.inputs = n.inputs.map((i) => (i === from ? to : i)); n.outputs = n.outputs.map((o) => (o === from ? to : o)); }
      for (const v of [...m.graph.inputs, ...m.graph.outputs]) if (v.name === from) v.name = to;
    };
    rename('X', '__proto__');
    rename('Y', 'constructor');
    m.graph.nodes[0].name = '__proto__';
    const r = importOnnx(encodeModel(m));
    expect(JSON.parse(JSON.stringify({ inputs: r.inputs, outputs: r.outputs }))).toEqual({
      inputs: { ['__proto__']: [{ node: 'x', as: 'input' }] },
      outputs: { constructor: [{ node: 'h', step: 'all' }], Y_h: [{ node: 'h', step: 'final' }] },
    });
    expect(Object.prototype).not.toHaveProperty('node');
  });
  it('every truncation of the sequence_lens and initial-state fixtures, and of a layered export with state inputs, is refused with a byte offset', () => {
    const exported = exportOnnx(bidirectionalGru({ x: 2, h: 3, y: 1 }), { initialStates: true }).bytes;
    for (const full of [model('lstm_bidirectional_sequence_lens'), model('lstm_bidirectional_initial_inputs'), exported]) {
      for (let cut = 0; cut < full.length; cut += Math.max(1, Math.floor(full.length / 89))) {
        expect(refusal(full.subarray(0, cut), 'cut.onnx')).toMatch(/^cut\.onnx: cannot read the model/);
      }
    }
  });
  it('initial states assembled from the wrong number of inputs, or along another axis, are refused by node and input', () => {
    const m = decodeModel(exportOnnx(bidirectionalGru({ x: 2, h: 3, y: 1 }), { initialStates: true }).bytes);
    const concat = m.graph.nodes.find((n) => n.opType === 'Concat' && n.inputs.length === 2 && n.inputs.every((i) => i.includes('.initial')))!;
    const three = structuredClone(m);
    three.graph.nodes.find((n) => n.name === concat.name)!.inputs.push(concat.inputs[0]);
    expect(refusal(encodeModel(three))).toMatch(/\(GRU\): input initial_h: is assembled from 3 model input\(s\), but direction bidirectional needs 2/);
    const axis1 = structuredClone(m);
    axis1.graph.nodes.find((n) => n.name === concat.name)!.attributes.set('axis', { type: 'int', i: 1 });
    expect(refusal(encodeModel(axis1))).toMatch(/\(Concat\): attribute axis = 1 is not supported: initial states are concatenated along the directions axis/);
  });
  it('a constant sequence_lens that is no list of lengths is refused', () => {
    const m = decodeModel(model('lstm_sequence_lens'));
    const lens = m.graph.initializers.find((t) => t.name === 'sequence_lens')!;
    lens.data = Float64Array.from([5, -2]);
    lens.dataType = DT.INT64; // the encoder writes int64, not the fixture's int32
    expect(refusal(encodeModel(m))).toMatch(/"lstm_node" \(LSTM\): input sequence_lens: a constant must be a list of lengths .*found shape \[2\]/);
  });
  it('an unknown attribute of a recurrent op is named', () => {
    const m = decodeModel(model('gru_lbr1'));
    m.graph.nodes[0].attributes.set('frobnicate', { type: 'int', i: 1 });
    expect(refusal(encodeModel(m))).toMatch(/"gru_node" \(GRU\): attribute frobnicate = 1 is not supported: GRU has no such attribute/);
  });
});
