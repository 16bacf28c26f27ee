import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGraphText } from '../../engine/format/parse.ts';
import type { Graph } from '../../engine/format/types.ts';
import { validateGraph } from '../../engine/format/validate.ts';
import { createDocumentStore } from '../store/document.ts';
import { updateEdge, updateNode } from './ops.ts';
import { reconcileParameters, withoutStoredParameters } from './params.ts';

function elman(): Graph {
  const result = loadGraphText(readFileSync(new URL('../../assets/examples/elman.json', import.meta.url), 'utf8'));
  if (!result.ok) throw new Error('elman.json does not load');
  return result.graph;
}

const errors = (g: Graph) => validateGraph(g).filter((p) => p.severity === 'error');

describe('stored parameters after an edit', () => {
  it('a bigger hidden size drops exactly the weights that no longer fit, and the graph is valid', () => {
    const g = elman();
    // h and h_new go 16 → 32 together (the cell's next state must match its size).
    const edited = updateNode(updateNode(g, 'h', { size: 32 }), 'h_new', { size: 32 });
    expect(errors(edited).length).toBeGreaterThan(0);
    const r = reconcileParameters(g, edited);
    expect(r.resized.sort()).toEqual(['bias:h_new', 'edge:h_h_new', 'edge:h_new_y', 'edge:x_h_new']);
    expect(Object.keys(r.graph.parameters ?? {})).toEqual(['bias:y']);
    expect(r.graph.parameters!['bias:y']).toBe(g.parameters!['bias:y']);
    expect(errors(r.graph)).toEqual([]);
  });

  it('a new initializer on an edge drops its stored weight (identity × 1.2 takes effect), nothing else', () => {
    const g = elman();
    const edited = updateEdge(g, 'h_h_new', { init: 'identity', initScale: 1.2 });
    const r = reconcileParameters(g, edited);
    expect(r.reinitialized).toEqual(['edge:h_h_new']);
    expect(r.resized).toEqual([]);
    expect(Object.keys(r.graph.parameters ?? {}).sort()).toEqual(['bias:h_new', 'bias:y', 'edge:h_new_y', 'edge:x_h_new']);
  });

  it('leaves edits that make nothing stale alone, and never touches an edit of the parameters themselves', () => {
    const g = elman();
    const renamed = updateNode(g, 'h', { label: 'memory' });
    expect(reconcileParameters(g, renamed).graph).toBe(renamed);
    const withParams = { ...g, parameters: { ...g.parameters, 'edge:h_h_new': { shape: [2, 2], data: [1, 0, 0, 1] } } };
    expect(reconcileParameters(g, withParams).graph).toBe(withParams);
  });

  it('keeps a parameter that was already stale before the edit, for the problem list to show', () => {
    const g = elman();
    const broken = { ...g, parameters: { ...g.parameters, 'bias:y': { shape: [3], data: [0, 0, 0] } } };
    const edited = updateNode(updateNode(broken, 'h', { size: 8 }), 'h_new', { size: 8 });
    const r = reconcileParameters(broken, edited);
    expect(r.resized).not.toContain('bias:y');
    expect(r.graph.parameters!['bias:y']).toBeDefined();
  });

  it('the document store drops them in the same undo entry, and says which', () => {
    const store = createDocumentStore(elman());
    const g = store.getState().graph;
    store.getState().commit('Set initializer', updateEdge(g, 'h_h_new', { init: 'identity' }));
    expect(store.getState().graph.parameters!['edge:h_h_new']).toBeUndefined();
    expect(store.getState().lastDrop).toMatchObject({ label: 'Set initializer', reinitialized: ['edge:h_h_new'] });
    expect(store.getState().past).toHaveLength(1);
    store.getState().undo();
    expect(store.getState().graph).toBe(g);
  });

  it('re-initializes one edge, one node (its bias and incoming weights) or the whole graph', () => {
    const g = elman();
    expect(withoutStoredParameters(g, { kind: 'edge', id: 'h_h_new' }).dropped).toEqual(['edge:h_h_new']);
    expect(withoutStoredParameters(g, { kind: 'node', id: 'h_new' }).dropped.sort()).toEqual(['bias:h_new', 'edge:h_h_new', 'edge:x_h_new']);
    const all = withoutStoredParameters(g, { kind: 'graph' });
    expect(all.dropped).toHaveLength(5);
    expect(all.graph.parameters).toBeUndefined();
  });
});
