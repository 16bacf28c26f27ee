import { describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/format/types.ts';
import { indexProblems } from '../store/validation.ts';
import { createEdgeDeriver, createNodeDeriver, edgeSymbol } from './derive.ts';

describe('edge labels on the canvas', () => {
  it('show the weight kind, an op input\'s slot, and a tie', () => {
    expect(edgeSymbol({ id: 'e', source: 'x', target: 'g' }, 'full')).toBe('W');
    expect(edgeSymbol({ id: 'e', source: 'a', target: 'd', slot: 1 }, 'identity')).toBe('#1');
    expect(edgeSymbol({ id: 'e', source: 'u', target: 'h', tie: 'U' }, 'full')).toBe('W⇆');
  });
});

describe('derived lists', () => {
  const graph: Graph = {
    format: 'cellwright-graph', version: 1,
    nodes: [{ id: 'x', kind: 'input', size: 2 }, { id: 'g', kind: 'gate', size: 2, activation: 'tanh' }],
    edges: [{ id: 'e', source: 'x', target: 'g' }],
  };
  const problems = indexProblems(graph, []);

  it('keep their identity when nothing drawn changed, so React Flow does not update every node again', () => {
    const nodes = createNodeDeriver();
    const edges = createEdgeDeriver();
    const inputs = { graph, problems, sizes: new Map(), selected: new Set<string>(), measured: new Map(), dragging: null };
    const first = nodes(inputs);
    expect(nodes({ ...inputs, selected: new Set<string>() })).toBe(first);
    const moved = nodes({ ...inputs, dragging: new Map([['g', { x: 40, y: 8 }]]) });
    expect(moved).not.toBe(first);
    expect(moved[0]).toBe(first[0]);
    expect(moved[1].position).toEqual({ x: 40, y: 8 });
    const e = edges({ graph, problems, selected: new Set() });
    expect(edges({ graph, problems, selected: new Set() })).toBe(e);
    expect(edges({ graph, problems, selected: new Set(['e']) })).not.toBe(e);
  });
});
