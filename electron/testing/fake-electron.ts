/**
 * A stand-in for the `electron` module, enough to run main.ts and preload.ts
 * in Node (Electron's binary cannot be downloaded everywhere). It records what
 * the code under test asks of Electron: windows and their options, IPC
 * registrations, the protocol handler, the menu, dialogs.
 */
import { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;

export interface DialogQueues {
  open: (string | null)[];
  save: (string | null)[];
  /** Button index the "unsaved changes" box returns. */
  message: number[];
}

export class FakeWebContents extends EventEmitter {
  static nextId = 100;
  readonly id = FakeWebContents.nextId++;
  readonly sent: { channel: string; payload: unknown }[] = [];
  readonly nativeEdits: string[] = [];
  url = '';
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;

  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.url;
  }
  reload(): void {}
  undo(): void { this.nativeEdits.push('undo'); }
  redo(): void { this.nativeEdits.push('redo'); }
  cut(): void { this.nativeEdits.push('cut'); }
  copy(): void { this.nativeEdits.push('copy'); }
  paste(): void { this.nativeEdits.push('paste'); }
  selectAll(): void { this.nativeEdits.push('selectAll'); }
  delete(): void { this.nativeEdits.push('delete'); }
  /** What an IPC event from this page's top frame looks like. */
  ipcEvent(url = this.url): { sender: { id: number }; senderFrame: { url: string; parent: null } } {
    return { sender: { id: this.id }, senderFrame: { url, parent: null } };
  }
}

export interface BrowserWindowOptions {
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  webPreferences?: Record<string, unknown>;
  [key: string]: unknown;
}

