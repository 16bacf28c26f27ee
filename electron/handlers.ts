/**
 * What each IPC channel does, as plain functions over injected dependencies
 * (dialogs, files, stores, shell), so they run in tests without Electron.
 */
import * as path from 'node:path';
import type { HostFile, InvokeName, InvokeParams, InvokeResult, NativeEditCommand, RecentFile, SaveResult, SendApi, SendName } from '../common/ipc-contract.ts';
import type { WindowSession } from './session.ts';
import { isAllowedExternal } from './security.ts';
import { addRecent, removeRecent, samePath } from './recent-files.ts';
import { fileTooBig, GRAPH_EXTENSION, OPENABLE_EXTENSIONS, runsBesidePath, saveExtensionFor } from '../common/graph-files.ts';

export interface FileFilter { name: string; extensions: string[] }

export interface HandlerDeps {
  showOpenDialog(session: WindowSession, options: { title: string; defaultPath: string; filters: FileFilter[] }): Promise<string | null>;
  showSaveDialog(session: WindowSession, options: { title: string; defaultPath: string; filters: FileFilter[] }): Promise<string | null>;
  readFile(file: string): Promise<string>;
  readBytes(file: string): Promise<Uint8Array>;
  fileSize(file: string): Promise<number>;
  exists(file: string): Promise<boolean>;
  writeFileAtomic(file: string, data: Uint8Array | string): Promise<void>;
  /** Remove a file (no error when it is already gone). */
  removeFile(file: string): Promise<void>;
  recent: { load(): Promise<RecentFile[]>; save(list: RecentFile[]): Promise<void> };
  settings: { load(): Promise<Record<string, unknown>>; save(value: Record<string, unknown>): Promise<void> };
  autosave: { write(slot: string, text: string): Promise<void>; read(slot: string): Promise<string | null>; clear(slot: string): Promise<void> };
  openExternal(url: string): Promise<void>;
  nativeEdit(session: WindowSession, command: NativeEditCommand): void;
  /** The folder dialogs start in when nothing better is known (Documents). */
  defaultDir(): string;
  /** Called after the recent list changes (main rebuilds the Open Recent menu). */
  recentChanged(list: RecentFile[]): void;
  /** Called after setDirty (main updates the title and the macOS edited dot). */
  dirtyChanged(session: WindowSession): void;
  /** Close the session's window without asking again. */
  closeWindow(session: WindowSession): void;
  now(): Date;
  /** Folders whose files open as templates: no path, no handle, not in recent files (Save asks where). */
  templateDirs: readonly string[];
}

export type InvokeHandlers = {
  readonly [K in InvokeName]: (session: WindowSession, ...args: InvokeParams<K>) => Promise<InvokeResult<K>>;
};
export type SendHandlers = {
  readonly [K in SendName]: (session: WindowSession, ...args: Parameters<SendApi[K]>) => void;
};

/** Open lists Cellwright's own files and plain JSON graphs. */
export const OPEN_FILTERS: FileFilter[] = [
  { name: 'Cellwright graph', extensions: [...OPENABLE_EXTENSIONS] },
  { name: 'All files', extensions: ['*'] },
];

/** Import Model lists the files the model importers read (engine/import). */
export const MODEL_FILTERS: FileFilter[] = [
  { name: 'Model (ONNX, PyTorch, safetensors)', extensions: ['onnx', 'pt', 'pth', 'bin', 'safetensors'] },
  { name: 'All files', extensions: ['*'] },
];

/** The largest model file Import Model reads (the recurrent models it imports are far smaller). */
export const MAX_MODEL_FILE_BYTES = 1024 * 1024 * 1024;

/** Save offers .cellwright and .json, the suggested name's kind first (a .json file stays .json). */
export function saveFilters(suggestedName: string): FileFilter[] {
  const own: FileFilter = { name: 'Cellwright graph', extensions: [GRAPH_EXTENSION] };
  const json: FileFilter = { name: 'Cellwright graph as JSON', extensions: ['json'] };
  const ordered = saveExtensionFor(suggestedName) === 'json' ? [json, own] : [own, json];
  return [...ordered, { name: 'All files', extensions: ['*'] }];
}

/**
 * Why `file` could not be read, in words: the system's error codes become
 * what the user can act on.
 */
