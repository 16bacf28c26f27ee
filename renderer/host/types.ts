/**
 * What the renderer needs from the place it runs in. The desktop (Electron)
 * and the browser each implement it; the renderer codes only against this.
 */

import type { HostFile, MenuAction, ModelFile, RecentFile, SaveResult } from '../../common/ipc-contract.ts';

// The types that cross IPC live in the neutral contract (common/), shared with electron/.
export type { HostFile, MenuAction, ModelFile, RecentFile, SaveResult };

export interface Host {
  readonly kind: 'electron' | 'browser';
  /** Ask the user for a graph file; null when they cancel. */
  openFile(): Promise<HostFile | null>;
  /**
   * Ask the user for a model file to import; null when they cancel. Only the
   * desktop has it (a page cannot open a file chooser from a menu command);
   * without it the renderer uses a file input.
   */
  openModelFile?(): Promise<ModelFile | null>;
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
  /**
   * Runs kept beside a saved graph file (`<file>.runs.json`, "Keep runs:
   * beside the file"). Only the desktop has them: a page cannot write a
   * second file next to the one the user picked, so the browser edition keeps
   * runs inside the file.
   */
  readRunsBeside?(graphPath: string): Promise<string | null>;
  writeRunsBeside?(graphPath: string, text: string | null): Promise<void>;
}
