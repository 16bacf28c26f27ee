/**
 * The Host the renderer uses inside the desktop app: a thin typed layer over
 * `window.cellwright`, the API the preload exposes (see common/ipc-contract.ts).
 */
import type { HostFile, Host, MenuAction, ModelFile, RecentFile, SaveResult } from './types.ts';
import { NATIVE_EDIT_COMMANDS, PRELOAD_GLOBAL } from '../../common/ipc-contract.ts';
import type { NativeEditCommand, PreloadApi } from '../../common/ipc-contract.ts';

/** The preload's API, or null outside Electron (the browser edition). */
export function desktopApi(scope: object = globalThis): PreloadApi | null {
  const api = (scope as Record<string, unknown>)[PRELOAD_GLOBAL];
  return typeof api === 'object' && api !== null ? (api as PreloadApi) : null;
}

/** True when a text field has the focus: edit commands then act on its text, not on the graph. */
export function isEditableFocused(doc: Document | undefined = globalThis.document): boolean {
  const el = doc?.activeElement;
  if (!el) return false;
  if (el instanceof HTMLTextAreaElement) return !el.readOnly && !el.disabled;
  if (el instanceof HTMLInputElement) {
    const textual = ['text', 'search', 'url', 'tel', 'email', 'password', 'number', ''];
    return textual.includes(el.type) && !el.readOnly && !el.disabled;
  }
  return el instanceof HTMLElement && el.isContentEditable;
}

/**
 * Electron wraps an error thrown in main as "Error invoking remote method
 * 'cw:file:open': Error: <message>"; the user needs only the message.
 */
export function unwrapIpcError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const inner = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?([\s\S]*)$/.exec(message);
  return inner ? new Error(inner[1]) : error instanceof Error ? error : new Error(message);
}

async function unwrapped<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw unwrapIpcError(error);
  }
}

function isNativeEdit(action: MenuAction): action is MenuAction & NativeEditCommand {
  return (NATIVE_EDIT_COMMANDS as readonly string[]).includes(action);
}

export class ElectronHost implements Host {
  readonly kind = 'electron' as const;
  private readonly fileListeners = new Set<(file: HostFile) => void>();
  private fileBuffer: HostFile[] = [];
  private fileChannel: (() => void) | null = null;

  constructor(private readonly api: PreloadApi, private readonly editableFocused: () => boolean = () => isEditableFocused()) {}

  openFile(): Promise<HostFile | null> {
    return unwrapped(this.api.openFile());
  }

  openModelFile(): Promise<ModelFile | null> {
    return unwrapped(this.api.openModelFile());
  }

  saveFile(text: string, suggestedName: string, handle?: unknown): Promise<SaveResult | null> {
    return unwrapped(this.api.saveFile(text, suggestedName, typeof handle === 'string' ? handle : null));
  }

  saveFileAs(text: string, suggestedName: string): Promise<SaveResult | null> {
    return unwrapped(this.api.saveFileAs(text, suggestedName));
  }

  async exportFile(data: Blob | string, suggestedName: string, mime: string): Promise<SaveResult | null> {
    // A Blob cannot cross IPC; its bytes can.
    const payload = typeof data === 'string' ? data : new Uint8Array(await data.arrayBuffer());
    return unwrapped(this.api.exportFile(payload, suggestedName, mime));
  }

  recentFiles(): Promise<RecentFile[]> {
    return this.api.recentFiles();
  }

  openRecent(path: string): Promise<HostFile | null> {
    return unwrapped(this.api.openRecent(path));
  }

  async getSetting<T>(key: string, fallback: T): Promise<T> {
    const found = await this.api.getSetting(key);
    return found === null ? fallback : (found.value as T);
  }

  setSetting<T>(key: string, value: T): Promise<void> {
    return this.api.setSetting(key, value);
  }

  writeAutosave(text: string): Promise<void> {
    return this.api.writeAutosave(text);
  }

  readAutosave(): Promise<string | null> {
    return this.api.readAutosave();
  }

  clearAutosave(): Promise<void> {
    return this.api.clearAutosave();
  }

  setDirty(dirty: boolean, title: string): void {
    this.api.setDirty(dirty, title);
  }

  onMenuAction(listener: (action: MenuAction) => void): () => void {
    return this.api.onMenuAction((action) => {
      // Edit → Copy while typing in a text field copies the text, natively;
      // the graph's own copy runs only when no text field has the focus.
      if (isNativeEdit(action) && this.editableFocused()) {
        void this.api.nativeEdit(action);
        return;
      }
      listener(action);
    });
  }

  onOpenFile(listener: (file: HostFile) => void): () => void {
    this.fileListeners.add(listener);
    if (!this.fileChannel) {
      // One IPC subscription for all listeners, made before asking for the
      // files queued while the page loaded, so none is lost in between.
      this.fileChannel = this.api.onOpenFile((file) => this.dispatchFile(file));
      void this.api.takePendingFiles().then((files) => {
        for (const file of files) this.dispatchFile(file);
      });
    }
    this.flushFiles();
    return () => {
      this.fileListeners.delete(listener);
    };
  }

  openExternal(url: string): Promise<void> {
    return this.api.openExternal(url).then(() => undefined);
  }
  readRunsBeside(graphPath: string): Promise<string | null> {
    return unwrapped(this.api.readRunsBeside(graphPath));
  }

  writeRunsBeside(graphPath: string, text: string | null): Promise<void> {
    return unwrapped(this.api.writeRunsBeside(graphPath, text));
  }


  private dispatchFile(file: HostFile): void {
    this.fileBuffer.push(file);
    this.flushFiles();
  }

  /** Files wait until a listener exists (React may unsubscribe and resubscribe while mounting). */
  private flushFiles(): void {
    if (this.fileListeners.size === 0) return;
    const files = this.fileBuffer;
    this.fileBuffer = [];
    for (const file of files) for (const listener of this.fileListeners) listener(file);
  }
}

/** The desktop Host when running inside Cellwright's Electron shell, else null. */
export function createElectronHost(): ElectronHost | null {
  const api = desktopApi();
  return api ? new ElectronHost(api) : null;
}
