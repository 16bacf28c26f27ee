/**
 * The CLI as a user installs it: `npm pack` (which builds the bundle in
 * dist-cli/ through `prepack`), then the tarball installed into an empty
 * folder with production dependencies only and no network
 * (`npm install --omit=dev --offline`), then `cellwright` run with plain node:
 * no tsx, no TypeScript sources, no node_modules of the repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };

describe('the packed CLI', () => {
  let dir = '';
  let files: string[] = [];
  let bin = '';
  // Without the repository's node_modules in reach: no NODE_PATH, a folder outside the checkout.
  const env = { ...process.env, NODE_PATH: '', NODE_OPTIONS: '' };
  const cellwright = (...args: string[]) => spawnSync(bin, args, { encoding: 'utf8', cwd: dir, env });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cw-pack-'));
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string; files: { path: string }[] }[];
    files = packed[0].files.map((f) => f.path);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'try-cellwright', private: true }));
    execFileSync('npm', ['install', '--omit=dev', '--offline', '--no-audit', '--no-fund', join(dir, packed[0].filename)], { cwd: dir, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
    bin = join(dir, 'node_modules/.bin/cellwright');
  }, 180_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the tarball holds the launcher, the bundle, its worker and the examples; no sources, tests or node_modules', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'cli/cellwright.mjs', 'dist-cli/main.mjs', 'dist-cli/gemm-worker.mjs', 'dist-cli/sweep-worker.mjs', 'assets/examples/lstm.json']));
    expect(files.filter((f) => /\.test\.|node_modules|^engine\/|^renderer\/|^electron\/|^test\/|\.ts$/.test(f))).toEqual([]);
  });

  it('needs no runtime dependencies (everything is in the bundle)', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it('`cellwright --version` prints the package version', () => {
    const r = cellwright('--version');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('`cellwright check` works on a shipped example and on a bad graph', () => {
    const ok = cellwright('check', join(dir, 'node_modules/cellwright/assets/examples/lstm.json'));
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^ok: "LSTM/);
    const bad = cellwright('check', join(root, 'test/fixtures/invalid/algebraic-loop.json'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('CW050');
  });

  it('trains from standard input to standard output, and the fast engine\'s helper threads start from the bundle', () => {
    const graph = readFileSync(join(root, 'assets/examples/elman.json'), 'utf8');
    const r = spawnSync(bin, ['train', '-', '--task', 'adding', '--length', '5', '--batch', '4', '--steps', '3', '--quiet', '--out', '-'], { input: graph, encoding: 'utf8', cwd: dir, env });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).training.state.step).toBe(3);
    const b = cellwright('bench', '--cell', 'rnn', '--workload', 'S', '--threads', '2', '--min-steps', '2', '--min-seconds', '0.01', '--kernels', 'wasm');
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    expect(b.stdout).toContain('2 threads for products');
  });

  it('sweeps on worker threads started from the bundle (dist-cli/sweep-worker.mjs)', () => {
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ graphs: ['template:elman', 'template:mgu'], task: { name: 'parity', length: 5 }, training: { batch: 4 }, seeds: [1], steps: 3 }));
    const r = cellwright('sweep', join(dir, 'spec.json'), '--out', join(dir, 'sweep'), '--jobs', '2', '--quiet');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/swept 2 runs/);
    expect(readFileSync(join(dir, 'sweep', 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
  });
});
