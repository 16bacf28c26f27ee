import { describe, expect, it } from 'vitest';
import { addNode, defaultNode, emptyGraph, updateNode } from '../doc/ops.ts';
import { createDocumentStore, isDirty } from './document.ts';

describe('document store history', () => {
  it('one commit is one undo step; undo and redo walk the same graphs', () => {
    const store = createDocumentStore(emptyGraph());
    const g0 = store.getState().graph;
    store.getState().commit('Add input', addNode(g0, defaultNode('input', 'x', { x: 0, y: 0 })));
    const g1 = store.getState().graph;
    store.getState().commit('Set size', updateNode(g1, 'x', { size: 3 }));
    const g2 = store.getState().graph;
    expect(store.getState().past.map((e) => e.label)).toEqual(['Add input', 'Set size']);
    store.getState().undo();
    expect(store.getState().graph).toBe(g1);
    store.getState().undo();
    expect(store.getState().graph).toBe(g0);
    expect(store.getState().undo()).toBe(false);
    store.getState().redo();
    store.getState().redo();
    expect(store.getState().graph).toBe(g2);
    expect(store.getState().redo()).toBe(false);
  });

  it('a no-op commit records nothing and a new edit clears redo', () => {
    const store = createDocumentStore(emptyGraph());
    store.getState().commit('Nothing', store.getState().graph);
    expect(store.getState().past).toHaveLength(0);
    store.getState().commit('Add', addNode(store.getState().graph, defaultNode('cell', 'h', { x: 0, y: 0 })));
    store.getState().undo();
    expect(store.getState().future).toHaveLength(1);
    store.getState().commit('Add other', addNode(store.getState().graph, defaultNode('input', 'x', { x: 0, y: 0 })));
    expect(store.getState().future).toHaveLength(0);
  });

  it('dirty follows the saved graph, also through undo back to it', () => {
    const store = createDocumentStore(emptyGraph());
    expect(isDirty(store.getState())).toBe(false);
    store.getState().commit('Add', addNode(store.getState().graph, defaultNode('cell', 'h', { x: 0, y: 0 })));
    expect(isDirty(store.getState())).toBe(true);
    store.getState().undo();
    expect(isDirty(store.getState())).toBe(false);
    store.getState().redo();
    store.getState().markSaved({ name: 'a.json' });
    expect(isDirty(store.getState())).toBe(false);
    expect(store.getState().file?.name).toBe('a.json');
  });

  it('loading another document clears the history; a restored autosave stays dirty', () => {
    const store = createDocumentStore(emptyGraph());
    store.getState().commit('Add', addNode(store.getState().graph, defaultNode('cell', 'h', { x: 0, y: 0 })));
    store.getState().load(emptyGraph('Other'), null, { dirty: true });
    expect(store.getState().past).toHaveLength(0);
    expect(isDirty(store.getState())).toBe(true);
    expect(store.getState().generation).toBe(1);
  });
});
