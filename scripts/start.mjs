#!/usr/bin/env node
// `npm start`: make sure Electron's binary is there (on first start, run
// Electron's own installer, which downloads it with progress), build the
// Electron main/preload and the renderer, then launch the desktop app on the
// bundled default example. Only when the download fails does it serve the
// browser edition instead, saying why and how to retry.
//
//   node scripts/start.mjs [graph.json]     open that graph instead of the default
//   node scripts/start.mjs --browser        the browser edition, without downloading Electron
//
// Environment: everything Electron's installer honours (ELECTRON_MIRROR,
// ELECTRON_CUSTOM_DIR, electron_use_remote_checksums, electron_config_cache,
// ELECTRON_GET_USE_PROXY with HTTPS_PROXY/NO_PROXY, the npm_config_electron_*
// settings from .npmrc) passes through to it. PORT picks the browser
// edition's port (0: any free one). CELLWRIGHT_START_SKIP_BUILD=1 skips both
// builds; it exists for the start script's own tests.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_EXAMPLE = path.join(root, 'assets', 'examples', 'lstm.json');
const DEFAULT_PORT = 5173;

// Same policy as the desktop window (electron/security.ts), so the browser
// edition fails the same way if something would break under it.
export const CSP = [
  "default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self' blob:", "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'", "manifest-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-src 'none'", "frame-ancestors 'none'",
].join('; ');

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.wasm': 'application/wasm',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.txt': 'text/plain; charset=utf-8', '.csv': 'text/csv; charset=utf-8',
};

/**
 * The Node versions the toolchain needs; package.json `engines.node` says the
 * same (a test keeps them equal). Vite 8, its Rolldown bundler and
 * @vitejs/plugin-react need ^20.19 || >=22.12; Electron's installer is
 * CommonJS loading the ES-module @electron/get, which works from Node 20.19
 * (where require() of ES modules is on by default).
 */
export const NODE_RANGE = '^20.19.0 || >=22.12.0';

