import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { isAllowedExternal, isTrustedSender } from './security.ts';
import { candidateFiles, createAppProtocolHandler } from './protocol.ts';
import { filesFromArgv } from './args.ts';
import { restoreBounds } from './window-state.ts';
import { buildMenuTemplate } from './menu.ts';
import { MENU_ACTIONS } from '../common/ipc-contract.ts';
import type { MenuAction } from '../common/ipc-contract.ts';
import type { MenuItemConstructorOptions } from 'electron';

describe('sender check', () => {
  it('admits only the top frame of app://cellwright', () => {
    expect(isTrustedSender({ url: 'app://cellwright/index.html', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'app://cellwright/index.html', parent: { url: 'app://cellwright/' } })).toBe(false);
    expect(isTrustedSender({ url: 'app://evil/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'http://localhost:5173/', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});

describe('external links', () => {
  it('opens only http(s) links to allow-listed hosts', () => {
    expect(isAllowedExternal('https://github.com/x/y')).toBe(true);
    expect(isAllowedExternal('https://colah.github.io/posts/2015-08-Understanding-LSTMs/')).toBe(true);
    expect(isAllowedExternal('https://github.com.evil.example/')).toBe(false);
    expect(isAllowedExternal('https://user:pw@github.com/')).toBe(false);
    expect(isAllowedExternal('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternal('javascript:alert(1)')).toBe(false);
    expect(isAllowedExternal('smb://github.com/share')).toBe(false);
    expect(isAllowedExternal('not a url')).toBe(false);
  });
});

describe('app:// protocol', () => {
  const roots = { web: path.resolve('/app/dist-web'), app: path.resolve('/app') };

  it('maps URLs into the renderer build and never outside it', () => {
    expect(candidateFiles('app://cellwright/', roots)).toEqual([path.join(roots.web, 'index.html')]);
    expect(candidateFiles('app://cellwright/assets/app-1234.js', roots)).toEqual([path.join(roots.web, 'assets/app-1234.js')]);
    expect(candidateFiles('app://cellwright/assets/examples/lstm.json', roots)).toEqual([
      path.join(roots.web, 'assets/examples/lstm.json'), path.join(roots.app, 'assets/examples/lstm.json'),
    ]);
    expect(candidateFiles('app://cellwright/../package.json', roots)).toEqual([path.join(roots.web, 'package.json')]);
    // The URL parser folds dot segments (plain or %2e-encoded) before we see them: still inside dist-web.
    expect(candidateFiles('app://cellwright/%2e%2e/%2e%2e/etc/passwd', roots)).toEqual([path.join(roots.web, 'etc/passwd')]);
    expect(candidateFiles('app://cellwright/..%2f..%2fetc%2fpasswd', roots)).toBeNull();
    expect(candidateFiles('app://cellwright/a%5c..%5c..%5cx', roots)).toBeNull();
    expect(candidateFiles('app://other/index.html', roots)).toBeNull();
  });

  it('answers 404 for missing files and serves with a content type and CSP', async () => {
    const files: Record<string, string> = { [path.join(roots.web, 'index.html')]: '<html>', [path.join(roots.app, 'assets/examples/lstm.json')]: '{}' };
    const handler = createAppProtocolHandler(roots, async (file) => {
      const text = files[file];
      if (text === undefined) throw new Error('ENOENT');
      return new TextEncoder().encode(text);
    });
    const missing = await handler(new Request('app://cellwright/nope.js'));
    expect(missing.status).toBe(404);
    const example = await handler(new Request('app://cellwright/assets/examples/lstm.json'));
    expect(example.status).toBe(200);
    expect(example.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await example.text()).toBe('{}');
    expect((await handler(new Request('app://cellwright/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});

describe('command line', () => {
  it('finds graph files, skipping the executable, the app path and switches', () => {
    expect(filesFromArgv(['/opt/Cellwright/cellwright', '--no-sandbox', 'a.json', '/x/b.cellwright.json', 'readme.txt'], '/home/u', true))
      .toEqual([path.resolve('/home/u/a.json'), path.resolve('/x/b.cellwright.json')]);
    expect(filesFromArgv(['electron', '.', 'assets/examples/lstm.json'], '/repo', false)).toEqual([path.resolve('/repo/assets/examples/lstm.json')]);
    expect(filesFromArgv(['electron', '.', '--', '--weird.json'], '/r', false)).toEqual([path.resolve('/r/--weird.json')]);
    if (process.platform !== 'win32') {
      expect(filesFromArgv(['/opt/Cellwright/cellwright', 'file:///home/u/My%20Graph.json'], '/', true)).toEqual(['/home/u/My Graph.json']);
    }
  });
});

describe('window bounds', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
  it('keeps a position on a present screen and centres a window whose screen is gone', () => {
    expect(restoreBounds({ x: 100, y: 50, width: 1200, height: 800, maximized: false }, screen)).toEqual({ x: 100, y: 50, width: 1200, height: 800, maximized: false });
    expect(restoreBounds({ x: 2500, y: 50, width: 1200, height: 800, maximized: true }, screen)).toEqual({ width: 1200, height: 800, maximized: true });
    expect(restoreBounds({ width: 5000, height: 100, maximized: false }, screen)).toEqual({ width: 1920, height: 480, maximized: false });
  });
});

describe('native menu', () => {
  function actionsIn(items: MenuItemConstructorOptions[], sent: MenuAction[]): void {
    for (const item of items) {
      if (Array.isArray(item.submenu)) actionsIn(item.submenu, sent);
      else if (item.click && !item.role) (item.click as () => void)();
    }
  }

  for (const platform of ['darwin', 'win32', 'linux'] as const) {
    it(`offers every MenuAction on ${platform}`, () => {
      const sent: MenuAction[] = [];
      const template = buildMenuTemplate({ platform, appName: 'Cellwright', recent: [], devTools: false }, {
        action: (a) => sent.push(a), newWindow: () => undefined, openRecent: () => undefined, clearRecent: () => undefined, openDocs: () => undefined,
      });
      actionsIn(template, sent);
      expect([...new Set(sent)].sort()).toEqual([...MENU_ACTIONS].sort());
      const labels = template.map((m) => m.label?.replace('&', '') ?? m.role);
      expect(labels.filter((l) => ['File', 'Edit', 'View', 'Train', 'Help'].includes(String(l)))).toEqual(['File', 'Edit', 'View', 'Train', 'Help']);
      // No plain-key accelerator the menu would take from text fields.
      const registered = JSON.stringify(template).match(/"accelerator":"[^"]+"(,"registerAccelerator":false)?/g) ?? [];
      expect(registered.filter((a) => !a.includes('registerAccelerator') && !/(Cmd|Ctrl|CmdOrCtrl)\+|"F\d+"|Shift\+F\d+/.test(a))).toEqual([]);
      const redo = JSON.stringify(template).match(/"label":"&Redo","accelerator":"([^"]+)"/)?.[1];
      expect(redo).toBe(platform === 'darwin' ? 'Cmd+Shift+Z' : 'Ctrl+Y');
    });
  }

  it('lists recent files in File › Open Recent', () => {
    const opened: string[] = [];
    const template = buildMenuTemplate({ platform: 'linux', appName: 'Cellwright', recent: [{ name: 'gru.json', path: '/d/gru.json', openedAt: '' }], devTools: false }, {
      action: () => undefined, newWindow: () => undefined, openRecent: (p) => opened.push(p), clearRecent: () => undefined, openDocs: () => undefined,
    });
    const file = template[0].submenu as MenuItemConstructorOptions[];
    const recent = file.find((i) => i.label === 'Open &Recent')?.submenu as MenuItemConstructorOptions[];
    expect(recent[0].label).toBe('gru.json');
    (recent[0].click as () => void)();
    expect(opened).toEqual(['/d/gru.json']);
  });
});
