/**
 * The `cellwright` command as a user runs it: exit codes, stdout/stderr, and
 * the grad report's shape. Most cases call main() in-process; one spawns the
 * real bin the way `npx cellwright` does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { blockCell } from '../engine/blocks/example.ts';

const root = new URL('..', import.meta.url).pathname;
const ex = (f: string): string => join(root, 'assets/examples', f);
const invalid = join(root, 'test/fixtures/invalid');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => { out += s.endsWith('\n') ? s : s + '\n'; }, err: (s) => { err += s.endsWith('\n') ? s : s + '\n'; } });
  return { code, out, err };
}

describe('cellwright check', () => {
  it('a graph with blocks: checked expanded, summary counts the instances; a broken instance names block and instance', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-check-blocks-'));
    const file = join(dir, 'blocks.json');
    const g = blockCell({ x: 1, h: 3, y: 1, tied: true });
    writeFileSync(file, JSON.stringify(g));
    const r = await run('check', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2 block instances \(11 nodes expanded\)/);
    (g.blocks as Record<string, { edges: { target: string }[] }>)['my gate'].edges[0].target = 'nowhere';
    writeFileSync(file, JSON.stringify(g));
    const bad = await run('check', file);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/CW031 blocks\["my gate"\]\.edges\[0\]\.target .*block "my gate", instance "f"/);
  });
  it.each(readdirSync(join(root, 'assets/examples')).filter((f) => !f.endsWith('.data.json')))('%s is valid: exit 0, one-line summary', async (f) => {
    const r = await run('check', ex(f));
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toMatch(/^ok: .* nodes .* edges, \d+ trainable parameters/);
  });
  it.each(readdirSync(invalid).filter((f) => f !== 'bad-json.json'))('invalid %s: exit 1, every expected problem on stderr, no stack trace', async (f) => {
    const fixture = JSON.parse(readFileSync(join(invalid, f), 'utf8')) as { expectedCodes: string[] };
    const r = await run('check', join(invalid, f));
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    for (const code of fixture.expectedCodes) expect(r.err).toContain(code);
    expect(r.err).not.toMatch(/\n\s+at .*:\d+:\d+/);
  });
  it('bad JSON names line and column', async () => {
    const r = await run('check', join(invalid, 'bad-json.json'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/line \d+, column \d+/);
  });
  it('an unreadable file: exit 1 with the reason', async () => {
    const r = await run('check', '/nonexistent/graph.json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('cannot read graph file /nonexistent/graph.json: no such file');
  });
  it('usage errors exit 2', async () => {
    expect((await run('check')).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('grad', ex('lstm.json'), ex('lstm.data.json'), '--dtype', 'float16')).code).toBe(2);
  });
});

describe('cellwright run and grad', () => {
  it('run prints the values per node and step and the loss', async () => {
    const r = await run('run', ex('worked-1-linear.json'), ex('worked-1-linear.data.json'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('loss 3.5');
    expect(r.out).toMatch(/h \[T=4, B=1, size=1\]\n {2}t=1: 2\n {2}t=2: 1\.5\n {2}t=3: 2\.5\n {2}t=4: 3\.5/);
  });
  it('run --json gives loss and values', async () => {
    const r = await run('run', ex('worked-2-two-input.json'), ex('worked-2-two-input.data.json'), '--json');
    const j = JSON.parse(r.out) as { loss: number; values: Record<string, { shape: number[]; data: number[] }> };
    expect(j.values.h.shape).toEqual([3, 1, 1]);
    expect(j.values.h.data[0]).toBe(4);
  });
  it('grad --json prints exactly the spec\'s object', async () => {
    const r = await run('grad', ex('lstm.json'), ex('lstm.data.json'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(j).sort()).toEqual(['flags', 'gradNorms', 'gradients', 'loss', 'values']);
    const g = j.gradients as Record<string, { shape: number[]; data: number[] }>;
    expect(g['edge:h_f'].shape).toEqual([8, 8]);
    expect(g['bias:f'].shape).toEqual([8]);
    const norms = j.gradNorms as Record<string, number[]>;
    expect(norms.h).toHaveLength(10);
    expect(norms.c.every((v) => v > 0)).toBe(true);
  });
  it('grad --dtype float32 agrees with float64 to float32 precision', async () => {
    const a = JSON.parse((await run('grad', ex('gru.json'), ex('gru.data.json'), '--json')).out) as { loss: number };
    const b = JSON.parse((await run('grad', ex('gru.json'), ex('gru.data.json'), '--json', '--dtype', 'float32')).out) as { loss: number };
    expect(Math.abs(a.loss - b.loss) / a.loss).toBeLessThan(1e-5);
  });
  it('a data file of the wrong shape: exit 1 naming the stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-'));
    const bad = join(dir, 'bad.data.json');
    writeFileSync(bad, JSON.stringify({ inputs: { x: { shape: [3, 1, 5], data: new Array(15).fill(0) } }, targets: { y_t: { shape: [3, 1, 1], data: [0, 0, 0] } } }));
    const r = await run('grad', ex('lstm.json'), bad, '--json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('inputs.x');
    expect(r.out).toBe('');
  });
  it('a data file that is not JSON: exit 1 with line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-'));
    const bad = join(dir, 'bad.data.json');
    writeFileSync(bad, '{\n  "inputs": {\n    "x": [1, 2,, 3]\n  }\n}\n');
    const r = await run('run', ex('lstm.json'), bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.data\.json:3:\d+: data file is not valid JSON/);
  });
});

describe('the installed bin', () => {
  it('runs as `cellwright` via node with no build step', () => {
    const r = spawnSync(process.execPath, [join(root, 'cli/cellwright.mjs'), 'check', ex('gru.json')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok: "GRU"/);
    const bad = spawnSync(process.execPath, [join(root, 'cli/cellwright.mjs'), 'check', join(invalid, 'algebraic-loop.json')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('CW050');
  });

  it('--version prints the version; - reads a graph or a data file from stdin', async () => {
    const v = await run('--version');
    expect(v.code).toBe(0);
    expect(v.out.trim()).toBe((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
    const bin = join(root, 'cli/cellwright.mjs');
    const check = spawnSync(process.execPath, [bin, 'check', '-'], { input: readFileSync(ex('gru.json')), encoding: 'utf8' });
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/^ok: "GRU"/);
    const grad = spawnSync(process.execPath, [bin, 'grad', ex('lstm.json'), '-', '--json'], { input: readFileSync(ex('lstm.data.json')), encoding: 'utf8' });
    expect(grad.status).toBe(0);
    expect(JSON.parse(grad.stdout)).toHaveProperty('gradients');
    const both = spawnSync(process.execPath, [bin, 'run', '-', '-'], { input: readFileSync(ex('lstm.json')), encoding: 'utf8' });
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('cannot read data file from standard input: it already gave the graph file; use a file for one of them');
    const bad = spawnSync(process.execPath, [bin, 'check', '-'], { input: '{"version": 1,\n  "nodes": [', encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('cellwright: <stdin>: error CW001 nodes[0]: not valid JSON at line 2');
  });
});
