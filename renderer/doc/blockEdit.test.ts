/**
 * Edit block: an edit of a block's definition view, written back, changes
 * every instance at once, is one undo step, keeps ties working and drops the
 * stored weights it made stale; problems inside point at the inner nodes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferSizesAny, validateAny } from '../../engine/layers/index.ts';
import type { DataFile, Graph, GraphEdge } from '../../engine/format/types.ts';
import { gradReport } from '../../engine/grad.ts';
import { createDocumentStore } from '../store/document.ts';
import { addNode, connect, updateEdge, updateNode, renameNode } from './ops.ts';
import { definitionOf, groupAsBlock, setBlockTie } from './blocks.ts';
import { blockOfPath, blockProblems, blockSizes, definitionView, writeDefinition } from './blockEdit.ts';

const root = path.resolve(import.meta.dirname, '../..');
const lstm = (): Graph => JSON.parse(readFileSync(path.join(root, 'assets/examples/lstm.json'), 'utf8')) as Graph;
const lstmData = (): DataFile => JSON.parse(readFileSync(path.join(root, 'assets/examples/lstm.data.json'), 'utf8')) as DataFile;

/** The LSTM with its forget gate grouped as "my gate" and the input gate replaced by a second instance. */
function twice(): Graph {
  const g = lstm();
  const r = groupAsBlock(g, ['f'], 'my gate', inferSizesAny(g));
  if (!r.ok) throw new Error(r.reason);
  const second = { id: 'my_gate_2', kind: 'block', block: 'my gate', position: { x: 0, y: 200 } };
  const edges: GraphEdge[] = [
    ...r.graph.edges.filter((e) => e.source !== 'i' && e.target !== 'i'),
    { id: 'x_g2', source: 'x', target: 'my_gate_2', port: 'x' as never },
    { id: 'h_g2', source: 'h', target: 'my_gate_2', port: 'h' as never },
    { id: 'g2_ig', source: 'my_gate_2', sourcePort: 'f', target: 'ig' },
  ];
  const params = { ...r.graph.parameters };
  delete params['edge:x_i'];
  delete params['edge:h_i'];
  delete params['bias:i'];
  return { ...r.graph, nodes: [...r.graph.nodes.filter((n) => n.id !== 'i'), second as never], edges, parameters: params };
}

const errors = (g: Graph) => validateAny(g).filter((p) => p.severity === 'error');

