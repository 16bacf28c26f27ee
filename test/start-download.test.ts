// `npm start` on a machine without Electron's binary: it runs Electron's own
// installer, which downloads the zip (here from a mirror on 127.0.0.1 serving
// a fake Electron that records its arguments), then launches it on the app.
// When the download is refused it serves the browser edition and says why.
//
// The real start script runs in a temporary copy of the project whose
// node_modules links to the shared one except for `electron`, which is a copy
// of the package without its binary: the shared node_modules is never touched.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { nodeVersionProblem, NODE_RANGE } from '../scripts/start.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sharedModules = fs.realpathSync(path.join(repo, 'node_modules'));
const electronPkg = JSON.parse(fs.readFileSync(path.join(sharedModules, 'electron', 'package.json'), 'utf8')) as { version: string; files: string[] };
const appPkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { main: string; engines: { node: string } };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A copy of what `npm start` reads, with node_modules/electron holding no binary. */
function makeProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-start-dl-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const file of ['package.json', 'scripts/start.mjs', 'scripts/build-electron.mjs', 'scripts/electron-download-progress.cjs', 'assets/examples/lstm.json']) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(repo, file), path.join(dir, file));
  }
  // The builds are skipped (CELLWRIGHT_START_SKIP_BUILD): stand-ins for their outputs.
  fs.mkdirSync(path.join(dir, path.dirname(appPkg.main)), { recursive: true });
  fs.writeFileSync(path.join(dir, appPkg.main), '// main process stand-in\n');
  fs.mkdirSync(path.join(dir, 'dist-web'));
  fs.writeFileSync(path.join(dir, 'dist-web', 'index.html'), '<title>Cellwright browser edition</title>');
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  for (const name of fs.readdirSync(sharedModules)) {
    if (name !== 'electron' && name !== '.bin') fs.symlinkSync(path.join(sharedModules, name), path.join(modules, name));
  }
  const electron = path.join(modules, 'electron');
  fs.mkdirSync(electron);
  for (const file of ['package.json', ...electronPkg.files]) {
    const from = path.join(sharedModules, 'electron', file);
    if (fs.existsSync(from) && fs.statSync(from).isFile()) fs.copyFileSync(from, path.join(electron, file));
  }
  if (fs.existsSync(path.join(sharedModules, 'electron', 'node_modules'))) {
    fs.symlinkSync(path.join(sharedModules, 'electron', 'node_modules'), path.join(electron, 'node_modules'));
  }
  return dir;
}

/** What the shared node_modules/electron holds: its files and their modification times. */
function sharedElectronState(): Record<string, number> {
  const dir = path.join(sharedModules, 'electron');
  return Object.fromEntries(fs.readdirSync(dir).map((name) => [name, fs.statSync(path.join(dir, name)).mtimeMs]));
}

/** Where Electron's zip keeps the executable (install.js's getPlatformPath). */
function executableInZip(): string {
  return process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron';
}

