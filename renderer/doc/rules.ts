/**
 * Which connections the editor refuses at the drop, with the short reason it
 * shows. Everything that might become valid after another edit (sizes that do
 * not match yet, a cycle without a cell) is left to the validator instead, so
 * a user can build a graph in any order.
 */
import type { Graph, GraphNode, Port } from '../../engine/format/types.ts';

export interface ConnectionQuery {
  source: string;
  target: string;
  port?: Port;
  /** The input port of a block instance (engine/blocks) the edge goes into. */
  blockPort?: string;
  sourcePort?: string;
}

function describe(node: GraphNode): string {
  return `${node.kind} "${node.id}"`;
}

/** Null when the connection may be made, otherwise the reason it is refused. */
export function connectionRefusal(graph: Graph, query: ConnectionQuery): string | null {
  const source = graph.nodes.find((node) => node.id === query.source);
  const target = graph.nodes.find((node) => node.id === query.target);
  if (!source || !target) return 'Both ends of an edge must be nodes of this graph.';
  if (source.kind === 'loss') return 'A loss is an end point: nothing reads its output.';
  if (target.kind === 'input') return 'An input takes no edges: its value comes from the data.';
  if (target.kind === 'target') return 'A target takes no edges: its value comes from the data.';
  if (source.kind === 'target' && target.kind !== 'loss') return 'A target can only feed a loss (its target port).';
  const incoming = graph.edges.filter((edge) => edge.target === target.id);
  if ((target.kind as string) === 'block') {
    // Each input port of a block instance takes one edge; one source may feed several ports.
    const port = query.blockPort;
    if (incoming.some((edge) => (edge.port as string | undefined) === port)) return `Port ${port ?? ''} of block instance "${target.id}" is already connected.`;
    return null;
  }
  if (incoming.some((edge) => edge.source === source.id && (target.kind !== 'loss' || (edge.port ?? 'prediction') === (query.port ?? 'prediction')))) {
    return `${describe(source)} is already connected to ${describe(target)}.`;
  }
  if (target.kind === 'cell' && incoming.length > 0) {
    return `Cell "${target.id}" already has its next state (from "${incoming[0].source}"); a cell takes exactly one edge.`;
  }
  if (target.kind === 'op' && target.op === 'one_minus' && incoming.length > 0) {
    return '1−x takes exactly one input.';
  }
  if (target.kind === 'loss') {
    const port = query.port ?? 'prediction';
    if (port === 'target' && target.loss === 'sum') return 'A sum loss has no target port.';
    if (source.kind === 'target' && port !== 'target') return 'A target goes into the loss\'s target port.';
    if (incoming.some((edge) => (edge.port ?? 'prediction') === port)) return `The ${port} port of loss "${target.id}" is already connected.`;
  }
  return null;
}
