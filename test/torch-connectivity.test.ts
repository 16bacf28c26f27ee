/**
 * Connectivity through time and the loss by step (issue 17) against PyTorch
 * autograd: torch.autograd.functional.jacobian of an independent float64
 * unroll of each graph gives the full Jacobian (cross-batch terms included);
 * its Frobenius norms per (t, s) equal the engine's to 1e-9 relative, on the
 * LSTM, GRU and Elman examples and a custom cell (two cells, one with
 * zoneout, sub with slots, diagonal and scalar edges), with given initial
 * states and with random ones.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchFromData } from '../engine/batch.ts';
import { compile } from '../engine/compile.ts';
import { connectivity, lossByStep, parsePair } from '../engine/diagnostics/connectivity.ts';
import type { DataFile, Graph } from '../engine/format/types.ts';
import { createParams, exportParams } from '../engine/params.ts';
import { describeRun, hasTorch, mustRun, runPython, TORCH_HINT } from './torch/python.ts';
import { customCell, customData } from './torch/connectivity-graphs.ts';

const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLES = join(ROOT, 'assets/examples');
const SCRIPT = join(ROOT, 'test/torch/connectivity.py');
const TOL = 1e-9;
const SLOW = 300_000;

interface Case { name: string; graph: Graph; data: DataFile; pairs: string[] }
interface Result { error?: string; connectivity: Record<string, number>; lossByStep: Record<string, number>; crossBatch: number }

function example(kind: string): { graph: Graph; data: DataFile } {
  return {
    graph: JSON.parse(readFileSync(join(EXAMPLES, `${kind}.json`), 'utf8')) as Graph,
    data: JSON.parse(readFileSync(join(EXAMPLES, `${kind}.data.json`), 'utf8')) as DataFile,
  };
}

/** At most T steps and B sequences of a data file (the Jacobians are [T·B·n]²). */
function cut(data: DataFile, T: number, B: number): DataFile {
  const slice = (t: { shape: number[]; data: number[] }): { shape: number[]; data: number[] } => {
    const [T0, B0, n] = t.shape;
    const out: number[] = [];
    for (let s = 0; s < Math.min(T, T0); s++) for (let b = 0; b < Math.min(B, B0); b++) out.push(...t.data.slice((s * B0 + b) * n, (s * B0 + b + 1) * n));
    return { shape: [Math.min(T, T0), Math.min(B, B0), n], data: out };
  };
  const map = (r: Record<string, { shape: number[]; data: number[] }> | undefined): Record<string, { shape: number[]; data: number[] }> =>
    Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, slice(v)]));
  return { ...data, inputs: map(data.inputs), targets: map(data.targets) };
}

function withStates(graph: Graph, data: DataFile): DataFile {
  const B = Object.values(data.inputs)[0].shape[1];
  let s = 777;
  const next = (): number => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s / 2 ** 32) * 1.6 - 0.8; };
  const initialStates: DataFile['initialStates'] = {};
  for (const n of graph.nodes) if (n.kind === 'cell') initialStates[n.id] = { shape: [B, (n as { size: number }).size], data: Array.from({ length: B * (n as { size: number }).size }, next) };
  return { ...data, initialStates };
}

function cases(): Case[] {
  const lstm = example('lstm');
  const gru = example('gru');
  const elman = example('elman');
  return [
    { name: 'lstm', ...lstm, data: cut(lstm.data, 6, 3), pairs: ['y:x', 'h:h', 'c:h', 'm:c', 'loss:x', 'f:c'] },
    { name: 'lstm with initial states', graph: lstm.graph, data: withStates(lstm.graph, cut(lstm.data, 5, 2)), pairs: ['h:c', 'y:h'] },
    { name: 'gru', ...gru, data: cut(gru.data, 6, 3), pairs: ['y:h', 'h:x', 'h:h', 'loss:h'] },
    { name: 'elman', ...elman, data: cut(elman.data, 7, 3), pairs: ['h:h', 'y:x', 'h_new:h'] },
    { name: 'custom cell', graph: customCell(), data: customData(6, 3), pairs: ['y:h', 'a:h', 'h:a', 'y:x', 'loss:a', 'a:a'] },
  ];
}

const available = hasTorch();

if (!available && !mustRun()) {
  console.warn(`skipping the connectivity cross-check: ${TORCH_HINT}`);
  it.skip(`PyTorch connectivity cross-check: ${TORCH_HINT}`, () => {});
}

describe.runIf(available || mustRun())('connectivity and loss by step = torch.autograd.functional.jacobian (float64)', () => {
  const all = cases();
  let dir = '';
  let results: Record<string, Result> = {};

  beforeAll(() => {
    if (!available) throw new Error(`${TORCH_HINT} (CI=true: this test must run, not skip)`);
    dir = mkdtempSync(join(tmpdir(), 'cw-torch-conn-'));
    const list = all.map((c, i) => {
      const program = compile(c.graph);
      const theta = createParams(program.layout, c.graph.parameters, { seed: 3, dtype: 'float64' });
      const batch = batchFromData(c.data, 'float64');
      const pairs = c.pairs.map((s) => parsePair(program, s));
      const engine = { ...connectivity(program, theta, batch, pairs), ...lossByStep(program, theta, batch) };
      const f = (what: string): string => join(dir, `${i}.${what}.json`);
      writeFileSync(f('graph'), JSON.stringify(c.graph));
      writeFileSync(f('data'), JSON.stringify(c.data));
      return { name: c.name, graph: f('graph'), data: f('data'), params: exportParams(program.layout, theta), pairs: c.pairs, lossByStep: true, engine };
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases: list }));
    const r = runPython([SCRIPT, join(dir, 'cases.json')]);
    if (r.status !== 0) throw new Error(`connectivity.py failed: ${describeRun(r)}`);
    results = JSON.parse(r.stdout) as Record<string, Result>;
  }, SLOW);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(all.map((c) => [c.name]))('%s: every pair and every cell within 1e-9', (name) => {
    const r = results[name];
    const c = all.find((x) => x.name === name)!;
    expect(r, `no result for ${name}`).toBeDefined();
    expect(r.error, r.error).toBeUndefined();
    expect(Object.keys(r.connectivity).sort()).toEqual([...c.pairs].sort());
    for (const [k, e] of Object.entries(r.connectivity)) expect(e, `connectivity ${k}`).toBeLessThanOrEqual(TOL);
    const cells = c.graph.nodes.filter((n) => n.kind === 'cell').map((n) => n.id);
    expect(Object.keys(r.lossByStep).sort()).toEqual(cells.sort());
    for (const [k, e] of Object.entries(r.lossByStep)) expect(e, `lossByStep ${k}`).toBeLessThanOrEqual(TOL);
    expect(r.crossBatch, 'sequences of a batch never reach each other').toBe(0);
  });
});
