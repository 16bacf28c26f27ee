import { describe, expect, it } from 'vitest';
import type { NodeChange } from '@xyflow/react';
import { addNode, defaultNode, emptyGraph } from '../doc/ops.ts';
import { createDocumentStore } from '../store/document.ts';
import { createUiStore } from '../store/ui.ts';
import { handleEdgeChanges, handleNodeChanges } from './changes.ts';

function stores() {
  let g = addNode(emptyGraph(), defaultNode('gate', 'a', { x: 0, y: 0 }));
  g = addNode(g, defaultNode('gate', 'b', { x: 200, y: 0 }));
  return { doc: createDocumentStore(g), ui: createUiStore() };
}

describe('canvas changes', () => {
  it('a 60-frame drag of two nodes is one undo entry, committed at the drop', () => {
    const { doc, ui } = stores();
    const start = doc.getState().graph;
    for (let i = 1; i <= 60; i += 1) {
      handleNodeChanges([
        { type: 'position', id: 'a', position: { x: i, y: 2 * i }, dragging: true },
        { type: 'position', id: 'b', position: { x: 200 + i, y: 2 * i }, dragging: true },
      ], ui, doc);
      expect(doc.getState().graph).toBe(start);
    }
    expect(ui.getState().dragging?.get('a')).toEqual({ x: 60, y: 120 });
    handleNodeChanges([
      { type: 'position', id: 'a', position: { x: 64, y: 128 }, dragging: false },
      { type: 'position', id: 'b', position: { x: 264, y: 128 }, dragging: false },
    ], ui, doc);
    expect(ui.getState().dragging).toBeNull();
    expect(doc.getState().past).toHaveLength(1);
    expect(doc.getState().graph.nodes.map((n) => n.position)).toEqual([{ x: 64, y: 128 }, { x: 264, y: 128 }]);
    doc.getState().undo();
    expect(doc.getState().graph).toBe(start);
  });

  it('selection and measured sizes never touch the document', () => {
    const { doc, ui } = stores();
    const changes: NodeChange[] = [
      { type: 'dimensions', id: 'a', dimensions: { width: 150, height: 60 } },
      { type: 'select', id: 'a', selected: true },
    ];
    handleNodeChanges(changes, ui, doc);
    handleEdgeChanges([{ type: 'select', id: 'e1', selected: true }], ui);
    expect(doc.getState().past).toHaveLength(0);
    expect([...ui.getState().selectedNodes]).toEqual(['a']);
    expect([...ui.getState().selectedEdges]).toEqual(['e1']);
    expect(ui.getState().measured.get('a')).toEqual({ width: 150, height: 60 });
    handleNodeChanges([{ type: 'select', id: 'a', selected: false }], ui, doc);
    expect(ui.getState().selectedNodes.size).toBe(0);
  });

  it('a click that does not move a node records nothing', () => {
    const { doc, ui } = stores();
    handleNodeChanges([{ type: 'position', id: 'a', position: { x: 0, y: 0 }, dragging: false }], ui, doc);
    expect(doc.getState().past).toHaveLength(0);
  });
});
