/**
 * Large graphs for complexity checks (scripts/bench-check.mjs) and for tests
 * that big inputs do not overflow the stack: long chains and wide fan-ins.
 */
import type { Graph, GraphEdge, GraphNode } from '../format/types.ts';

/**
 * x → n1 → n2 → … → nN → loss (with target y). With `ops`, n1 is a gate and
 * the rest are `add` ops whose sizes are inferred; the computed nodes are listed in
 * reverse order in the file when `reversed` (the order that makes naive size
 * inference and scheduling quadratic).
 */
export function chainGraph(n: number, opts: { ops?: boolean; reversed?: boolean; size?: number } = {}): Graph {
  const size = opts.size ?? 2;
  const chain: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  let prev = 'x';
  for (let i = 1; i <= n; i++) {
    const id = `n${i}`;
    chain.push(opts.ops && i > 1 ? { id, kind: 'op', op: 'add' } : { id, kind: 'gate', size, activation: 'tanh' });
    edges.push({ id: `e${i}`, source: prev, target: id });
    prev = id;
  }
  if (opts.reversed) chain.reverse();
  return {
    format: 'cellwright-graph',
    version: 1,
    nodes: [{ id: 'x', kind: 'input', size }, ...chain, { id: 'y', kind: 'target', size }, { id: 'L', kind: 'loss', loss: 'mse' }],
    edges: [...edges, { id: 'p', source: prev, target: 'L', port: 'prediction' }, { id: 't', source: 'y', target: 'L', port: 'target' }],
  };
}

/** N gates all reading x and all summed by one `add` op (fan-out then fan-in of N). */
export function fanInGraph(n: number, size = 2): Graph {
  const nodes: GraphNode[] = [{ id: 'x', kind: 'input', size }];
  const edges: GraphEdge[] = [];
  for (let i = 1; i <= n; i++) {
    nodes.push({ id: `g${i}`, kind: 'gate', size, activation: 'sigmoid' });
    edges.push({ id: `in${i}`, source: 'x', target: `g${i}`, weight: 'diagonal' });
    edges.push({ id: `out${i}`, source: `g${i}`, target: 'sum' });
  }
  nodes.push({ id: 'sum', kind: 'op', op: 'add' }, { id: 'y', kind: 'target', size }, { id: 'L', kind: 'loss', loss: 'mse' });
  edges.push({ id: 'p', source: 'sum', target: 'L', port: 'prediction' }, { id: 't', source: 'y', target: 'L', port: 'target' });
  return { format: 'cellwright-graph', version: 1, nodes, edges };
}
