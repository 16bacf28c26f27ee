/**
 * The one IPC contract between the main process, the preload and the
 * renderer's Electron Host. Each entry is a channel with its parameters and
 * result; main registers exactly these, the preload exposes exactly these (one
 * named function each, under `window.cellwright`), and nothing else crosses.
 *
 * Neutral ground: `electron/` and `renderer/` both import this file and never
 * each other (eslint enforces it). So it holds only types and plain
 * constants: no electron, no node:*, no DOM, no React.
 */

/** A file the user opened or saved. `handle` is opaque to the renderer. */
export interface HostFile {
  /** Display name, e.g. "lstm.cellwright". */
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

export type MenuCommand =
  | 'new' | 'open' | 'save' | 'saveAs' | 'import' | 'importModel' | 'exportJson' | 'exportPng' | 'exportSvg' | 'exportTorch' | 'exportOnnx'
  | 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'duplicate' | 'delete' | 'selectAll' | 'groupAsBlock'
  | 'zoomIn' | 'zoomOut' | 'fitView' | 'toggleTheme' | 'toggleMinimap'
  | 'train' | 'pause' | 'step' | 'reset' | 'reinitWeights' | 'fitToTask' | 'sweep' | 'reproduce'
  | 'shortcuts' | 'about';

/** File → Open Example → one example: `openExample:` and the example's key (common/examples.ts). */
export type OpenExampleAction = `openExample:${string}`;

/** What a menu item asks the focused window's renderer to do. */
export type MenuAction = MenuCommand | OpenExampleAction;

const OPEN_EXAMPLE = 'openExample:';

export function openExampleAction(key: string): OpenExampleAction {
  return `${OPEN_EXAMPLE}${key}`;
}

/** The example key an Open Example action names, or null for any other action. */
export function exampleOfAction(action: MenuAction): string | null {
  return action.startsWith(OPEN_EXAMPLE) ? action.slice(OPEN_EXAMPLE.length) : null;
}

/** Editing commands that act natively on a focused text field (input, textarea). */
export type NativeEditCommand = 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'selectAll' | 'delete';
export const NATIVE_EDIT_COMMANDS: readonly NativeEditCommand[] = ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'delete'];

/** A model file to import (File › Import Model…): its name and contents. */
export interface ModelFile {
  name: string;
  bytes: Uint8Array;
}

/** Renderer → main, answered (ipcRenderer.invoke / ipcMain.handle). */
export interface InvokeApi {
  /** Show an open dialog filtered to graph files; null when cancelled. */
  openFile(): Promise<HostFile | null>;
  /** Show an open dialog filtered to model files (ONNX, PyTorch, safetensors) and read it as bytes; null when cancelled. */
  openModelFile(): Promise<ModelFile | null>;
  /** Save to `handle` (a path this window opened or saved before) or ask where. */
  saveFile(text: string, suggestedName: string, handle: string | null): Promise<SaveResult | null>;
  saveFileAs(text: string, suggestedName: string): Promise<SaveResult | null>;
  /** Export bytes or text; the dialog is filtered by the suggested name's extension. */
  exportFile(data: Uint8Array | string, suggestedName: string, mime: string): Promise<SaveResult | null>;
  recentFiles(): Promise<RecentFile[]>;
  /** Only paths that are in the recent list can be opened this way. */
  openRecent(path: string): Promise<HostFile | null>;
  /** `{ value }` when the setting exists, null otherwise (the renderer applies its fallback). */
  getSetting(key: string): Promise<{ value: unknown } | null>;
  setSetting(key: string, value: unknown): Promise<void>;
  writeAutosave(text: string): Promise<void>;
  readAutosave(): Promise<string | null>;
  clearAutosave(): Promise<void>;
  /** Opens https links to allow-listed hosts in the system browser; false when refused. */
  openExternal(url: string): Promise<boolean>;
  /** Run a native edit command on the focused text field of the calling window. */
  nativeEdit(command: NativeEditCommand): Promise<void>;
  /** Files queued for this window before the renderer was listening (command line, double-click). */
  takePendingFiles(): Promise<HostFile[]>;
  /** The runs kept beside a graph file this window opened or saved (`<file>.runs.json`); null when there are none. */
  readRunsBeside(graphPath: string): Promise<string | null>;
  /** Write the runs beside a graph file this window opened or saved; null removes that file. */
  writeRunsBeside(graphPath: string, text: string | null): Promise<void>;
}

