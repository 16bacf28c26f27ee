/**
 * Ephemeral UI state: selection, panels, theme, notices, the clipboard and
 * what React Flow measures. None of it is in the document or its history.
 */
import { createStore, useStore } from 'zustand';
import type { Fragment, XY } from '../doc/ops.ts';

export type Theme = 'light' | 'dark';

/** Pane sizes (CSS pixels) and which side panels are shown; persisted through the Host settings. */
export interface PaneLayout {
  palette: number;
  side: number;
  dock: number;
  paletteOpen: boolean;
  sideOpen: boolean;
}

export const DEFAULT_LAYOUT: PaneLayout = { palette: 224, side: 296, dock: 292, paletteOpen: true, sideOpen: true };

/** Limits a pane can be dragged to (the canvas keeps at least what is left). */
export const PANE_LIMITS = { palette: [160, 420], side: [240, 560], dock: [160, 640] } as const;

/** A layout read from settings, with anything missing or out of range replaced by the default. */
export function cleanLayout(raw: unknown): PaneLayout {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const size = (key: keyof typeof PANE_LIMITS) => {
    const v = r[key];
    const [lo, hi] = PANE_LIMITS[key];
    return typeof v === 'number' && Number.isFinite(v) ? Math.max(lo, Math.min(hi, Math.round(v))) : DEFAULT_LAYOUT[key];
  };
  return {
    palette: size('palette'),
    side: size('side'),
    dock: size('dock'),
    paletteOpen: typeof r.paletteOpen === 'boolean' ? r.paletteOpen : true,
    sideOpen: typeof r.sideOpen === 'boolean' ? r.sideOpen : true,
  };
}

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
  /** One button next to the text (e.g. Undo). */
  action?: NoticeAction;
}

export interface NoticeAction {
  label: string;
  run(): void;
}

/** Work found in the autosave at start-up, offered back to the user. */
export interface RestoreOffer {
  savedAt: string;
  name: string;
  text: string;
}

export interface UiState {
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  theme: Theme;
  minimap: boolean;
  helpOpen: boolean;
  hintDismissed: boolean;
  notice: Notice | null;
  clipboard: Fragment | null;
  pasteCount: number;
  /** Node sizes as React Flow measured them (needed on controlled nodes). */
  measured: ReadonlyMap<string, { width: number; height: number }>;
  /** Positions of nodes being dragged; committed to the document as one entry at drag end. */
  dragging: ReadonlyMap<string, XY> | null;
  /** A node to bring into view (problem list, paste); consumed by the canvas. */
  focusRequest: { id: string; seq: number } | null;
  /** Template groups shown as one box. */
  collapsedGroups: ReadonlySet<string>;
  restoreOffer: RestoreOffer | null;
  /** The side panel's tab: the selection's inspector or the training settings. */
  sideTab: 'inspector' | 'training';
  /** The training charts under the canvas. */
  dockOpen: boolean;
  /** The last dock pane's view. */
  dockView: 'dynamics' | 'unrolled' | 'prediction' | 'numbers' | 'sample' | 'connectivity';
  /** Steps the unrolled view draws. */
  unrolledSteps: number;
  /** The flagged node whose explanation and fixes are open. */
  flagOpen: string | null;
  layout: PaneLayout;
  /** Save, Save As and Export JSON write the trained weights into the file (the save flow's checkbox). */
  saveWeights: boolean;
  /** The name typed in the inspector's "Block name" field: Group as block uses it, from the field, Ctrl+G or the menu. */
  blockNameDraft: string;

