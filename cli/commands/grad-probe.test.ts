/** `cellwright grad --connectivity/--loss-by-step` as a user runs it (issue 17). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../testing.ts';

const root = new URL('../..', import.meta.url).pathname;
const ex = (f: string): string => join(root, 'assets/examples', f);

describe('cellwright grad --connectivity / --loss-by-step', () => {
  it('adds T×T matrices, lower triangular; with a last-step loss the last row of lossByStep is gradNorms', async () => {
    const r = await run('grad', ex('elman.json'), ex('elman.data.json'), '--json', '--connectivity', 'h:h', '--connectivity', 'y:x', '--loss-by-step');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as { gradNorms: Record<string, number[]>; connectivity: Record<string, number[][]>; lossByStep: Record<string, number[][]>; cost: Record<string, { sweeps: number; work: number; ms: number }> };
    const T = rep.gradNorms.h.length;
    expect(Object.keys(rep.connectivity).sort()).toEqual(['h:h', 'y:x']);
    for (const M of Object.values(rep.connectivity)) {
      expect(M).toHaveLength(T);
      M.forEach((row, t) => row.forEach((v, s) => (s > t ? expect(v).toBe(0) : expect(v).toBeGreaterThan(0))));
    }
    // ∂h_t/∂h_t is the identity over B sequences of 16 units: √(16·B).
    const B = (JSON.parse(r.out) as { values: { x: { shape: number[] } } }).values.x.shape[1];
    expect(rep.connectivity['h:h'][T - 1][T - 1]).toBeCloseTo(Math.sqrt(16 * B), 12);
    rep.lossByStep.h[T - 1].forEach((v, s) => expect(v).toBeCloseTo(rep.gradNorms.h[s], 12));
    expect(rep.cost.connectivity.sweeps).toBe(T * 16 + T * 1);
    expect(rep.cost.lossByStep.sweeps).toBe(1);
  });

  it('text mode shows the last row and what it cost', async () => {
    const r = await run('grad', ex('lstm.json'), ex('lstm.data.json'), '--connectivity', 'y:x', '--loss-by-step');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/connectivity y:x .*last step: /);
    expect(r.out).toMatch(/loss by step h .*last step: /);
    expect(r.out).toMatch(/cost of connectivity: \d+ backward sweeps, .* multiply-adds, \d+ ms/);
  });

  it('a pair that names no nodes, a gate as IN, or too much work: exit 2, the code, what to do, no stack', async () => {
    const bad = await run('grad', ex('lstm.json'), ex('lstm.data.json'), '--json', '--connectivity', 'nope:x');
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    expect(bad.err).toContain('CW310');
    expect(bad.err).toContain('"nope:x"');
    expect(bad.err).toContain('--connectivity y:x');
    const gate = await run('grad', ex('lstm.json'), ex('lstm.data.json'), '--connectivity', 'y:f');
    expect(gate.code).toBe(2);
    expect(gate.err).toContain('CW311');
    const big = await run('grad', ex('lstm.json'), ex('lstm.data.json'), '--json', '--connectivity', 'h:x', '--max-work', '1000');
    expect(big.code).toBe(2);
    expect(big.err).toMatch(/CW312 refused: \d+ backward sweeps over T = \d+ steps, about .* multiply-adds \(the limit is 1\.00e\+3\)/);
    expect(big.err).toContain('--max-work');
    expect(big.err).not.toMatch(/\n\s+at .*:\d+:\d+/);
  });

  it('ids like __proto__ and constructor: the pair and the cell keep their names in the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-conn-'));
    try {
      const rename: Record<string, string> = { h: '__proto__', x: 'constructor' };
      const to = (id: string): string => (Object.hasOwn(rename, id) ? rename[id] : id);
      const g = JSON.parse(readFileSync(ex('elman.json'), 'utf8')) as { nodes: { id: string }[]; edges: { source: string; target: string }[] };
      for (const n of g.nodes) n.id = to(n.id);
      for (const e of g.edges) { e.source = to(e.source); e.target = to(e.target); }
      const text = JSON.stringify(g);
      const data = readFileSync(ex('elman.data.json'), 'utf8').replace('"x":', '"constructor":');
      writeFileSync(join(dir, 'g.json'), text);
      writeFileSync(join(dir, 'd.json'), data);
      const r = await run('grad', join(dir, 'g.json'), join(dir, 'd.json'), '--json', '--connectivity', '__proto__:constructor', '--loss-by-step');
      expect(r.err).toBe('');
      const rep = JSON.parse(r.out) as { connectivity: Record<string, number[][]>; lossByStep: Record<string, number[][]> };
      expect(Object.keys(rep.connectivity)).toEqual(['__proto__:constructor']);
      expect(Object.keys(rep.lossByStep)).toEqual(['__proto__']);
      expect(rep.connectivity['__proto__:constructor'][0][0]).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('graphs with layer nodes', () => {
  it('grad --loss-by-step and --connectivity see inside the layers; dynamics searches the first layer\'s cell and says so', async () => {
    const g = ex('lstm-2-layer.json');
    const d = ex('lstm-2-layer.data.json');
    const r = await run('grad', g, d, '--json', '--loss-by-step', '--connectivity', 'y:l1/c');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as { connectivity: Record<string, number[][]>; lossByStep: Record<string, number[][]> };
    expect(Object.keys(rep.lossByStep).sort()).toEqual(['l1/c', 'l1/h', 'l2/c', 'l2/h']);
    expect(rep.connectivity['y:l1/c'].at(-1)![0]).toBeGreaterThan(0);
    const inside = await run('grad', g, d, '--json', '--connectivity', 'l1/h:x');
    expect(inside.code).toBe(2);
    expect(inside.err).toContain('CW320');
    expect(inside.err).toContain('inside layer "l1"');
    const f = await run('dynamics', g, '--fixed-points');
    expect(f.code).toBe(0);
    expect(f.out).toContain('state map of layer l1 (cells l1/h, l1/c)');
    const j = await run('dynamics', g, '--input', d, '--at', '3', '--fixed-points', '--json');
    expect(j.code).toBe(0);
    expect((JSON.parse(j.out) as { layer: { id: string } }).layer.id).toBe('l1');
  });
});
