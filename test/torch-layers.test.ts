/**
 * Graphs with layers against PyTorch (docs/layers.md): the 2-layer LSTM and the
 * bidirectional GRU templates (and a 2-layer bidirectional LSTM) give the loss,
 * every gradient, the last layer's output sequence and every final state of
 * torch.nn.LSTM(num_layers=2) / nn.GRU(bidirectional=True) holding the same
 * weights, to 1e-9 relative in float64 — also with given initial states of
 * the nested cells (their gradients too).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataFile, Graph } from '../engine/format/types.ts';
import { gradReport } from '../engine/grad.ts';
import { compileAny } from '../engine/layers/index.ts';
import { bidirectionalGru, stackedLstm } from '../engine/layers/templates.ts';
import { createParams, exportParams } from '../engine/params.ts';
import { dataFor } from './torch/layered-graphs.ts';
import { describeRun, hasTorch, mustRun, runPython, TORCH_HINT } from './torch/python.ts';

const SCRIPT = join(resolve(import.meta.dirname, '..'), 'test/torch/crosscheck_layers.py');
const TOL = 1e-9;
const SLOW = 300_000;

interface Result {
  error?: string;
  loss: { torch: number; engine: number; err: number };
  gradients: Record<string, number>;
  values: Record<string, number>;
  unmapped: string[];
}

interface Case { name: string; graph: Graph; data: DataFile }

function cases(): Case[] {
  const lstm2 = stackedLstm({ x: 3, h: 4, y: 2 });
  const bigru = bidirectionalGru({ x: 3, h: 4, y: 2 });
  const bilstm2 = stackedLstm({ x: 2, h: 3, y: 1, bidirectional: true });
  return [
    { name: '2-layer LSTM', graph: lstm2, data: dataFor(lstm2, 6, 3, 1, false) },
    { name: '2-layer LSTM with given initial states', graph: lstm2, data: dataFor(lstm2, 6, 3, 2, true) },
    { name: 'bidirectional GRU', graph: bigru, data: dataFor(bigru, 7, 2, 3, false) },
    { name: 'bidirectional GRU with given initial states', graph: bigru, data: dataFor(bigru, 7, 2, 4, true) },
    { name: '2-layer bidirectional LSTM with given initial states', graph: bilstm2, data: dataFor(bilstm2, 5, 2, 5, true) },
  ];
}

const available = hasTorch();

if (!available && !mustRun()) {
  console.warn(`skipping the layers cross-check: ${TORCH_HINT}`);
  it.skip(`PyTorch layers cross-check: ${TORCH_HINT}`, () => {});
}

describe.runIf(available || mustRun())('layers = torch.nn.LSTM(num_layers=2) / nn.GRU(bidirectional=True) with the same weights (float64)', () => {
  const all = cases();
  let dir = '';
  let results: Record<string, Result> = {};

  beforeAll(() => {
    if (!available) throw new Error(`${TORCH_HINT} (CI=true: this test must run, not skip)`);
    dir = mkdtempSync(join(tmpdir(), 'cw-torch-layers-'));
    const list = all.map((c, i) => {
      const program = compileAny(c.graph);
      const params = exportParams(program.layout, createParams(program.layout, c.graph.parameters, { seed: 0, dtype: 'float64' }));
      const f = (what: string): string => join(dir, `${i}.${what}.json`);
      writeFileSync(f('graph'), JSON.stringify(c.graph));
      writeFileSync(f('params'), JSON.stringify(params));
      writeFileSync(f('data'), JSON.stringify(c.data));
      writeFileSync(f('report'), JSON.stringify(gradReport(c.graph, c.data, { dtype: 'float64', seed: 0 })));
      return { name: c.name, graph: f('graph'), params: f('params'), data: f('data'), report: f('report') };
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases: list }));
    const r = runPython([SCRIPT, join(dir, 'cases.json')]);
    if (r.status !== 0) throw new Error(`crosscheck_layers.py failed: ${describeRun(r)}`);
    results = JSON.parse(r.stdout) as Record<string, Result>;
  }, SLOW);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(all.map((c) => [c.name]))('%s: same loss, every gradient, outputs and final states', (name) => {
    const r = results[name];
    const c = all.find((x) => x.name === name)!;
    expect(r, `no result for ${name}`).toBeDefined();
    expect(r.error, r.error).toBeUndefined();
    expect(r.unmapped, 'every parameter of the graph has a torch counterpart').toEqual([]);
    expect(r.loss.err, `loss: torch ${r.loss.torch}, engine ${r.loss.engine}`).toBeLessThanOrEqual(TOL);
    const expected = Object.keys(gradReport(c.graph, c.data).gradients);
    expect(Object.keys(r.gradients).sort()).toEqual(expected.sort());
    if (c.data.initialStates) expect(expected.filter((k) => k.startsWith('state:')).length).toBe(Object.keys(c.data.initialStates).length);
    // outputs, readout, and h_n (and c_n) of every layer and direction
    expect(Object.keys(r.values).length).toBeGreaterThanOrEqual(4);
    for (const [k, e] of Object.entries(r.gradients)) expect(e, `gradient ${k}`).toBeLessThanOrEqual(TOL);
    for (const [k, e] of Object.entries(r.values)) expect(e, `values ${k}`).toBeLessThanOrEqual(TOL);
  });
});
