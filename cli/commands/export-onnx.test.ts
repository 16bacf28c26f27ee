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