export function describeOpenError(file: string, error: unknown): string {
  const name = path.basename(file);
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT': return `"${name}" was not opened: it does not exist any more (moved, renamed or deleted?). Looked for ${file}.`;
    case 'EACCES':
    case 'EPERM': return `"${name}" was not opened: permission denied. Check that your user may read ${file}.`;
    case 'EISDIR': return `"${name}" was not opened: it is a folder, not a graph file.`;
    case 'ELOOP': return `"${name}" was not opened: it is a symbolic link that points back at itself.`;
    case 'EMFILE':
    case 'ENFILE': return `"${name}" was not opened: too many files are open; close some programs and try again.`;
    default: return `"${name}" could not be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** A suggested name from the renderer becomes a plain file name: no folders, no control characters. */
export function safeFileName(suggested: string, fallback: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = path.basename(suggested.replace(/\\/g, '/')).replace(/[\u0000-\u001f<>:"|?*]/g, '_').trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? fallback : cleaned;
}

export function isInside(dir: string, file: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function exportFilters(suggestedName: string, mime: string): FileFilter[] {
  const ext = path.extname(suggestedName).slice(1).toLowerCase();
  const label = ext ? `${ext.toUpperCase()} file (${mime})` : mime;
  return ext ? [{ name: label, extensions: [ext] }, { name: 'All files', extensions: ['*'] }] : [{ name: 'All files', extensions: ['*'] }];
}

export function createHandlers(deps: HandlerDeps): { invoke: InvokeHandlers; send: SendHandlers; openPath: (session: WindowSession, file: string) => Promise<HostFile> } {
  let lastDir: string | null = null;

  async function touchRecent(file: string): Promise<void> {
    const list = addRecent(await deps.recent.load(), file, deps.now());
    await deps.recent.save(list);
    deps.recentChanged(list);
  }

  async function openPath(session: WindowSession, file: string): Promise<HostFile> {
    let text: string;
    try {
      const tooBig = fileTooBig(path.basename(file), await deps.fileSize(file));
      if (tooBig) throw new Error(tooBig);
      text = await deps.readFile(file);
    } catch (error) {
      throw (error as { code?: unknown }).code === undefined && error instanceof Error ? error : new Error(describeOpenError(file, error));
    }
    // The bundled examples open as templates, so Save never writes into the app (or the source tree).
    if (deps.templateDirs.some((dir) => isInside(dir, file))) return { name: path.basename(file), text };
    session.granted.add(file);
    lastDir = path.dirname(file);
    await touchRecent(file);
    return { name: path.basename(file), path: file, text, handle: file };
  }

  async function writeTo(session: WindowSession, file: string, text: string): Promise<SaveResult> {
    await deps.writeFileAtomic(file, text);
    session.granted.add(file);
    lastDir = path.dirname(file);
    await touchRecent(file);
    return { name: path.basename(file), path: file, handle: file };
  }

  async function saveAs(session: WindowSession, text: string, suggestedName: string): Promise<SaveResult | null> {
    const name = safeFileName(suggestedName, `graph.${GRAPH_EXTENSION}`);
    let file = await deps.showSaveDialog(session, {
      title: 'Save graph',
      defaultPath: path.join(lastDir ?? deps.defaultDir(), name),
      filters: saveFilters(name),
    });
    if (file === null) {
      // The user backed out of "save before closing": keep the window open.
      session.closeAfterSave = false;
      return null;
    }
    if (path.extname(file) === '') file += `.${saveExtensionFor(name)}`;
    return writeTo(session, file, text);
  }

  /** Runs go beside a graph only this window opened or saved: a renderer cannot name any other path. */
  function besideOf(session: WindowSession, graphPath: string): string {
    if (typeof graphPath !== 'string' || ![...session.granted].some((g) => samePath(g, graphPath))) {
      throw new Error(`Runs are kept beside a graph file this window opened or saved; "${String(graphPath)}" is not one. Save the graph first.`);
    }
    return runsBesidePath(graphPath);
  }

  const invoke: InvokeHandlers = {
    async openFile(session) {
      const file = await deps.showOpenDialog(session, {
        title: 'Open graph',
        defaultPath: lastDir ?? deps.defaultDir(),
        filters: OPEN_FILTERS,
      });
      return file === null ? null : openPath(session, file);
    },
    async openModelFile(session) {
      const file = await deps.showOpenDialog(session, {
        title: 'Import model',
        defaultPath: lastDir ?? deps.defaultDir(),
        filters: MODEL_FILTERS,
      });
      if (file === null) return null;
      const name = path.basename(file);
      let bytes: Uint8Array;
      try {
        const size = await deps.fileSize(file);
        if (size > MAX_MODEL_FILE_BYTES) throw new Error(`"${name}" is ${Math.ceil(size / (1024 * 1024))} MB; Cellwright imports model files up to ${MAX_MODEL_FILE_BYTES / (1024 * 1024)} MB.`);
        bytes = await deps.readBytes(file);
      } catch (error) {
        throw (error as { code?: unknown }).code === undefined && error instanceof Error ? error : new Error(describeOpenError(file, error));
      }
      lastDir = path.dirname(file);
      return { name, bytes };
    },
    async saveFile(session, text, suggestedName, handle) {
      // Only a path this window opened or saved may be written without asking:
      // a compromised renderer cannot name an arbitrary file to overwrite.
      if (handle !== null && [...session.granted].some((g) => samePath(g, handle))) return writeTo(session, handle, text);
      return saveAs(session, text, suggestedName);
    },
    saveFileAs: (session, text, suggestedName) => saveAs(session, text, suggestedName),
    async exportFile(session, data, suggestedName, mime) {
      const name = safeFileName(suggestedName, 'export');
      const file = await deps.showSaveDialog(session, {
        title: 'Export',
        defaultPath: path.join(lastDir ?? deps.defaultDir(), name),
        filters: exportFilters(name, mime),
      });
      if (file === null) return null;
      await deps.writeFileAtomic(file, data);
      lastDir = path.dirname(file);
      return { name: path.basename(file), path: file };
    },
    async recentFiles() {
      const list = await deps.recent.load();
      const present: RecentFile[] = [];
      for (const item of list) if (await deps.exists(item.path)) present.push(item);
      if (present.length !== list.length) {
        await deps.recent.save(present);
        deps.recentChanged(present);
      }
      return present;
    },
    async openRecent(session, file) {
      const list = await deps.recent.load();
      const entry = list.find((item) => samePath(item.path, file));
      if (!entry) throw new Error(`"${file}" is not in the recent files list; open it with File → Open.`);
      if (!(await deps.exists(entry.path))) {
        const pruned = removeRecent(list, entry.path);
        await deps.recent.save(pruned);
        deps.recentChanged(pruned);
        throw new Error(`"${entry.path}" no longer exists; it was removed from the recent files.`);
      }
      return openPath(session, entry.path);
    },
    async getSetting(_session, key) {
      const settings = await deps.settings.load();
      return Object.prototype.hasOwnProperty.call(settings, key) ? { value: settings[key] } : null;
    },
    async setSetting(_session, key, value) {
      const settings = await deps.settings.load();
      // Round-trip through JSON so what is stored is exactly what will be read back.
      const stored: unknown = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
      if (stored === undefined) delete settings[key];
      else settings[key] = stored;
      await deps.settings.save(settings);
    },
    async writeAutosave(session, text) {
      // The renderer writes only once the recovery offer is answered: the slot now holds this session's work.
      await deps.autosave.write(session.slot, text);
      session.recoverable = false;
    },
    readAutosave: (session) => deps.autosave.read(session.slot),
    async clearAutosave(session) {
      // The user saved or discarded: the work is no longer needed.
      await deps.autosave.clear(session.slot);
      session.recoverable = false;
    },
    async openExternal(_session, url) {
      if (!isAllowedExternal(url)) return false;
      await deps.openExternal(url);
      return true;
    },
    async nativeEdit(session, command) {
      deps.nativeEdit(session, command);
    },
    async takePendingFiles(session) {
      const files = session.pending ?? [];
      session.pending = null;
      return files;
    },
    async readRunsBeside(session, graphPath) {
      const file = besideOf(session, graphPath);
      if (!(await deps.exists(file))) return null;
      try {
        const tooBig = fileTooBig(path.basename(file), await deps.fileSize(file));
        if (tooBig) throw new Error(tooBig);
        return await deps.readFile(file);
      } catch (error) {
        throw (error as { code?: unknown }).code === undefined && error instanceof Error ? error : new Error(describeOpenError(file, error));
      }
    },
    async writeRunsBeside(session, graphPath, text) {
      const file = besideOf(session, graphPath);
      if (text === null) await deps.removeFile(file);
      else await deps.writeFileAtomic(file, text);
    },
  };

  const send: SendHandlers = {
    setDirty(session, dirty, title) {
      session.dirty = dirty;
      session.title = title;
      deps.dirtyChanged(session);
      if (!dirty && session.closeAfterSave) {
        session.closeAfterSave = false;
        deps.closeWindow(session);
      }
    },
  };

  return { invoke, send, openPath };
}
