/**
 * Cellwright's main process: windows, menu, dialogs, files and IPC. The logic
 * lives in small modules with their dependencies passed in (handlers.ts,
 * menu.ts, protocol.ts, ...); this file only wires them to Electron.
 *
 * Bundled by scripts/build-electron.mjs into dist-electron/main.cjs (CJS,
 * `electron` and node builtins external), next to dist-electron/preload.cjs.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session as electronSession, shell } from 'electron';
import type { WebContents } from 'electron';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EventName, EventPayloads, HostFile, MenuAction, NativeEditCommand, RecentFile } from '../common/ipc-contract.ts';
import { EVENT_CHANNELS } from '../common/ipc-contract.ts';
import { registerIpc } from './ipc/register.ts';
import { isMenuAction } from './ipc/validate.ts';
import { createHandlers } from './handlers.ts';
import type { HandlerDeps } from './handlers.ts';
import { createSession } from './session.ts';
import type { WindowSession } from './session.ts';
import { AutosaveStore } from './autosave.ts';
import { atomicWrite } from '../common/node/atomic-write.ts';
import { JsonFile, isPlainObject } from './json-file.ts';
import { parseRecent } from './recent-files.ts';
import { cascade, DEFAULT_WINDOW, MIN_HEIGHT, MIN_WIDTH, parseWindowState, restoreBounds } from './window-state.ts';
import type { WindowState } from './window-state.ts';
import { buildMenuTemplate } from './menu.ts';
import { applyChoice, autosaveAfterClose, choiceFromButton, CLOSE_BUTTONS, mustAsk } from './close-guard.ts';
import { splitArgv } from './args.ts';
import { GRAPH_EXTENSION } from '../common/graph-files.ts';
import { createAppProtocolHandler } from './protocol.ts';
import {
  APP_ENTRY, APP_SCHEME, CONTENT_SECURITY_POLICY, isAllowedExternal, isAppUrl,
} from './security.ts';

const PRODUCT = 'Cellwright';
const DOCS_URL = 'https://github.com/cellwright/cellwright#readme';

// Must run before `ready`, in one call (a second call replaces the first).
// standard: relative URLs and an origin; secure: a secure context like https;
// corsEnabled: Vite's `<script type="module" crossorigin>` and module workers
// are CORS-mode fetches, which Chromium refuses for schemes without it (our
// responses carry no Access-Control-Allow-Origin, so no other origin can read them).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true, codeCache: true } },
]);
// Every renderer is sandboxed, whatever a future window's options say.
app.enableSandbox();

interface Entry { win: BrowserWindow; session: WindowSession; crashes: number }

// Read now: the files to open are those of this launch.
const launchArgv = process.argv.slice();
const launchCwd = process.cwd();
const appRoot = app.getAppPath();
const webRoot = path.join(appRoot, 'dist-web');
const preloadPath = path.join(__dirname, 'preload.cjs');
const userData = app.getPath('userData');

const settingsFile = new JsonFile<Record<string, unknown>>(path.join(userData, 'settings.json'), (raw) => (isPlainObject(raw) ? raw : {}), () => ({}));
const recentFile = new JsonFile<RecentFile[]>(path.join(userData, 'recent-files.json'), parseRecent, () => []);
const windowStateFile = new JsonFile<WindowState>(path.join(userData, 'window-state.json'), parseWindowState, () => ({ ...DEFAULT_WINDOW }));
const autosave = new AutosaveStore(path.join(userData, 'autosave'));

/** Windows by webContents id (what an IPC event carries). */
const entries = new Map<number, Entry>();
/** Files asked for before the app was ready (macOS open-file fires early). */
const earlyFiles: string[] = [];
let ready = false;
let recentCache: RecentFile[] = [];

function entryOfSession(session: WindowSession): Entry | undefined {
  for (const entry of entries.values()) if (entry.session === session) return entry;
  return undefined;
}

function emit<K extends EventName>(win: BrowserWindow, name: K, payload: EventPayloads[K]): void {
  if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNELS[name], payload);
}

function reportError(title: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`${title}: ${message}`);
  if (ready) dialog.showErrorBox(title, message);
}

function runNativeEdit(contents: WebContents, command: NativeEditCommand): void {
  switch (command) {
    case 'undo': contents.undo(); break;
    case 'redo': contents.redo(); break;
    case 'cut': contents.cut(); break;
    case 'copy': contents.copy(); break;
    case 'paste': contents.paste(); break;
    case 'selectAll': contents.selectAll(); break;
    case 'delete': contents.delete(); break;
  }
}

function documentsDir(): string {
  try {
    return app.getPath('documents');
  } catch {
    return os.homedir();
  }
}

