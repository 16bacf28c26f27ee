#!/usr/bin/env node
// `npm run check:electron`: the packaging and security checks that need no
// Electron binary and no network.
//   1. electron-builder.yml is valid against electron-builder's own schema.
//   2. A `--dir` package, built with a stand-in Electron executable, holds
//      exactly the files meant to ship (read back from its app.asar), its
//      main entry, and the fuses flipped as configured.
//   3. Electronegativity reports nothing above informational that is not
//      justified in .electronegativity/justifications.json.
// Options: --skip-package, --skip-electronegativity, --keep (keep the temp dir).
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const args = new Set(process.argv.slice(2));
const failures = [];

function step(title) {
  console.log(`\n▶ ${title}`);
}
function ok(message) {
  console.log(`  ✓ ${message}`);
}
function bad(message) {
  console.log(`  ✗ ${message}`);
  failures.push(message);
}

/** Files under `dir` (relative to root, forward slashes), skipping source maps. */
function filesUnder(dir) {
  const out = [];
  const walk = (abs) => {
    if (!fs.existsSync(abs)) return;
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const full = path.join(abs, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!entry.name.endsWith('.map')) out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  walk(path.join(root, dir));
  return out;
}

async function validateConfig() {
  step('electron-builder.yml against electron-builder\'s schema (offline)');
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const { DebugLogger } = require('builder-util');
  const config = await getConfig(root, 'electron-builder.yml', null);
  try {
    await validateConfiguration(config, new DebugLogger(false));
    ok('valid');
  } catch (error) {
    bad(`electron-builder.yml is invalid: ${error.message}`);
    return null;
  }
  // The validator must be live: a misspelt key has to be caught.
  try {
    await validateConfiguration({ ...config, filez: ['x'] }, new DebugLogger(false));
    bad('the schema validator accepted an unknown key ("filez"): validation is not working');
  } catch {
    ok('the validator rejects an unknown key');
  }
  const expectTargets = { linux: ['AppImage', 'deb'], mac: ['dmg'], win: ['nsis'] };
  for (const [platform, targets] of Object.entries(expectTargets)) {
    const actual = (config[platform]?.target ?? []).map((t) => (typeof t === 'string' ? t : t.target));
    if (JSON.stringify(actual) === JSON.stringify(targets)) ok(`${platform}: ${targets.join(', ')}`);
    else bad(`${platform} targets are ${JSON.stringify(actual)}, expected ${JSON.stringify(targets)}`);
  }
  if (config.npmRebuild !== false) bad('npmRebuild must be false (no native modules; rebuilding needs the network)');
  for (const icon of [config.icon, config.win?.icon, config.linux?.icon, config.mac?.icon]) {
    if (icon && !fs.existsSync(path.join(root, icon))) bad(`icon ${icon} does not exist`);
  }
  checkFileAssociations(config);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (!pkg.homepage) bad('package.json needs "homepage" for the deb target');
  if (pkg.main !== 'dist-electron/main.cjs') bad(`package.json "main" is ${pkg.main}, expected dist-electron/main.cjs`);
  return config;
}

/**
 * Cellwright opens its own files on double-click and nothing else: one
 * association, for `.cellwright` (common/graph-files.ts), with the MIME type
 * Linux registers too. Claiming `json` would make it the handler of every
 * JSON file on the user's system.
 */
function checkFileAssociations(config) {
  const list = [config.fileAssociations ?? []].flat();
  const extensions = list.flatMap((a) => [a.ext ?? []].flat()).map((e) => String(e).replace(/^\./, '').toLowerCase());
  const source = fs.readFileSync(path.join(root, 'common', 'graph-files.ts'), 'utf8');
  const own = /GRAPH_EXTENSION = '([^']+)'/.exec(source)?.[1];
  const mime = /GRAPH_MIME = '([^']+)'/.exec(source)?.[1];
  if (!own || !mime) {
    bad('common/graph-files.ts no longer defines GRAPH_EXTENSION and GRAPH_MIME as string literals');
    return;
  }
  if (JSON.stringify(extensions) === JSON.stringify([own])) ok(`file association: .${own} only`);
  else bad(`fileAssociations claim ${JSON.stringify(extensions)}; Cellwright must claim exactly [".${own}"] (common/graph-files.ts), never generic extensions like .json`);
  for (const a of list) {
    if (a.mimeType !== mime) bad(`the .${[a.ext].flat().join('/')} association has mimeType ${a.mimeType}, expected ${mime}`);
    if (a.icon && !['.png', '.icns', '.ico'].some((ext) => fs.existsSync(path.join(root, `${a.icon}${ext}`)))) bad(`the association's icon ${a.icon} (.png/.icns/.ico) does not exist`);
  }
  if (!(config.linux?.mimeTypes ?? []).includes(mime)) bad(`linux.mimeTypes must list ${mime} so the desktop entry opens .${own} files`);
}

