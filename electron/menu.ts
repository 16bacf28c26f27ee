import type { MenuItemConstructorOptions } from 'electron';
import type { MenuAction, RecentFile } from '../common/ipc-contract.ts';
import { openExampleAction } from '../common/ipc-contract.ts';
import { EXAMPLE_CATALOGUE } from '../common/examples.ts';

export interface MenuCallbacks {
  /** Send an action to the focused window's renderer. */
  action(action: MenuAction): void;
  newWindow(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  openDocs(): void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  recent: readonly RecentFile[];
  /** Developer tools and reload only in development builds. */
  devTools: boolean;
}

/** Each MenuAction's label and accelerator. CmdOrCtrl maps to ⌘ on macOS and Ctrl elsewhere. */
function item(label: string, action: MenuAction, cb: MenuCallbacks, accelerator?: string): MenuItemConstructorOptions {
  const entry: MenuItemConstructorOptions = { label, click: () => cb.action(action) };
  if (accelerator) entry.accelerator = accelerator;
  return entry;
}

/**
 * The native menu: File, Edit, View, Train, Help (plus the app menu and
 * Window menu on macOS). Every command is a MenuAction handled by the same
 * code as the toolbar; main only sends it.
 *
 * Keys reach the page first: a shortcut the editor handles (and
 * preventDefaults) never also fires its menu item, and a key a text field
 * consumes (Ctrl+C while typing) does not reach the menu. So accelerators
 * here all carry a modifier or are function keys.
 */
export function buildMenuTemplate(options: MenuOptions, cb: MenuCallbacks): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const sep: MenuItemConstructorOptions = { type: 'separator' };

  const recentItems: MenuItemConstructorOptions[] = options.recent.length === 0
    ? [{ label: 'No recent files', enabled: false }]
    : options.recent.map((r) => ({ label: r.name, toolTip: r.path, click: () => cb.openRecent(r.path) }));

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      item('&New Graph', 'new', cb, 'CmdOrCtrl+N'),
      { label: 'New &Window', accelerator: 'CmdOrCtrl+Shift+N', click: () => cb.newWindow() },
      item('&Open…', 'open', cb, 'CmdOrCtrl+O'),
      { label: 'Open &Recent', submenu: [...recentItems, sep, { label: 'Clear Recent', enabled: options.recent.length > 0, click: () => cb.clearRecent() }] },
      // A title's "&" would underline the next letter: "&&" shows it as itself.
      { label: 'Open Examp&le', submenu: EXAMPLE_CATALOGUE.map((example) => item(example.title.replaceAll('&', '&&'), openExampleAction(example.key), cb)) },
      sep,
      item('&Save', 'save', cb, 'CmdOrCtrl+S'),
      item('Save &As…', 'saveAs', cb, 'CmdOrCtrl+Shift+S'),
      sep,
      item('&Import…', 'import', cb, 'CmdOrCtrl+I'),
      item('Import &Model…', 'importModel', cb),
      {
        label: '&Export',
        submenu: [
          item('Graph as JSON…', 'exportJson', cb, 'CmdOrCtrl+E'),
          item('Picture as PNG…', 'exportPng', cb),
          item('Picture as SVG…', 'exportSvg', cb),
          item('PyTorch Module…', 'exportTorch', cb),
          item('ONNX Model…', 'exportOnnx', cb),
        ],
      },
      sep,
      mac ? { role: 'close' } : { role: 'quit', label: 'E&xit' },
    ],
  };

  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      item('&Undo', 'undo', cb, 'CmdOrCtrl+Z'),
      item('&Redo', 'redo', cb, mac ? 'Cmd+Shift+Z' : 'Ctrl+Y'),
      sep,
      item('Cu&t', 'cut', cb, 'CmdOrCtrl+X'),
      item('&Copy', 'copy', cb, 'CmdOrCtrl+C'),
      item('&Paste', 'paste', cb, 'CmdOrCtrl+V'),
      item('&Duplicate', 'duplicate', cb, 'CmdOrCtrl+D'),
      // Shown, not registered: the editor handles Delete/Backspace itself, and a
      // menu accelerator on a plain key could also fire while typing in a text
      // field. (macOS cannot show a key without registering it, so none there.)
      mac ? item('Delete', 'delete', cb) : { ...item('De&lete', 'delete', cb, 'Delete'), registerAccelerator: false },
      sep,
      item('Select &All', 'selectAll', cb, 'CmdOrCtrl+A'),
      sep,
      item('&Group as Block', 'groupAsBlock', cb, 'CmdOrCtrl+G'),
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      item('Zoom &In', 'zoomIn', cb, 'CmdOrCtrl+='),
      item('Zoom &Out', 'zoomOut', cb, 'CmdOrCtrl+-'),
      item('&Fit to Window', 'fitView', cb, 'CmdOrCtrl+0'),
      sep,
      item('Toggle &Minimap', 'toggleMinimap', cb, 'CmdOrCtrl+Shift+M'),
      item('Toggle &Theme', 'toggleTheme', cb, 'CmdOrCtrl+Shift+L'),
      sep,
      { role: 'togglefullscreen' },
      ...(options.devTools ? [sep, { role: 'reload' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
  };

  const train: MenuItemConstructorOptions = {
    label: '&Train',
    submenu: [
      item('&Train', 'train', cb, 'F5'),
      item('&Pause', 'pause', cb, 'F6'),
      item('&Step', 'step', cb, 'F10'),
      sep,
      item('&Reset Parameters', 'reset', cb, 'Shift+F5'),
      item('Re-&initialize Weights', 'reinitWeights', cb),
      sep,
      item('&Fit Graph to Task', 'fitToTask', cb),
      sep,
      item('S&weep…', 'sweep', cb),
      item('Repr&oduce…', 'reproduce', cb),
    ],
  };

  const help: MenuItemConstructorOptions = {
    role: 'help',
    label: '&Help',
    submenu: [
      item('&Keyboard Shortcuts', 'shortcuts', cb, 'CmdOrCtrl+/'),
      { label: 'Cellwright &Website', click: () => cb.openDocs() },
      ...(mac ? [] : [sep, item(`&About ${options.appName}`, 'about', cb)]),
    ],
  };

  if (!mac) return [file, edit, view, train, help];

  const appMenu: MenuItemConstructorOptions = {
    label: options.appName,
    submenu: [
      item(`About ${options.appName}`, 'about', cb),
      sep,
      { role: 'services' },
      sep,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      sep,
      { role: 'quit' },
    ],
  };
  return [appMenu, file, edit, view, train, { role: 'windowMenu' }, help];
}
