// Builds main and preload exactly as `npm start` and `npm run dist` do, then
// loads the bundles in Node with a fake `electron` (the real binary is not
// needed) and checks what the window is created with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Module, { createRequire } from 'node:module';
import { buildElectron } from '../scripts/build-electron.mjs';
import { createFakeElectron } from './testing/fake-electron.ts';
import type { FakeElectron } from './testing/fake-electron.ts';
import { API_NAMES, PRELOAD_GLOBAL } from '../common/ipc-contract.ts';

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleInternals = Module as unknown as { _load: Loader };

let tmp: string;
let bundles: { main: string; preload: string };

/** Require `file` with `electron` resolved to the fake; restores the loader afterwards. */
function requireWithFake(file: string, fake: FakeElectron): void {
  const original = moduleInternals._load;
  moduleInternals._load = function load(this: unknown, request, parent, isMain) {
    if (request === 'electron') return fake.module;
    return original.call(this, request, parent, isMain);
  };
  try {
    createRequire(file)(file);
  } finally {
    moduleInternals._load = original;
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-bundle-'));
  bundles = await buildElectron({ outDir: path.join(tmp, 'dist-electron'), quiet: true });
  fs.mkdirSync(path.join(tmp, 'dist-web'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'dist-web', 'index.html'), '<!doctype html><title>Cellwright</title><script type="module" src="./assets/app.js"></script>');
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('built main and preload bundles', () => {
  it('are single files that require only electron and node builtins; the preload only electron', () => {
    const requires = (file: string) => [...fs.readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(requires(bundles.main).filter((r) => r !== 'electron' && !r.startsWith('node:'))).toEqual([]);
    expect([...new Set(requires(bundles.preload))]).toEqual(['electron']);
  });

  it('create a sandboxed, isolated window with the bundled preload and a CSP', async () => {
    const fake = createFakeElectron({ appPath: tmp, userData: path.join(tmp, 'userData'), documents: tmp });
    requireWithFake(bundles.main, fake);
    await expect.poll(() => fake.windows[0]?.loadedUrl).toBe('app://cellwright/index.html');

    const prefs = fake.windows[0].options.webPreferences ?? {};
    expect(prefs).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(prefs.preload).toBe(bundles.preload);
    expect(fs.existsSync(String(prefs.preload))).toBe(true);
    expect(fake.privilegedSchemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true, corsEnabled: true }) }]);

    const handler = fake.protocolHandlers.get('app');
    if (!handler) throw new Error('app:// protocol not handled');
    const response = await handler(new Request('app://cellwright/'));
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("default-src 'none'");
    // JavaScript eval stays forbidden; compiling WebAssembly ('wasm-unsafe-eval') is allowed for the engine's kernels.
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(csp).not.toMatch(/https?:|'unsafe-eval'|\*/);

    // Permissions: nothing but clipboard writes from our own page.
    const request = fake.permissionHandlers.request;
    if (!request) throw new Error('no permission handler');
    const grants: boolean[] = [];
    request({ getURL: () => 'app://cellwright/index.html' }, 'media', (ok: boolean) => grants.push(ok));
    request({ getURL: () => 'app://cellwright/index.html' }, 'clipboard-sanitized-write', (ok: boolean) => grants.push(ok));
    expect(grants).toEqual([false, true]);
  });

  it('the preload bundle exposes the contract and nothing else', () => {
    const fake = createFakeElectron({ appPath: tmp, userData: tmp, documents: tmp });
    requireWithFake(bundles.preload, fake);
    expect(Object.keys(fake.exposed)).toEqual([PRELOAD_GLOBAL]);
    expect(Object.keys(fake.exposed[PRELOAD_GLOBAL] as object).sort()).toEqual([...API_NAMES].sort());
  });
});
