import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { CONTENT_SECURITY_POLICY, isAllowedExternal, isTrustedSender } from './security.ts';
import { candidateFile, createAppProtocolHandler } from './protocol.ts';
import { filesFromArgv, splitArgv } from './args.ts';
import { restoreBounds } from './window-state.ts';
import { buildMenuTemplate } from './menu.ts';
import { MENU_ACTIONS, exampleOfAction, openExampleAction } from '../common/ipc-contract.ts';
import { EXAMPLE_CATALOGUE } from '../common/examples.ts';
import { isMenuAction } from './ipc/validate.ts';
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
  it('opens only https links to allow-listed hosts', () => {
    expect(isAllowedExternal('https://github.com/x/y')).toBe(true);
    // Plain http could be read or changed on the way: refused.
    expect(isAllowedExternal('http://github.com/x/y')).toBe(false);
    expect(isAllowedExternal('mailto:dev@cellwright.invalid')).toBe(false);
    expect(isAllowedExternal('HTTPS://GITHUB.COM/x')).toBe(true);
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
  const web = path.resolve('/app/dist-web');

  it('maps URLs into the renderer build and never outside it', () => {
    expect(candidateFile('app://cellwright/', web)).toBe(path.join(web, 'index.html'));
    expect(candidateFile('app://cellwright/assets/app-1234.js', web)).toBe(path.join(web, 'assets/app-1234.js'));
    expect(candidateFile('app://cellwright/assets/My%20Font.woff2', web)).toBe(path.join(web, 'assets/My Font.woff2'));
    // The URL parser folds plain and %2e-encoded dot segments before we see them: still inside dist-web.
    expect(candidateFile('app://cellwright/../package.json', web)).toBe(path.join(web, 'package.json'));
    expect(candidateFile('app://cellwright/%2e%2e/%2e%2e/etc/passwd', web)).toBe(path.join(web, 'etc/passwd'));
    // Encoded separators, double encoding, backslashes and NUL never reach the file system.
    for (const url of [
      'app://cellwright/..%2f..%2fetc%2fpasswd',
      'app://cellwright/..%2F..%2Fpackage.json',
      'app://cellwright/assets/examples/..%2f..%2fpackage.json',
      'app://cellwright/assets/..%2f..%2fdist-electron/main.cjs',
      'app://cellwright/%2e%2e%2f%2e%2e%2fpackage.json',
      'app://cellwright/..%252f..%252fpackage.json',
      'app://cellwright/a%5c..%5c..%5cx',
      'app://cellwright/index.html%00.png',
      'app://cellwright/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
    ]) expect(candidateFile(url, web), url).toBeNull();
  });

  it('serves the build with a content type and CSP, 404 for missing files, 403 for escapes, nothing from the app folder', async () => {
    const files: Record<string, string> = {
      [path.join(web, 'index.html')]: '<html>',
      [path.resolve('/app/package.json')]: '{"name":"secret"}',
      [path.resolve('/app/assets/examples/lstm.json')]: '{}',
    };
    const read: string[] = [];
    const handler = createAppProtocolHandler(web, async (file) => {
      read.push(file);
      const text = files[file];
      if (text === undefined) throw new Error('ENOENT');
      return new TextEncoder().encode(text);
    });
    const ok = await handler(new Request('app://cellwright/index.html'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect((await handler(new Request('app://cellwright/nope.js'))).status).toBe(404);
    // The examples are bundled into the build; the app folder is not served.
    expect((await handler(new Request('app://cellwright/assets/examples/lstm.json'))).status).toBe(404);
    for (const url of ['app://cellwright/assets/examples/..%2f..%2fpackage.json', 'app://cellwright/..%2fpackage.json', 'app://cellwright/..%252fpackage.json']) {
      const res = await handler(new Request(url));
      expect(res.status, url).toBe(403);
      expect(await res.text()).not.toContain('secret');
    }
    expect(read).not.toContain(path.resolve('/app/package.json'));
    expect((await handler(new Request('app://cellwright/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});

describe('command line', () => {
  it('finds graph files, skipping the executable, the app path and switches', () => {
    expect(filesFromArgv(['/opt/Cellwright/cellwright', '--no-sandbox', 'a.json', '/x/b.cellwright.json', 'c.CELLWRIGHT', 'readme.txt', '.cellwright'], '/home/u', true))
      .toEqual([path.resolve('/home/u/a.json'), path.resolve('/x/b.cellwright.json'), path.resolve('/home/u/c.CELLWRIGHT')]);
    expect(splitArgv(['/opt/Cellwright/cellwright', '--no-sandbox', 'notes.txt', 'a.json'], '/home/u', true)).toEqual({ files: [path.resolve('/home/u/a.json')], notGraphs: ['notes.txt'] });
    expect(filesFromArgv(['electron', '.', 'assets/examples/lstm.json'], '/repo', false)).toEqual([path.resolve('/repo/assets/examples/lstm.json')]);
    expect(filesFromArgv(['electron', '.', '--', '--weird.json'], '/r', false)).toEqual([path.resolve('/r/--weird.json')]);
    if (process.platform !== 'win32') {
      expect(filesFromArgv(['/opt/Cellwright/cellwright', 'file:///home/u/My%20Graph.json', 'file:///home/u/lstm.cellwright'], '/', true)).toEqual(['/home/u/My Graph.json', '/home/u/lstm.cellwright']);
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
      expect([...new Set(sent.filter((a) => exampleOfAction(a) === null))].sort()).toEqual([...MENU_ACTIONS].sort());
      // File › Open Example offers every bundled example, in the palette's order.
      expect(sent.filter((a) => exampleOfAction(a) !== null)).toEqual(EXAMPLE_CATALOGUE.map((e) => openExampleAction(e.key)));
      expect(sent.every(isMenuAction)).toBe(true);
      const labels = template.map((m) => m.label?.replace('&', '') ?? m.role);
      expect(labels.filter((l) => ['File', 'Edit', 'View', 'Train', 'Help'].includes(String(l)))).toEqual(['File', 'Edit', 'View', 'Train', 'Help']);
      // No plain-key accelerator the menu would take from text fields.
      const registered = JSON.stringify(template).match(/"accelerator":"[^"]+"(,"registerAccelerator":false)?/g) ?? [];
      expect(registered.filter((a) => !a.includes('registerAccelerator') && !/(Cmd|Ctrl|CmdOrCtrl)\+|"F\d+"|Shift\+F\d+/.test(a))).toEqual([]);
      const redo = JSON.stringify(template).match(/"label":"&Redo","accelerator":"([^"]+)"/)?.[1];
      expect(redo).toBe(platform === 'darwin' ? 'Cmd+Shift+Z' : 'Ctrl+Y');
    });
  }

  it('the menu action check admits the commands and the bundled examples, nothing else', () => {
    expect(isMenuAction('fitToTask')).toBe(true);
    expect(isMenuAction(openExampleAction('lstm'))).toBe(true);
    for (const bad of [openExampleAction('nope'), openExampleAction('__proto__'), openExampleAction('../lstm'), 'openExample:', 'constructor', '__proto__', 'toString', '', 42, null, { action: 'train' }, ['train']]) {
      expect(isMenuAction(bad), JSON.stringify(bad)).toBe(false);
    }
  });

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