  select(nodes: Iterable<string>, edges?: Iterable<string>): void;
  setTheme(theme: Theme): void;
  toggleMinimap(): void;
  setHelpOpen(open: boolean): void;
  dismissHint(): void;
  notify(kind: Notice['kind'], text: string, action?: NoticeAction): void;
  clearNotice(id?: number): void;
  setClipboard(fragment: Fragment | null): void;
  bumpPaste(): number;
  setMeasured(updates: Array<[string, { width: number; height: number }]>): void;
  setDragging(positions: ReadonlyMap<string, XY> | null): void;
  focusNode(id: string): void;
  toggleGroup(group: string): void;
  setRestoreOffer(offer: RestoreOffer | null): void;
  setSideTab(tab: UiState['sideTab']): void;
  toggleDock(): void;
  setDockView(view: UiState['dockView']): void;
  setUnrolledSteps(k: number): void;
  setFlagOpen(node: string | null): void;
  setLayout(patch: Partial<PaneLayout>): void;
  setSaveWeights(on: boolean): void;
}

let noticeSeq = 0;
let focusSeq = 0;

export function createUiStore() {
  return createStore<UiState>()((set, get) => ({
    selectedNodes: new Set(),
    selectedEdges: new Set(),
    theme: 'light',
    minimap: true,
    helpOpen: false,
    hintDismissed: false,
    notice: null,
    clipboard: null,
    pasteCount: 0,
    measured: new Map(),
    dragging: null,
    focusRequest: null,
    collapsedGroups: new Set(),
    restoreOffer: null,
    sideTab: 'inspector',
    dockOpen: true,
    dockView: 'dynamics',
    unrolledSteps: 4,
    flagOpen: null,
    layout: DEFAULT_LAYOUT,
    saveWeights: true,
    blockNameDraft: '',

    select(nodes, edges = []) {
      set({ selectedNodes: new Set(nodes), selectedEdges: new Set(edges) });
    },
    setTheme(theme) {
      set({ theme });
    },
    toggleMinimap() {
      set((state) => ({ minimap: !state.minimap }));
    },
    setHelpOpen(open) {
      set({ helpOpen: open });
    },
    dismissHint() {
      set({ hintDismissed: true });
    },
    notify(kind, text, action) {
      noticeSeq += 1;
      set({ notice: action ? { id: noticeSeq, kind, text, action } : { id: noticeSeq, kind, text } });
    },
    clearNotice(id) {
      if (id === undefined || get().notice?.id === id) set({ notice: null });
    },
    setClipboard(fragment) {
      set({ clipboard: fragment, pasteCount: 0 });
    },
    bumpPaste() {
      const next = get().pasteCount + 1;
      set({ pasteCount: next });
      return next;
    },
    setMeasured(updates) {
      if (updates.length === 0) return;
      const measured = new Map(get().measured);
      let changed = false;
      for (const [id, size] of updates) {
        const old = measured.get(id);
        if (old && old.width === size.width && old.height === size.height) continue;
        measured.set(id, size);
        changed = true;
      }
      if (changed) set({ measured });
    },
    setDragging(positions) {
      set({ dragging: positions });
    },
    focusNode(id) {
      focusSeq += 1;
      set({ focusRequest: { id, seq: focusSeq } });
    },
    toggleGroup(group) {
      const collapsed = new Set(get().collapsedGroups);
      if (collapsed.has(group)) collapsed.delete(group);
      else collapsed.add(group);
      set({ collapsedGroups: collapsed });
    },
    setRestoreOffer(offer) {
      set({ restoreOffer: offer });
    },
    setSideTab(tab) {
      set({ sideTab: tab });
    },
    toggleDock() {
      set((state) => ({ dockOpen: !state.dockOpen }));
    },
    setDockView(view) {
      set({ dockView: view });
    },
    setUnrolledSteps(k) {
      set({ unrolledSteps: Math.max(1, Math.min(64, Math.round(k))) });
    },
    setSaveWeights(on) {
      set({ saveWeights: on });
    },
    setFlagOpen(node) {
      set({ flagOpen: node });
    },
    setLayout(patch) {
      set((state) => ({ layout: cleanLayout({ ...state.layout, ...patch }) }));
    },
  }));
}

export type UiStore = ReturnType<typeof createUiStore>;

export const uiStore = createUiStore();

export function useUi<T>(selector: (state: UiState) => T): T {
  return useStore(uiStore, selector);
}
