/**
 * The engine against PyTorch's own layers (issue 2): the LSTM, GRU, Elman and
 * IRNN examples give the loss and gradients of torch.nn.LSTM / nn.GRU / nn.RNN
 * holding the same weights, to 1e-9 relative in float64 — on the example data,
 * and again with given initial states (their gradients too).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../engine/compile.ts';
import type { DataFile, Graph } from '../engine/format/types.ts';
import { gradReport } from '../engine/grad.ts';
import { createParams, exportParams } from '../engine/params.ts';
import { describeRun, hasTorch, mustRun, runPython, TORCH_HINT } from './torch/python.ts';

const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLES = join(ROOT, 'assets/examples');
const SCRIPT = join(ROOT, 'test/torch/crosscheck_nn.py');
const TOL = 1e-9;
const SLOW = 300_000;

type Kind = 'lstm' | 'gru' | 'elman' | 'irnn';

interface Result {
  error?: string;
  loss: { torch: number; engine: number; err: number };
  gradients: Record<string, number>;
  values: Record<string, number>;
  unmapped: string[];
}

interface Case { name: string; kind: Kind; graph: Graph; data: DataFile }

/** Deterministic initial states in [−0.9, 0.9) for every cell of the graph. */
function withStates(graph: Graph, data: DataFile): DataFile {
  const B = Object.values(data.inputs)[0].shape[1];
  let s = 12345;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Number(((s / 2 ** 32) * 1.8 - 0.9).toFixed(4));
  };
  const initialStates: DataFile['initialStates'] = {};
  for (const n of graph.nodes) {
    if (n.kind !== 'cell') continue;
    const size = (n as { size: number }).size;
    initialStates[n.id] = { shape: [B, size], data: Array.from({ length: B * size }, next) };
  }
  return { ...data, initialStates };
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const kind of ['lstm', 'gru', 'elman', 'irnn'] as const) {
    const graph = JSON.parse(readFileSync(join(EXAMPLES, `${kind}.json`), 'utf8')) as Graph;
    const data = JSON.parse(readFileSync(join(EXAMPLES, `${kind}.data.json`), 'utf8')) as DataFile;
    out.push({ name: kind, kind, graph, data });
    out.push({ name: `${kind} with given initial states`, kind, graph, data: withStates(graph, data) });
  }
  return out;
}

const available = hasTorch();

if (!available && !mustRun()) {
  console.warn(`skipping the cross-check: ${TORCH_HINT}`);
  it.skip(`PyTorch cross-check: ${TORCH_HINT}`, () => {});
}

describe.runIf(available || mustRun())('engine = torch.nn.LSTM / nn.GRU / nn.RNN with the same weights (float64)', () => {
  const all = cases();
  let dir = '';
  let results: Record<string, Result> = {};

  beforeAll(() => {
    if (!available) throw new Error(`${TORCH_HINT} (CI=true: this test must run, not skip)`);
    dir = mkdtempSync(join(tmpdir(), 'cw-torch-nn-'));
    const list = all.map((c, i) => {
      const program = compile(c.graph);
      const params = exportParams(program.layout, createParams(program.layout, c.graph.parameters, { seed: 0, dtype: 'float64' }));
      const f = (what: string): string => join(dir, `${i}.${what}.json`);
      writeFileSync(f('graph'), JSON.stringify(c.graph));
      writeFileSync(f('params'), JSON.stringify(params));
      writeFileSync(f('data'), JSON.stringify(c.data));
      writeFileSync(f('report'), JSON.stringify(gradReport(c.graph, c.data, { dtype: 'float64', seed: 0 })));
      return { name: c.name, kind: c.kind, graph: f('graph'), params: f('params'), data: f('data'), report: f('report') };
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases: list }));
    const r = runPython([SCRIPT, join(dir, 'cases.json')]);
    if (r.status !== 0) throw new Error(`crosscheck_nn.py failed: ${describeRun(r)}`);
    results = JSON.parse(r.stdout) as Record<string, Result>;
  }, SLOW);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(all.map((c) => [c.name]))('%s: same loss and every gradient', (name) => {
    const r = results[name];
    const c = all.find((x) => x.name === name)!;
    expect(r, `no result for ${name}`).toBeDefined();
    expect(r.error, r.error).toBeUndefined();
    expect(r.unmapped, 'every parameter of the graph has a torch counterpart').toEqual([]);
    expect(r.loss.err, `loss: torch ${r.loss.torch}, engine ${r.loss.engine}`).toBeLessThanOrEqual(TOL);
    const expected = Object.keys(gradReport(c.graph, c.data).gradients);
    expect(Object.keys(r.gradients).sort()).toEqual(expected.sort());
    if (c.data.initialStates) expect(expected.filter((k) => k.startsWith('state:')).length).toBeGreaterThan(0);
    for (const [k, e] of Object.entries(r.gradients)) expect(e, `gradient ${k}`).toBeLessThanOrEqual(TOL);
    for (const [k, e] of Object.entries(r.values)) expect(e, `values ${k}`).toBeLessThanOrEqual(TOL);
  });
});
