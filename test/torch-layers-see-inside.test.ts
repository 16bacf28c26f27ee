/**
 * Seeing inside layers (issue 17) against PyTorch autograd: the loss by step
 * of every nested cell and the explanation of a nested cell's gradient (its
 * total ‖∂L/∂h_s‖ and each loss step's share) equal, to 1e-9 relative in
 * float64, the Jacobian torch.autograd.functional.jacobian takes through
 * nn.LSTM(num_layers=2) / nn.GRU(bidirectional=True) holding the same weights
 * (test/torch/layers_see_inside.py unrolls the module's own parameters, and
 * checks that unroll against the module's forward). Cases: the 2-layer LSTM
 * and the bidirectional GRU templates (with given initial states, and with a
 * last-step loss so the reverse copy's time order matters), and the 2-layer
 * LSTM example with its BCE loss.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchFromData } from '../engine/batch.ts';
import { lossByStep } from '../engine/diagnostics/connectivity.ts';
import { explainGradient } from '../engine/diagnostics/gradient-paths.ts';
import type { DataFile, Graph } from '../engine/format/types.ts';
import { compileAny, nestedCells } from '../engine/layers/index.ts';
import { bidirectionalGru, stackedLstm } from '../engine/layers/templates.ts';
import { createParams, exportParams } from '../engine/params.ts';
import { dataFor } from './torch/layered-graphs.ts';
import { describeRun, hasTorch, mustRun, runPython, TORCH_HINT } from './torch/python.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SCRIPT = join(ROOT, 'test/torch/layers_see_inside.py');
const TOL = 1e-9;
const SLOW = 300_000;

interface Case { name: string; graph: Graph; data: DataFile; cells: string[] }
interface Result { error?: string; unroll: number; loss: number; lossByStep: Record<string, number>; explain: Record<string, number> }

function lastStepLoss(g: Graph): Graph {
  const out = structuredClone(g);
  for (const n of out.nodes) if (n.kind === 'loss') (n as { steps?: string }).steps = 'last';
  return out;
}

function cases(): Case[] {
  const lstm2 = stackedLstm({ x: 3, h: 4, y: 2 });
  const bigru = bidirectionalGru({ x: 3, h: 4, y: 2 });
  const example = JSON.parse(readFileSync(join(ROOT, 'assets/examples/lstm-2-layer.json'), 'utf8')) as Graph;
  const bigruLast = lastStepLoss(bigru);
  return [
    { name: '2-layer LSTM', graph: lstm2, data: dataFor(lstm2, 6, 3, 11, false), cells: ['l1/h', 'l1/c', 'l2/h', 'l2/c'] },
    { name: '2-layer LSTM with given initial states', graph: lstm2, data: dataFor(lstm2, 5, 2, 12, true), cells: ['l1/h', 'l1/c', 'l2/h', 'l2/c'] },
    { name: 'bidirectional GRU', graph: bigru, data: dataFor(bigru, 7, 3, 13, false), cells: ['bi/h', 'bi/reverse/h'] },
    { name: 'bidirectional GRU with given initial states, loss at the last step', graph: bigruLast, data: dataFor(bigruLast, 6, 2, 14, true), cells: ['bi/h', 'bi/reverse/h'] },
    { name: 'the 2-layer LSTM example (BCE)', graph: example, data: dataFor(example, 5, 2, 15, false), cells: ['l1/h', 'l1/c', 'l2/h', 'l2/c'] },
  ];
}

const available = hasTorch();

if (!available && !mustRun()) {
  console.warn(`skipping the layers see-inside cross-check: ${TORCH_HINT}`);
  it.skip(`PyTorch layers see-inside cross-check: ${TORCH_HINT}`, () => {});
}

describe.runIf(available || mustRun())('loss by step and gradient explanations through layers = torch autograd (float64)', () => {
  const all = cases();
  let dir = '';
  let results: Record<string, Result> = {};

  beforeAll(() => {
    if (!available) throw new Error(`${TORCH_HINT} (CI=true: this test must run, not skip)`);
    dir = mkdtempSync(join(tmpdir(), 'cw-torch-layers-inside-'));
    const list = all.map((c, i) => {
      const program = compileAny(c.graph);
      const theta = createParams(program.layout, c.graph.parameters, { seed: 5, dtype: 'float64' });
      const batch = batchFromData(c.data, 'float64');
      const T = batch.T;
      // Every nested cell at its first, a middle and its last step: all loss steps listed as sources.
      const explain = c.cells.flatMap((cell) => [0, Math.floor(T / 2), T - 1].map((s) => {
        const g = explainGradient(program, theta, batch, cell, s, { maxSources: T });
        return { cell, s, total: g.total, sources: g.sources.map((x) => [x.step, x.norm]), count: g.sourceCount };
      }));
      const f = (what: string): string => join(dir, `${i}.${what}.json`);
      writeFileSync(f('graph'), JSON.stringify(c.graph));
      writeFileSync(f('params'), JSON.stringify(exportParams(program.layout, theta)));
      writeFileSync(f('data'), JSON.stringify(c.data));
      return { name: c.name, graph: f('graph'), params: f('params'), data: f('data'), engine: { lossByStep: lossByStep(program, theta, batch).lossByStep, explain } };
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases: list }));
    const r = runPython([SCRIPT, join(dir, 'cases.json')]);
    if (r.status !== 0) throw new Error(`layers_see_inside.py failed: ${describeRun(r)}`);
    results = JSON.parse(r.stdout) as Record<string, Result>;
  }, SLOW);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(all.map((c) => [c.name]))('%s: every nested cell\'s loss by step and gradient explanations within 1e-9', (name) => {
    const r = results[name];
    const c = all.find((x) => x.name === name)!;
    expect(r, `no result for ${name}`).toBeDefined();
    expect(r.error, r.error).toBeUndefined();
    // The torch unroll is the torch module (same output), and the per-step losses add up to its loss.
    expect(r.unroll).toBeLessThanOrEqual(1e-12);
    expect(r.loss).toBeLessThanOrEqual(1e-12);
    const program = compileAny(c.graph);
    expect(nestedCells(program).map((i) => program.nodes[i].id).sort()).toEqual([...c.cells].sort());
    expect(Object.keys(r.lossByStep).sort()).toEqual([...c.cells].sort());
    for (const [k, e] of Object.entries(r.lossByStep)) expect(e, `lossByStep ${k}`).toBeLessThanOrEqual(TOL);
    expect(Object.keys(r.explain).length).toBe(3 * c.cells.length);
    for (const [k, e] of Object.entries(r.explain)) expect(e, `explain ${k}`).toBeLessThanOrEqual(TOL);
  });
});