const deps: HandlerDeps = {
  async showOpenDialog(session, options) {
    const entry = entryOfSession(session);
    const result = entry
      ? await dialog.showOpenDialog(entry.win, { ...options, properties: ['openFile'] })
      : await dialog.showOpenDialog({ ...options, properties: ['openFile'] });
    return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0];
  },
  async showSaveDialog(session, options) {
    const entry = entryOfSession(session);
    const result = entry
      ? await dialog.showSaveDialog(entry.win, { ...options, properties: ['createDirectory', 'showOverwriteConfirmation'] })
      : await dialog.showSaveDialog({ ...options, properties: ['createDirectory', 'showOverwriteConfirmation'] });
    return result.canceled || !result.filePath ? null : result.filePath;
  },
  readFile: (file) => fsp.readFile(file, 'utf8'),
  readBytes: async (file) => new Uint8Array(await fsp.readFile(file)),
  fileSize: async (file) => (await fsp.stat(file)).size,
  exists: async (file) => fsp.access(file).then(() => true, () => false),
  writeFileAtomic: (file, data) => atomicWrite(file, data),
  removeFile: (file) => fsp.rm(file, { force: true }),
  recent: recentFile,
  settings: settingsFile,
  autosave,
  // handlers.openExternal checks the allow-list before calling this.
  openExternal: (url) => shell.openExternal(url),
  nativeEdit(session, command) {
    const entry = entryOfSession(session);
    if (entry) runNativeEdit(entry.win.webContents, command);
  },
  defaultDir: documentsDir,
  recentChanged(list) {
    recentCache = list;
    const last = list[0];
    if (last) app.addRecentDocument(last.path);
    rebuildMenu();
  },
  dirtyChanged(session) {
    const entry = entryOfSession(session);
    if (!entry) return;
    const name = session.title || 'Untitled';
    entry.win.setTitle(`${session.dirty ? '• ' : ''}${name} — ${PRODUCT}`);
    if (process.platform === 'darwin') entry.win.setDocumentEdited(session.dirty);
  },
  closeWindow(session) {
    entryOfSession(session)?.win.close();
  },
  now: () => new Date(),
  templateDirs: [path.join(appRoot, 'assets', 'examples')],
};

const handlers = createHandlers(deps);

registerIpc(ipcMain, handlers, {
  sessionFor: (event) => entries.get(event.sender.id)?.session ?? null,
  warn: (message) => console.warn(message),
});

function deliver(entry: Entry, file: HostFile): void {
  if (entry.session.pending) entry.session.pending.push(file);
  else emit(entry.win, 'onOpenFile', file);
}

async function openInto(entry: Entry, file: string): Promise<void> {
  try {
    deliver(entry, await handlers.openPath(entry.session, file));
  } catch (error) {
    reportError(`Cannot open ${path.basename(file)}`, error);
  }
}

/** Arguments that name no graph file: said, not silently dropped. */
function reportNotGraphs(args: readonly string[]): void {
  for (const arg of args) {
    reportError(`Cannot open ${path.basename(arg)}`, new Error(`"${arg}" is not a Cellwright graph file: Cellwright opens .${GRAPH_EXTENSION} and .json files.`));
  }
}

function focusedEntry(): Entry | undefined {
  const win = BrowserWindow.getFocusedWindow();
  if (win) for (const entry of entries.values()) if (entry.win === win) return entry;
  return [...entries.values()].at(-1);
}

/** Every shell.openExternal goes through the allow-list (https, listed hosts). */
function openAllowedExternal(url: string): void {
  if (isAllowedExternal(url)) void shell.openExternal(url).catch((error: unknown) => console.warn(`Could not open ${url}: ${String(error)}`));
}

/** Security for every webContents, present and future: no new windows, no navigation, no webviews. */
function guardContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    openAllowedExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openAllowedExternal(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function rememberBounds(win: BrowserWindow): void {
  const bounds = win.getNormalBounds();
  void windowStateFile.save({ ...bounds, maximized: win.isMaximized() }).catch((error: unknown) => console.warn(`Could not save the window state: ${String(error)}`));
}

async function createWindow(files: readonly string[]): Promise<Entry> {
  if (!fs.existsSync(path.join(webRoot, 'index.html'))) {
    reportError('Cellwright is incomplete', new Error(`The editor's files are missing (${webRoot}). In a source checkout, run \`npm run build:web\` first.`));
  }
  const { slot, adopted } = await autosave.claimSlot();
  const workAreas = screen.getAllDisplays().map((d) => d.workArea);
  const state = cascade(restoreBounds(await windowStateFile.load(), workAreas), entries.size);
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    title: PRODUCT,
    backgroundColor: '#16181d',
    // Written out here, not built by a helper, so reviewers and Electronegativity see them at the call.
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // Middle-click on a link would otherwise try to open a new window.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const entry: Entry = { win, session: createSession(win.id, slot, adopted), crashes: 0 };
  const contentsId = win.webContents.id;
  entries.set(contentsId, entry);

  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize();
    win.show();
  });

  let asking = false;
  win.on('close', (event) => {
    if (!mustAsk(entry.session)) {
      rememberBounds(win);
      return;
    }
    event.preventDefault();
    if (asking) return;
    asking = true;
    void dialog.showMessageBox(win, {
      type: 'warning',
      buttons: [...CLOSE_BUTTONS],
      defaultId: 0,
      cancelId: 2,
      noLink: true,
      message: `Save changes to “${entry.session.title || 'Untitled'}” before closing?`,
      detail: 'Your changes will be lost if you don’t save them.',
    }).then(({ response }) => {
      asking = false;
      const outcome = applyChoice(entry.session, choiceFromButton(response));
      if (outcome === 'requestSave') emit(win, 'onMenuAction', 'save');
      else if (outcome === 'close') win.close();
    });
  });

  win.on('closed', () => {
    entries.delete(contentsId);
    // Closed on purpose (saved, clean or discarded): the autosave is no longer
    // needed — unless it is crash-recovered work the user has not answered for.
    const { slot: closedSlot } = entry.session;
    const cleared = autosaveAfterClose(entry.session) === 'clear'
      ? autosave.clear(closedSlot).catch((error: unknown) => console.warn(`Could not delete the autosave: ${String(error)}`))
      : Promise.resolve();
    void cleared.then(() => autosave.release(closedSlot));
  });

  win.webContents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit') return;
    entry.crashes += 1;
    console.error(`The editor's renderer stopped (${details.reason}).`);
    // The autosave slot is kept, so the reloaded editor offers to recover the work.
    if (entry.crashes <= 3 && !win.isDestroyed()) win.webContents.reload();
  });

  for (const file of files) await openInto(entry, file);
  await win.loadURL(APP_ENTRY).catch((error: unknown) => reportError('Cellwright could not load its editor', error));
  return entry;
}

