// Runs electron/main.ts against a fake `electron` module: every IPC channel of
// the contract is registered and nothing else; foreign senders are refused;
// recent files, window bounds and unsaved work survive a restart.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFakeElectron } from './testing/fake-electron.ts';
import type { FakeElectron, FakeWindow } from './testing/fake-electron.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS, MENU_ACTIONS, SEND_CHANNELS } from '../common/ipc-contract.ts';
import { CONTENT_SECURITY_POLICY } from './security.ts';
import type { HostFile, RecentFile } from '../common/ipc-contract.ts';

let tmp: string;
let appPath: string;
let userData: string;
let documents: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-main-'));
  appPath = path.join(tmp, 'app');
  userData = path.join(tmp, 'userData');
  documents = path.join(tmp, 'docs');
  fs.mkdirSync(path.join(appPath, 'dist-web'), { recursive: true });
  fs.writeFileSync(path.join(appPath, 'dist-web', 'index.html'), '<!doctype html><title>Cellwright</title>');
  fs.mkdirSync(documents, { recursive: true });
});

afterEach(() => {
  vi.doUnmock('electron');
  vi.resetModules();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Start main.ts as a fresh process would: new module registry, new Electron, same userData. */
async function launch(argv: string[] = []): Promise<FakeElectron> {
  vi.resetModules();
  const fake = createFakeElectron({ appPath, userData, documents });
  vi.doMock('electron', () => fake.module);
  const savedArgv = process.argv;
  process.argv = [savedArgv[0], appPath, ...argv];
  try {
    await import('./main.ts');
  } finally {
    process.argv = savedArgv;
  }
  await vi.waitFor(() => expect(fake.windows[0]?.loadedUrl).toBeTruthy());
  return fake;
}

function win(fake: FakeElectron, index = 0): FakeWindow {
  const w = fake.windows[index];
  if (!w) throw new Error(`no window ${index}`);
  return w;
}

describe('main process', () => {
  it('registers every channel of the contract, and nothing else', async () => {
    const fake = await launch();
    expect([...fake.ipcHandlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort());
    expect([...fake.ipcListeners.keys()].sort()).toEqual(Object.values(SEND_CHANNELS).sort());
  });

  it('loads the editor over app://, sandboxed and isolated, with a CSP on every response', async () => {
    const fake = await launch();
    const w = win(fake);
    expect(w.loadedUrl).toBe('app://cellwright/index.html');
    expect(w.options.webPreferences).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true });
    expect(fake.app.sandboxEnabled).toBe(true);
    const handler = fake.protocolHandlers.get('app');
    if (!handler) throw new Error('app:// not handled');
    const res = await handler(new Request('app://cellwright/index.html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await res.text()).toContain('<title>Cellwright</title>');
    expect((await handler(new Request('app://cellwright/..%2f..%2fuserData/settings.json'))).status).toBeGreaterThanOrEqual(400);
  });

  it('refuses IPC from a page that is not its own, and from an iframe', async () => {
    const fake = await launch();
    const w = win(fake);
    const handler = fake.ipcHandlers.get(INVOKE_CHANNELS.readAutosave);
    if (!handler) throw new Error('missing handler');
    await expect(handler(w.webContents.ipcEvent('https://evil.example/'), )).rejects.toThrow(/not Cellwright's own window/);
    await expect(handler({ sender: { id: w.webContents.id }, senderFrame: { url: 'app://cellwright/index.html', parent: {} } })).rejects.toThrow(/Refused/);
    await expect(handler({ sender: { id: 9999 }, senderFrame: { url: 'app://cellwright/index.html', parent: null } })).rejects.toThrow(/no Cellwright window/);
    await expect(handler(w.webContents.ipcEvent())).resolves.toBeNull();
  });

  it('denies new windows and navigation; opens allowed links in the browser only', async () => {
    const fake = await launch();
    const contents = win(fake).webContents;
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'https://github.com/cellwright' })).toEqual({ action: 'deny' });
    let prevented = false;
    contents.emit('will-navigate', { preventDefault: () => { prevented = true; } }, 'https://evil.example/');
    expect(prevented).toBe(true);
    expect(fake.externalOpened).toEqual(['https://github.com/cellwright']);
    expect(await fake.invoke(win(fake), INVOKE_CHANNELS.openExternal, 'file:///etc/passwd')).toBe(false);
    expect(await fake.invoke(win(fake), INVOKE_CHANNELS.openExternal, 'https://arxiv.org/abs/1503.04069')).toBe(true);
  });

  it('opens a graph named on the command line and hands it to the renderer when it asks', async () => {
    const graph = path.join(documents, 'lstm.json');
    fs.writeFileSync(graph, '{"format":"cellwright-graph","version":1}');
    const fake = await launch([graph]);
    const pending = await fake.invoke(win(fake), INVOKE_CHANNELS.takePendingFiles) as HostFile[];
    expect(pending.map((f) => [f.name, f.path, f.text])).toEqual([['lstm.json', graph, '{"format":"cellwright-graph","version":1}']]);
    // A second instance started with another file: it opens in a new window.
    const other = path.join(documents, 'gru.json');
    fs.writeFileSync(other, '{}');
    fake.app.emit('second-instance', {}, ['/usr/bin/electron', appPath, other], documents);
    // The new window's page must be loaded before it may call main.
    await vi.waitFor(() => expect(fake.windows[1]?.loadedUrl).toBeTruthy());
    expect(await fake.invoke(win(fake, 1), INVOKE_CHANNELS.takePendingFiles)).toMatchObject([{ name: 'gru.json', path: other }]);
  });

  it('keeps runs beside a graph the window saved (<file>.runs.json), and nowhere else', async () => {
    const fake = await launch();
    const graph = path.join(documents, 'lstm.cellwright');
    fake.dialogs.save.push(graph);
    await fake.invoke(win(fake), INVOKE_CHANNELS.saveFileAs, '{"name":"LSTM"}', 'lstm.cellwright');
    expect(await fake.invoke(win(fake), INVOKE_CHANNELS.readRunsBeside, graph)).toBeNull();
    await fake.invoke(win(fake), INVOKE_CHANNELS.writeRunsBeside, graph, '{"runs":[]}');
    expect(fs.readFileSync(`${graph}.runs.json`, 'utf8')).toBe('{"runs":[]}');
    expect(await fake.invoke(win(fake), INVOKE_CHANNELS.readRunsBeside, graph)).toBe('{"runs":[]}');
    // A path the window never opened or saved is refused, whatever the renderer names.
    const other = path.join(documents, 'other.cellwright');
    await expect(fake.invoke(win(fake), INVOKE_CHANNELS.writeRunsBeside, other, '{}')).rejects.toThrow(/this window opened or saved; ".*other\.cellwright" is not one/);
    expect(fs.existsSync(`${other}.runs.json`)).toBe(false);
    await expect(fake.invoke(win(fake), INVOKE_CHANNELS.readRunsBeside, 42)).rejects.toThrow();
    // null removes the file (runs back in the graph file, or in the session only).
    await fake.invoke(win(fake), INVOKE_CHANNELS.writeRunsBeside, graph, null);
    expect(fs.existsSync(`${graph}.runs.json`)).toBe(false);
    await fake.invoke(win(fake), INVOKE_CHANNELS.writeRunsBeside, graph, null);
  });

  it('opens a bundled example as a template: Save asks where instead of writing into the app', async () => {
    const example = path.join(appPath, 'assets', 'examples', 'lstm.json');
    fs.mkdirSync(path.dirname(example), { recursive: true });
    fs.writeFileSync(example, '{"name":"LSTM"}');
    const fake = await launch([example]);
    const [file] = await fake.invoke(win(fake), INVOKE_CHANNELS.takePendingFiles) as HostFile[];
    expect(file).toEqual({ name: 'lstm.json', text: '{"name":"LSTM"}' });
    expect(await fake.invoke(win(fake), INVOKE_CHANNELS.saveFile, '{"changed":true}', 'lstm.json', example)).toBeNull(); // dialog cancelled
    expect(fs.readFileSync(example, 'utf8')).toBe('{"name":"LSTM"}');
    expect(await fake.invoke(win(fake), INVOKE_CHANNELS.recentFiles)).toEqual([]);
  });

  it('keeps recent files and the window bounds across a restart', async () => {
    const graph = path.join(documents, 'mine.json');
    fs.writeFileSync(graph, '{}');
    const first = await launch();
    first.dialogs.open.push(graph);
    await first.invoke(win(first), INVOKE_CHANNELS.openFile);
    win(first).setBounds({ x: 300, y: 200, width: 1000, height: 700 });
    win(first).close();
    await vi.waitFor(() => expect(fs.existsSync(path.join(userData, 'window-state.json'))).toBe(true));

    const second = await launch();
    const recent = await second.invoke(win(second), INVOKE_CHANNELS.recentFiles) as RecentFile[];
    expect(recent.map((r) => r.path)).toEqual([graph]);
    expect(win(second).options).toMatchObject({ x: 300, y: 200, width: 1000, height: 700 });
    // The recent file can be reopened by path; an arbitrary path cannot.
    expect(await second.invoke(win(second), INVOKE_CHANNELS.openRecent, graph)).toMatchObject({ text: '{}' });
    await expect(second.invoke(win(second), INVOKE_CHANNELS.openRecent, '/etc/passwd')).rejects.toThrow(/not in the recent files/);
  });

  it('recovers unsaved work after a crash and deletes it only once the user has saved or discarded it', async () => {
    const autosaves = () => fs.readdirSync(path.join(userData, 'autosave'));
    const first = await launch();
    await first.invoke(win(first), INVOKE_CHANNELS.writeAutosave, '{"unsaved":true}');
    // Crash: the process dies without closing its window.
    const second = await launch();
    expect(await second.invoke(win(second), INVOKE_CHANNELS.readAutosave)).toBe('{"unsaved":true}');
    // Closed without answering the offer (the document itself is clean): the work is kept.
    win(second).close();
    await vi.waitFor(() => expect(win(second).destroyed).toBe(true));
    expect(autosaves()).toHaveLength(1);
    const third = await launch();
    expect(await third.invoke(win(third), INVOKE_CHANNELS.readAutosave)).toBe('{"unsaved":true}');
    // The user chooses Discard: now it goes, at once and for good.
    await third.invoke(win(third), INVOKE_CHANNELS.clearAutosave);
    expect(autosaves()).toEqual([]);
    win(third).close();
    const fourth = await launch();
    expect(await fourth.invoke(win(fourth), INVOKE_CHANNELS.readAutosave)).toBeNull();
  });

  it('deletes recovered work that was restored and then closed with "Don\'t Save"', async () => {
    const first = await launch();
    await first.invoke(win(first), INVOKE_CHANNELS.writeAutosave, '{"unsaved":1}');
    const second = await launch();
    const w = win(second);
    expect(await second.invoke(w, INVOKE_CHANNELS.readAutosave)).toBe('{"unsaved":1}');
    // Restore: the document is the recovered one, dirty; its next autosave replaces the old.
    second.send(w, SEND_CHANNELS.setDirty, true, 'Untitled');
    await second.invoke(w, INVOKE_CHANNELS.writeAutosave, '{"unsaved":2}');
    second.dialogs.message.push(1); // Don't Save
    w.close();
    await vi.waitFor(() => expect(fs.readdirSync(path.join(userData, 'autosave'))).toEqual([]));
  });

  it('asks before closing a window with unsaved changes: cancel keeps it, save closes after saving, discard closes', async () => {
    const fake = await launch();
    const w = win(fake);
    fake.send(w, SEND_CHANNELS.setDirty, true, 'lstm.json');
    expect(w.title).toContain('lstm.json');

    fake.dialogs.message.push(2); // Cancel
    w.close();
    await vi.waitFor(() => expect(fake.messageBoxes).toHaveLength(1));
    expect(w.destroyed).toBe(false);

    fake.dialogs.message.push(0); // Save: the renderer is asked to save; the window closes when it reports clean
    w.close();
    await vi.waitFor(() => expect(w.webContents.sent).toContainEqual({ channel: EVENT_CHANNELS.onMenuAction, payload: 'save' }));
    expect(w.destroyed).toBe(false);
    fake.send(w, SEND_CHANNELS.setDirty, false, 'lstm.json');
    expect(w.destroyed).toBe(true);

    const fake2 = await launch();
    const w2 = win(fake2);
    fake2.send(w2, SEND_CHANNELS.setDirty, true, 'x');
    fake2.dialogs.message.push(1); // Don't Save
    w2.close();
    await vi.waitFor(() => expect(w2.destroyed).toBe(true));
  });

  it('saves only to paths the user chose: a renderer cannot name a file to overwrite', async () => {
    const fake = await launch();
    const target = path.join(documents, 'victim.txt');
    fs.writeFileSync(target, 'precious');
    const chosen = path.join(documents, 'chosen.json');
    fake.dialogs.save.push(chosen);
    const result = await fake.invoke(win(fake), INVOKE_CHANNELS.saveFile, '{"a":1}', 'x.json', target);
    expect(result).toMatchObject({ path: chosen });
    expect(fs.readFileSync(target, 'utf8')).toBe('precious');
    expect(fs.readFileSync(chosen, 'utf8')).toBe('{"a":1}');
    // Now granted: saving again writes without a dialog.
    expect(await fake.invoke(win(fake), INVOKE_CHANNELS.saveFile, '{"a":2}', 'x.json', chosen)).toMatchObject({ path: chosen });
    expect(fs.readFileSync(chosen, 'utf8')).toBe('{"a":2}');
  });

  it('sends menu commands to the focused window and routes text editing natively', async () => {
    const fake = await launch();
    const menu = fake.menu() as { label?: string; submenu?: { label?: string; click?: () => void }[] }[];
    expect(menu.map((m) => m.label?.replace('&', ''))).toEqual(process.platform === 'darwin'
      ? ['Cellwright', 'File', 'Edit', 'View', 'Train', undefined, 'Help']
      : ['File', 'Edit', 'View', 'Train', 'Help']);
    const trainMenu = menu.find((m) => m.label === '&Train');
    trainMenu?.submenu?.[0]?.click?.();
    expect(win(fake).webContents.sent).toContainEqual({ channel: EVENT_CHANNELS.onMenuAction, payload: 'train' });
    await fake.invoke(win(fake), INVOKE_CHANNELS.nativeEdit, 'copy');
    expect(win(fake).webContents.nativeEdits).toEqual(['copy']);
    await expect(fake.invoke(win(fake), INVOKE_CHANNELS.nativeEdit, 'executeJavaScript')).rejects.toThrow(/invalid arguments/);
  });

  it('File and Train have Open Example, Import Model, Re-initialize Weights and Fit Graph to Task, each sending its action', async () => {
    const fake = await launch();
    type Item = { label?: string; submenu?: Item[]; click?: () => void };
    const menu = fake.menu() as Item[];
    const sub = (items: Item[] | undefined, label: string): Item => {
      const found = items?.find((i) => i.label === label);
      if (!found) throw new Error(`no menu item ${label} in ${JSON.stringify(items?.map((i) => i.label))}`);
      return found;
    };
    const file = sub(menu, '&File').submenu;
    const train = sub(menu, '&Train').submenu;
    const sent = (): unknown[] => win(fake).webContents.sent.filter((m) => m.channel === EVENT_CHANNELS.onMenuAction).map((m) => m.payload);
    for (const [items, label, action] of [
      [file, 'Import &Model…', 'importModel'],
      [train, 'Re-&initialize Weights', 'reinitWeights'],
      [train, '&Fit Graph to Task', 'fitToTask'],
    ] as const) {
      sub(items, label).click?.();
      expect(sent().at(-1)).toBe(action);
    }
    const examples = sub(file, 'Open Examp&le').submenu ?? [];
    expect(examples.map((i) => i.label)).toEqual(expect.arrayContaining(['LSTM', 'GRU', 'Elman RNN', '2-layer LSTM']));
    sub(examples, 'GRU').click?.();
    expect(sent().at(-1)).toBe('openExample:gru');
    sub(examples, 'Worked example 3: parity').click?.();
    expect(sent().at(-1)).toBe('openExample:worked-3-parity');
  });

  it('File › Export › ONNX Model…, Edit › Group as Block (Ctrl+G), Train › Sweep… and Reproduce… each send their action, which the renderer accepts', async () => {
    const fake = await launch();
    type Item = { label?: string; accelerator?: string; submenu?: Item[]; click?: () => void };
    const menu = fake.menu() as Item[];
    const sub = (items: Item[] | undefined, label: string): Item => {
      const found = items?.find((i) => i.label === label);
      if (!found) throw new Error(`no menu item ${label} in ${JSON.stringify(items?.map((i) => i.label))}`);
      return found;
    };
    const exportMenu = sub(sub(menu, '&File').submenu, '&Export').submenu;
    expect(exportMenu?.map((i) => i.label)).toEqual(['Graph as JSON…', 'Picture as PNG…', 'Picture as SVG…', 'PyTorch Module…', 'ONNX Model…']);
    const group = sub(sub(menu, '&Edit').submenu, '&Group as Block');
    expect(group.accelerator).toBe('CmdOrCtrl+G');
    const train = sub(menu, '&Train').submenu;
    const sent = (): unknown[] => win(fake).webContents.sent.filter((m) => m.channel === EVENT_CHANNELS.onMenuAction).map((m) => m.payload);
    for (const [item, action] of [
      [sub(exportMenu, 'ONNX Model…'), 'exportOnnx'],
      [group, 'groupAsBlock'],
      [sub(train, 'S&weep…'), 'sweep'],
      [sub(train, 'Repr&oduce…'), 'reproduce'],
    ] as const) {
      item.click?.();
      expect(sent().at(-1)).toBe(action);
      expect(MENU_ACTIONS).toContain(action);
    }
  });

  it('Import Model opens a dialog for model files and hands over the bytes; missing and huge files say why', async () => {
    const fake = await launch();
    const w = win(fake);
    const model = path.join(documents, 'tiny.onnx');
    const bytes = Uint8Array.from([8, 7, 0, 255, 1]);
    fs.writeFileSync(model, bytes);
    fake.dialogs.open.push(model);
    const got = await fake.invoke(w, INVOKE_CHANNELS.openModelFile) as { name: string; bytes: Uint8Array };
    expect(got.name).toBe('tiny.onnx');
    expect([...got.bytes]).toEqual([...bytes]);
    expect(JSON.stringify(fake.dialogOptions.at(-1))).toContain('"onnx","pt","pth","bin","safetensors"');
    expect(await fake.invoke(w, INVOKE_CHANNELS.openModelFile)).toBeNull(); // cancelled
    fake.dialogs.open.push(path.join(documents, 'gone.onnx'));
    await expect(fake.invoke(w, INVOKE_CHANNELS.openModelFile)).rejects.toThrow(/"gone\.onnx" was not opened: it does not exist any more/);
    const big = path.join(documents, 'big.pt');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 1024 * 1024 * 1024 + 1);
    fake.dialogs.open.push(big);
    await expect(fake.invoke(w, INVOKE_CHANNELS.openModelFile)).rejects.toThrow('"big.pt" is 1025 MB; Cellwright imports model files up to 1024 MB.');
    await expect(fake.invoke(w, INVOKE_CHANNELS.openModelFile, '/etc/passwd')).rejects.toThrow(/invalid arguments/);
  });

  it('opens .cellwright and .json graphs, and saves a new graph as .cellwright unless it was .json', async () => {
    const fake = await launch();
    const w = win(fake);
    const own = path.join(documents, 'mine.cellwright');
    fs.writeFileSync(own, '{"name":"mine"}');
    fake.dialogs.open.push(own);
    expect(await fake.invoke(w, INVOKE_CHANNELS.openFile)).toMatchObject({ name: 'mine.cellwright', path: own, text: '{"name":"mine"}' });
    const openFilters = fake.dialogOptions.at(-1)?.options.filters as { name: string; extensions: string[] }[];
    expect(openFilters[0].extensions).toEqual(['cellwright', 'json']);

    // A new graph: the dialog offers .cellwright first; a name typed without extension gets it.
    fake.dialogs.save.push(path.join(documents, 'typed'));
    expect(await fake.invoke(w, INVOKE_CHANNELS.saveFileAs, '{}', 'graph.cellwright')).toMatchObject({ name: 'typed.cellwright' });
    const saved = fake.dialogOptions.at(-1)?.options as { defaultPath: string; filters: { extensions: string[] }[] };
    expect(saved.defaultPath).toBe(path.join(documents, 'graph.cellwright'));
    expect(saved.filters.map((f) => f.extensions)).toEqual([['cellwright'], ['json'], ['*']]);
    // A .json graph stays .json.
    fake.dialogs.save.push(path.join(documents, 'plain'));
    expect(await fake.invoke(w, INVOKE_CHANNELS.saveFileAs, '{}', 'lstm.json')).toMatchObject({ name: 'plain.json' });
    expect((fake.dialogOptions.at(-1)?.options.filters as { extensions: string[] }[]).map((f) => f.extensions)).toEqual([['json'], ['cellwright'], ['*']]);
    expect(fs.existsSync(path.join(documents, 'typed.cellwright')) && fs.existsSync(path.join(documents, 'plain.json'))).toBe(true);
    // Double-clicking a .cellwright file (the OS passes it on the command line) opens it.
    const launched = await launch([own]);
    expect(await launched.invoke(win(launched), INVOKE_CHANNELS.takePendingFiles)).toMatchObject([{ name: 'mine.cellwright', path: own }]);
  });

  it('says why a file cannot be opened: missing, a folder, unreadable, too big, not a graph file on the command line', async () => {
    const fake = await launch();
    const w = win(fake);
    fake.dialogs.open.push(path.join(documents, 'gone.cellwright'));
    await expect(fake.invoke(w, INVOKE_CHANNELS.openFile)).rejects.toThrow(/"gone\.cellwright" was not opened: it does not exist any more/);
    fake.dialogs.open.push(documents);
    await expect(fake.invoke(w, INVOKE_CHANNELS.openFile)).rejects.toThrow(/"docs" was not opened: it is a folder, not a graph file/);
    const big = path.join(documents, 'big.json');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 65 * 1024 * 1024 + 1);
    fake.dialogs.open.push(big);
    await expect(fake.invoke(w, INVOKE_CHANNELS.openFile)).rejects.toThrow('"big.json" is 66 MB; Cellwright opens graph files up to 64 MB.');
    if (process.platform !== 'win32' && process.getuid?.() !== 0) {
      const locked = path.join(documents, 'locked.json');
      fs.writeFileSync(locked, '{}', { mode: 0o000 });
      fake.dialogs.open.push(locked);
      await expect(fake.invoke(w, INVOKE_CHANNELS.openFile)).rejects.toThrow(/permission denied/);
    }
    // From the command line the reason goes into an error box (the window may not be showing yet).
    const second = await launch([path.join(documents, 'missing.json'), 'notes.txt']);
    await vi.waitFor(() => expect(second.errorBoxes).toHaveLength(2));
    expect(second.errorBoxes).toEqual(expect.arrayContaining([
      { title: 'Cannot open missing.json', content: expect.stringContaining('does not exist any more') },
      { title: 'Cannot open notes.txt', content: '"notes.txt" is not a Cellwright graph file: Cellwright opens .cellwright and .json files.' },
    ]));
  });

  it('opens links only over https, on the allow-list', async () => {
    const fake = await launch();
    expect(await fake.invoke(win(fake), INVOKE_CHANNELS.openExternal, 'http://github.com/cellwright')).toBe(false);
    expect(await fake.invoke(win(fake), INVOKE_CHANNELS.openExternal, 'mailto:someone@example.com')).toBe(false);
    expect(win(fake).webContents.windowOpenHandler?.({ url: 'http://github.com/x' })).toEqual({ action: 'deny' });
    expect(fake.externalOpened).toEqual([]);
    expect(await fake.invoke(win(fake), INVOKE_CHANNELS.openExternal, 'https://github.com/cellwright')).toBe(true);
    expect(fake.externalOpened).toEqual(['https://github.com/cellwright']);
  });

  it('persists settings', async () => {
    const first = await launch();
    expect(await first.invoke(win(first), INVOKE_CHANNELS.getSetting, 'theme')).toBeNull();
    await first.invoke(win(first), INVOKE_CHANNELS.setSetting, 'theme', 'dark');
    const second = await launch();
    expect(await second.invoke(win(second), INVOKE_CHANNELS.getSetting, 'theme')).toEqual({ value: 'dark' });
  });
});
