import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/format/types.ts';
import { loadGraphText, serializeGraph, validateGraph } from './engine.ts';
import {
  addNode, connect, defaultNode, emptyGraph, extractFragment, fragmentFromGraph, moveNodes, newNodeId, nodeIds,
  pasteFragment, removeElements, renameEdge, renameNode, tieCandidates, uniqueId, updateEdge, updateNode,
} from './ops.ts';
import { connectionRefusal } from './rules.ts';
import { groupsOf, tagGroup, ungroup } from './groups.ts';

function example(name: string): Graph {
  const result = loadGraphText(readFileSync(new URL(`../../assets/examples/${name}.json`, import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(`${name} does not load`);
  return result.graph;
}

function elmanByHand(): Graph {
  let g = emptyGraph('Elman');
  g = addNode(g, { ...defaultNode('input', 'x', { x: 0, y: 0 }), size: 2 });
  g = addNode(g, { ...defaultNode('cell', 'h', { x: 0, y: 200 }), size: 16 });
  g = addNode(g, { ...defaultNode('gate', 'h_new', { x: 300, y: 100 }), size: 16 });
  g = addNode(g, { ...defaultNode('gate', 'y', { x: 600, y: 0 }), size: 1, activation: 'identity' });
  g = addNode(g, { ...defaultNode('target', 'y_t', { x: 600, y: 200 }) });
  g = addNode(g, defaultNode('loss', 'loss', { x: 800, y: 100 }));
  for (const [source, target, port] of [['x', 'h_new'], ['h', 'h_new'], ['h_new', 'h'], ['h_new', 'y'], ['y', 'loss', 'prediction'], ['y_t', 'loss', 'target']] as const) {
    const result = connect(g, { source, target, port });
    if (!result.ok) throw new Error(result.reason);
    g = result.graph;
  }
  return g;
}

describe('ids', () => {
  it('keeps a free id and numbers a taken one, replacing an earlier suffix', () => {
    const taken = new Set(['f', 'f_2', 'g']);
    expect(uniqueId('h', taken)).toBe('h');
    expect(uniqueId('f', taken)).toBe('f_3');
    expect(uniqueId('f_2', taken)).toBe('f_3');
    expect(uniqueId('g', taken)).toBe('g_2');
  });

  it('names palette nodes x, y, h first and numbers gates', () => {
    expect(newNodeId('input', new Set())).toBe('x');
    expect(newNodeId('input', new Set(['x']))).toBe('x2');
    expect(newNodeId('gate', new Set(['g1']))).toBe('g2');
    expect(newNodeId('cell', new Set())).toBe('h');
  });
});

describe('document edits', () => {
  it('a graph built edge by edge validates without errors', () => {
    const g = elmanByHand();
    expect(validateGraph(g).filter((p) => p.severity === 'error')).toEqual([]);
    expect(g.edges.find((e) => e.target === 'h_new')?.weight).toBe('full');
    expect(g.edges.find((e) => e.source === 'y_t')?.port).toBe('target');
  });

  it('leaves the input untouched and shares unchanged nodes', () => {
    const g = elmanByHand();
    const text = serializeGraph(g);
    const moved = moveNodes(g, new Map([['x', { x: 10.4, y: 20.6 }]]));
    expect(serializeGraph(g)).toBe(text);
    expect(moved.nodes.find((n) => n.id === 'x')?.position).toEqual({ x: 10, y: 21 });
    expect(moved.nodes[1]).toBe(g.nodes[1]);
    expect(moved.edges).toBe(g.edges);
  });

  it('a no-op edit returns the same graph (nothing to record)', () => {
    const g = elmanByHand();
    expect(updateNode(g, 'h_new', { activation: 'tanh' })).toBe(g);
    expect(updateEdge(g, g.edges[0].id, { weight: 'full' })).toBe(g);
    expect(moveNodes(g, new Map([['x', { x: 0, y: 0 }]]))).toBe(g);
  });

  it('undefined removes a field, keeping the others and unknown fields', () => {
    const g: Graph = { ...elmanByHand(), nodes: elmanByHand().nodes.map((n) => (n.id === 'y' ? { ...n, colour: 'teal', label: 'readout' } : n)) };
    const next = updateNode(g, 'y', { label: undefined });
    const y = next.nodes.find((n) => n.id === 'y')!;
    expect('label' in y).toBe(false);
    expect(y.colour).toBe('teal');
  });

  it('renaming a node follows it through edges and parameter keys', () => {
    const lstm = example('lstm');
    const renamed = renameNode(lstm, 'f', 'forget');
    expect(renamed.nodes.some((n) => n.id === 'f')).toBe(false);
    expect(renamed.edges.filter((e) => e.source === 'forget' || e.target === 'forget').length)
      .toBe(lstm.edges.filter((e) => e.source === 'f' || e.target === 'f').length);
    if (lstm.parameters?.['bias:f']) expect(renamed.parameters?.['bias:forget']).toBe(lstm.parameters['bias:f']);
    expect(validateGraph(renamed).filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('renaming an edge moves its weight', () => {
    const elman = example('elman');
    const next = renameEdge(elman, 'x_h_new', 'Wx');
    expect(next.parameters?.['edge:Wx']).toBe(elman.parameters?.['edge:x_h_new']);
    expect(next.parameters?.['edge:x_h_new']).toBeUndefined();
  });

  it('deleting a node removes its edges and its parameters', () => {
    const elman = example('elman');
    const next = removeElements(elman, ['h_new'], []);
    expect(next.edges.some((e) => e.source === 'h_new' || e.target === 'h_new')).toBe(false);
    expect(Object.keys(next.parameters ?? {}).some((k) => k.includes('h_new'))).toBe(false);
    expect(next.parameters?.['bias:y']).toBe(elman.parameters?.['bias:y']);
  });
});

describe('copy and paste', () => {
  it('a copy keeps only the edges inside the selection', () => {
    const g = elmanByHand();
    const fragment = extractFragment(g, ['x', 'h_new']);
    expect(fragment.nodes.map((n) => n.id)).toEqual(['x', 'h_new']);
    expect(fragment.edges.map((e) => [e.source, e.target])).toEqual([['x', 'h_new']]);
  });

  it('pasting a template twice renames every id and keeps it valid', () => {
    const gru = example('gru');
    const once = pasteFragment(emptyGraph(), fragmentFromGraph(gru));
    expect(once.nodeIds).toEqual(gru.nodes.map((n) => n.id));
    const twice = pasteFragment(once.graph, fragmentFromGraph(gru), { offset: { x: 40, y: 40 } });
    expect(twice.nodeIds.every((id) => id.endsWith('_2'))).toBe(true);
    expect(nodeIds(twice.graph).size).toBe(2 * gru.nodes.length);
    for (const edge of gru.edges) {
      expect(twice.graph.edges.some((e) => e.source === twice.renamed.get(edge.source) && e.target === twice.renamed.get(edge.target))).toBe(true);
    }
    for (const key of Object.keys(gru.parameters ?? {})) {
      if (key.startsWith('bias:')) expect(twice.graph.parameters?.[`bias:${key.slice(5)}_2`]).toEqual(gru.parameters![key]);
    }
    const errors = validateGraph(twice.graph).filter((p) => p.severity === 'error');
    expect(errors.map((p) => p.message)).toEqual([]);
    const moved = twice.graph.nodes.find((n) => n.id === `${gru.nodes[0].id}_2`)!;
    expect(moved.position).toEqual({ x: gru.nodes[0].position!.x + 40, y: gru.nodes[0].position!.y + 40 });
  });
});

describe('template groups', () => {
  it('a pasted group becomes a new group with the same name; deleting it drops its entry', () => {
    const tagged = tagGroup(pasteFragment(emptyGraph(), fragmentFromGraph(example('elman'))).graph, ['x', 'h', 'h_new', 'y', 'y_t', 'loss'], 'Elman RNN', 'elman');
    expect(tagged.group).toBe('elman');
    const copy = pasteFragment(tagged.graph, extractFragment(tagged.graph, ['h', 'h_new']));
    const groups = groupsOf(copy.graph);
    expect(Object.keys(groups).sort()).toEqual(['elman', 'elman_2']);
    expect(groups.elman_2.name).toBe('Elman RNN');
    expect(copy.graph.nodes.filter((n) => n.group === 'elman_2').map((n) => n.id)).toEqual(['h_2', 'h_new_2']);
    const removed = removeElements(copy.graph, ['h_2', 'h_new_2'], []);
    expect(Object.keys(groupsOf(removed))).toEqual(['elman']);
    const dissolved = ungroup(removed, 'elman');
    expect('groups' in dissolved).toBe(false);
    expect(dissolved.nodes.some((n) => 'group' in n)).toBe(false);
  });
});

describe('connection rules', () => {
  const g = elmanByHand();
  const refuse = (source: string, target: string, port?: 'prediction' | 'target') => connectionRefusal(g, { source, target, port });

  it('refuses edges into inputs and targets', () => {
    expect(refuse('h_new', 'x')).toMatch(/input takes no edges/);
    expect(refuse('h_new', 'y_t')).toMatch(/target takes no edges/);
  });

  it('refuses a target anywhere but a loss, and anything out of a loss', () => {
    expect(refuse('y_t', 'h_new')).toMatch(/only feed a loss/);
    expect(refuse('loss', 'h_new')).toMatch(/end point/);
  });

  it('refuses a second next state for a cell, a taken loss port and duplicates', () => {
    expect(refuse('x', 'h')).toMatch(/already has its next state/);
    expect(refuse('h_new', 'loss', 'prediction')).toMatch(/prediction port .* already connected/);
    expect(refuse('x', 'h_new')).toMatch(/already connected/);
  });

  it('allows what the validator may accept later (a same-step loop, sizes that differ)', () => {
    expect(refuse('y', 'h_new')).toBeNull();
    expect(refuse('x', 'y')).toBeNull();
  });

  it('1−x takes one input; a sum loss has no target port', () => {
    let graph = addNode(g, { id: 'om', kind: 'op', op: 'one_minus' });
    const joined = connect(graph, { source: 'h_new', target: 'om' });
    if (!joined.ok) throw new Error(joined.reason);
    graph = joined.graph;
    expect(connectionRefusal(graph, { source: 'y', target: 'om' })).toMatch(/exactly one input/);
    graph = addNode(graph, { id: 'L', kind: 'loss', loss: 'sum' });
    expect(connectionRefusal(graph, { source: 'y_t', target: 'L', port: 'target' })).toMatch(/no target port/);
  });
});

describe('registry primitives in document edits', () => {
  it('connecting into sub, div or concat gives each new edge the next free slot; other targets get none', () => {
    let g = elmanByHand();
    g = addNode(g, { id: 'd', kind: 'op', op: 'sub', position: { x: 0, y: 0 } });
    for (const source of ['h_new', 'h']) {
      const r = connect(g, { source, target: 'd' });
      if (!r.ok) throw new Error(r.reason);
      g = r.graph;
    }
    expect(g.edges.filter((e) => e.target === 'd').map((e) => e.slot)).toEqual([0, 1]);
    expect(g.edges.filter((e) => e.target === 'h_new').every((e) => e.slot === undefined)).toBe(true);
  });

  it('an edge may be tied to learned edges of the same kind and shape only', () => {
    const g = example('tied-transition-rnn');
    const sizes = new Map(g.nodes.map((n) => [n.id, (n as { size?: number }).size ?? 1]));
    // U_again is tied to U; x → h_new has another shape; U has a tie pointing at it (so it cannot tie itself).
    expect(tieCandidates(g, 'U_again', sizes)).toEqual(['U']);
    expect(tieCandidates(g, 'U', sizes)).toEqual([]);
    expect(tieCandidates(g, 'x_h_new', sizes)).toEqual([]);
  });
});