export function createFakeElectron(opts: { appPath: string; userData: string; documents: string }) {
  const windows: FakeBrowserWindow[] = [];
  const ipcHandlers = new Map<string, Listener>();
  const ipcListeners = new Map<string, Listener[]>();
  const rendererListeners = new Map<string, Listener[]>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const sentFromRenderer: { channel: string; args: unknown[] }[] = [];
  const exposed: Record<string, unknown> = {};
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
  const privilegedSchemes: unknown[] = [];
  const dialogs: DialogQueues = { open: [], save: [], message: [] };
  /** The options of every open/save dialog shown, in order (the last argument of each call). */
  const dialogOptions: { kind: 'open' | 'save'; options: Record<string, unknown> }[] = [];
  const messageBoxes: unknown[] = [];
  const errorBoxes: { title: string; content: string }[] = [];
  const externalOpened: string[] = [];
  const headerHooks: Listener[] = [];
  const permissionHandlers: { request: Listener | null; check: Listener | null } = { request: null, check: null };
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    sandboxEnabled: false,
    quitCalled: false,
    singleInstance: true,
    recentDocuments: [] as string[],
    getAppPath: () => opts.appPath,
    getPath: (name: string) => (name === 'userData' ? opts.userData : name === 'documents' ? opts.documents : opts.userData),
    enableSandbox() { app.sandboxEnabled = true; },
    requestSingleInstanceLock: () => app.singleInstance,
    whenReady: () => Promise.resolve(),
    quit() { app.quitCalled = true; },
    exit() { app.quitCalled = true; },
    addRecentDocument(file: string) { app.recentDocuments.push(file); },
  });
  let focused: FakeBrowserWindow | null = null;
  const setFocused = (w: FakeBrowserWindow | null): void => {
    focused = w;
  };
  let menuTemplate: unknown[] | null = null;

  class FakeBrowserWindow extends EventEmitter {
    static nextId = 1;
    readonly id = FakeBrowserWindow.nextId++;
    readonly webContents = new FakeWebContents();
    destroyed = false;
    title = '';
    shown = false;
    loadedUrl: string | null = null;
    bounds: { x: number; y: number; width: number; height: number };

    constructor(readonly options: BrowserWindowOptions) {
      super();
      this.bounds = { x: options.x ?? 100, y: options.y ?? 80, width: options.width ?? 800, height: options.height ?? 600 };
      windows.push(this);
      setFocused(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    static getFocusedWindow(): FakeBrowserWindow | null {
      return focused && !focused.destroyed ? focused : null;
    }
    static getAllWindows(): FakeBrowserWindow[] {
      return windows.filter((w) => !w.destroyed);
    }
    async loadURL(url: string): Promise<void> {
      this.loadedUrl = url;
      this.webContents.url = url;
    }
    show(): void { this.shown = true; }
    maximize(): void {}
    isMaximized(): boolean { return false; }
    isMinimized(): boolean { return false; }
    restore(): void {}
    focus(): void { setFocused(this); }
    setTitle(title: string): void { this.title = title; }
    setDocumentEdited(): void {}
    isDestroyed(): boolean { return this.destroyed; }
    getNormalBounds() { return { ...this.bounds }; }
    setBounds(bounds: { x: number; y: number; width: number; height: number }): void { this.bounds = { ...bounds }; }
    /** Like a click on the close button: 'close' may be prevented; otherwise 'closed'. */
    close(): void {
      if (this.destroyed) return;
      let prevented = false;
      this.emit('close', { preventDefault: () => { prevented = true; } });
      if (prevented) return;
      this.destroyed = true;
      if (focused === this) focused = null;
      this.emit('closed');
    }
  }

  const module = {
    app,
    BrowserWindow: FakeBrowserWindow,
    ipcMain: {
      handle(channel: string, listener: Listener) {
        if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        ipcHandlers.set(channel, listener);
      },
      on(channel: string, listener: Listener) {
        ipcListeners.set(channel, [...(ipcListeners.get(channel) ?? []), listener]);
      },
    },
    ipcRenderer: {
      invoke(channel: string, ...args: unknown[]) {
        invoked.push({ channel, args });
        return Promise.resolve({ channel, args });
      },
      send(channel: string, ...args: unknown[]) {
        sentFromRenderer.push({ channel, args });
      },
      on(channel: string, listener: Listener) {
        rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), listener]);
      },
      removeListener(channel: string, listener: Listener) {
        rendererListeners.set(channel, (rendererListeners.get(channel) ?? []).filter((l) => l !== listener));
      },
    },
    contextBridge: {
      exposeInMainWorld(name: string, api: unknown) {
        exposed[name] = api;
      },
    },
    protocol: {
      registerSchemesAsPrivileged(schemes: unknown[]) { privilegedSchemes.push(...schemes); },
      handle(scheme: string, handler: (request: Request) => Promise<Response>) { protocolHandlers.set(scheme, handler); },
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived(listener: Listener) { headerHooks.push(listener); } },
        setPermissionRequestHandler(listener: Listener) { permissionHandlers.request = listener; },
        setPermissionCheckHandler(listener: Listener) { permissionHandlers.check = listener; },
      },
    },
    screen: {
      getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
    },
    Menu: {
      buildFromTemplate: (template: unknown[]) => template,
      setApplicationMenu(menu: unknown[]) { menuTemplate = menu; },
    },
    dialog: {
      async showOpenDialog(...args: unknown[]) {
        dialogOptions.push({ kind: 'open', options: args.at(-1) as Record<string, unknown> });
        const file = dialogs.open.shift() ?? null;
        return { canceled: file === null, filePaths: file === null ? [] : [file] };
      },
      async showSaveDialog(...args: unknown[]) {
        dialogOptions.push({ kind: 'save', options: args.at(-1) as Record<string, unknown> });
        const file = dialogs.save.shift() ?? null;
        return { canceled: file === null, filePath: file ?? '' };
      },
      async showMessageBox(...args: unknown[]) {
        messageBoxes.push(args);
        return { response: dialogs.message.shift() ?? 2 };
      },
      showErrorBox(title: string, content: string) { errorBoxes.push({ title, content }); },
    },
    shell: {
      async openExternal(url: string) { externalOpened.push(url); },
    },
  };

  return {
    module,
    app,
    windows,
    ipcHandlers,
    ipcListeners,
    rendererListeners,
    invoked,
    sentFromRenderer,
    exposed,
    protocolHandlers,
    privilegedSchemes,
    dialogs,
    dialogOptions,
    messageBoxes,
    errorBoxes,
    externalOpened,
    headerHooks,
    permissionHandlers,
    menu: () => menuTemplate,
    /** Call an invoke channel as the given window's page would. */
    async invoke(win: FakeBrowserWindow, channel: string, ...args: unknown[]): Promise<unknown> {
      const handler = ipcHandlers.get(channel);
      if (!handler) throw new Error(`No handler for ${channel}`);
      return handler(win.webContents.ipcEvent(), ...args);
    },
    send(win: FakeBrowserWindow, channel: string, ...args: unknown[]): void {
      for (const listener of ipcListeners.get(channel) ?? []) listener(win.webContents.ipcEvent(), ...args);
    },
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
export type FakeWindow = FakeElectron['windows'][number];
