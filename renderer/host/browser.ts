/**
 * The browser Host: the File System Access API where the browser has it
 * (Chromium), plain upload/download everywhere else. Settings, recent files
 * and the autosave live in localStorage.
 */
import type { Host, HostFile, MenuAction, RecentFile, SaveResult } from './types.ts';
import { fileTooBig, GRAPH_EXTENSION, GRAPH_MIME, OPENABLE_EXTENSIONS, saveExtensionFor } from '../../common/graph-files.ts';

const KEY_PREFIX = 'cellwright:';
const AUTOSAVE_KEY = `${KEY_PREFIX}autosave`;
const SETTINGS_KEY = `${KEY_PREFIX}settings`;
const RECENT_KEY = `${KEY_PREFIX}recent`;

/** Open lists Cellwright's own files and plain JSON graphs. */
export const OPEN_TYPES: PickerType[] = [{ description: 'Cellwright graph', accept: { [GRAPH_MIME]: [`.${GRAPH_EXTENSION}`], 'application/json': ['.json'] } }];

/** Save offers .cellwright and .json, the suggested name's kind first (a .json file stays .json). */
export function saveTypes(suggestedName: string): PickerType[] {
  const own: PickerType = { description: 'Cellwright graph', accept: { [GRAPH_MIME]: [`.${GRAPH_EXTENSION}`] } };
  const json: PickerType = { description: 'Cellwright graph as JSON', accept: { 'application/json': ['.json'] } };
  return saveExtensionFor(suggestedName) === 'json' ? [json, own] : [own, json];
}

/** The subset of the File System Access API used here (not in TypeScript's DOM lib yet). */
interface WritableLike {
  write(data: Blob | string): Promise<void>;
  close(): Promise<void>;
}
interface FileHandleLike {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<File>;
  createWritable(): Promise<WritableLike>;
}
export interface PickerType { description: string; accept: Record<string, string[]> }
interface FsAccessWindow {
  showOpenFilePicker?: (options?: { types?: PickerType[]; multiple?: boolean }) => Promise<FileHandleLike[]>;
  showSaveFilePicker?: (options?: { suggestedName?: string; types?: PickerType[] }) => Promise<FileHandleLike>;
}

function fsAccess(): FsAccessWindow {
  return window as unknown as FsAccessWindow;
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

function isFileHandle(value: unknown): value is FileHandleLike {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'file'
    && typeof (value as { createWritable?: unknown }).createWritable === 'function';
}

function readStorage(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage disabled (private mode, sandboxed iframe)
  }
}

function writeStorage(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // Quota or disabled storage: autosave is best-effort, the document is untouched.
  }
}

function readSettings(): Record<string, unknown> {
  const text = readStorage(SETTINGS_KEY);
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

function mimeExtension(mime: string, name: string): PickerType[] {
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot) : '';
  return ext ? [{ description: ext.slice(1).toUpperCase(), accept: { [mime]: [ext] } }] : [];
}

/** Upload fallback: a hidden `<input type=file>`; resolves null when the user cancels. */
function pickWithInput(accept: string): Promise<File | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.style.display = 'none';
    let settled = false;
    const finish = (file: File | null) => {
      if (settled) return;
      settled = true;
      input.remove();
      resolve(file);
    };
    input.addEventListener('change', () => finish(input.files?.[0] ?? null));
    input.addEventListener('cancel', () => finish(null));
    document.body.append(input);
    input.click();
  });
}

