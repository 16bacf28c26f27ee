/**
 * The Gates heatmap with blocks (docs/blocks.md): a selected instance shows
 * the rows of its inner gates ("f/g"), and with nothing selected every gate
 * is drawn, inner ones included.
 */
import { describe, expect, it } from 'vitest';
import { blockCell } from '../../engine/blocks/example.ts';
import type { Probe } from '../train/protocol.ts';
import { heatBlocks } from './GatesPane.tsx';

function probeFor(ids: Record<string, number>, T = 3): Probe {
  const nodes: Probe['nodes'] = {};
  for (const [id, size] of Object.entries(ids)) nodes[id] = { size, values: new Float32Array(T * size).fill(0.5), grad: new Float32Array(T) };
  return { index: 0, T, nodes, initial: {}, edges: {} };
}

describe('Gates heatmap with blocks', () => {
  const graph = blockCell({ x: 1, h: 2, y: 1 });
  const probe = probeFor({ x: 1, 'f/g': 2, 'i/g': 2, cand: 2, y: 1 });
  it('a selected instance shows its inner gates', () => {
    expect(heatBlocks(graph, probe, new Set(['i'])).gates.map((b) => b.id)).toEqual(['i/g']);
  });
  it('with nothing selected, every gate, inner ones included', () => {
    expect(heatBlocks(graph, probe, new Set()).gates.map((b) => b.id)).toEqual(['f/g', 'i/g', 'cand', 'y']);
  });
});