function parseVersion(text) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(String(text).trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

function compareVersions(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/**
 * Does `version` satisfy `range`? Understands what NODE_RANGE uses:
 * alternatives joined by `||`, each `^X.Y.Z` or `>=X.Y.Z`.
 * @param {string} version
 * @param {string} range
 */
export function satisfiesRange(version, range) {
  const v = parseVersion(version);
  if (!v) return false;
  return range.split('||').some((part) => {
    const term = part.trim();
    const min = parseVersion(term.replace(/^(\^|>=)\s*/, ''));
    if (!min) throw new Error(`Unsupported version range "${term}" (use ^X.Y.Z or >=X.Y.Z).`);
    if (term.startsWith('^')) return v[0] === min[0] && compareVersions(v, min) >= 0;
    if (term.startsWith('>=')) return compareVersions(v, min) >= 0;
    throw new Error(`Unsupported version range "${term}" (use ^X.Y.Z or >=X.Y.Z).`);
  });
}

/**
 * Null when this Node can run `npm start`, else a sentence saying which Node is needed.
 * @param {string} version e.g. process.version, "v18.19.0"
 * @param {string} [range]
 * @returns {string | null}
 */
export function nodeVersionProblem(version, range = NODE_RANGE) {
  if (satisfiesRange(version, range)) return null;
  const wanted = range.split('||').map((part) => {
    const term = part.trim();
    return term.startsWith('^') ? `${term.slice(1)} or a later ${term.slice(1).split('.')[0]}.x` : `${term.slice(2)} or later`;
  }).join(', or ');
  return `Cellwright needs Node.js ${wanted} (package.json "engines": "${range}"), but this is Node ${version}; install a current Node.js LTS from https://nodejs.org (or \`nvm install --lts\`) and run \`npm start\` again.`;
}

/**
 * The folder of the installed `electron` npm package, or null.
 * @param {string} [projectRoot]
 * @returns {string | null}
 */
export function electronPackageDir(projectRoot = root) {
  try {
    return path.dirname(createRequire(path.join(projectRoot, 'package.json')).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/**
 * The Electron executable if it is really installed, else null. Reads what
 * `require('electron')` would, without calling it: that call runs the
 * download synchronously with no way to report its failure.
 * @param {string} [projectRoot]
 * @returns {string | null}
 */
export function electronBinary(projectRoot = root) {
  const pkgDir = electronPackageDir(projectRoot);
  if (!pkgDir) return null;
  let relative = null;
  try {
    relative = fs.readFileSync(path.join(pkgDir, 'path.txt'), 'utf8').trim();
  } catch {
    // Not downloaded: no path.txt.
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override
    ? path.join(override, relative || 'electron')
    : relative ? path.join(pkgDir, 'dist', relative) : null;
  if (!candidate) return null;
  try {
    fs.accessSync(candidate, fs.constants.X_OK);
    return candidate;
  } catch {
    return null;
  }
}

/**
 * The one-line reason in what Electron's installer printed on failure: the
 * network error our progress hook named, else the installer's error line
 * (e.g. "HTTPError: Response code 404 (Not Found) for https://...").
 * @param {string} stderr
 * @param {number | null} code
 * @returns {string}
 */
export function installerFailureReason(stderr, code) {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const ours = lines.find((line) => line.startsWith('cellwright: '));
  if (ours) return ours.slice('cellwright: '.length);
  const error = lines.find((line) => /^[A-Za-z]*Error\b/.test(line)) ?? lines.find((line) => !line.startsWith('at '));
  return error ?? `Electron's installer exited with code ${code ?? 'unknown'} and printed nothing`;
}

/** Variables that stop Electron's installer or make Electron run as plain Node. */
const NOT_FOR_INSTALLER = ['ELECTRON_SKIP_BINARY_DOWNLOAD', 'npm_config_electron_skip_binary_download', 'ELECTRON_RUN_AS_NODE'];

/**
 * Run Electron's own installer (node_modules/electron/install.js, what
 * `require('electron')` runs when the binary is missing), showing its
 * progress. Resolves to the executable, or to `{ reason }` when it failed.
 * @param {string} [projectRoot]
 * @returns {Promise<string | { reason: string }>}
 */
export function installElectron(projectRoot = root) {
  const pkgDir = electronPackageDir(projectRoot);
  if (!pkgDir) return Promise.resolve({ reason: 'the electron package is not installed (npm install was run without dev dependencies)' });
  const installer = path.join(pkgDir, 'install.js');
  if (!fs.existsSync(installer)) return Promise.resolve({ reason: `${installer} is missing` });
  let version = '';
  try {
    version = ` ${JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version}`;
  } catch {
    // The installer reads it itself; the number is only for the message.
  }
  const env = { ...process.env };
  const skipped = NOT_FOR_INSTALLER.filter((name) => name !== 'ELECTRON_RUN_AS_NODE' && env[name]);
  for (const name of NOT_FOR_INSTALLER) delete env[name];
  const mirror = env.npm_config_electron_mirror || env.ELECTRON_MIRROR;
  console.log(`Electron's binary is not downloaded yet: downloading Electron${version} for ${process.platform}-${process.arch} with Electron's installer${mirror ? ` from ${mirror}` : ''} (first start only, about 100 MB)…`);
  if (skipped.length > 0) {
    // The variable is meant for `npm ci` (CI, packaging); whoever runs `npm start` wants the app.
    console.log(`(${skipped.join(' and ')} is set; \`npm start\` downloads anyway because the desktop app needs the binary — \`npm start -- --browser\` skips the download.)`);
  }
  const progressHook = path.join(path.dirname(fileURLToPath(import.meta.url)), 'electron-download-progress.cjs');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', progressHook, installer], { cwd: projectRoot, env, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    let partial = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      // The installer's messages are shown as they come, without its stack
      // frames (they say nothing to a user), and kept for the reason.
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (/^\s+at /.test(line)) continue;
        process.stderr.write(`${line}\n`);
        if (stderr.length < 64 * 1024) stderr += `${line}\n`;
      }
    });
    child.stderr.on('end', () => {
      if (partial) {
        process.stderr.write(`${partial}\n`);
        stderr += partial;
      }
    });
    child.on('error', (error) => resolve({ reason: `could not run Electron's installer: ${error.message}` }));
    child.on('close', (code, signal) => {
      if (code !== 0) {
        resolve({ reason: signal ? `Electron's installer was stopped by ${signal}` : installerFailureReason(stderr, code) });
        return;
      }
      const binary = electronBinary(projectRoot);
      resolve(binary ?? { reason: `Electron's installer finished but left no executable in ${path.join(pkgDir, 'dist')}` });
    });
  });
}

/**
 * A static server for the renderer build, with the desktop's CSP.
 * @param {string} dir
 * @returns {http.Server}
 */
export function createStaticServer(dir) {
  const base = path.resolve(dir);
  return http.createServer((req, res) => {
    const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400, headers).end();
      return;
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(base, `.${rel}`);
    if (!file.startsWith(base + path.sep) || rel.includes('\0')) {
      res.writeHead(403, headers).end();
      return;
    }
    fs.readFile(file, (error, body) => {
      if (error) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
        return;
      }
      res.writeHead(200, { ...headers, 'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
}

/**
 * Listen on the first free port from `port` on (0: any free port), on the loopback interface only.
 * @param {http.Server} server
 * @param {number} port
 * @returns {Promise<number>}
 */
export function listen(server, port) {
  return new Promise((resolve, reject) => {
    const attempt = (p) => {
      const onError = (error) => {
        if (error.code === 'EADDRINUSE' && port !== 0 && p < port + 20) attempt(p + 1);
        else reject(error);
      };
      server.once('error', onError);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', onError);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : p);
      });
    };
    attempt(port);
  });
}

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      console.error(`Could not run ${command}: ${error.message}`);
      resolve(1);
    });
  });
}