/** Download fallback: an object URL on a temporary link. */
function download(data: Blob | string, name: string, mime: string): void {
  const blob = typeof data === 'string' ? new Blob([data], { type: mime }) : data;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke later: Chromium starts the download asynchronously.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The text of a file the user picked, or an error that names the file and says why it cannot be opened. */
export async function readPickedFile(file: Pick<File, 'name' | 'size' | 'text'>): Promise<string> {
  const tooBig = fileTooBig(file.name, file.size);
  if (tooBig) throw new Error(tooBig);
  try {
    return await file.text();
  } catch (error) {
    throw new Error(`"${file.name}" could not be read: ${reason(error)} (was it moved, or is it still being written?)`);
  }
}

async function writeHandle(handle: FileHandleLike, data: Blob | string): Promise<void> {
  const writable = await handle.createWritable();
  await writable.write(data);
  await writable.close();
}

export interface BrowserHostOptions {
  /** Force upload/download even where the File System Access API exists (tests, Firefox parity). */
  forceFallback?: boolean;
}

export function createBrowserHost(options: BrowserHostOptions = {}): Host {
  const useFsAccess = () => !options.forceFallback && typeof fsAccess().showOpenFilePicker === 'function'
    && typeof fsAccess().showSaveFilePicker === 'function';
  const menuListeners = new Set<(action: MenuAction) => void>();
  const openListeners = new Set<(file: HostFile) => void>();
  let dirty = false;

  const beforeUnload = (event: BeforeUnloadEvent) => {
    if (!dirty) return;
    event.preventDefault();
    // Legacy browsers need returnValue set to show the prompt.
    event.returnValue = '';
  };
  window.addEventListener('beforeunload', beforeUnload);

  const remember = (name: string) => {
    const list = readRecent().filter((entry) => entry.name !== name);
    list.unshift({ name, path: name, openedAt: new Date().toISOString() });
    writeStorage(RECENT_KEY, JSON.stringify(list.slice(0, 10)));
  };

  function readRecent(): RecentFile[] {
    const text = readStorage(RECENT_KEY);
    if (!text) return [];
    try {
      const value: unknown = JSON.parse(text);
      return Array.isArray(value) ? value.filter((entry): entry is RecentFile =>
        typeof entry === 'object' && entry !== null && typeof (entry as RecentFile).name === 'string') : [];
    } catch {
      return [];
    }
  }

  /** `graph`: a Save of the document (both graph extensions offered), not an export. */
  async function saveAs(data: Blob | string, suggestedName: string, mime: string, graph = false): Promise<SaveResult | null> {
    if (useFsAccess()) {
      try {
        const handle = await fsAccess().showSaveFilePicker!({ suggestedName, types: graph ? saveTypes(suggestedName) : mimeExtension(mime, suggestedName) });
        await writeHandle(handle, data);
        return { name: handle.name, handle };
      } catch (error) {
        if (isAbort(error)) return null;
        throw error;
      }
    }
    download(data, suggestedName, mime);
    return { name: suggestedName };
  }

  return {
    kind: 'browser',

    async openFile() {
      if (useFsAccess()) {
        try {
          const [handle] = await fsAccess().showOpenFilePicker!({ types: OPEN_TYPES, multiple: false });
          let file: File;
          try {
            file = await handle.getFile();
          } catch (error) {
            if (isAbort(error)) throw error;
            throw new Error(`"${handle.name}" could not be read: ${reason(error)}`);
          }
          const text = await readPickedFile(file);
          remember(file.name);
          return { name: file.name, text, handle };
        } catch (error) {
          if (isAbort(error)) return null;
          throw error;
        }
      }
      const file = await pickWithInput([...OPENABLE_EXTENSIONS.map((ext) => `.${ext}`), 'application/json'].join(','));
      if (!file) return null;
      const text = await readPickedFile(file);
      remember(file.name);
      return { name: file.name, text };
    },

    async saveFile(text, suggestedName, handle) {
      if (isFileHandle(handle)) {
        await writeHandle(handle, text);
        return { name: handle.name, handle };
      }
      return saveAs(text, suggestedName, 'application/json', true);
    },

    saveFileAs(text, suggestedName) {
      return saveAs(text, suggestedName, 'application/json', true);
    },

    exportFile(data, suggestedName, mime) {
      return saveAs(data, suggestedName, mime);
    },

    async recentFiles() {
      return readRecent();
    },

    async openRecent() {
      // A browser cannot reopen a file by name without the user picking it again.
      return null;
    },

    async getSetting<T>(key: string, fallback: T): Promise<T> {
      const settings = readSettings();
      return key in settings ? settings[key] as T : fallback;
    },

    async setSetting<T>(key: string, value: T): Promise<void> {
      const settings = readSettings();
      settings[key] = value;
      writeStorage(SETTINGS_KEY, JSON.stringify(settings));
    },

    async writeAutosave(text) {
      writeStorage(AUTOSAVE_KEY, text);
    },

    async readAutosave() {
      return readStorage(AUTOSAVE_KEY);
    },

    async clearAutosave() {
      writeStorage(AUTOSAVE_KEY, null);
    },

    setDirty(isDirty, title) {
      dirty = isDirty;
      document.title = `${isDirty ? '• ' : ''}${title} — Cellwright`;
    },

    onMenuAction(listener) {
      // The browser has no native menu; the listener set exists so the renderer code is host-agnostic.
      menuListeners.add(listener);
      return () => menuListeners.delete(listener);
    },

    onOpenFile(listener) {
      openListeners.add(listener);
      return () => openListeners.delete(listener);
    },

    async openExternal(url) {
      window.open(url, '_blank', 'noopener,noreferrer');
    },
  };
}
