/**
 * Large graphs: no stack overflow and the right answers at up to 100 000 nodes
 * (speed is measured by scripts/bench-check.mjs, not here).
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../compile.ts';
import { chainGraph, fanInGraph } from '../testing/big.ts';
import { loadGraphText, serializeGraph } from './parse.ts';
import { inferSizes, validateGraph } from './validate.ts';

describe('long chains', () => {
  it('of 30 000 ops listed in reverse file order gets every size and a schedule along the chain', () => {
    const N = 30_000;
    const g = chainGraph(N, { ops: true, reversed: true, size: 3 });
    const loaded = loadGraphText(serializeGraph(g));
    expect(loaded.ok).toBe(true);
    expect(validateGraph(g)).toEqual([]);
    const sizes = inferSizes(g);
    expect(sizes.get(`n${N}`)).toBe(3);
    const p = compile(g);
    const order = p.order.map((i) => p.nodes[i].id);
    expect(order.slice(0, 3)).toEqual(['n1', 'n2', 'n3']);
    expect(order.at(-2)).toBe(`n${N}`);
  });

  it('of 100 000 gates closed into an algebraic loop is reported once, naming the whole cycle', () => {
    const N = 100_000;
    const g = chainGraph(N);
    g.edges.push({ id: 'back', source: `n${N}`, target: 'n1' });
    const loops = validateGraph(g, { limits: { maxNodes: 200_000 } }).filter((p) => p.code === 'CW050');
    expect(loops).toHaveLength(1);
    expect(loops[0].nodes).toHaveLength(N);
    expect(loops[0].nodes?.[0]).toBe('n1');
  });
});

it('a fan-in of 5 000 gates into one op validates and schedules every gate before the op', () => {
  const g = fanInGraph(5_000);
  expect(validateGraph(g)).toEqual([]);
  const p = compile(g);
  expect(p.order.map((i) => p.nodes[i].id).indexOf('sum')).toBe(5_000);
});