/** A zip laid out like Electron's: the executable (a script recording its argv), `version`, licenses, resources. */
function fakeElectronZip(argvLog: string): Uint8Array {
  const script = `#!/bin/sh\nprintf '%s\\n' "$@" > '${argvLog.replace(/'/g, `'\\''`)}'\nexit 0\n`;
  return zipSync({
    [executableInZip()]: [strToU8(script), { os: 3, attrs: (0o100755 << 16) >>> 0 }],
    version: strToU8(electronPkg.version),
    LICENSE: strToU8('Fake Electron for tests.'),
    'LICENSES.chromium.html': strToU8('<p>none</p>'),
    'resources/default_app.asar': strToU8('not an archive'),
    // Stored, not compressed: a download big enough to show progress in steps.
    'icudtl.dat': [randomBytes(2_000_000), { level: 0 }],
  });
}

interface Mirror { url: string; requests: string[] }

/** Serves `/v<version>/<zip>` and its SHASUMS256.txt, or refuses the zip with `status`. */
/** Serves under `/<dir>/`: `v<version>` as Electron's releases do, or what ELECTRON_CUSTOM_DIR makes of it. */
async function startMirror(zip: Uint8Array, status = 200, dir = `v${electronPkg.version}`): Promise<Mirror> {
  const zipName = `electron-v${electronPkg.version}-${process.platform}-${process.arch}.zip`;
  const shasums = `${createHash('sha256').update(zip).digest('hex')} *${zipName}\n`;
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === `/${dir}/SHASUMS256.txt`) res.writeHead(200, { 'Content-Type': 'text/plain' }).end(shasums);
    else if (req.url === `/${dir}/${zipName}` && status === 200) {
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': zip.byteLength }).end(zip);
    } else res.writeHead(status === 200 ? 404 : status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests };
}

interface Run { child: ChildProcess; output: () => string; exit: Promise<number | null> }

function runStart(project: string, mirror: Mirror, extraEnv: NodeJS.ProcessEnv = {}): Run {
  const env: NodeJS.ProcessEnv = {};
  // Nothing electron-related from the outer shell or npm (.npmrc settings would override the mirror).
  for (const [key, value] of Object.entries(process.env)) if (!/electron/i.test(key)) env[key] = value;
  Object.assign(env, {
    ELECTRON_MIRROR: mirror.url,
    electron_use_remote_checksums: '1',
    electron_config_cache: path.join(project, 'electron-cache'),
    // What CI exports for `npm ci`; `npm start` must download anyway.
    ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
    CELLWRIGHT_START_SKIP_BUILD: '1',
    PORT: '0',
    ...extraEnv,
  });
  const child = spawn(process.execPath, [path.join(project, 'scripts', 'start.mjs')], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exit;
    }
  });
  return { child, output: () => output, exit };
}

function waitForOutput(run: Run, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = run.output().match(pattern);
      if (match) {
        run.child.stdout!.off('data', check);
        run.child.stderr!.off('data', check);
        resolve(match);
      }
    };
    run.child.stdout!.on('data', check);
    run.child.stderr!.on('data', check);
    void run.exit.then((code) => reject(new Error(`npm start exited (${code}) before printing ${pattern}:\n${run.output()}`)));
    check();
  });
}

const posix = process.platform !== 'win32';

describe('npm start without Electron\'s binary', () => {
  it.skipIf(!posix)('downloads Electron with its installer from the mirror, then launches it on the app and the default example', async () => {
    const sharedBefore = sharedElectronState();
    const project = makeProject();
    const argvLog = path.join(project, 'electron-argv.txt');
    // A mirror laid out its own way: the installer's ELECTRON_CUSTOM_DIR reaches it.
    const mirror = await startMirror(fakeElectronZip(argvLog), 200, `electron-${electronPkg.version}`);
    const run = runStart(project, mirror, { ELECTRON_CUSTOM_DIR: 'electron-{{ version }}' });
    const code = await run.exit;
    const output = run.output();
    expect(code, output).toBe(0);
    // It downloaded the checksums and the zip from the mirror, showing progress.
    const zipName = `electron-v${electronPkg.version}-${process.platform}-${process.arch}.zip`;
    expect(mirror.requests).toContain(`/electron-${electronPkg.version}/${zipName}`);
    expect(mirror.requests).toContain(`/electron-${electronPkg.version}/SHASUMS256.txt`);
    expect(output).toContain(`downloading Electron ${electronPkg.version}`);
    expect(output).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD is set');
    const progress = output.split('\n').filter((line) => line.startsWith(`Downloading ${zipName}: `));
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toMatch(/: 100% \(2\.0 MB of 2\.0 MB\)$/);
    // The installer's cache holds the zip; the binary sits where `require('electron')` looks.
    expect(fs.readdirSync(path.join(project, 'electron-cache'), { recursive: true }).map(String)).toContainEqual(expect.stringContaining(zipName));
    expect(fs.readFileSync(path.join(project, 'node_modules', 'electron', 'path.txt'), 'utf8')).toBe(executableInZip());
    // The fake Electron ran on the app folder (whose package.json `main` is the built main process) and the example.
    const argv = fs.readFileSync(argvLog, 'utf8').trim().split('\n');
    expect(argv).toEqual([project, path.join(project, 'assets', 'examples', 'lstm.json')]);
    const main = (JSON.parse(fs.readFileSync(path.join(argv[0], 'package.json'), 'utf8')) as { main: string }).main;
    expect(fs.existsSync(path.join(argv[0], main))).toBe(true);
    expect(output).not.toContain('browser edition');
    // The shared install is untouched (whether or not it holds a real Electron).
    expect(sharedElectronState()).toEqual(sharedBefore);
  });

  it.skipIf(!posix)('falls back to the browser edition when the mirror refuses the download, saying why and how to retry', async () => {
    const project = makeProject();
    const argvLog = path.join(project, 'electron-argv.txt');
    const mirror = await startMirror(fakeElectronZip(argvLog), 404);
    const run = runStart(project, mirror);
    const [, url] = await waitForOutput(run, /serving dist-web\/ at (http:\/\/localhost:\d+\/)/);
    const output = run.output();
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).toMatch(/Electron could not be downloaded \(HTTPError: Response code 404 \(Not Found\) for http:\/\/127\.0\.0\.1:\d+\/v[\d.]+\/electron-v[^ ]+\.zip\)/);
    expect(output).toContain('run `npm start` again');
    expect(fs.existsSync(argvLog)).toBe(false);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('browser edition');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it.skipIf(!posix)('names the network error when the mirror cannot be reached at all', async () => {
    const project = makeProject();
    // A port that was free a moment ago: nothing listens there, the connection is refused.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const run = runStart(project, { url: `http://127.0.0.1:${port}/`, requests: [] });
    await waitForOutput(run, /serving dist-web\//);
    expect(run.output()).toMatch(new RegExp(`Electron could not be downloaded \\(could not download http://127\\.0\\.0\\.1:${port}/\\S+ \\(ECONNREFUSED`));
  });
});

describe('npm start on an old Node', () => {
  it('states the versions the toolchain needs, the same as package.json engines', () => {
    expect(appPkg.engines.node).toBe(NODE_RANGE);
    expect(nodeVersionProblem('v20.19.0')).toBeNull();
    expect(nodeVersionProblem('v22.12.0')).toBeNull();
    expect(nodeVersionProblem('v24.3.1')).toBeNull();
    for (const old of ['v18.20.4', 'v20.18.3', 'v21.7.3', 'v22.11.0']) {
      const message = nodeVersionProblem(old);
      expect(message).toContain(`this is Node ${old}`);
      expect(message).toContain('20.19.0');
      expect(message).toContain('22.12.0');
    }
  });
});
