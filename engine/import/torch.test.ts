import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGraph } from '../grad.ts';
import type { TensorJSON } from '../format/types.ts';
import { validateAny as validateGraph } from '../layers/index.ts';
import type { Arch } from './torch.ts';
import { importStateDict, readStateDict } from './torch.ts';
import { dataFromSource, outputFromValues } from './tensors.ts';
import { ImportError } from './types.ts';

const DIR = join(import.meta.dirname, '../../test/fixtures/models');
interface Fixture { dtype: 'float32' | 'float64'; note: string; inputs: Record<string, TensorJSON>; outputs: Record<string, TensorJSON> }

function load(file: string, arch?: Arch) {
  return importStateDict(readStateDict(new Uint8Array(readFileSync(join(DIR, file))), file), file, arch ? { arch } : {});
}

function check(file: string): void {
  const name = file.replace(/\.(pt|safetensors)$/, '');
  const f = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Fixture;
  const r = load(file, (f.note || undefined) as Arch | undefined);
  expect(validateGraph(r.graph).filter((p) => p.severity === 'error')).toEqual([]);
  const run = runGraph(r.graph, dataFromSource(r, f.inputs), { dtype: 'float64' });
  const tol = f.dtype === 'float64' ? 1e-9 : 1e-6;
  for (const [out, want] of Object.entries(f.outputs)) {
    const got = outputFromValues(r, out, want.shape, run.values);
    const diff = Math.max(...got.data.map((v, i) => Math.abs(v - want.data[i])));
    expect(diff, `${file}: ${out}`).toBeLessThan(tol);
  }
}

describe('PyTorch state_dict import matches nn.LSTM / nn.GRU / nn.RNN', () => {
  it.each([
    'sd_lstm_2layers_head.pt', 'sd_lstm_proj.pt', 'sd_lstm_no_bias_f64.pt', 'sd_gru_safetensors.safetensors',
    'sd_gru_f64_safetensors.safetensors', 'sd_rnn_relu.pt', 'sd_rnn_tanh_2layers.pt',
    'sd_lstm_bidirectional.pt', 'sd_gru_bi_2layers_head.pt', 'sd_lstm_bi_proj_f64.pt',
  ])('%s', (file) => check(file));

  it('names the mapping as PyTorch does: input, h0, c0, output, h_n, c_n and heads by module name', () => {
    const r = load('sd_lstm_2layers_head.pt');
    expect(r.inputs).toEqual({
      input: [{ node: 'x', as: 'input' }],
      h0: [{ node: 'h_l0', as: 'initialState' }, { node: 'h_l1', as: 'initialState' }],
      c0: [{ node: 'c_l0', as: 'initialState' }, { node: 'c_l1', as: 'initialState' }],
    });
    expect(Object.keys(r.outputs)).toEqual(['output', 'h_n', 'c_n', 'head']);
    expect(r.outputs.head).toEqual([{ node: 'head', step: 'all' }]);
  });

  it('puts PyTorch\'s forget block (rows H..2H of i, f, g, o) on the forget gate', () => {
    const sd = readStateDict(new Uint8Array(readFileSync(join(DIR, 'sd_lstm_proj.pt'))), 'x.pt');
    const r = importStateDict(sd, 'x.pt');
    const W = sd.get('rnn.weight_ih_l0')!;
    expect(r.graph.parameters!['edge:x_f'].data).toEqual(Array.from(W.data.subarray(4 * 3, 8 * 3)));
    expect(r.graph.parameters!['edge:x_o'].data).toEqual(Array.from(W.data.subarray(12 * 3, 16 * 3)));
  });
});

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    return (e as ImportError).message;
  }
  throw new Error('expected a refusal');
}

describe('refusals name what and where', () => {
  it('an nn.RNN needs --arch (tanh or relu is not in the state_dict)', () => {
    expect(refusal(() => load('sd_rnn_relu.pt'))).toMatch(/pass --arch rnn_tanh or --arch rnn_relu/);
  });
  it('--arch that does not fit the weights', () => {
    expect(refusal(() => load('sd_rnn_relu.pt', 'lstm'))).toMatch(/--arch lstm expects 4·hidden rows in rnn\.weight_ih_l0/);
  });
  it('bidirectional layers become layer nodes; h_n lists layer × direction in PyTorch\'s order', () => {
    const r = load('sd_gru_bi_2layers_head.pt');
    expect(r.graph.nodes.filter((n) => n.kind === ('layer' as string)).map((n) => n.id)).toEqual(['l1', 'l2']);
    expect(r.outputs.h_n.map((e) => e.node)).toEqual(['l1/h', 'l1/reverse/h', 'l2/h', 'l2/reverse/h']);
    expect(r.outputs.output).toEqual([{ node: 'l2', step: 'all' }]);
    expect(Object.keys(r.graph.parameters!)).toContain('layer:l1/reverse/edge:x_z');
  });
  it('a pickle calling os.system is refused by name, and nothing runs', () => {
    const msg = refusal(() => load('hostile_os_system.pt'));
    expect(msg).toMatch(/refused global os\.system in archive\/data\.pkl at byte \d+/);
  });
  it('truncated, random and lying files get an error, not a crash or hang', () => {
    const pt = new Uint8Array(readFileSync(join(DIR, 'sd_lstm_proj.pt')));
    const st = new Uint8Array(readFileSync(join(DIR, 'sd_gru_safetensors.safetensors')));
    expect(refusal(() => readStateDict(pt.subarray(0, pt.length >> 1), 'half.pt'))).toMatch(/half\.pt: cannot read the model/);
    expect(refusal(() => readStateDict(st.subarray(0, st.length - 9), 'cut.safetensors'))).toMatch(/should take|outside/);
    // A header whose shape claims 10^10 values.
    const n = Number(new DataView(st.buffer, st.byteOffset, 8).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(st.subarray(8, 8 + n))) as Record<string, { shape: number[] }>;
    header['rnn.weight_ih_l0'].shape = [100000, 100000];
    const h = new TextEncoder().encode(JSON.stringify(header));
    const lie = new Uint8Array(8 + h.length + st.length - 8 - n);
    new DataView(lie.buffer).setBigUint64(0, BigInt(h.length), true);
    lie.set(h, 8);
    lie.set(st.subarray(8 + n), 8 + h.length);
    expect(refusal(() => readStateDict(lie, 'lie.safetensors'))).toMatch(/lie\.safetensors: .*tensor "rnn\.weight_ih_l0" declares shape \[100000, 100000\]/);
    let seed = 7;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
    for (let k = 0; k < 50; k++) {
      const junk = Uint8Array.from({ length: 64 + (rnd() % 500) }, () => rnd() & 255);
      if (k % 2 === 0) { junk[0] = 0x50; junk[1] = 0x4b; }
      expect(refusal(() => readStateDict(junk, 'junk.pt'))).toMatch(/junk\.pt/);
    }
  });
});
