/**
 * Ids that JavaScript objects already answer to (`__proto__`, `constructor`,
 * `toString`, `hasOwnProperty`, `valueOf`) through every stage: they are
 * ordinary ids, reported under their own names, with the same numbers as the
 * same graph with plain ids.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../compile.ts';
import { Diagnoser } from '../diagnostics/index.ts';
import { exportTorch } from '../export/torch.ts';
import { createSession } from '../fast/index.ts';
import { gradReport, runGraph } from '../grad.ts';
import { batchFromData } from '../batch.ts';
import { createParams } from '../params.ts';
import { protoElman, PROTO_IDS } from '../testing/hostile.ts';
import { createTrainer } from '../train/trainer.ts';
import { validateData } from './data.ts';
import { loadGraphText, serializeGraph } from './parse.ts';
import type { DataFile, Graph } from './types.ts';
import { validateGraph } from './validate.ts';

/** The same graph with every id prefixed by `n_` (a plain id). */
function plain(graph: Graph, data: DataFile): { graph: Graph; data: DataFile } {
  const p = (id: string): string => `n_${id}`;
  const rename = (r: Record<string, unknown> | undefined): Record<string, never> =>
    Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [p(k), v])) as Record<string, never>;
  return {
    graph: {
      ...graph,
      nodes: graph.nodes.map((n) => ({ ...n, id: p(n.id) })),
      edges: graph.edges.map((e) => ({ ...e, id: p(e.id), source: p(e.source), target: p(e.target) })),
    },
    data: { inputs: rename(data.inputs), targets: rename(data.targets) },
  };
}

describe('ids named like Object.prototype members', () => {
  const { graph, data } = protoElman();
  const text = serializeGraph(graph);

  it('survive parse → save and validate with no problem', () => {
    expect(text).toContain('"id": "__proto__"');
    const loaded = loadGraphText(text);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.graph.nodes.map((n) => n.id)).toEqual(graph.nodes.map((n) => n.id));
    expect(validateGraph(loaded.graph)).toEqual([]);
    expect(serializeGraph(loaded.graph)).toBe(text);
  });

  it('a data file keyed by them fits, and one that lacks a stream says so (no inherited "constructor")', () => {
    const parsed = JSON.parse(JSON.stringify(data)) as DataFile;
    expect(Object.keys(parsed.inputs)).toEqual(['__proto__']);
    expect(validateData(graph, parsed)).toEqual([]);
    const missing = validateData(graph, { inputs: {}, targets: parsed.targets });
    expect(missing.map((p) => [p.code, p.node])).toEqual([['CW081', '__proto__']]);
    // a cell named "constructor" with no given state is not "given" by Object
    expect(batchFromData(parsed, 'float64').initialStates).toBeUndefined();
  });

  it('grad and run report every node and parameter under its id, with the numbers of plain ids', () => {
    const r = JSON.parse(JSON.stringify(gradReport(graph, data))) as ReturnType<typeof gradReport>;
    const ref = plain(graph, data);
    const want = gradReport(ref.graph, ref.data);
    expect(Object.keys(r.values).sort()).toEqual(graph.nodes.map((n) => n.id).sort());
    expect(Object.keys(r.gradients).sort()).toEqual(Object.keys(want.gradients).map((k) => k.replace(':n_', ':')).sort());
    expect(Object.keys(r.gradNorms).sort()).toEqual([...PROTO_IDS].filter((id) => id !== 'valueOf').sort());
    expect(r.loss).toBe(want.loss);
    for (const id of PROTO_IDS) expect(r.values[id].data).toEqual(want.values[`n_${id}`].data);
    expect(r.gradients['edge:__proto__'].data).toEqual(want.gradients['edge:n___proto__'].data);
    expect(r.gradients['init:constructor'].data).toEqual(want.gradients['init:n_constructor'].data);
    const run = JSON.parse(JSON.stringify(runGraph(graph, data))) as ReturnType<typeof runGraph>;
    expect(Object.keys(run.values)).toContain('__proto__');
    expect(run.losses).toEqual({ isPrototypeOf: want.loss });
  });

  it('the fast runtime, diagnostics and training run on them', () => {
    const program = compile(graph);
    const batch = batchFromData(data, 'float64');
    const theta = createParams(program.layout, undefined, { seed: 1, dtype: 'float64' });
    const fast = createSession(program, { T: batch.T, B: batch.B, dtype: 'float64' });
    expect(fast.forward(theta, batch)).toBeCloseTo(gradReport(graph, data, { seed: 1 }).loss, 12);
    fast.backward(theta);
    const diag = new Diagnoser(program).measure(fast, theta, 1);
    expect(diag.cells.map((c) => c.node)).toEqual(['constructor']);
    expect(Number.isFinite(diag.cells[0].jacobianRadius)).toBe(true);
    const trainer = createTrainer(graph, { data });
    trainer.step(3);
    expect(trainer.history.length).toBeGreaterThan(0);
    const snap = trainer.snapshot();
    expect(Object.keys(snap.gradNorms)).toEqual(['constructor']);
    expect(snap.sample === null || Object.keys(snap.sample.nodes).includes('__proto__')).toBe(true);
  });

  it('export to PyTorch names them safely and keeps them as data', () => {
    const { files, parameterNames, nodeNames } = exportTorch(graph);
    expect(Object.keys(nodeNames)).toContain('__proto__');
    expect(Object.keys(parameterNames)).toContain('edge:__proto__');
    for (const name of [...Object.values(nodeNames), ...Object.values(parameterNames)]) expect(name).toMatch(/^(?!__)[A-Za-z_][A-Za-z0-9_]*$/);
    expect(JSON.parse(files['params.json'])).toHaveProperty(['edge:__proto__']);
    expect(Object.keys(JSON.parse(files['graph.json']).nodes.map((n: { id: string }) => n.id))).toHaveLength(6);
  });
});
