/**
 * The CLI with hostile input: ids named like Object.prototype members come
 * out of `grad --json` and `run --json` under their own names; a small file
 * asking for gigabytes is refused with the estimate and where it comes from
 * (and runs once the limit is raised); a NaN in a file names its JSON path.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../engine/format/types.ts';
import { protoElman } from '../engine/testing/hostile.ts';
import { smallElman } from '../engine/testing/fixtures.ts';
import { main } from './main.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => { out += s.endsWith('\n') ? s : s + '\n'; }, err: (s) => { err += s.endsWith('\n') ? s : s + '\n'; } });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'cw-hostile-cli-'));
function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

describe('ids __proto__, constructor, toString… on the command line', () => {
  const { graph, data } = protoElman();
  const g = file('proto.json', JSON.stringify(graph));
  const d = file('proto.data.json', JSON.stringify(data));

  it('grad --json reports them with their values, gradients and norms', async () => {
    const r = await run('grad', g, d, '--json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { values: Record<string, { shape: number[] }>; gradients: Record<string, unknown>; gradNorms: Record<string, number[]> };
    expect(Object.keys(report.values).sort()).toEqual(graph.nodes.map((n) => n.id).sort());
    expect(report.values.__proto__.shape).toEqual([4, 2, 2]);
    expect(Object.keys(report.gradients)).toEqual(expect.arrayContaining(['edge:__proto__', 'edge:constructor', 'bias:toString', 'init:constructor']));
    expect(report.gradNorms.constructor).toHaveLength(4);
  });

  it('run --json and the text report name them too', async () => {
    const r = await run('run', g, d, '--json');
    expect(r.code, r.err).toBe(0);
    expect(Object.keys((JSON.parse(r.out) as { values: object }).values)).toContain('__proto__');
    const text = await run('grad', g, d);
    expect(text.out).toMatch(/^ {2}constructor: [\d.e+-]+ → [\d.e+-]+$/m);
  });
});

describe('size limits on the command line', () => {
  const big: Graph = smallElman();
  for (const n of big.nodes) if (n.id === 'h_new' || n.id === 'h') (n as { size: number }).size = 200_000;
  big.edges[1].weight = 'diagonal';
  const g = file('big.json', JSON.stringify(big));
  const d = file('big.data.json', JSON.stringify({
    inputs: { x: { shape: [40, 2, 2], data: new Array<number>(160).fill(0.5) } },
    targets: { y_t: { shape: [40, 2, 2], data: new Array<number>(160).fill(0.1) } },
  }));

  it('a small file asking for more than --max-memory is refused with the estimate and its source', async () => {
    const r = await run('grad', g, d, '--max-memory', '100');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/this run needs about [\d.]+ MB \(T = 40, B = 2 from inputs\.x\.shape, float64: values [\d.]+ MB/);
    expect(r.err).toContain('over the memory limit of 100 MB; the largest part is node "h" (size 200000) × (T + 1 = 41) × B = 2');
  });

  it('--limits refuses a node size, names the node, and a bad limit is a usage error', async () => {
    const r = await run('check', g, '--limits', 'maxNodeSize=1000');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error CW110 nodes[1].size (node "h_new"): node "h_new" has size 200000, over the limit of 1000 units');
    const bad = await run('check', g, '--limits', 'maxNodeSize=-1');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('limit maxNodeSize must be a positive number');
  });

  it('a NaN in a data file names its JSON path', async () => {
    const nan = file('nan.data.json', '{"inputs": {"x": {"shape": [1, 1, 2], "data": [0.5, NaN]}}}');
    const r = await run('grad', file('small.json', JSON.stringify(smallElman())), nan);
    expect(r.code).toBe(1);
    expect(r.err).toContain('nan.data.json:1:53: data file is not valid JSON at inputs.x.data[1]: NaN is not a JSON number');
  });
});
