/**
 * Validators that accept graphs with layers: drop-in replacements for
 * validateGraph and validateData (plain graphs go straight to them).
 */
import { validateData } from '../format/data.ts';
import type { Graph, GraphNode, Problem } from '../format/types.ts';
import type { ValidateOptions } from '../format/validate.ts';
import { validateGraph } from '../format/validate.ts';
import { hasLayers } from './types.ts';
import { analyzeLayers } from './validate.ts';

/**
 * Every problem of a graph, with or without layers. Never throws.
 *
 * Example: validateLayered(stackedLstm({ x: 1, h: 4, y: 1 })) // []
 */
export function validateLayered(graph: Graph, options: ValidateOptions = {}): Problem[] {
  return hasLayers(graph) ? analyzeLayers(graph, options).problems : validateGraph(graph, options);
}

/**
 * Checks a data file against a graph with or without layers. With layers,
 * `initialStates` may also give nested cells under their reported ids
 * (`l1/h`, `l1/reverse/h`); layers themselves need no stream.
 */
export function validateDataLayered(graph: Graph, data: unknown): Problem[] {
  if (!hasLayers(graph)) return validateData(graph, data);
  const a = analyzeLayers(graph);
  const isNode = (n: unknown): n is { id: unknown; kind: unknown } => typeof n === 'object' && n !== null && !Array.isArray(n);
  const standIns = new Set<unknown>(a.layers.map((l) => l.id));
  for (const n of Array.isArray(graph.nodes) ? graph.nodes as unknown[] : []) if (isNode(n) && n.kind === 'layer') standIns.add(n.id);
  const nodes: GraphNode[] = (Array.isArray(a.flat.nodes) ? a.flat.nodes as unknown[] : []).filter((n) => !isNode(n) || !standIns.has(n.id)) as GraphNode[];
  for (const l of a.layers) {
    for (const c of l.copies) {
      for (const n of c.graph.nodes) if (n.kind === 'cell') nodes.push({ ...n, id: c.prefix + n.id });
    }
  }
  const edges = (Array.isArray(a.flat.edges) ? a.flat.edges as unknown[] : []).filter((e) => !isNode(e) || !(standIns.has((e as Record<string, unknown>).source) || standIns.has((e as Record<string, unknown>).target)));
  return validateData({ ...a.flat, nodes, edges: edges as Graph['edges'] }, data);
}
