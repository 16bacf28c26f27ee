#!/usr/bin/env node
// `npm start`: build the Electron main/preload and the renderer, then launch
// the desktop app on the bundled default example. Where Electron's binary is
// not installed (it downloads at install time, which needs the internet),
// say so in one sentence and serve the browser edition instead.
//
//   node scripts/start.mjs [graph.json]     open that graph instead of the default
//   node scripts/start.mjs --browser        the browser edition even if Electron is present
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron.mjs';

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
 * The Electron executable if it is really installed, else null. Reads what
 * `require('electron')` would, without calling it: that call starts a
 * download when the binary is missing.
 * @param {string} [projectRoot]
 * @returns {string | null}
 */
export function electronBinary(projectRoot = root) {
  let pkgDir;
  try {
    pkgDir = path.dirname(createRequire(path.join(projectRoot, 'package.json')).resolve('electron/package.json'));
  } catch {
    return null;
  }
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
 * Listen on the first free port from `port` on, on the loopback interface only.
 * @param {http.Server} server
 * @param {number} port
 * @returns {Promise<number>}
 */
export function listen(server, port) {
  return new Promise((resolve, reject) => {
    const attempt = (p) => {
      const onError = (error) => {
        if (error.code === 'EADDRINUSE' && p < port + 20) attempt(p + 1);
        else reject(error);
      };
      server.once('error', onError);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', onError);
        resolve(p);
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

async function main() {
  const args = process.argv.slice(2);
  const forceBrowser = args.includes('--browser');
  const file = args.find((a) => !a.startsWith('--'));
  const graph = file ? path.resolve(file) : DEFAULT_EXAMPLE;
  if (!fs.existsSync(graph)) fail(`the graph to open, ${path.relative(root, graph) || graph}, does not exist.`);

  const electron = forceBrowser ? null : electronBinary();
  // Built even for the browser edition: cheap, and a broken main shows up at once.
  try {
    await buildElectron();
  } catch (error) {
    fail(`building the Electron main/preload failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  await buildWeb();

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
  const port = await listen(server, Number(process.env.PORT) || DEFAULT_PORT);
  const url = `http://localhost:${port}/`;
  if (forceBrowser) console.log(`\nStarting the browser edition at ${url}`);
  else {
    console.log(`\nElectron's binary is not installed on this machine (it downloads at install time); starting the browser edition instead at ${url} — install Electron with \`npm install electron\` on a machine with internet access to get the desktop app.`);
  }
  console.log(`Cellwright (browser edition) is serving dist-web/ at ${url} — open it in Chrome, Edge or Firefox; press Ctrl+C to stop.`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
}
