/**
 * Blocks (docs/blocks.md) against PyTorch: the PyTorch export of a cell that
 * uses a block twice — with separate weights, with tied weights, and through
 * a nested block — gives the engine's loss, every gradient (for a tied block
 * one parameter whose gradient autograd sums over both uses), every value and
 * gradient norm, to 1e-9 in float64 (test/torch/check_export.py).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAny } from '../engine/blocks/any.ts';
import { blockCell, myGateBlock } from '../engine/blocks/example.ts';
import type { BlockDef } from '../engine/blocks/types.ts';
import { exportTorch } from '../engine/export/torch.ts';
import type { DataFile, Graph } from '../engine/format/types.ts';
import { gradReport } from '../engine/grad.ts';
import { randomBatch } from '../engine/testing/build.ts';
import { describeRun, hasTorch, mustRun, runPython, TORCH_HINT } from './torch/python.ts';

const CHECK = resolve(import.meta.dirname, 'torch/check_export.py');
const TOL = 1e-9;

interface Result {
  error?: string;
  loss: { torch: number; engine: number; err: number };
  gradients: Record<string, number>;
  values: Record<string, number>;
  gradNorms: Record<string, number>;
  missing: string[];
  extra: string[];
}

function dataFor(graph: Graph, T: number, B: number, seed: number): DataFile {
  const p = compileAny(graph);
  const b = randomBatch(p, T, B, seed);
  const t = (a: ArrayLike<number>, n: number) => ({ shape: [T, B, n], data: Array.from(a) });
  return {
    inputs: Object.fromEntries(p.inputs.map((i) => [p.nodes[i].id, t(b.inputs[p.nodes[i].id], p.nodes[i].size)])),
    targets: Object.fromEntries(p.targets.map((i) => [p.nodes[i].id, t(b.targets[p.nodes[i].id], p.nodes[i].size)])),
  };
}

/** The cell whose f instance is a block "pair" of two "my gate"s, the second tied to the first. */
function nested(): Graph {
  const g = blockCell({ x: 2, h: 3, y: 1 });
  (g.blocks as Record<string, BlockDef>).pair = {
    nodes: [
      { id: 'x', kind: 'input', size: 2 }, { id: 'h', kind: 'input', size: 3 },
      { id: 'a', kind: 'block', block: 'my gate' } as never, { id: 'b', kind: 'block', block: 'my gate', tie: 'a' } as never,
      { id: 'ab', kind: 'op', op: 'mul' },
    ],
    edges: [
      { id: 'xa', source: 'x', target: 'a', port: 'x' as never }, { id: 'ha', source: 'h', target: 'a', port: 'h' as never },
      { id: 'xb', source: 'x', target: 'b', port: 'x' as never }, { id: 'hb', source: 'h', target: 'b', port: 'h' as never },
      { id: 'a_ab', source: 'a', target: 'ab' }, { id: 'b_ab', source: 'b', target: 'ab' },
    ],
    outputs: ['ab'],
  };
  (g.blocks as Record<string, BlockDef>)['my gate'] = myGateBlock(2, 3);
  (g.nodes.find((n) => n.id === 'f') as Record<string, unknown>).block = 'pair';
  return g;
}

const available = hasTorch();
const run = available || mustRun();
if (!run) {
  console.warn(`skipping the blocks PyTorch checks: ${TORCH_HINT}`);
  it.skip(`blocks against PyTorch: ${TORCH_HINT}`, () => {});
}

describe.runIf(run)('blocks: the PyTorch export equals the engine (float64)', () => {
  const cases: { name: string; graph: Graph; seed: number }[] = [
    { name: 'block used twice', graph: blockCell({ x: 2, h: 3, y: 2 }), seed: 2 },
    { name: 'block used twice, tied', graph: blockCell({ x: 2, h: 3, y: 2, tied: true }), seed: 3 },
    { name: 'nested block with a tie inside', graph: nested(), seed: 4 },
  ];
  let dir = '';
  let results: Record<string, Result> = {};
  const data = new Map<string, DataFile>();

  beforeAll(() => {
    if (!available) throw new Error(`${TORCH_HINT} (CI=true: this test must run, not skip)`);
    dir = mkdtempSync(join(tmpdir(), 'cw-torch-blocks-'));
    const list = cases.map((c) => {
      const folder = join(dir, c.name.replace(/\W+/g, '_'));
      mkdirSync(folder);
      const d = dataFor(c.graph, 7, 3, c.seed);
      data.set(c.name, d);
      for (const [name, text] of Object.entries(exportTorch(c.graph, { seed: c.seed, dtype: 'float64' }).files)) writeFileSync(join(folder, name), text);
      writeFileSync(join(folder, 'data.json'), JSON.stringify(d));
      writeFileSync(join(folder, 'report.json'), JSON.stringify(gradReport(c.graph, d, { seed: c.seed, dtype: 'float64' })));
      return { name: c.name, dir: folder, data: join(folder, 'data.json'), report: join(folder, 'report.json') };
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases: list }));
    const r = runPython([CHECK, join(dir, 'cases.json')]);
    if (r.status !== 0) throw new Error(`check_export.py failed: ${describeRun(r)}`);
    results = JSON.parse(r.stdout) as Record<string, Result>;
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(cases.map((c) => [c.name]))('%s: loss, every gradient, value and gradient norm', (name) => {
    const r = results[name];
    expect(r, `no result for ${name}`).toBeDefined();
    expect(r.error, r.error).toBeUndefined();
    expect(r.missing).toEqual([]);
    expect(r.extra).toEqual([]);
    expect(r.loss.err, `loss: torch ${r.loss.torch}, engine ${r.loss.engine}`).toBeLessThanOrEqual(TOL);
    const c = cases.find((x) => x.name === name)!;
    const report = gradReport(c.graph, data.get(name)!, { seed: c.seed });
    expect(Object.keys(r.gradients).sort()).toEqual(Object.keys(report.gradients).sort());
    for (const [k, e] of Object.entries(r.gradients)) expect(e, `gradient ${k}`).toBeLessThanOrEqual(TOL);
    for (const [k, e] of Object.entries(r.values)) expect(e, `values ${k}`).toBeLessThanOrEqual(TOL);
    for (const [k, e] of Object.entries(r.gradNorms)) expect(e, `gradNorms ${k}`).toBeLessThanOrEqual(TOL);
    // Inner nodes were compared under their instance ids.
    expect(Object.keys(r.values)).toEqual(expect.arrayContaining(name.startsWith('nested') ? ['f/a/g', 'f/b/g', 'i/g'] : ['f/g', 'i/g']));
    if (name.includes('tied')) expect(Object.keys(r.gradients).some((k) => k.includes(':i/'))).toBe(false);
  });
});
