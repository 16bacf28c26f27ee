/** `cellwright dynamics --fixed-points` as a user runs it (issue 17). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tanhPair } from '../../engine/testing/state-maps.ts';
import { runCli as run } from '../testing.ts';

const root = new URL('../..', import.meta.url).pathname;
const ex = (f: string): string => join(root, 'assets/examples', f);
const dir = mkdtempSync(join(tmpdir(), 'cw-dyn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** h' = tanh(2h + u·x), two decoupled units, written to a file. */
function tanhPairFile(u: number[]): string {
  const f = join(dir, `pair-${u.join('_')}.json`);
  writeFileSync(f, JSON.stringify(tanhPair([2, 0, 0, 2], u)));
  return f;
}

interface Report { points: { state: Record<string, number[]>; q: number; eigenvalues: [number, number][]; kind: string; unstable: number }[]; slowPoints: unknown[]; input: Record<string, number[]> }

describe('cellwright dynamics --fixed-points', () => {
  it('--json: the nine points of tanh(2h) in the issue\'s shape', async () => {
    const r = await run('dynamics', tanhPairFile([0, 0]), '--fixed-points', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as Report;
    expect(rep.points).toHaveLength(9);
    for (const p of rep.points) expect(Object.keys(p).sort()).toEqual(['eigenvalues', 'kind', 'q', 'state', 'unstable']);
    const stable = rep.points.filter((p) => p.kind === 'stable');
    expect(stable).toHaveLength(4);
    for (const p of stable) {
      expect(p.state.h.map((v) => Math.abs(v))).toEqual([expect.closeTo(0.9575, 4), expect.closeTo(0.9575, 4)]);
      // λ = 2·(1 − h²) at h = tanh(2h): 2·(1 − 0.9575²)
      expect(p.eigenvalues).toEqual([[expect.closeTo(0.1664, 3), 0], [expect.closeTo(0.1664, 3), 0]]);
      expect(p.unstable).toBe(0);
    }
    expect(rep.input).toEqual({ x: [0] });
  });

  it('text mode: one line per point with its kind, unstable directions and state', async () => {
    const r = await run('dynamics', tanhPairFile([0, 0]), '--fixed-points');
    expect(r.code).toBe(0);
    expect(r.out).toContain('fixed points: 9');
    expect(r.out.match(/^ {2}saddle +unstable directions 1/gm)).toHaveLength(4);
    expect(r.out.match(/^ {2}unstable +unstable directions 2/gm)).toHaveLength(1);
    expect(r.out).toMatch(/searched from \d+ seeds/);
  });

  it('--input as a vector, an object, or a data file at a step', async () => {
    const g = tanhPairFile([1, -1]);
    const v = JSON.parse((await run('dynamics', g, '--fixed-points', '--json', '--input', '[0.2]')).out) as Report;
    expect(v.input).toEqual({ x: [0.2] });
    for (const p of v.points) expect(Math.abs(Math.tanh(2 * p.state.h[0] + 0.2) - p.state.h[0])).toBeLessThan(1e-10);
    const o = JSON.parse((await run('dynamics', g, '--fixed-points', '--json', '--input', '{"x": [0.2]}')).out) as Report;
    expect(o.points).toEqual(v.points);
    const d = await run('dynamics', ex('gru.json'), '--fixed-points', '--json', '--input', ex('gru.data.json'), '--at', '2', '--seq', '2', '--seeds', '20');
    expect(d.err).toBe('');
    const rep = JSON.parse(d.out) as Report;
    const data = (await import(ex('gru.data.json'), { with: { type: 'json' } })) as { default: { inputs: { x: { shape: number[]; data: number[] } } } };
    const [, B] = data.default.inputs.x.shape;
    expect(rep.input.x).toEqual([data.default.inputs.x.data[1 * B + 1]]);
    expect(rep.points.length).toBeGreaterThan(0);
  });

  it('bad input, a step out of range, no --fixed-points: exit 2 with the code and what to do', async () => {
    const g = tanhPairFile([0, 0]);
    const wrong = await run('dynamics', g, '--fixed-points', '--input', '[1, 2]');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('CW313');
    expect(wrong.err).toContain('"x" needs 1 finite numbers');
    const unknown = await run('dynamics', g, '--fixed-points', '--input', '{"__proto__": [1]}');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('is not an input node');
    const late = await run('dynamics', ex('gru.json'), '--fixed-points', '--input', ex('gru.data.json'), '--at', '999');
    expect(late.code).toBe(2);
    expect(late.err).toContain('CW314');
    const noAt = await run('dynamics', ex('gru.json'), '--fixed-points', '--input', ex('gru.data.json'));
    expect(noAt.err).toContain('--at t');
    expect((await run('dynamics', g)).err).toContain('pass --fixed-points');
    const big = await run('dynamics', ex('gru.json'), '--fixed-points', '--max-dims', '4');
    expect(big.code).toBe(2);
    expect(big.err).toContain('CW316');
  });
});
