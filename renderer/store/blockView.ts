/**
 * Which graph the canvas and the inspector edit: the document itself, or
 * (Edit block) one block's definition as a view of it (renderer/doc/blockEdit.ts).
 * `activeGraph()` / `commitActive()` are what editing code reads and writes;
 * while a block is open its edits go into `blocks[name]` of the document, one
 * undo step each. Training, saving and exports keep reading the document.
 */
import { createStore, useStore } from 'zustand';
import type { Graph } from '../../engine/format/types.ts';
import { useMemo } from 'react';
import { blockSizes, definitionView, writeDefinition } from '../doc/blockEdit.ts';
import { useValidation } from './validation.ts';
import { documentStore } from './document.ts';
import type { DocumentState } from './document.ts';

export interface BlockViewState {
  /** The block whose inside is open on the canvas, or null for the graph. */
  block: string | null;
  /** The instance it was opened from (selected again on Done). */
  from: string | null;
  /** Increases on every switch (the canvas fits the view anew). */
  switches: number;
}

export const blockViewStore = createStore<BlockViewState>()(() => ({ block: null, from: null, switches: 0 }));

export function openBlock(block: string, from: string | null): boolean {
  if (!definitionView(documentStore.getState().graph, block)) return false;
  blockViewStore.setState((s) => ({ block, from, switches: s.switches + 1 }));
  return true;
}

export function closeBlock(): void {
  if (blockViewStore.getState().block === null) return;
  blockViewStore.setState((s) => ({ block: null, from: null, switches: s.switches + 1 }));
}

function viewOf(graph: Graph, block: string | null): Graph {
  return (block !== null ? definitionView(graph, block) : undefined) ?? graph;
}

/** The graph being edited: the open block's definition, else the document. */
export function activeGraph(): Graph {
  return viewOf(documentStore.getState().graph, blockViewStore.getState().block);
}

/** Records one gesture on the graph being edited (inside a block: written back into the document). */
export function commitActive(label: string, next: Graph): void {
  const doc = documentStore.getState();
  const block = blockViewStore.getState().block;
  if (block === null || !definitionView(doc.graph, block)) {
    doc.commit(label, next);
    return;
  }
  doc.commit(`${label} in block "${block}"`, writeDefinition(doc.graph, block, next));
}

/** The document store as the editing code sees it: `graph` and `commit` are the active ones. */
export const activeDocument = {
  getState(): DocumentState {
    return { ...documentStore.getState(), graph: activeGraph(), commit: commitActive };
  },
};

export function useActiveGraph(): Graph {
  const graph = useStore(documentStore, (s) => s.graph);
  const block = useStore(blockViewStore, (s) => s.block);
  return viewOf(graph, block);
}

/** Node sizes of the graph being edited (inside a block: its inner nodes', read from an instance). */
export function useActiveSizes(): ReadonlyMap<string, number> {
  const graph = useStore(documentStore, (s) => s.graph);
  const block = useStore(blockViewStore, (s) => s.block);
  const sizes = useValidation((s) => s.sizes);
  return useMemo(() => (block === null ? sizes : blockSizes(graph, block, sizes)), [graph, block, sizes]);
}

export function useBlockView<T>(selector: (state: BlockViewState) => T): T {
  return useStore(blockViewStore, selector);
}

// Leave the block when it is gone (an undo of Group as block, another document opened).
documentStore.subscribe((state, previous) => {
  const block = blockViewStore.getState().block;
  if (block === null) return;
  if (state.generation !== previous.generation || !definitionView(state.graph, block)) closeBlock();
});
