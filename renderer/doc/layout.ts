/**
 * Automatic layout (ELK, layered, left to right) for graphs that come
 * without positions. Edges into cells are left out of the layering, so cells
 * sit with the inputs on the left as the step's sources (their output is the
 * previous step's value) and the write-back edges loop round to them.
 */
import type { ELK as ElkApi, ElkNode } from 'elkjs/lib/elk-api.js';
import type { Graph, GraphNode } from '../../engine/format/types.ts';
import { moveNodes, type XY } from './ops.ts';

/** Before a node is measured. `layer` is engine/layers' node kind (docs/layers.md). */
export const DEFAULT_NODE_SIZE: Record<GraphNode['kind'] | 'layer' | 'block', { width: number; height: number }> = {
  input: { width: 120, height: 44 },
  target: { width: 120, height: 44 },
  cell: { width: 150, height: 64 },
  gate: { width: 150, height: 64 },
  op: { width: 56, height: 56 },
  loss: { width: 130, height: 64 },
  layer: { width: 244, height: 110 },
  block: { width: 264, height: 120 },
};

let elk: ElkApi | null = null;

export async function layoutPositions(
  graph: Graph,
  sizeOf: (node: GraphNode) => { width: number; height: number } = (node) => DEFAULT_NODE_SIZE[node.kind],
): Promise<Map<string, XY>> {
  if (!elk) {
    // ELK is large; load it only when a graph without positions needs it.
    const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
    elk = new ELK();
  }
  const kinds = new Map(graph.nodes.map((node) => [node.id, node.kind]));
  const root: ElkNode = {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '36',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      'elk.separateConnectedComponents': 'true',
    },
    children: graph.nodes.map((node) => ({ id: node.id, ...sizeOf(node) })),
    edges: graph.edges
      .filter((edge) => kinds.has(edge.source) && kinds.get(edge.target) !== undefined && kinds.get(edge.target) !== 'cell')
      .map((edge) => ({ id: edge.id, sources: [edge.source], targets: [edge.target] })),
  };
  const result = await elk.layout(root);
  const positions = new Map<string, XY>();
  for (const child of result.children ?? []) positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  return positions;
}

/** The graph with every node placed by ELK. */
export async function autoLayout(graph: Graph, sizeOf?: (node: GraphNode) => { width: number; height: number }): Promise<Graph> {
  if (graph.nodes.length === 0) return graph;
  return moveNodes(graph, await layoutPositions(graph, sizeOf));
}
