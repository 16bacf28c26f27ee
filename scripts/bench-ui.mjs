#!/usr/bin/env node
/**
 * UI frame-time benchmark: loads a generated 300-node graph into the built
 * editor (dist-web, served by `vite preview`) in Debian's Chromium and prints
 * the median and p95 frame times while panning the canvas and while dragging
 * a node (goal: median ≤ 16.7 ms); then, while the default LSTM example
 * trains in its worker with every chart live, the median frame time (goal
 * ≤ 18 ms) and the rate at which snapshots reach the screen (goal ≥ 10 Hz).
 * Run with `npm run bench:ui` (builds first).
 *
 * Then, issue 13's scale goals: open-to-interactive of the production build
 * (navigation start → the default example drawn and Train enabled; goal
 * ≤ 1.5 s), opening a 2,000-node graph (file chosen → the nodes on screen
 * drawn; goal ≤ 2 s) and dragging one of its nodes (p95 frame time; goal
 * ≤ 50 ms), both as the graph opens (its first part at a readable zoom) and
 * after Fit view (the smallest zoom, as many nodes on screen as fit). The
 * 2,000-node part runs --runs times in fresh pages and reports the median and
 * the range, with the machine's load average.
 *
 * Options: --nodes N (default 300), --big N (default 2000), --runs N (default
 * 3), --steps N mouse steps per gesture (default 150), --train-seconds S
 * (default 6), --port P (default 4391), --json to print one JSON object
 * instead of a table, --readme to write the table in README.md's "Editor
 * performance" section, --screenshots DIR to save the fitted graph after a drag.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const NODES = option('nodes', 300);
const BIG = option('big', 2000);
const STEPS = option('steps', 150);
const AS_JSON = args.includes('--json');
const PORT = option('port', 4391);
const TRAIN_SECONDS = option('train-seconds', 6);
const VSYNC_TOLERANCE_MS = 17.0;
const RUNS = option('runs', 3);
const README = args.includes('--readme');
const SHOTS = (() => { const i = args.indexOf('--screenshots'); return i >= 0 ? args[i + 1] : null; })();

const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
if (!chromiumPath) {
  console.error('Chromium not found at /usr/bin/chromium: install it with `apt-get install -y chromium` (or set CHROMIUM_PATH).');
  process.exit(process.env.CI ? 1 : 0);
}
if (!existsSync(path.join(root, 'dist-web/index.html'))) {
  console.error('dist-web/ is missing: run `npm run build:web` first (npm run bench:ui does).');
  process.exit(1);
}

/** A layered network of gates: each column reads the previous one, plus cells feeding back. */
function generateGraph(count) {
  const columns = 15;
  const rows = Math.ceil(count / columns);
  const nodes = [];
  const edges = [];
  const kindAt = (c, r) => (c === 0 ? 'input' : r % 7 === 3 && c % 4 === 2 ? 'cell' : c % 3 === 0 ? 'op' : 'gate');
  for (let c = 0; c < columns; c += 1) {
    for (let r = 0; r < rows && nodes.length < count; r += 1) {
      const id = `n${c}_${r}`;
      const kind = kindAt(c, r);
      const position = { x: c * 240, y: r * 110 };
      if (kind === 'input') nodes.push({ id, kind, size: 4, position });
      else if (kind === 'cell') nodes.push({ id, kind, size: 4, position });
      else if (kind === 'op') nodes.push({ id, kind, op: r % 2 ? 'add' : 'mul', position });
      else nodes.push({ id, kind, size: 4, activation: ['sigmoid', 'tanh', 'relu'][r % 3], position });
    }
  }
  const ids = new Set(nodes.map((n) => n.id));
  const cellHasInput = new Set();
  for (const node of nodes) {
    const [c, r] = node.id.slice(1).split('_').map(Number);
    if (c === 0) continue;
    for (const dr of node.kind === 'cell' ? [0] : [0, 1]) {
      const source = `n${c - 1}_${r + dr}`;
      if (!ids.has(source)) continue;
      if (node.kind === 'cell') {
        if (cellHasInput.has(node.id)) continue;
        cellHasInput.add(node.id);
      }
      edges.push({ id: `e_${source}_${node.id}`, source, target: node.id, ...(node.kind === 'gate' ? { weight: 'full' } : {}) });
    }
    // Recurrent edges: every cell feeds a gate two columns back (drawn looping).
    if (node.kind === 'cell' && ids.has(`n${c - 2}_${r}`) && nodes.find((n) => n.id === `n${c - 2}_${r}`).kind === 'gate') {
      edges.push({ id: `rec_${node.id}`, source: node.id, target: `n${c - 2}_${r}`, weight: 'full' });
    }
  }
  return { format: 'cellwright-graph', version: 1, name: `Benchmark (${count} nodes)`, nodes, edges };
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { frames: sorted.length, median: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 };
}

