/**
 * Layers (docs/layers.md): a node `"kind": "layer"` holding a nested step
 * graph that runs over the whole sequence before the outer step graph, in one
 * of three directions. These types describe the node as it is in the file;
 * the graph format's own types (engine/format/types.ts) do not know the kind,
 * so a layered file reaches the engine through engine/layers only.
 */
import type { GraphEdge, GraphNode } from '../format/types.ts';

export const LAYER_KIND = 'layer';
export type Direction = 'forward' | 'reverse' | 'bidirectional';
export const DIRECTIONS: readonly Direction[] = ['forward', 'reverse', 'bidirectional'];

/** A layer's nested step graph: nodes and edges in the graph format (no loss, no target, no layer). */
export interface NestedGraph {
  name?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  [extra: string]: unknown;
}

export interface LayerNode {
  id: string;
  kind: typeof LAYER_KIND;
  /** Default forward. */
  direction?: Direction;
  /** The nested node whose value at step t is the layer's output at step t. */
  output: string;
  graph: NestedGraph;
  label?: string;
  position?: { x: number; y: number };
  [extra: string]: unknown;
}

/** The namespace of a copy of a layer: `l1/` (forward, or the only copy) or `l1/reverse/` (backward copy of a bidirectional layer). */
export function copyPrefix(layer: string, backwardOfBidirectional: boolean): string {
  return backwardOfBidirectional ? `${layer}/reverse/` : `${layer}/`;
}

/** Parameter keys of a copy's nested parameters: `layer:l1/edge:x_f`, `layer:l1/reverse/bias:f`. */
export function paramPrefix(layer: string, backwardOfBidirectional: boolean): string {
  return `layer:${copyPrefix(layer, backwardOfBidirectional)}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The layer a parameter key belongs to: `layer:l1/edge:x_f` → { layer: 'l1', rest: 'edge:x_f' }
 * (`rest` keeps a backward copy's `reverse/`); undefined for other keys.
 */
export function layerOfKey(key: string): { layer: string; rest: string } | undefined {
  if (!key.startsWith('layer:')) return undefined;
  const body = key.slice('layer:'.length);
  const slash = body.indexOf('/');
  return slash <= 0 ? undefined : { layer: body.slice(0, slash), rest: body.slice(slash + 1) };
}

/** True when the graph (any object) has at least one node of kind "layer". */
export function hasLayers(graph: unknown): boolean {
  return isRecord(graph) && Array.isArray(graph.nodes) && graph.nodes.some((n) => isRecord(n) && n.kind === LAYER_KIND);
}
