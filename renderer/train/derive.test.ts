import { describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/format/types.ts';
import { diverged, edgeMagnitudes, perStepGrowth, scaleValues, trainingSignature } from './derive.ts';
import type { Probe } from './protocol.ts';

describe('snapshot → view data', () => {
  it('scales activations to [0, 1] by their range', () => {
    expect(Array.from(scaleValues([0, 0.5, 1], 'sigmoid'))).toEqual([0, 0.5, 1]);
    expect(Array.from(scaleValues([-1, 0, 1], 'tanh'))).toEqual([0, 0.5, 1]);
    expect(Array.from(scaleValues([-4, 0, 2], undefined))).toEqual([0, 0.5, 0.75]);
    expect(Number.isNaN(scaleValues([NaN], 'relu')[0])).toBe(true);
  });

  it('the growth factor per step is the (T−1)-th root of first/last (w^(T−t) gives w)', () => {
    const T = 50;
    const norms = Array.from({ length: T }, (_, t) => Math.pow(0.9, T - 1 - t));
    expect(perStepGrowth(norms)).toBeCloseTo(0.9, 10);
  });

  it('edges are coloured from the weakest (0) to the strongest (1) gradient, non-finite at 1', () => {
    const graph = { format: 'cellwright-graph', version: 1, nodes: [], edges: [{ id: 'a', source: 's', target: 'p' }, { id: 'b', source: 's', target: 'q' }, { id: 'c', source: 's', target: 'r' }] } as unknown as Graph;
    const flow = (g: number) => Float32Array.of(g, g);
    const probe: Probe = { index: 0, T: 2, initial: {}, nodes: {}, edges: { a: flow(1e-3), b: flow(1), c: flow(Infinity) } };
    const m = edgeMagnitudes(graph, probe);
    expect(m.a).toBe(0);
    expect(m.b).toBe(1);
    expect(m.c).toBe(1);
  });

  it('moving a node does not change what the trainer sees; a size does', () => {
    const g = { format: 'cellwright-graph', version: 1, nodes: [{ id: 'x', kind: 'input', size: 1, position: { x: 0, y: 0 } }], edges: [] } as unknown as Graph;
    const moved = { ...g, nodes: [{ ...g.nodes[0], position: { x: 50, y: 9 } }] } as Graph;
    const resized = { ...g, nodes: [{ ...g.nodes[0], size: 2 }] } as Graph;
    expect(trainingSignature(moved)).toBe(trainingSignature(g));
    expect(trainingSignature(resized)).not.toBe(trainingSignature(g));
  });
});

describe('a diverged run', () => {
  it('is one whose loss ends at 1e10 or more, infinite, or a thousand times where it started', () => {
    expect(diverged(1e10, 0.7)).toBe(true);
    expect(diverged(Infinity, 0.7)).toBe(true);
    expect(diverged(800, 0.5)).toBe(true);
    expect(diverged(0.2, 0.7, 2e10)).toBe(true);
    // Learning, or merely not learning, is not diverging.
    expect(diverged(0.01, 0.7)).toBe(false);
    expect(diverged(0.9, 0.7)).toBe(false);
    expect(diverged(0.5, 1e-6)).toBe(false);
    expect(diverged(NaN, 0.7)).toBe(false);
  });
});
