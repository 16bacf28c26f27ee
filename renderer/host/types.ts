/**
 * What the renderer needs from the place it runs in. The desktop (Electron)
 * and the browser each implement it; the renderer codes only against this.
 */

/** A file the user opened or saved. `handle` is opaque to the renderer. */
export interface HostFile {
  /** Display name, e.g. "lstm.json". */
  name: string;
  /** Full path on the desktop; undefined in the browser. */
  path?: string;
  text: string;
  /** Opaque per-host token to save back to the same place. */
  handle?: unknown;
}

export interface RecentFile {
  name: string;
  path: string;
  openedAt: string;
}

export interface SaveResult {
  name: string;
  path?: string;
  handle?: unknown;
}

export type MenuAction =
  | 'new' | 'open' | 'save' | 'saveAs' | 'import' | 'exportJson' | 'exportPng' | 'exportSvg' | 'exportTorch'
  | 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'duplicate' | 'delete' | 'selectAll'
  | 'zoomIn' | 'zoomOut' | 'fitView' | 'toggleTheme' | 'toggleMinimap'
  | 'train' | 'pause' | 'step' | 'reset'
  | 'shortcuts' | 'about';

export interface Host {
  readonly kind: 'electron' | 'browser';
  /** Ask the user for a graph file; null when they cancel. */
  openFile(): Promise<HostFile | null>;
  /** Save to the file's handle/path; without one, behaves like saveFileAs. Null when cancelled. */
  saveFile(text: string, suggestedName: string, handle?: unknown): Promise<SaveResult | null>;
  saveFileAs(text: string, suggestedName: string): Promise<SaveResult | null>;
  /** Save a binary or text export (PNG, SVG, CSV, zip) under a suggested name. */
  exportFile(data: Blob | string, suggestedName: string, mime: string): Promise<SaveResult | null>;
  recentFiles(): Promise<RecentFile[]>;
  openRecent(path: string): Promise<HostFile | null>;
  getSetting<T>(key: string, fallback: T): Promise<T>;
  setSetting<T>(key: string, value: T): Promise<void>;
  /** Unsaved work, written often; survives a crash or reload. */
  writeAutosave(text: string): Promise<void>;
  readAutosave(): Promise<string | null>;
  clearAutosave(): Promise<void>;
  /** Tell the host whether there are unsaved changes (it asks before closing). */
  setDirty(dirty: boolean, title: string): void;
  /** Menu commands from the host (native menu); returns the unsubscribe. */
  onMenuAction(listener: (action: MenuAction) => void): () => void;
  /** Files the host asks the renderer to open (command line, double-click, second instance). */
  onOpenFile(listener: (file: HostFile) => void): () => void;
  openExternal(url: string): Promise<void>;
}