describe('editing a block definition', () => {
  it('the view is the definition as a graph, the same object for the same document', () => {
    const g = twice();
    expect(errors(g)).toEqual([]);
    const view = definitionView(g, 'my gate')!;
    expect(view.nodes.map((n) => n.id)).toEqual(['x', 'h', 'f']);
    expect(view.edges.map((e) => [e.source, e.target])).toEqual([['x', 'f'], ['h', 'f']]);
    expect(definitionView(g, 'my gate')).toBe(view);
    expect(definitionView(g, 'no such block')).toBeUndefined();
    expect(definitionView(g, '__proto__')).toBeUndefined();
    expect(writeDefinition(g, 'my gate', view)).toBe(g);
  });

  it('changing an activation inside changes every instance, and Undo restores it', () => {
    const g = twice();
    const doc = createDocumentStore(g);
    const view = definitionView(g, 'my gate')!;
    doc.getState().commit('Edit activation', writeDefinition(g, 'my gate', updateNode(view, 'f', { activation: 'tanh' })));
    const after = doc.getState().graph;
    expect(errors(after)).toEqual([]);
    const was = gradReport(g, lstmData());
    const r = gradReport(after, lstmData());
    expect(definitionOf(after, 'my gate')!.nodes.find((n) => n.id === 'f')).toMatchObject({ activation: 'tanh' });
    // Both instances now compute something else.
    for (const inst of ['my_gate', 'my_gate_2']) expect(r.values[`${inst}/f`].data).not.toEqual(was.values[`${inst}/f`].data);
    // Same shapes: the trained weights stay.
    expect(Object.keys(after.parameters ?? {})).toContain('edge:my_gate/h_f');
    expect(doc.getState().undo()).toBe(true);
    expect(doc.getState().graph).toBe(g);
    const back = gradReport(doc.getState().graph, lstmData());
    for (const inst of ['my_gate', 'my_gate_2']) expect(back.values[`${inst}/f`].data).toEqual(was.values[`${inst}/f`].data);
  });

  it('an op added inside and wired as the output runs in every instance', () => {
    const g = twice();
    let view = definitionView(g, 'my gate')!;
    view = addNode(view, { id: 'half', kind: 'op', op: 'scale', factor: 0.5, position: { x: 400, y: 0 } } as never);
    const c = connect(view, { source: 'f', target: 'half' });
    if (!c.ok) throw new Error(c.reason);
    // The output port keeps its name "f" for the instances' edges: rename f → pre and half → f.
    view = renameNode(renameNode(c.graph, 'f', 'pre'), 'half', 'f');
    const next = writeDefinition(g, 'my gate', view);
    expect(definitionOf(next, 'my gate')!.outputs).toEqual(['f']);
    expect(errors(next)).toEqual([]);
    const r = gradReport(next, lstmData());
    for (const inst of ['my_gate', 'my_gate_2']) {
      const pre = r.values[`${inst}/pre`].data;
      expect(r.values[`${inst}/f`].data).toEqual(pre.map((v) => expect.closeTo(v / 2, 12)));
    }
  });

  it('renaming an output inside keeps the instances wired (their edges follow)', () => {
    const g = twice();
    const next = writeDefinition(g, 'my gate', renameNode(definitionView(g, 'my gate')!, 'f', 'gate'));
    expect(definitionOf(next, 'my gate')!.outputs).toEqual(['gate']);
    expect(next.edges.filter((e) => e.source === 'my_gate' || e.source === 'my_gate_2').map((e) => e.sourcePort)).toEqual(['gate', 'gate']);
    expect(errors(next)).toEqual([]);
  });

  it('ties still work: a tied instance follows the edited definition and shares its weights', () => {
    const g = setBlockTie(twice(), 'my_gate_2', 'my_gate');
    const next = writeDefinition(g, 'my gate', updateNode(definitionView(g, 'my gate')!, 'f', { activation: 'tanh' }));
    expect(errors(next)).toEqual([]);
    const r = gradReport(next, lstmData());
    // One set of weights: both instances compute the same function of what feeds them (both read x and h).
    expect(r.values['my_gate_2/f'].data).toEqual(r.values['my_gate/f'].data);
    expect(r.values['my_gate/f'].data).not.toEqual(gradReport(g, lstmData()).values['my_gate/f'].data);
    expect(Object.keys(next.parameters ?? {}).filter((k) => k.includes('my_gate_2/'))).toEqual([]);
    expect(Object.keys(r.gradients)).toContain('edge:my_gate/h_f');
    expect(Object.keys(r.gradients).filter((k) => k.includes('my_gate_2/'))).toEqual([]);
  });

  it('stored weights of every instance that no longer fit are dropped in the same undo step, and said so', () => {
    const g = twice();
    g.parameters = { ...g.parameters, 'edge:my_gate_2/h_f': g.parameters!['edge:my_gate/h_f'] };
    const doc = createDocumentStore(g);
    doc.getState().commit('Edit weight', writeDefinition(g, 'my gate', updateEdge(definitionView(g, 'my gate')!, 'h_f', { weight: 'diagonal' })));
    const after = doc.getState().graph;
    expect(errors(after)).toEqual([]);
    expect(Object.keys(after.parameters ?? {})).not.toContain('edge:my_gate/h_f');
    expect(Object.keys(after.parameters ?? {})).not.toContain('edge:my_gate_2/h_f');
    expect(Object.keys(after.parameters ?? {})).toContain('edge:my_gate/x_f');
    const drop = doc.getState().lastDrop!;
    expect([...drop.resized, ...drop.reinitialized].sort()).toEqual(['edge:my_gate/h_f', 'edge:my_gate_2/h_f']);
    doc.getState().undo();
    expect(doc.getState().graph.parameters?.['edge:my_gate/h_f']).toBeDefined();
  });

  it('problems inside point at the inner node and edge; sizes come from an instance', () => {
    const g = twice();
    let view = addNode(definitionView(g, 'my gate')!, { id: 'bad', kind: 'op', op: 'mul', position: { x: 400, y: 0 } } as never);
    for (const source of ['x', 'h']) {
      const c = connect(view, { source, target: 'bad' });
      if (!c.ok) throw new Error(c.reason);
      view = c.graph;
    }
    const bad = writeDefinition(g, 'my gate', view);
    const problems = blockProblems(bad, 'my gate', validateAny(bad));
    // x (1) times h (8): the inner op is flagged, once, under its inner id.
    expect(problems.filter((p) => p.code === 'CW047').map((p) => p.node)).toEqual(['bad']);
    expect(blockProblems(g, 'my gate', validateAny(g))).toEqual([]);
    // Each inner problem once, however many instances.
    const keys = problems.map((p) => `${p.code}|${p.node}|${p.edge}`);
    expect(new Set(keys).size).toBe(keys.length);
    // A problem's path names its block (the Problems list opens it).
    expect(problems.map((p) => blockOfPath(bad, p.path))).toEqual(problems.map(() => 'my gate'));
    expect(blockOfPath(bad, 'nodes[3]')).toBeNull();
    expect(blockOfPath({ ...bad, blocks: { ...(bad.blocks as object), 'my': {} } }, 'blocks["my gate"].edges[0]')).toBe('my gate');
    const sizes = blockSizes(g, 'my gate', inferSizesAny(g));
    expect(Object.fromEntries(sizes)).toEqual({ x: 1, h: 8, f: 8 });
  });

  it('hostile block names (__proto__, quotes and a newline) open, edit and map problems like any other', () => {
    for (const name of ['__proto__', 'say "hi"\nthere', 'constructor']) {
      const g = lstm();
      const r = groupAsBlock(g, ['f'], name, inferSizesAny(g));
      if (!r.ok) throw new Error(r.reason);
      const view = definitionView(r.graph, name)!;
      expect(view.nodes.map((n) => n.id)).toEqual(['x', 'h', 'f']);
      let edited = addNode(view, { id: 'bad', kind: 'op', op: 'mul', position: { x: 0, y: 0 } } as never);
      for (const source of ['x', 'h']) {
        const c = connect(edited, { source, target: 'bad' });
        if (!c.ok) throw new Error(c.reason);
        edited = c.graph;
      }
      const next = writeDefinition(r.graph, name, edited);
      expect(Object.hasOwn(next.blocks as object, name)).toBe(true);
      expect(definitionOf(next, name)!.nodes.map((n) => n.id)).toEqual(['x', 'h', 'f', 'bad']);
      expect(blockProblems(next, name, validateAny(next)).filter((p) => p.code === 'CW047').map((p) => p.node)).toEqual(['bad']);
    }
  });
});
