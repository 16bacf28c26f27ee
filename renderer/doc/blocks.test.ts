/**
 * Group as block and the other block edits: grouping a trained cell's gates
 * changes nothing the engine computes (same loss, the same gradients under
 * the moved keys); refusals say why; placing, tying and the stored library.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileAny, inferSizesAny, validateAny } from '../../engine/layers/index.ts';
import type { DataFile, Graph } from '../../engine/format/types.ts';
import { gradReport } from '../../engine/grad.ts';
import { sanitizeLibrary } from '../store/blockLibrary.ts';
import { renameNode } from './ops.ts';
import { blockNameRefusal, definitionOf, groupAsBlock, placeBlock, renameBlock, setBlockTie, tieOwners, ungroupBlock } from './blocks.ts';

const root = path.resolve(import.meta.dirname, '../..');
const lstm = (): Graph => JSON.parse(readFileSync(path.join(root, 'assets/examples/lstm.json'), 'utf8')) as Graph;
const lstmData = (): DataFile => JSON.parse(readFileSync(path.join(root, 'assets/examples/lstm.data.json'), 'utf8')) as DataFile;

function group(g: Graph, ids: string[], name: string): Graph {
  const r = groupAsBlock(g, ids, name, inferSizesAny(g));
  if (!r.ok) throw new Error(r.reason);
  return r.graph;
}

describe('groupAsBlock', () => {
  it('grouping the LSTM\'s forget gate, or its whole cell update, leaves loss and gradients as they were', () => {
    const g = lstm();
    const data = lstmData();
    const before = gradReport(g, data);
    for (const ids of [['f'], ['f', 'i', 'g', 'fc', 'ig', 'c_new']]) {
      const after = group(g, ids, 'part');
      expect(validateAny(after).filter((p) => p.severity === 'error')).toEqual([]);
      const r = gradReport(after, data);
      expect(r.loss).toBeCloseTo(before.loss, 12);
      expect(r.gradients['edge:part/h_f'].data).toEqual(before.gradients['edge:h_f'].data.map((v) => expect.closeTo(v, 12)));
      expect(r.values['part/f'].data).toEqual(before.values.f.data.map((v) => expect.closeTo(v, 12)));
    }
  });

  it('makes input ports of what feeds the selection and outputs of what is read outside', () => {
    const g = group(lstm(), ['f', 'i', 'g', 'fc', 'ig', 'c_new'], 'cell update');
    const def = definitionOf(g, 'cell update')!;
    expect(def.nodes.filter((n) => n.kind === 'input').map((n) => [n.id, (n as { size: number }).size])).toEqual([['x', 1], ['h', 8], ['c', 8]]);
    expect(def.outputs).toEqual(['c_new']);
    const inst = g.nodes.find((n) => n.id === 'cell_update')!;
    expect(inst).toMatchObject({ kind: 'block', block: 'cell update' });
    expect(g.edges.filter((e) => e.target === 'cell_update').map((e) => [e.source, e.port])).toEqual([['x', 'x'], ['h', 'h'], ['c', 'c']]);
    expect(g.edges.filter((e) => e.source === 'cell_update').map((e) => [e.target, e.sourcePort])).toEqual([['c', 'c_new'], ['tc', 'c_new']]);
    expect(Object.keys(g.parameters ?? {})).toContain('bias:cell_update/g');
    expect(Object.keys(g.parameters ?? {})).not.toContain('bias:g');
  });

  it('refuses what cannot be grouped, saying why', () => {
    const g = lstm();
    const sizes = inferSizesAny(g);
    const why = (ids: string[], name = 'b', graph = g) => {
      const r = groupAsBlock(graph, ids, name, sizes);
      return r.ok ? '' : r.reason;
    };
    expect(why(['x', 'f'])).toMatch(/input "x" stays in the graph/);
    expect(why(['loss'])).toMatch(/loss "loss" stays/);
    expect(why([])).toMatch(/Select/);
    expect(why(['f'], '  ')).toMatch(/name/);
    expect(why(['f'], 'b', group(g, ['i'], 'b'))).toMatch(/already has a block named "b"/);
    const dangling = { ...g, nodes: [...g.nodes, { id: 'lonely', kind: 'gate' as const, size: 2, activation: 'tanh' as const }], edges: [...g.edges, { id: 'x_lonely', source: 'x', target: 'lonely' }] };
    expect(why(['lonely'], 'b', dangling)).toMatch(/no output/);
    const tied = { ...g, edges: g.edges.map((e) => (e.id === 'h_i' ? { ...e, tie: 'h_f' } : e)) };
    expect(why(['f'], 'b', tied)).toMatch(/tied to "h_f"/);
  });

  it('handles hostile names and ids: quotes, newlines, __proto__', () => {
    const g = lstm();
    g.nodes = g.nodes.map((n) => (n.id === 'f' ? { ...n, id: '__proto__' } : n));
    g.edges = g.edges.map((e) => ({ ...e, source: e.source === 'f' ? '__proto__' : e.source, target: e.target === 'f' ? '__proto__' : e.target }));
    g.parameters = Object.fromEntries(Object.entries(g.parameters ?? {}).filter(([k]) => !k.endsWith(':f') && !k.endsWith('_f')));
    const after = group(g, ['__proto__'], 'a "gate"\nwith a newline');
    expect(validateAny(after).filter((p) => p.severity === 'error')).toEqual([]);
    expect(() => compileAny(after)).not.toThrow();
    expect(after.nodes.map((n) => n.id)).toContain('a_gate_with_a_newline');
  });
});

describe('placing and tying', () => {
  it('places a second instance, ties it, and drops its own stored weights when tied', () => {
    let g = group(lstm(), ['f'], 'my gate');
    const def = definitionOf(g, 'my gate')!;
    const placed = placeBlock(g, 'my gate', def, { x: 10, y: 20 });
    if (!placed.ok) throw new Error('placed');
    expect(placed.instance).toBe('my_gate_2');
    expect(placed.name).toBe('my gate');
    g = placed.graph;
    expect(tieOwners(g, 'my_gate_2')).toEqual(['my_gate']);
    g = { ...g, parameters: { ...g.parameters, 'bias:my_gate_2/f': { shape: [8], data: new Array<number>(8).fill(0) } } };
    const tied = setBlockTie(g, 'my_gate_2', 'my_gate');
    expect(tied.nodes.find((n) => n.id === 'my_gate_2')).toMatchObject({ tie: 'my_gate' });
    expect(tied.parameters?.['bias:my_gate_2/f']).toBeUndefined();
    expect(tied.parameters?.['bias:my_gate/f']).toBeDefined();
    expect(setBlockTie(tied, 'my_gate_2', undefined).nodes.find((n) => n.id === 'my_gate_2')?.tie).toBeUndefined();
  });

  it('a library block whose name the file uses for another definition comes in under a new name', () => {
    const g = group(lstm(), ['f'], 'my gate');
    const other = { ...definitionOf(g, 'my gate')!, outputs: ['f'], label: 'another' };
    const r = placeBlock(g, 'my gate', other, { x: 0, y: 0 });
    if (!r.ok) throw new Error('placed');
    expect(r.name).toBe('my gate 1');
    expect(definitionOf(r.graph, 'my gate')).toEqual(definitionOf(g, 'my gate'));
  });

  it('renames a block: the definition and every instance, nested uses included; names in use are refused', () => {
    let g = group(lstm(), ['f'], 'my gate');
    const placed = placeBlock(g, 'my gate', definitionOf(g, 'my gate')!, { x: 0, y: 0 });
    if (!placed.ok) throw new Error('placed');
    g = placed.graph;
    const renamed = renameBlock(g, 'my gate', 'forget-like');
    expect(definitionOf(renamed, 'my gate')).toBeUndefined();
    expect(definitionOf(renamed, 'forget-like')).toEqual(definitionOf(g, 'my gate'));
    expect(renamed.nodes.filter((n) => (n as Record<string, unknown>).block === 'forget-like').map((n) => n.id)).toEqual(['my_gate', 'my_gate_2']);
    // The placed instance is not wired yet (CW336); no instance lost its block.
    expect(validateAny(renamed).filter((p) => p.severity === 'error').map((p) => p.code)).not.toContain('CW331');
    expect(validateAny(renamed).map((p) => p.code).sort()).toEqual(validateAny(g).map((p) => p.code).sort());
    expect(blockNameRefusal(renamed, 'forget-like')).toMatch(/already has/);
    expect(blockNameRefusal(renamed, ' ')).toMatch(/needs a name/);
    expect(renameBlock(renamed, 'forget-like', '')).toBe(renamed);
  });

  it('renaming an instance moves its parameter keys and the ties that name it', () => {
    let g = group(lstm(), ['f'], 'my gate');
    const placed = placeBlock(g, 'my gate', definitionOf(g, 'my gate')!, { x: 0, y: 0 });
    if (!placed.ok) throw new Error('placed');
    g = setBlockTie(placed.graph, 'my_gate_2', 'my_gate');
    const renamed = renameNode(g, 'my_gate', 'forget');
    expect(renamed.parameters?.['edge:forget/h_f']).toEqual(g.parameters?.['edge:my_gate/h_f']);
    expect(Object.keys(renamed.parameters ?? {}).some((k) => k.includes('my_gate/'))).toBe(false);
    expect(renamed.nodes.find((n) => n.id === 'my_gate_2')?.tie).toBe('forget');
    expect(renamed.edges.filter((e) => e.target === 'forget').length).toBe(2);
  });

  it('ungrouping an instance gives the nodes back: same loss and gradients, keys as before', () => {
    const original = lstm();
    const data = lstmData();
    for (const ids of [['f'], ['f', 'i', 'g', 'fc', 'ig', 'c_new']]) {
      const grouped = group(original, ids, 'part');
      const r = ungroupBlock(grouped, 'part');
      if (!r.ok) throw new Error(r.reason);
      expect(r.graph.nodes.map((n) => n.id).sort()).toEqual(original.nodes.map((n) => n.id).sort());
      expect(Object.keys(r.graph.parameters ?? {}).sort()).toEqual(Object.keys(original.parameters ?? {}).sort());
      expect(validateAny(r.graph).filter((p) => p.severity === 'error')).toEqual([]);
      const a = gradReport(original, data);
      const b = gradReport(r.graph, data);
      expect(b.loss).toBeCloseTo(a.loss, 12);
      expect(b.gradients['edge:h_f'].data).toEqual(a.gradients['edge:h_f'].data.map((v) => expect.closeTo(v, 12)));
    }
  });

  it('ungrouping a tied instance copies its owner\'s weights; an owner others tie to is refused', () => {
    let g = group(lstm(), ['f'], 'my gate');
    const placed = placeBlock(g, 'my gate', definitionOf(g, 'my gate')!, { x: 0, y: 300 });
    if (!placed.ok) throw new Error('placed');
    g = placed.graph;
    g = { ...g, edges: [...g.edges, { id: 'x2', source: 'x', target: 'my_gate_2', port: 'x' as never }, { id: 'h2', source: 'h', target: 'my_gate_2', port: 'h' as never }] };
    g = setBlockTie(g, 'my_gate_2', 'my_gate');
    const refused = ungroupBlock(g, 'my_gate');
    expect(refused.ok ? '' : refused.reason).toMatch(/"my_gate_2" is tied to "my_gate": untie it first/);
    const r = ungroupBlock(g, 'my_gate_2');
    if (!r.ok) throw new Error(r.reason);
    expect(r.graph.nodes.map((n) => n.id)).toContain('f');
    expect(r.graph.parameters?.['edge:h_f']).toEqual(g.parameters?.['edge:my_gate/h_f']);
    expect(r.graph.parameters?.['edge:my_gate/h_f']).toEqual(g.parameters?.['edge:my_gate/h_f']);
    expect(ungroupBlock(r.graph, 'f').ok).toBe(false);
  });

  it('the stored library keeps only well-formed entries', () => {
    const good = { name: 'a', def: { nodes: [], edges: [], outputs: ['g'] } };
    expect(sanitizeLibrary([good, null, 3, { name: '' }, { name: 'b', def: { nodes: 1 } }, { name: 'c' }])).toEqual([good]);
    expect(sanitizeLibrary('garbage')).toEqual([]);
  });
});
