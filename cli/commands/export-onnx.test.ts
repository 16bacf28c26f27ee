import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../engine/import/onnx-proto.ts';
import { runCli } from '../testing.ts';

const ex = (f: string): string => join(import.meta.dirname, '../../assets/examples', f);
const tmp = mkdtempSync(join(tmpdir(), 'cw-onnx-'));

describe('cellwright export onnx', () => {
  it('writes the LSTM template as one fused LSTM node with symbolic T and B, and it imports back', async () => {
    const out = join(tmp, 'lstm.onnx');
    const r = await runCli('export', 'onnx', ex('lstm.json'), '-o', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('one fused LSTM node');
    const m = decodeModel(new Uint8Array(readFileSync(out)));
    expect(m.graph.nodes.map((n) => n.opType)).toContain('LSTM');
    const size = (JSON.parse(readFileSync(ex('lstm.json'), 'utf8')) as { nodes: { id: string; size?: number }[] }).nodes.find((n) => n.id === 'x')!.size;
    expect(m.graph.inputs).toEqual([{ name: 'x', elemType: 1, shape: [{ param: 'T' }, { param: 'B' }, { value: size }] }]);
    expect(m.graph.outputs.map((o) => o.name)).toEqual(['y', 'h']);
    const back = await runCli('import', out, '-o', join(tmp, 'lstm.back.json'), '--json');
    expect(back.code).toBe(0);
    expect(JSON.parse(back.out).outputs.h).toEqual([{ node: 'h', step: 'all' }]);
  });

  it('--outputs and --initial-states: a Scan with the chosen outputs and <cellId>.initial inputs', async () => {
    const out = join(tmp, 'lstm-scan.onnx');
    const r = await runCli('export', 'onnx', ex('lstm.json'), '-o', out, '--outputs', 'c,y', '--initial-states');
    expect(r.code).toBe(0);
    expect(r.out).toContain('a Scan over the step');
    const m = decodeModel(new Uint8Array(readFileSync(out)));
    expect(m.graph.inputs.map((i) => i.name)).toEqual(['x', 'h.initial', 'c.initial']);
    expect(m.graph.outputs.map((o) => o.name)).toEqual(['c', 'y']);
  });

  it('a graph with layers: one fused node per layer, nested initial states as inputs, and the import maps them back', async () => {
    const out = join(tmp, 'lstm2.onnx');
    const r = await runCli('export', 'onnx', ex('lstm-2-layer.json'), '-o', out, '--initial-states');
    expect(r.err).toBe('');
    expect(r.out).toContain('fused LSTM → LSTM nodes, one per layer');
    const m = decodeModel(new Uint8Array(readFileSync(out)));
    expect(m.graph.nodes.filter((n) => n.opType === 'LSTM')).toHaveLength(2);
    expect(m.graph.inputs.map((i) => i.name)).toEqual(['x', 'l1/h.initial', 'l1/c.initial', 'l2/h.initial', 'l2/c.initial']);
    const back = await runCli('import', out, '-o', join(tmp, 'lstm2.back.json'), '--json');
    expect(back.code).toBe(0);
    expect(JSON.parse(back.out).inputs['l2/c.initial']).toEqual([{ node: 'c_l1', as: 'initialState' }]);
    const bi = await runCli('export', 'onnx', ex('gru-bidirectional.json'), '-o', join(tmp, 'bi.onnx'), '--outputs', 'y,bi/reverse/h');
    expect(bi.out).toContain('Scan: a node per layer');
  });

  it('an unknown output is refused with its name, exit 1; an existing file needs --force', async () => {
    const r = await runCli('export', 'onnx', ex('gru.json'), '-o', join(tmp, 'g.onnx'), '--outputs', 'nope');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/CW220.*"nope", which is not a node of the graph/);
    expect((await runCli('export', 'onnx', ex('gru.json'), '-o', join(tmp, 'g.onnx'))).code).toBe(0);
    const again = await runCli('export', 'onnx', ex('gru.json'), '-o', join(tmp, 'g.onnx'));
    expect(again.code).toBe(1);
    expect(again.err).toContain('--force');
  });
});
