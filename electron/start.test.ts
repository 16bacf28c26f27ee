// `npm start` decides between the desktop app and the browser edition by
// whether Electron's binary is really installed, without triggering its download.
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CSP, createStaticServer, electronBinary, listen } from '../scripts/start.mjs';
import { CONTENT_SECURITY_POLICY } from './security.ts';

const dirs: string[] = [];
function project(withBinary: boolean, withPathTxt: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-start-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"p"}');
  const pkg = path.join(dir, 'node_modules', 'electron');
  fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), '{"name":"electron","main":"index.js"}');
  // index.js would start a download; the detection must never run it.
  fs.writeFileSync(path.join(pkg, 'index.js'), 'throw new Error("download attempted")');
  if (withPathTxt) fs.writeFileSync(path.join(pkg, 'path.txt'), 'electron');
  if (withBinary) fs.writeFileSync(path.join(pkg, 'dist', 'electron'), '#!/bin/sh\n', { mode: 0o755 });
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('finds an installed Electron binary and reports a missing one as null', () => {
    const installed = project(true, true);
    expect(electronBinary(installed)).toBe(path.join(installed, 'node_modules', 'electron', 'dist', 'electron'));
    expect(electronBinary(project(false, false))).toBeNull();
    expect(electronBinary(project(false, true))).toBeNull();
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-start-'));
    dirs.push(bare);
    expect(electronBinary(bare)).toBeNull();
  });

  it('serves the browser edition with the desktop CSP and nothing outside dist-web', async () => {
    const dir = project(false, false);
    const web = path.join(dir, 'dist-web');
    fs.mkdirSync(web);
    fs.writeFileSync(path.join(web, 'index.html'), '<title>Cellwright</title>');
    const server = createStaticServer(web);
    const port = await listen(server, 41730);
    try {
      const ok = await fetch(`http://127.0.0.1:${port}/`);
      expect(ok.status).toBe(200);
      // The same policy as the desktop window, so both editions fail alike.
      expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(CSP).toBe(CONTENT_SECURITY_POLICY);
      expect(await ok.text()).toContain('Cellwright');
      expect((await fetch(`http://127.0.0.1:${port}/..%2fpackage.json`)).status).toBe(403);
      expect((await fetch(`http://127.0.0.1:${port}/missing.js`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
