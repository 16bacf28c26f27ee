import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TensorJSON } from '../../engine/format/types.ts';
import { outputFromValues } from '../../engine/import/tensors.ts';
import type { ImportResult } from '../../engine/import/types.ts';
import { runCli } from '../testing.ts';

const models = join(import.meta.dirname, '../../test/fixtures/models');
const tmp = mkdtempSync(join(tmpdir(), 'cw-import-'));

const cli = runCli;

describe('cellwright import', () => {
  it('--json prints the mapping from the source names to graph nodes, as the issue shows', async () => {
    const out = join(tmp, 'rnn.json');
    const r = await cli('import', join(models, 'rnn_reverse.onnx'), '-o', out, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      graph: out,
      inputs: { X: [{ node: 'x', as: 'input' }], initial_h: [{ node: 'h', as: 'initialState' }] },
      outputs: { Y: [{ node: 'h', step: 'all' }], Y_h: [{ node: 'h', step: 'final' }] },
    });
  });

  it('--tensors writes the source inputs as data; run --json then matches the source outputs, a reverse layer in the data\'s time order', async () => {
    const graphFile = join(tmp, 'lstm_rev.json');
    const tensors = join(tmp, 'lstm_rev.tensors.json');
    const fixture = JSON.parse(readFileSync(join(models, 'lstm_reverse.json'), 'utf8')) as { inputs: Record<string, TensorJSON>; outputs: Record<string, TensorJSON> };
    writeFileSync(tensors, JSON.stringify(fixture.inputs));
    const m = await cli('import', join(models, 'lstm_reverse.onnx'), '-o', graphFile, '--json', '--tensors', tensors);
    expect(m.err).toBe('');
    const mapping = JSON.parse(m.out) as Omit<ImportResult, 'graph'> & { data: string };
    expect(mapping.data).toBe(join(tmp, 'lstm_rev.data.json'));
    const r: ImportResult = { ...mapping, graph: JSON.parse(readFileSync(graphFile, 'utf8')) as ImportResult['graph'] };
    const run = await cli('run', graphFile, mapping.data, '--json');
    expect(run.err).toBe('');
    const values = (JSON.parse(run.out) as { values: Record<string, TensorJSON> }).values;
    for (const name of ['Y', 'Y_h', 'Y_c']) {
      const want = fixture.outputs[name];
      const got = outputFromValues(r, name, want.shape, values);
      expect(Math.max(...got.data.map((v, i) => Math.abs(v - want.data[i]))), name).toBeLessThan(1e-6);
    }
    // In the data's time order, the state at t = 1 is the last one the reverse pass wrote: Y_h.
    values.h.data.slice(0, 8).forEach((v, i) => expect(v).toBeCloseTo(fixture.outputs.Y_h.data[i], 6));
  });

  it('an imported model trains like any graph: cellwright train on its data lowers the loss', async () => {
    const graphFile = join(tmp, 'train-me.json');
    const tensors = join(tmp, 'train-me.tensors.json');
    writeFileSync(tensors, JSON.stringify((JSON.parse(readFileSync(join(models, 'torch_lstm_head.json'), 'utf8')) as { inputs: unknown }).inputs));
    expect((await cli('import', join(models, 'torch_lstm_head.onnx'), '-o', graphFile, '--tensors', tensors)).code).toBe(0);
    const data = join(tmp, 'train-me.data.json');
    const before = JSON.parse((await cli('run', graphFile, data, '--json')).out) as { loss: number };
    const trained = join(tmp, 'trained.json');
    const t = await cli('train', graphFile, '--data', data, '--steps', '30', '--optimizer', 'adam', '--lr', '0.01', '--out', trained, '--quiet');
    expect(t.err).toBe('');
    expect(t.code).toBe(0);
    const after = JSON.parse((await cli('run', trained, data, '--json')).out) as { loss: number };
    expect(after.loss).toBeLessThan(before.loss / 2);
  });

  it('--tensors that do not fit are refused by name', async () => {
    const bad = join(tmp, 'bad.tensors.json');
    writeFileSync(bad, JSON.stringify({ X: { shape: [2, 3], data: [1, 2] } }));
    const r = await cli('import', join(models, 'rnn_tanh.onnx'), '-o', join(tmp, 'bad.json'), '--tensors', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain('"X" must be {"shape": [..], "data": [..]} with as many numbers as the shape holds');
    writeFileSync(bad, JSON.stringify({ nope: { shape: [1], data: [1] } }));
    const r2 = await cli('import', join(models, 'rnn_tanh.onnx'), '-o', join(tmp, 'bad.json'), '--tensors', bad, '--force');
    expect(r2.err).toContain('the model has no input "nope" (its inputs: X)');
  });

  it('prints a readable mapping without --json, and a PyTorch file needs --arch for nn.RNN', async () => {
    const out = join(tmp, 'relu.json');
    const bad = await cli('import', join(models, 'sd_rnn_relu.pt'), '-o', out);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/CW211.*pass --arch rnn_tanh or --arch rnn_relu/);
    const ok = await cli('import', join(models, 'sd_rnn_relu.pt'), '-o', out, '--arch', 'rnn_relu');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('input h0 → initial state of h');
    expect(ok.out).toContain('output h_n → final value of h');
    expect((await cli('check', out)).code).toBe(0);
  });

  it('refusals exit 1 with the node, op and attribute, and no stack trace', async () => {
    const r = await cli('import', join(models, 'gru_bidirectional_mixed_activations.onnx'), '-o', join(tmp, 'bi.json'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/CW202 .*ONNX node "gru_node" \(GRU\): attribute activations = .*different step graphs/);
    expect(r.err).not.toMatch(/\n\s+at /);
    const evil = await cli('import', join(models, 'hostile_os_system.pt'), '-o', join(tmp, 'evil.json'));
    expect(evil.code).toBe(1);
    expect(evil.err).toMatch(/CW210 .*refused global os\.system/);
  });

  it('does not overwrite an existing file without --force', async () => {
    const out = join(tmp, 'twice.json');
    expect((await cli('import', join(models, 'gru_lbr1.onnx'), '-o', out)).code).toBe(0);
    const again = await cli('import', join(models, 'gru_lbr1.onnx'), '-o', out);
    expect(again.code).toBe(1);
    expect(again.err).toContain('pass --force');
    expect((await cli('import', join(models, 'gru_lbr1.onnx'), '-o', out, '--force')).code).toBe(0);
  });
});