async function measure(page, gesture) {
  await page.evaluate(() => {
    const w = window;
    w.__frames = [];
    w.__recording = true;
    let last = performance.now();
    const tick = (now) => {
      if (!w.__recording) return;
      w.__frames.push(now - last);
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame((now) => {
      last = now;
      requestAnimationFrame(tick);
    });
  });
  await gesture();
  return page.evaluate(() => {
    window.__recording = false;
    return window.__frames;
  });
}

/** The view's zoom and how many nodes React Flow draws. */
function viewOf(page) {
  return page.evaluate(() => {
    const m = /scale\(([\d.]+)\)/.exec(document.querySelector('.react-flow__viewport')?.style.transform ?? '');
    return { zoom: m ? Number(m[1]) : NaN, drawn: document.querySelectorAll('.react-flow__node').length };
  });
}

/** Drags the drawn node nearest the middle of the canvas (there and back, 120 mouse moves); frame times and the view it ran in. */
async function dragNearMiddle(page) {
  // The view has settled (Fit view animates): the viewport transform holds still for 300 ms.
  await page.waitForFunction(() => {
    const now = document.querySelector('.react-flow__viewport')?.style.transform;
    const w = window;
    if (w.__lastTransform !== now) {
      w.__lastTransform = now;
      w.__since = performance.now();
      return false;
    }
    return performance.now() - w.__since > 300;
  }, null, { timeout: 30_000, polling: 50 });
  const id = await page.evaluate(() => {
    const pane = document.querySelector('.react-flow__pane').getBoundingClientRect();
    let best = null;
    let bestD = Infinity;
    for (const el of document.querySelectorAll('.react-flow__node')) {
      const r = el.getBoundingClientRect();
      const d = Math.hypot(r.x + r.width / 2 - (pane.x + pane.width / 2), r.y + r.height / 2 - (pane.y + pane.height / 2));
      if (r.width > 0 && d < bestD) { bestD = d; best = el.getAttribute('data-id'); }
    }
    return best;
  });
  const box = await page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox();
  const view = await viewOf(page);
  const t0 = Date.now();
  const frames = await measure(page, async () => {
    const x = box.x + box.width / 2;
    const y = box.y + Math.min(8, box.height / 2);
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 200, y + 120, { steps: 60 });
    await page.mouse.move(x - 80, y + 30, { steps: 60 });
    await page.mouse.up();
  });
  const seconds = (Date.now() - t0) / 1000;
  return { ...view, ...stats(frames), meanMs: frames.reduce((a, b) => a + b, 0) / Math.max(1, frames.length), seconds };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const spread = (values) => [Math.min(...values), Math.max(...values)];
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

function summarizeBig(graph, runs) {
  const of = (pick) => ({ median: median(runs.map(pick)), spread: spread(runs.map(pick)) });
  const view = (key) => ({
    zoom: median(runs.map((r) => r[key].zoom)),
    drawn: median(runs.map((r) => r[key].drawn)),
    p95: of((r) => r[key].p95),
    mean: of((r) => r[key].meanMs),
  });
  return { nodes: graph.nodes.length, edges: graph.edges.length, runs, open: of((r) => r.openMs), fit: of((r) => r.fitMs), openGoalMs: 2000, opened: view('opened'), fitted: view('fitted'), dragGoalMs: 50 };
}

const README_START = '<!-- bench-ui:start (generated by npm run bench:ui -- --readme; do not edit) -->';
const README_END = '<!-- bench-ui:end -->';

/** Writes the README's "Editor performance" table from this run. */
function writeReadme(result) {
  const file = path.join(root, 'README.md');
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(README_START);
  const b = text.indexOf(README_END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${README_START} … ${README_END} block to fill`);
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const m = (v) => `${v.toFixed(0)} ms`;
  const big = result.big;
  const oti = result.openToInteractiveMs;
  const drag = (v) => `p95 ${m(v.p95.median)} (${m(v.p95.spread[0])}–${m(v.p95.spread[1])}), mean ${m(v.mean.median)}`;
  const lines = [
    README_START,
    `Measured ${new Date().toISOString().slice(0, 10)} on this shared 2-core machine; load average (1 min) ${result.loadAverage.before[0]} before, ${result.loadAverage.after[0]} after. The ${big.nodes.toLocaleString('en')}-node graph has ${big.edges.toLocaleString('en')} edges; its figures are the median (range) of ${big.runs.length} runs, each in a fresh page.`,
    '',
    '| what | measured | goal |',
    '| --- | --- | --- |',
    `| open to interactive (navigation → default LSTM drawn, Train enabled), median of ${oti.runs.length} | ${s(oti.median)} (${s(Math.min(...oti.runs))}–${s(Math.max(...oti.runs))}) | ≤ 1.5 s |`,
    `| open the ${big.nodes.toLocaleString('en')}-node graph (file chosen → nodes on screen drawn; it opens on its first part, zoom ${big.opened.zoom.toFixed(2)}, ${big.opened.drawn} nodes drawn) | ${s(big.open.median)} (${s(big.open.spread[0])}–${s(big.open.spread[1])}) | ≤ 2 s |`,
    `| drag a node in it, as opened | ${drag(big.opened)} | p95 ≤ 50 ms |`,
    `| then Fit view: click → the whole graph on screen and drawn (${big.fitted.drawn.toLocaleString('en')} of ${big.nodes.toLocaleString('en')} nodes fit at the smallest zoom; the zoom animation included) | ${s(big.fit.median)} (${s(big.fit.spread[0])}–${s(big.fit.spread[1])}) | ≤ 2 s |`,
    `| drag a node after Fit view (zoom ${big.fitted.zoom.toFixed(2)}, the smallest; ${big.fitted.drawn.toLocaleString('en')} of ${big.nodes.toLocaleString('en')} nodes on screen, drawn as boxes, edges as one layer) | ${drag(big.fitted)} | p95 ≤ 50 ms |`,
    `| drag / pan a ${result.nodes}-node graph fitted whole, median frame | ${m(result.drag.median)} / ${m(result.pan.median)} | one 60 Hz frame |`,
    `| while the default LSTM trains with every chart live | median frame ${m(result.training.median)}, ${result.training.snapshotsPerSecond.toFixed(0)} snapshots/s | ≤ 18 ms, ≥ 10 Hz |`,
    README_END,
  ];
  writeFileSync(file, text.slice(0, a) + lines.join('\n') + text.slice(b + README_END.length));
}

const server = spawn(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
const stop = () => {
  if (!server.killed) server.kill('SIGTERM');
};
process.on('exit', stop);

try {
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('vite preview did not start')), 30_000);
    server.stdout.on('data', (chunk) => {
      if (String(chunk).includes(String(PORT))) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.on('exit', (code) => reject(new Error(`vite preview exited with ${code}`)));
  });

  const loadBefore = loadAverage();
  const dir = mkdtempSync(path.join(tmpdir(), 'cw-bench-'));
  const file = path.join(dir, 'bench-graph.json');
  const graph = generateGraph(NODES);
  writeFileSync(file, `${JSON.stringify(graph, null, 2)}\n`);

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`http://127.0.0.1:${PORT}/?empty&fallback-files`);
  await page.getByRole('button', { name: 'Hide the hint' }).click();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Open', exact: true }).click()]);
  await chooser.setFiles(file);
  await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length >= n, Math.min(NODES, 150), { timeout: 60_000 });
  // Let the first fit-to-view settle: every node is on screen, the heaviest case for panning.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
  const rendered = await page.evaluate(() => document.querySelectorAll('.react-flow__node').length);
  const pane = await page.locator('.react-flow__pane').boundingBox();
  // Grab the background, not a node: the point nearest the middle where the pane itself is hit.
  const { cx, cy } = await page.evaluate((p) => {
    for (let r = 0; r < Math.min(p.width, p.height) / 2; r += 6) {
      for (const [dx, dy] of [[0, 0], [r, 0], [-r, 0], [0, r], [0, -r], [r, r], [-r, -r], [r, -r], [-r, r]]) {
        const x = p.x + p.width / 2 + dx;
        const y = p.y + p.height / 2 + dy;
        if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')) return { cx: x, cy: y };
      }
    }
    return { cx: p.x + 4, cy: p.y + 4 };
  }, pane);

  const pan = await measure(page, async () => {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx - 300, cy - 180, { steps: STEPS });
    await page.mouse.move(cx + 100, cy + 60, { steps: STEPS });
    await page.mouse.up();
  });

  const target = page.locator('.react-flow__node[data-id="n5_2"]');
  const box = await target.boundingBox();
  const drag = await measure(page, async () => {
    const x = box.x + box.width / 2;
    const y = box.y + 8;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 260, y + 160, { steps: STEPS });
    await page.mouse.move(x - 120, y + 40, { steps: STEPS });
    await page.mouse.up();
  });
  // The drag was the only edit since the file was opened: one Undo must empty the history.
  const undo = page.getByRole('button', { name: 'Undo' });
  const recorded = await undo.isEnabled();
  if (recorded) await undo.click();
  const undoable = recorded && !(await undo.isEnabled());

  // Training: the default example, long enough a run to keep training while measured.
  await page.goto(`http://127.0.0.1:${PORT}/?fallback-files`);
  await page.getByRole('status', { name: 'Run state' }).and(page.locator('[data-state="idle"]')).waitFor({ timeout: 30_000 });
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByLabel('Steps', { exact: true }).fill('1000000');
  await page.getByLabel('Steps', { exact: true }).press('Enter');
  await page.getByRole('tab', { name: 'Inspector' }).click();
  // Recompiled with the new length: the counter shows it and the run is ready.
  await page.locator('.cw-run-step', { hasText: '/ 1000000' }).waitFor({ timeout: 30_000 });
  await page.getByRole('status', { name: 'Run state' }).and(page.locator('[data-state="idle"]')).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(() => Number(document.querySelector('output[aria-label="Step count"]')?.textContent) > 20, null, { timeout: 30_000 });
  const stepAt = async () => Number(await page.getByLabel('Step count').textContent());
  const step0 = await stepAt();
  await page.evaluate(() => {
    const w = window;
    w.__snapshots = 0;
    const out = document.querySelector('output[aria-label="Step count"]');
    w.__observer = new MutationObserver(() => { w.__snapshots += 1; });
    w.__observer.observe(out, { childList: true, characterData: true, subtree: true });
  });
  const t0 = Date.now();
  const training = await measure(page, () => page.waitForTimeout(TRAIN_SECONDS * 1000));
  const seconds = (Date.now() - t0) / 1000;
  const snapshots = await page.evaluate(() => {
    window.__observer.disconnect();
    return window.__snapshots;
  });
  const stepsDone = (await stepAt()) - step0;
  await page.getByRole('button', { name: 'Pause', exact: true }).click();

  // Open-to-interactive: a fresh page, from navigation start to the graph drawn and Train enabled.
  const interactive = [];
  for (let i = 0; i < 3; i++) {
    const fresh = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await fresh.goto(`http://127.0.0.1:${PORT}/?fallback-files`);
    await fresh.waitForFunction(() => {
      const train = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Train');
      return document.querySelector('.react-flow__node') && train && !train.disabled;
    }, null, { timeout: 30_000, polling: 'raf' });
    interactive.push(await fresh.evaluate(() => performance.now()));
    await fresh.close();
  }

  // 2,000 nodes, RUNS times (the machine is shared: report the median and the spread): open the file
  // as a user would (it opens on its first part at a readable zoom), drag a node there; then
  // Fit view (the whole graph at the smallest zoom, as many nodes on screen as fit) and drag one there.
  const bigFile = path.join(dir, 'bench-big.json');
  const bigGraph = generateGraph(BIG);
  writeFileSync(bigFile, `${JSON.stringify(bigGraph)}\n`);
  const bigRuns = [];
  for (let run = 0; run < RUNS; run += 1) {
    const big = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await big.goto(`http://127.0.0.1:${PORT}/?empty&fallback-files`);
    await big.getByRole('button', { name: 'Hide the hint' }).click();
    const [bigChooser] = await Promise.all([big.waitForEvent('filechooser'), big.getByRole('button', { name: 'Open', exact: true }).click()]);
    await big.evaluate(() => { window.__openStart = performance.now(); });
    await bigChooser.setFiles(bigFile);
    // Opened: the name is shown and React Flow has measured (made visible) the nodes on screen.
    await big.waitForFunction((name) => document.querySelector('.cw-doc-name')?.textContent?.includes(name)
      && document.querySelectorAll('.react-flow__node').length > 0
      && !document.querySelector('.react-flow__node[style*="visibility: hidden"]'), bigGraph.name, { timeout: 60_000, polling: 'raf' });
    const openMs = await big.evaluate(() => performance.now() - window.__openStart);
    await big.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
    const opened = await dragNearMiddle(big);
    // Fit view: click → the whole graph drawn (the zoom animation included; every node now on screen measured and shown).
    const fitStart = await big.evaluate(() => performance.now());
    await big.getByRole('button', { name: 'Fit view', exact: true }).click();
    await big.waitForFunction(() => {
      const now = document.querySelector('.react-flow__viewport')?.style.transform;
      const w = window;
      if (w.__fitTransform !== now) {
        w.__fitTransform = now;
        w.__fitSince = performance.now();
        return false;
      }
      return !document.querySelector('.react-flow__node[style*="visibility: hidden"]') && performance.now() - w.__fitSince > 200;
    }, null, { timeout: 60_000, polling: 'raf' });
    const fitMs = await big.evaluate((t0) => window.__fitSince - t0, fitStart);
    await big.evaluate(() => new Promise((resolve) => setTimeout(resolve, 800)));
    const fitted = await dragNearMiddle(big);
    if (run === 0 && SHOTS) await big.screenshot({ path: path.join(SHOTS, 'bench-big-fitted-after-drag.png') });
    bigRuns.push({ openMs, fitMs, opened, fitted });
    await big.close();
  }
  await browser.close();

  const result = {
    loadAverage: { before: loadBefore, after: loadAverage() },
    nodes: graph.nodes.length,
    edges: graph.edges.length,
    renderedNodes: rendered,
    pan: stats(pan),
    drag: stats(drag),
    dragWasOneUndoEntry: undoable,
    goalMedianMs: 16.7,
    openToInteractiveMs: { runs: interactive, median: [...interactive].sort((a, b) => a - b)[1], goal: 1500 },
    big: summarizeBig(bigGraph, bigRuns),
    training: { ...stats(training), snapshotsPerSecond: snapshots / seconds, stepsPerSecond: stepsDone / seconds, seconds, goalMedianMs: 18, goalSnapshotHz: 10 },
  };
  if (README) writeReadme(result);
  if (AS_JSON) {
    console.log(JSON.stringify(result));
  } else {
    const fmt = (v) => v.toFixed(2).padStart(7);
    console.log(`Cellwright UI benchmark — ${result.nodes} nodes, ${result.edges} edges (${rendered} drawn), Chromium headless`);
    console.log('gesture   frames   median     p95     max   (ms)');
    for (const [name, s] of [['pan', result.pan], ['drag', result.drag]]) {
      console.log(`${name.padEnd(8)} ${String(s.frames).padStart(7)} ${fmt(s.median)} ${fmt(s.p95)} ${fmt(s.max)}`);
    }
    // rAF intervals at 60 Hz jitter around 16.67 ms; allow that jitter, not a dropped frame.
    const ok = result.pan.median <= VSYNC_TOLERANCE_MS && result.drag.median <= VSYNC_TOLERANCE_MS;
    console.log(ok ? 'median frame ≤ 16.7 ms (one 60 Hz frame): goal met' : 'median frame > 16.7 ms: goal NOT met');
    console.log(`drag recorded as one undo entry: ${result.dragWasOneUndoEntry ? 'yes' : 'no'}`);
    const tr = result.training;
    console.log(`\nWhile the default LSTM trains (parity, worker; ${tr.seconds.toFixed(1)} s, every chart live):`);
    console.log('          frames   median     p95     max   (ms)   snapshots/s   steps/s');
    console.log(`training ${String(tr.frames).padStart(7)} ${fmt(tr.median)} ${fmt(tr.p95)} ${fmt(tr.max)}   ${tr.snapshotsPerSecond.toFixed(1).padStart(11)}   ${tr.stepsPerSecond.toFixed(0).padStart(7)}`);
    console.log(tr.median <= 18 ? 'median frame ≤ 18 ms while training: goal met' : 'median frame > 18 ms while training: goal NOT met');
    console.log(tr.snapshotsPerSecond >= 10 ? 'snapshots ≥ 10 Hz: goal met' : 'snapshots < 10 Hz: goal NOT met');
    const oti = result.openToInteractiveMs;
    console.log(`\nOpen to interactive (production build, default example): median ${oti.median.toFixed(0)} ms of ${oti.runs.map((v) => v.toFixed(0)).join(', ')} — ${oti.median <= oti.goal ? 'goal ≤ 1500 ms met' : 'goal ≤ 1500 ms NOT met'}`);
    const b = result.big;
    const ms = (v) => `${v.toFixed(0)} ms`;
    const range = ([lo, hi], f = ms) => `${f(lo)}–${f(hi)}`;
    console.log(`\n${b.nodes} nodes, ${b.edges} edges, ${b.runs.length} runs (median, range):`);
    console.log(`  open (file chosen → nodes on screen drawn): ${ms(b.open.median)} (${range(b.open.spread)}) — ${b.open.median <= b.openGoalMs ? 'goal ≤ 2000 ms met' : 'goal ≤ 2000 ms NOT met'}`);
    console.log(`  Fit view (click → whole graph drawn): ${ms(b.fit.median)} (${range(b.fit.spread)}) — ${b.fit.median <= b.openGoalMs ? 'goal ≤ 2000 ms met' : 'goal ≤ 2000 ms NOT met'}`);
    for (const [name, v] of [['as opened', b.opened], ['after Fit view', b.fitted]]) {
      console.log(`  drag ${name} (zoom ${v.zoom.toFixed(2)}, ${v.drawn} nodes drawn): p95 frame ${ms(v.p95.median)} (${range(v.p95.spread)}), mean frame ${ms(v.mean.median)} — ${v.p95.median <= b.dragGoalMs ? 'goal ≤ 50 ms per frame (p95) met' : 'goal ≤ 50 ms per frame (p95) NOT met'}`);
    }
    console.log(`load average (1, 5, 15 min) before ${result.loadAverage.before.join(' ')}, after ${result.loadAverage.after.join(' ')}`);
  }
} finally {
  stop();
}