/** Renderer → main, fire and forget (ipcRenderer.send / ipcMain.on). */
export interface SendApi {
  setDirty(dirty: boolean, title: string): void;
}

/** Main → renderer (webContents.send / ipcRenderer.on); each subscription returns its unsubscribe. */
export interface EventApi {
  onMenuAction(listener: (action: MenuAction) => void): () => void;
  onOpenFile(listener: (file: HostFile) => void): () => void;
}

/** What `window.cellwright` holds in the renderer. */
export type PreloadApi = InvokeApi & SendApi & EventApi;

/** The global name the preload exposes the API under. */
export const PRELOAD_GLOBAL = 'cellwright';

export const INVOKE_CHANNELS: { readonly [K in keyof InvokeApi]: string } = {
  openFile: 'cw:file:open',
  openModelFile: 'cw:file:open-model',
  saveFile: 'cw:file:save',
  saveFileAs: 'cw:file:save-as',
  exportFile: 'cw:file:export',
  recentFiles: 'cw:recent:list',
  openRecent: 'cw:recent:open',
  getSetting: 'cw:settings:get',
  setSetting: 'cw:settings:set',
  writeAutosave: 'cw:autosave:write',
  readAutosave: 'cw:autosave:read',
  clearAutosave: 'cw:autosave:clear',
  openExternal: 'cw:shell:open-external',
  nativeEdit: 'cw:edit:native',
  takePendingFiles: 'cw:window:take-pending-files',
  readRunsBeside: 'cw:runs:read-beside',
  writeRunsBeside: 'cw:runs:write-beside',
};

export const SEND_CHANNELS: { readonly [K in keyof SendApi]: string } = {
  setDirty: 'cw:window:set-dirty',
};

/** Payload of each main → renderer event, by the preload function that subscribes to it. */
export interface EventPayloads {
  onMenuAction: MenuAction;
  onOpenFile: HostFile;
}

export const EVENT_CHANNELS: { readonly [K in keyof EventApi]: string } = {
  onMenuAction: 'cw:menu:action',
  onOpenFile: 'cw:file:opened',
};

export type InvokeName = keyof InvokeApi;
export type SendName = keyof SendApi;
export type EventName = keyof EventApi;
export type InvokeParams<K extends InvokeName> = Parameters<InvokeApi[K]>;
export type InvokeResult<K extends InvokeName> = Awaited<ReturnType<InvokeApi[K]>>;

/** Every API name the preload exposes, in a stable order. */
export const API_NAMES: readonly string[] = [
  ...Object.keys(INVOKE_CHANNELS),
  ...Object.keys(SEND_CHANNELS),
  ...Object.keys(EVENT_CHANNELS),
];

// A record, not an array, so adding a MenuAction without listing it here fails to compile.
const MENU_ACTION_SET: Record<MenuCommand, true> = {
  new: true, open: true, save: true, saveAs: true, import: true, importModel: true,
  exportJson: true, exportPng: true, exportSvg: true, exportTorch: true, exportOnnx: true,
  undo: true, redo: true, cut: true, copy: true, paste: true, duplicate: true, delete: true, selectAll: true, groupAsBlock: true,
  zoomIn: true, zoomOut: true, fitView: true, toggleTheme: true, toggleMinimap: true,
  train: true, pause: true, step: true, reset: true, reinitWeights: true, fitToTask: true, sweep: true, reproduce: true,
  shortcuts: true, about: true,
};

/** Every MenuCommand the renderer may receive (besides one Open Example action per example). */
export const MENU_ACTIONS = Object.keys(MENU_ACTION_SET) as readonly MenuCommand[];