function fail(message) {
  console.error(`\nnpm start: ${message}`);
  process.exit(1);
}

async function buildWeb() {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (!pkg.scripts?.['build:web']) {
    fail('there is no `build:web` script in package.json yet, so the editor (dist-web/) cannot be built; add it (a Vite build into dist-web/) and run `npm start` again.');
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const code = await run(npm, ['run', 'build:web']);
  if (code !== 0) fail(`building the editor with \`npm run build:web\` failed (exit code ${code}); see its errors above.`);
  if (!fs.existsSync(path.join(root, 'dist-web', 'index.html'))) fail('`npm run build:web` finished but dist-web/index.html is missing.');
}

async function build() {
  if (process.env.CELLWRIGHT_START_SKIP_BUILD === '1') return;
  // Imported here: the Node version check must run before esbuild loads.
  const { buildElectron } = await import('./build-electron.mjs');
  try {
    await buildElectron();
  } catch (error) {
    fail(`building the Electron main/preload failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  await buildWeb();
}

function browserPort() {
  const wanted = process.env.PORT;
  if (wanted === undefined || wanted === '') return DEFAULT_PORT;
  const port = Number(wanted);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT=${wanted} is not a port number (0 to 65535; 0 picks a free one).`);
  return port;
}

async function main() {
  const tooOld = nodeVersionProblem(process.version);
  if (tooOld) fail(tooOld);
  const args = process.argv.slice(2);
  const forceBrowser = args.includes('--browser');
  const file = args.find((a) => !a.startsWith('--'));
  const graph = file ? path.resolve(file) : DEFAULT_EXAMPLE;
  if (!fs.existsSync(graph)) fail(`the graph to open, ${path.relative(root, graph) || graph}, does not exist.`);

  let electron = null;
  let reason = null;
  if (!forceBrowser) {
    electron = electronBinary();
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    if (!electron && override) reason = `ELECTRON_OVERRIDE_DIST_PATH points at ${override}, which holds no Electron executable`;
    else if (!electron) {
      const installed = await installElectron();
      if (typeof installed === 'string') electron = installed;
      else reason = installed.reason;
    }
  }
  // Built even for the browser edition: cheap, and a broken main shows up at once.
  await build();

  if (electron) {
    console.log(`Starting Cellwright on ${path.relative(root, graph)} …`);
    const env = { ...process.env };
    // If set (some shells and CI do), Electron would run as plain Node instead of the app.
    delete env.ELECTRON_RUN_AS_NODE;
    const child = spawn(electron, [root, graph], { cwd: root, stdio: 'inherit', env });
    child.on('error', (error) => fail(`could not launch Electron (${electron}): ${error.message}`));
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    return;
  }

  const server = createStaticServer(path.join(root, 'dist-web'));
  const port = await listen(server, browserPort());
  const url = `http://localhost:${port}/`;
  if (forceBrowser) console.log(`\nStarting the browser edition at ${url}`);
  else {
    console.error(`\nElectron could not be downloaded (${reason.replace(/\.$/, '')}), so this is the browser edition at ${url} instead — to get the desktop app, fix the cause (network, proxy: ELECTRON_GET_USE_PROXY=1 with HTTPS_PROXY; mirror: ELECTRON_MIRROR) and run \`npm start\` again.`);
  }
  console.log(`Cellwright (browser edition) is serving dist-web/ at ${url} — open it in Chrome, Edge or Firefox; press Ctrl+C to stop.`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
}
