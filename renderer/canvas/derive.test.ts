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

describe('nodes of a large graph not measured yet', () => {
  it('carry an estimated size and their handles, so React Flow need not draw them all to measure them', () => {
    const graph: Graph = {
      format: 'cellwright-graph', version: 1,
      nodes: [
        { id: 'x', kind: 'input', size: 2 }, { id: 'g', kind: 'gate', size: 2, activation: 'tanh' },
        { id: 'y', kind: 'target', size: 2 }, { id: 'L', kind: 'loss', loss: 'mse' },
      ],
      edges: [],
    };
    const derive = createNodeDeriver();
    const base = { graph, problems: indexProblems(graph, []), sizes: new Map(), selected: new Set<string>(), dragging: null };
    const [x, g, , loss] = derive({ ...base, measured: new Map(), estimate: true });
    const handles = (n: typeof x) => (n.handles ?? []).map((h) => `${h.type}:${h.id ?? ''}`);
    expect(handles(x)).toEqual(['source:']);
    expect(handles(g)).toEqual(['target:', 'source:']);
    expect(handles(loss)).toEqual(['target:prediction', 'target:target']);
    // Never a whole-pixel size: React Flow then always measures the node when it first draws.
    expect(Number.isInteger(g.measured?.width)).toBe(false);
    // Once measured, the real size is used and the estimate is gone.
    const [, measured] = derive({ ...base, measured: new Map([['g', { width: 180, height: 64 }]]), estimate: true });
    expect(measured.measured).toEqual({ width: 180, height: 64 });
    expect(measured.handles).toBeUndefined();
    expect(derive({ ...base, measured: new Map() })[1].handles).toBeUndefined();
  });
});
