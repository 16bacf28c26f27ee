/**
 * Blocks: subgraph macros (docs/blocks.md). A file's top-level `blocks` table
 * holds named definitions — a step graph whose `input` nodes are the block's
 * input ports and whose `outputs` name its output ports — and a node
 * `"kind": "block", "block": "<name>"` instantiates one. The engine expands
 * every instance into the flat graph before validating and compiling it, so
 * the runtime, the exports and the gradients see an ordinary graph.
 */
import type { GraphEdge, GraphNode } from '../format/types.ts';

export const BLOCK_KIND = 'block';

/** One named block definition, as in the file. */
export interface BlockDef {
  /** Inner nodes: `input` nodes are the input ports; instances of other blocks are allowed. */
  nodes: (GraphNode | BlockInstanceNode)[];
  edges: GraphEdge[];
  /** Ids of the inner nodes whose values leave the block (its output ports), in port order. */
  outputs: string[];
  label?: string;
  description?: string;
  [extra: string]: unknown;
}

/** A node that instantiates a block. */
export interface BlockInstanceNode {
  id: string;
  kind: typeof BLOCK_KIND;
  /** The name of the definition in the file's `blocks`. */
  block: string;
  /** Another instance of the same block whose parameters this one uses (the gradient sums over both). */
  tie?: string;
  label?: string;
  position?: { x: number; y: number };
  [extra: string]: unknown;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The id an instance gives one of its inner nodes or edges: `g1/f` (nested: `g1/inner/f`). */
export function innerId(instance: string, inner: string): string {
  return `${instance}/${inner}`;
}

/** True when the graph (any object) has a `blocks` table or a node of kind "block". */
export function hasBlocks(graph: unknown): boolean {
  if (!isRecord(graph)) return false;
  if (graph.blocks !== undefined) return true;
  return Array.isArray(graph.nodes) && graph.nodes.some((n) => isRecord(n) && n.kind === BLOCK_KIND);
}

/** The block definitions of a graph (own keys only, whatever their names); {} when there are none. */
export function blockTable(graph: unknown): Record<string, unknown> {
  return isRecord(graph) && isRecord(graph.blocks) ? graph.blocks : {};
}

/** A definition's input ports: ids of its `input` nodes, in file order. */
export function inputPorts(def: unknown): string[] {
  if (!isRecord(def) || !Array.isArray(def.nodes)) return [];
  return def.nodes.filter((n): n is Record<string, unknown> => isRecord(n) && n.kind === 'input' && typeof n.id === 'string').map((n) => n.id as string);
}

/** A definition's output ports (its `outputs`, the strings among them). */
export function outputPorts(def: unknown): string[] {
  if (!isRecord(def) || !Array.isArray(def.outputs)) return [];
  return def.outputs.filter((o): o is string => typeof o === 'string');
}
