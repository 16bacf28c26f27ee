/**
 * The document store: the graph file itself (Graph JSON, unknown fields and
 * all), its undo history and where it lives. React Flow nodes are derived
 * from it, never the other way round.
 *
 * History entries hold the graph before and after one user gesture. Edits are
 * pure functions that share every untouched node and edge, so an entry costs
 * about what the gesture changed (tldraw and excalidraw record diffs for the
 * same reason); selection and viewport live in the UI store and are never
 * recorded.
 */
import { createStore, useStore } from 'zustand';
import type { Graph } from '../../engine/format/types.ts';
import { emptyGraph } from '../doc/ops.ts';
import { reconcileParameters } from '../doc/params.ts';

/** Stored parameters one gesture dropped (they no longer fit, or their initializer changed). */
export interface ParameterDrop {
  seq: number;
  label: string;
  resized: string[];
  reinitialized: string[];
}

export interface HistoryEntry {
  label: string;
  before: Graph;
  after: Graph;
}

export interface FileRef {
  name: string;
  path?: string;
  handle?: unknown;
}

export interface DocumentState {
  graph: Graph;
  past: HistoryEntry[];
  future: HistoryEntry[];
  /** The graph as last opened or saved: the document is dirty when `graph` is another object. */
  savedGraph: Graph;
  /** Where Save writes; null for a document never saved. */
  file: FileRef | null;
  /** Increases whenever a different document is loaded (views use it to fit the new graph). */
  generation: number;
  /** The latest gesture that dropped stored parameters (the app says so, with Undo). */
  lastDrop: ParameterDrop | null;
  /** The run history holds runs Save would write and the file does not (renderer/runs/ keeps this current). */
  runsUnsaved: boolean;

  /** Record one gesture (a no-op when `next` is the current graph); stored parameters it made stale are dropped in the same entry. */
  commit(label: string, next: Graph): void;
  undo(): boolean;
  redo(): boolean;
  /** Load another document: history cleared. `dirty` keeps it marked unsaved (restored autosave). */
  load(graph: Graph, file: FileRef | null, options?: { dirty?: boolean }): void;
  markSaved(file: FileRef | null): void;
}

export const HISTORY_LIMIT = 500;

export type DocumentStore = ReturnType<typeof createDocumentStore>;

export function createDocumentStore(initial: Graph = emptyGraph()) {
  return createStore<DocumentState>()((set, get) => ({
    graph: initial,
    past: [],
    future: [],
    savedGraph: initial,
    file: null,
    generation: 0,
    lastDrop: null,
    runsUnsaved: false,

    commit(label, proposed) {
      const { graph, past, lastDrop } = get();
      if (proposed === graph) return;
      const reconciled = reconcileParameters(graph, proposed);
      const next = reconciled.graph;
      const entry: HistoryEntry = { label, before: graph, after: next };
      const dropped = reconciled.resized.length + reconciled.reinitialized.length > 0;
      set({
        graph: next,
        past: [...past.slice(-(HISTORY_LIMIT - 1)), entry],
        future: [],
        lastDrop: dropped ? { seq: (lastDrop?.seq ?? 0) + 1, label, resized: reconciled.resized, reinitialized: reconciled.reinitialized } : lastDrop,
      });
    },

    undo() {
      const { past, future } = get();
      const entry = past.at(-1);
      if (!entry) return false;
      set({ graph: entry.before, past: past.slice(0, -1), future: [entry, ...future] });
      return true;
    },

    redo() {
      const { past, future } = get();
      const entry = future[0];
      if (!entry) return false;
      set({ graph: entry.after, past: [...past, entry], future: future.slice(1) });
      return true;
    },

    load(graph, file, options = {}) {
      set((state) => ({
        graph,
        past: [],
        future: [],
        savedGraph: options.dirty ? emptyGraph() : graph,
        file,
        generation: state.generation + 1,
      }));
    },

    markSaved(file) {
      set((state) => ({ savedGraph: state.graph, file: file ?? state.file }));
    },
  }));
}

export const documentStore = createDocumentStore();

export function useDocument<T>(selector: (state: DocumentState) => T): T {
  return useStore(documentStore, selector);
}

export function isDirty(state: DocumentState): boolean {
  return state.graph !== state.savedGraph || state.runsUnsaved;
}