/** Open each file in a new window (command line, second instance, double-click in Finder). */
async function openFiles(files: readonly string[]): Promise<void> {
  if (!ready) {
    earlyFiles.push(...files);
    return;
  }
  for (const file of files) await createWindow([file]);
}

function sendAction(action: MenuAction): void {
  if (!isMenuAction(action)) {
    console.error(`Cellwright: menu action ${JSON.stringify(action)} is not in the IPC contract; not sent`);
    return;
  }
  const entry = focusedEntry();
  if (entry) {
    emit(entry.win, 'onMenuAction', action);
    return;
  }
  // macOS keeps the app running with no window: New and Open still work.
  if (action === 'new') void createWindow([]);
  if (action === 'open') {
    void createWindow([]).then(async (created) => {
      const file = await handlers.invoke.openFile(created.session);
      if (file) deliver(created, file);
    }).catch((error: unknown) => reportError('Cannot open the file', error));
  }
}

function rebuildMenu(): void {
  const template = buildMenuTemplate(
    { platform: process.platform, appName: PRODUCT, recent: recentCache, devTools: !app.isPackaged },
    {
      action: sendAction,
      newWindow: () => void createWindow([]),
      openRecent: (file) => {
        const entry = focusedEntry();
        // A window with unsaved work keeps it: the recent file opens beside it.
        if (entry && !entry.session.dirty) {
          void handlers.invoke.openRecent(entry.session, file).then((f) => f && deliver(entry, f)).catch((error: unknown) => reportError('Cannot open the recent file', error));
        } else void openFiles([file]);
      },
      clearRecent: () => {
        void recentFile.save([]).then(() => deps.recentChanged([]));
      },
      openDocs: () => openAllowedExternal(DOCS_URL),
    },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function hardenSession(): void {
  const ses = electronSession.defaultSession;
  // The protocol handler sets the CSP too; this covers any response it does not serve.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // The editor needs no camera, microphone, notifications, geolocation...:
  // only writing to the clipboard (copy of nodes) from our own pages.
  ses.setPermissionRequestHandler((contents, permission, callback) => {
    callback(permission === 'clipboard-sanitized-write' && isAppUrl(contents.getURL()));
  });
  ses.setPermissionCheckHandler((_contents, permission, origin) => permission === 'clipboard-sanitized-write' && isAppUrl(origin));
}

if (!app.requestSingleInstanceLock()) {
  // Another Cellwright is running: it receives our argv in 'second-instance' and opens the files.
  app.quit();
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const { files, notGraphs } = splitArgv(argv, workingDirectory, app.isPackaged);
    reportNotGraphs(notGraphs);
    if (files.length > 0) {
      void openFiles(files);
      return;
    }
    const entry = focusedEntry();
    if (entry) {
      if (entry.win.isMinimized()) entry.win.restore();
      entry.win.focus();
    } else void createWindow([]);
  });

  app.on('open-file', (event, file) => {
    event.preventDefault();
    void openFiles([file]);
  });

  app.on('web-contents-created', (_event, contents) => guardContents(contents));

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (entries.size === 0 && ready) void createWindow([]);
  });

  void app.whenReady().then(async () => {
    hardenSession();
    protocol.handle(APP_SCHEME, createAppProtocolHandler(webRoot, (file) => fsp.readFile(file)));
    recentCache = await recentFile.load();
    rebuildMenu();
    ready = true;
    const launch = splitArgv(launchArgv, launchCwd, app.isPackaged);
    reportNotGraphs(launch.notGraphs);
    const files = [...launch.files, ...earlyFiles.splice(0)];
    const [first, ...rest] = files;
    await createWindow(first ? [first] : []);
    await openFiles(rest);
  }).catch((error: unknown) => {
    console.error(error);
    reportError('Cellwright could not start', error);
    app.exit(1);
  });
}