/** A fake Electron: an executable, a version file, and the fuse wire @electron/fuses looks for. */
function standInElectron(dir, version) {
  fs.mkdirSync(path.join(dir, 'resources'), { recursive: true });
  const { SENTINEL } = require('@electron/fuses/dist/constants');
  // Electron's defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on,
  // --inspect on, asar integrity off, only-asar off, browser snapshot off, file:// privileges on.
  const wire = Buffer.concat([Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.from('10110001')]);
  const script = Buffer.concat([Buffer.from('#!/bin/sh\n# stand-in for Electron in packaging checks; fuse wire: '), wire, Buffer.from('\necho "stand-in Electron"\n')]);
  fs.writeFileSync(path.join(dir, 'electron'), script, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'version'), version);
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'stand-in');
}

async function ensureBuilt() {
  step('Build main/preload and the editor');
  await buildElectron({ quiet: true });
  ok('dist-electron/main.cjs and preload.cjs');
  if (!fs.existsSync(path.join(root, 'dist-web', 'index.html')) || args.has('--rebuild-web')) {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['run', 'build:web'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('`npm run build:web` failed; the package check needs dist-web/.');
  }
  ok('dist-web/index.html');
}

async function checkPackage(tmp) {
  step('`--dir` package with a stand-in Electron');
  const electronVersion = JSON.parse(fs.readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  const electronDist = path.join(tmp, 'electron-dist');
  standInElectron(electronDist, electronVersion);
  const { build, Platform, Arch } = require('electron-builder');
  const output = path.join(tmp, 'out');
  await build({
    projectDir: root,
    targets: Platform.LINUX.createTarget('dir', Arch.x64),
    publish: 'never',
    config: { electronDist, electronVersion, directories: { output } },
  });
  const appDir = path.join(output, 'linux-unpacked');
  const archive = path.join(appDir, 'resources', 'app.asar');
  if (!fs.existsSync(archive)) {
    bad(`no app.asar in ${appDir}`);
    return;
  }
  const asar = require('@electron/asar');
  const entries = asar.listPackage(archive, { isPack: false }).map((p) => p.replace(/\\/g, '/').replace(/^\//, ''));
  const shipped = entries.filter((p) => !('files' in asar.statFile(archive, p, false))).sort();
  const expected = ['package.json', ...['dist-electron', 'dist-web', 'assets/examples', 'assets/data'].flatMap(filesUnder)].sort();
  const extra = shipped.filter((f) => !expected.includes(f));
  const missing = expected.filter((f) => !shipped.includes(f));
  if (extra.length === 0 && missing.length === 0) ok(`app.asar holds exactly the ${shipped.length} intended files (package.json, dist-electron, dist-web, assets/examples, assets/data)`);
  if (extra.length) bad(`app.asar holds files that should not ship: ${extra.slice(0, 20).join(', ')}${extra.length > 20 ? ` … (${extra.length})` : ''}`);
  if (missing.length) bad(`app.asar lacks files that should ship: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ` … (${missing.length})` : ''}`);
  for (const must of ['dist-electron/main.cjs', 'dist-electron/preload.cjs', 'dist-web/index.html', 'assets/examples/lstm.json']) {
    if (!shipped.includes(must)) bad(`app.asar lacks ${must}`);
  }
  const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8'));
  if (pkg.main === 'dist-electron/main.cjs') ok('package.json in the asar points at dist-electron/main.cjs');
  else bad(`package.json in the asar has main=${pkg.main}`);
  const unpacked = path.join(appDir, 'resources', 'app.asar.unpacked');
  if (fs.existsSync(unpacked)) bad(`files were unpacked next to the asar: ${unpacked}`);

  const exe = path.join(appDir, 'cellwright');
  if (!fs.existsSync(exe)) bad(`the executable ${exe} is missing`);
  else {
    const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses');
    const fuses = await getCurrentFuseWire(exe);
    const want = {
      RunAsNode: 48, EnableCookieEncryption: 49, EnableNodeOptionsEnvironmentVariable: 48, EnableNodeCliInspectArguments: 48,
      EnableEmbeddedAsarIntegrityValidation: 49, OnlyLoadAppFromAsar: 49, GrantFileProtocolExtraPrivileges: 48,
    };
    const wrong = Object.entries(want).filter(([name, state]) => fuses[FuseV1Options[name]] !== state).map(([name]) => name);
    if (wrong.length === 0) ok('fuses flipped: no RunAsNode, no NODE_OPTIONS, no --inspect, asar only with integrity check, cookie encryption');
    else bad(`fuses not set as configured: ${wrong.join(', ')}`);
  }
}

async function runElectronegativity(tmp) {
  step('Electronegativity');
  // Scan what ships and what decides its security: main, preload, the
  // renderer's source and built HTML, package.json. Tests and the fake
  // electron used by tests are not part of the app.
  const stage = path.join(tmp, 'eng');
  const copy = (rel) => {
    const from = path.join(root, rel);
    const to = path.join(stage, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
  };
  const isTest = (f) => /\.(test|spec)\.[cm]?[tj]sx?$/.test(f) || f.includes('/testing/');
  for (const f of [...filesUnder('electron'), ...filesUnder('renderer')].filter((f) => /\.(ts|tsx|js|html)$/.test(f) && !isTest(f))) copy(f);
  for (const f of filesUnder('dist-web').filter((f) => f.endsWith('.html'))) copy(f);
  copy('package.json');
  copy('package-lock.json');

  const justifications = JSON.parse(fs.readFileSync(path.join(root, '.electronegativity', 'justifications.json'), 'utf8'));
  const justified = (id, file) => {
    const byFile = justifications[id];
    return byFile && typeof byFile === 'object' ? byFile[file] ?? byFile['*'] : undefined;
  };
  const run = require('@doyensec/electronegativity').default ?? require('@doyensec/electronegativity');
  // Electronegativity fetches translations at start; offline it falls back to English (and says so once).
  const result = await run({ input: stage, output: path.join(tmp, 'electronegativity.csv'), isSarif: false, customScan: [], excludeFromScan: [], isRelative: true, parserPlugins: [] }, false);
  const parseErrors = result.errors.filter((e) => !e.tolerable);
  for (const e of parseErrors) bad(`electronegativity could not parse ${path.relative(stage, e.file)}: ${e.message}`);
  let shown = 0;
  for (const issue of result.issues) {
    const where = `${issue.file}:${issue.location.line}:${issue.location.column}`;
    const level = issue.severity.name;
    const why = justified(issue.id, issue.file);
    if (level === 'INFORMATIONAL') {
      console.log(`  · ${issue.id} (informational) ${where}`);
      continue;
    }
    shown += 1;
    if (why) console.log(`  ~ ${issue.id} (${level}, ${issue.confidence.name}) ${where}\n      justified: ${why}`);
    else bad(`${issue.id} (${level}, ${issue.confidence.name}) at ${where}: ${issue.description}`);
  }
  ok(`${result.atomicChecks} atomic and ${result.globalChecks} global checks ran; ${result.issues.length} findings, ${shown} above informational`);

  // The CSP itself, evaluated with the evaluator Electronegativity uses.
  const { CSP } = await import('./start.mjs');
  // Resolved from Electronegativity itself: the very evaluator its CSP check uses.
  const csp = createRequire(require.resolve('@doyensec/electronegativity'))('@doyensec/csp-evaluator');
  const findings = new csp.CspEvaluator(new csp.CspParser(CSP).csp, csp.Version.CSP3).evaluate();
  const serious = findings.filter((f) => [csp.severities.HIGH, csp.severities.MEDIUM, csp.severities.HIGH_MAYBE, csp.severities.MEDIUM_MAYBE].includes(f.severity));
  for (const f of serious) {
    const why = justifications.CSP_EVALUATOR?.[f.directive];
    if (why) console.log(`  ~ CSP ${f.directive}: ${f.description}\n      justified: ${why}`);
    else bad(`CSP: ${f.directive}: ${f.description}`);
  }
  ok(`Content-Security-Policy evaluated: ${findings.length} finding(s), ${serious.length} high/medium (each justified or failed above)`);
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellwright-check-'));
  try {
    await validateConfig();
    await ensureBuilt();
    if (!args.has('--skip-package')) await checkPackage(tmp);
    if (!args.has('--skip-electronegativity')) await runElectronegativity(tmp);
  } finally {
    if (args.has('--keep')) console.log(`\n(kept ${tmp})`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.error(`\ncheck:electron failed: ${failures.length} problem(s), listed with ✗ above.`);
    process.exit(1);
  }
  console.log('\ncheck:electron passed.');
}

main().catch((error) => {
  console.error(`\ncheck:electron failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
});
