/**
 * React Flow's change events → the stores. Sizes and selection go to the UI
 * store; a drag lives in the UI store while it lasts and reaches the document
 * as one history entry when it ends. Removals never come from React Flow
 * (its delete key is off): deleting is a command.
 */
import type { EdgeChange, NodeChange } from '@xyflow/react';
import { moveNodes, type XY } from '../doc/ops.ts';
import { FRAME_PREFIX, GROUP_PREFIX, groupOrigin, membersOfGroupNode } from './groupView.ts';
import type { DocumentStore } from '../store/document.ts';
import type { UiStore } from '../store/ui.ts';

export function handleNodeChanges(changes: readonly NodeChange[], ui: UiStore, doc: Pick<DocumentStore, 'getState'>): void {
  const state = ui.getState();
  const sizes: Array<[string, { width: number; height: number }]> = [];
  let selection: Set<string> | null = null;
  let moving: Map<string, XY> | null = null;
  let finished: Map<string, XY> | null = null;
  const graph = doc.getState().graph;
  for (const change of changes) {
    if (change.type !== 'dimensions' && 'id' in change && change.id.startsWith(FRAME_PREFIX)) continue;
    if (change.type !== 'dimensions' && 'id' in change && change.id.startsWith(GROUP_PREFIX)) {
      // A collapsed group stands for its members: selecting or moving it selects or moves them.
      const members = membersOfGroupNode(graph, change.id);
      if (change.type === 'select') {
        selection ??= new Set(state.selectedNodes);
        for (const id of members) {
          if (change.selected) selection.add(id);
          else selection.delete(id);
        }
      } else if (change.type === 'position' && change.position) {
        const nodes = graph.nodes.filter((node) => members.includes(node.id));
        const origin = groupOrigin(nodes);
        const dx = change.position.x - origin.x;
        const dy = change.position.y - origin.y;
        const target = change.dragging ? (moving ??= new Map(state.dragging ?? [])) : (finished ??= new Map(state.dragging ?? []));
        for (const node of nodes) target.set(node.id, { x: (node.position?.x ?? 0) + dx, y: (node.position?.y ?? 0) + dy });
      }
      continue;
    }
    switch (change.type) {
      case 'dimensions':
        if (change.dimensions) sizes.push([change.id, change.dimensions]);
        break;
      case 'select':
        selection ??= new Set(state.selectedNodes);
        if (change.selected) selection.add(change.id);
        else selection.delete(change.id);
        break;
      case 'position':
        if (!change.position) break;
        if (change.dragging) {
          moving ??= new Map(state.dragging ?? []);
          moving.set(change.id, change.position);
        } else {
          finished ??= new Map(state.dragging ?? []);
          finished.set(change.id, change.position);
        }
        break;
      case 'add':
      case 'remove':
      case 'replace':
        break;
    }
  }
  if (sizes.length > 0) state.setMeasured(sizes);
  if (selection) state.select(selection, ui.getState().selectedEdges);
  if (moving) state.setDragging(moving);
  if (finished) {
    const { graph, commit } = doc.getState();
    commit(finished.size > 1 ? `Move ${finished.size} nodes` : 'Move', moveNodes(graph, finished));
    state.setDragging(null);
  }
}

export function handleEdgeChanges(changes: readonly EdgeChange[], ui: UiStore): void {
  const state = ui.getState();
  let selection: Set<string> | null = null;
  for (const change of changes) {
    if (change.type !== 'select') continue;
    selection ??= new Set(state.selectedEdges);
    if (change.selected) selection.add(change.id);
    else selection.delete(change.id);
  }
  if (selection) state.select(ui.getState().selectedNodes, selection);
}
