/**
 * Stored parameters after an edit. A graph opened from a file or a template
 * carries its weights; an edit that changes a size or an initializer must not
 * be blocked by them (the validator would refuse a weight of the old shape)
 * nor silently ignored (a stored weight wins over the edge's `init`). So every
 * document edit drops exactly the stored parameters it made stale: the ones
 * that no longer fit the graph, and the weights of edges whose initializer,
 * scale or weight kind changed. The trainer then draws those afresh.
 */
import type { Graph, GraphEdge, TensorJSON } from '../../engine/format/types.ts';
import { pathOf } from '../../engine/format/validate.ts';
import { validateAny } from '../../engine/layers/index.ts';

/**
 * The validator's codes for a parameter that does not belong or does not fit (engine/errors.ts);
 * CW183/CW185: a layer's parameters whose layer or backward copy is gone (docs/layers.md);
 * CW342: parameters of a block instance that is now tied to another (docs/blocks.md).
 */
const STALE_CODES = new Set(['CW062', 'CW063', 'CW065', 'CW183', 'CW185', 'CW342']);

export interface Reconciled {
  graph: Graph;
  /** Dropped because their shape or owner no longer fits. */
  resized: string[];
  /** Dropped because their initializer changed. */
  reinitialized: string[];
}

function withParameters(graph: Graph, params: Record<string, TensorJSON>): Graph {
  const next = { ...graph };
  if (Object.keys(params).length > 0) next.parameters = params;
  else delete next.parameters;
  return next;
}

function initOf(edge: GraphEdge): string {
  return `${edge.weight ?? ''}|${edge.init ?? ''}|${edge.initScale ?? ''}`;
}

/** Weights of block instances (`edge:<instance>/<edge>`) whose inner edge's initializer changed in the definition (Edit block). */
function reinitializedInBlocks(before: Graph, after: Graph, params: Record<string, TensorJSON>): string[] {
  if (after.blocks === before.blocks || !isPlain(after.blocks) || !isPlain(before.blocks)) return [];
  const out: string[] = [];
  for (const [name, def] of Object.entries(after.blocks)) {
    const was = Object.hasOwn(before.blocks, name) ? before.blocks[name] : undefined;
    if (was === def || !isPlain(def) || !isPlain(was) || !Array.isArray(def.edges) || !Array.isArray(was.edges)) continue;
    const old = new Map((was.edges as GraphEdge[]).filter(isPlain).map((edge) => [edge.id, edge]));
    const changed = (def.edges as GraphEdge[]).filter((edge) => isPlain(edge) && old.has(edge.id) && old.get(edge.id) !== edge && initOf(old.get(edge.id)!) !== initOf(edge));
    if (changed.length === 0) continue;
    for (const node of after.nodes as unknown as Record<string, unknown>[]) {
      if (node.kind !== 'block' || node.block !== name) continue;
      for (const edge of changed) {
        const key = `edge:${String(node.id)}/${edge.id}`;
        if (Object.hasOwn(params, key)) out.push(key);
      }
    }
  }
  return out;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Stored parameter keys the validator finds stale in `graph`. */
function staleKeys(graph: Graph, keys: readonly string[]): Set<string> {
  const paths = new Map(keys.map((key) => [pathOf('parameters', key), key]));
  const out = new Set<string>();
  for (const problem of validateAny(graph)) {
    if (!STALE_CODES.has(problem.code)) continue;
    for (const [path, key] of paths) {
      if (problem.path === path || problem.path.startsWith(`${path}.`) || problem.path.startsWith(`${path}[`)) out.add(key);
    }
  }
  return out;
}

/**
 * `after` without the stored parameters the edit from `before` made stale.
 * Parameters that were already stale before the edit are left for the user to
 * see in the problem list; an edit of the parameters themselves is kept as is.
 *
 * @example
 * reconcileParameters(g, updateNode(g, 'h', { size: 8 })).resized // → ['edge:h_h_new', 'bias:h_new', …]
 */
export function reconcileParameters(before: Graph, after: Graph): Reconciled {
  const params = after.parameters;
  const none: Reconciled = { graph: after, resized: [], reinitialized: [] };
  if (!params || after.parameters !== before.parameters) return none;
  if (after.nodes === before.nodes && after.edges === before.edges && after.blocks === before.blocks) return none;
  const keys = Object.keys(params);
  if (keys.length === 0) return none;

  const reinitialized: string[] = [];
  if (after.edges !== before.edges) {
    const old = new Map(before.edges.map((edge) => [edge.id, edge]));
    for (const edge of after.edges) {
      const was = old.get(edge.id);
      const key = `edge:${edge.id}`;
      if (was && was !== edge && key in params && initOf(was) !== initOf(edge)) reinitialized.push(key);
    }
  }
  reinitialized.push(...reinitializedInBlocks(before, after, params));
  const staleAfter = staleKeys(after, keys);
  let resized: string[] = [];
  if (staleAfter.size > 0) {
    const staleBefore = staleKeys(before, keys);
    resized = [...staleAfter].filter((key) => !staleBefore.has(key) && !reinitialized.includes(key));
  }
  if (resized.length === 0 && reinitialized.length === 0) return none;
  const drop = new Set([...resized, ...reinitialized]);
  const kept: Record<string, TensorJSON> = {};
  for (const [key, value] of Object.entries(params)) if (!drop.has(key)) kept[key] = value;
  return { graph: withParameters(after, kept), resized, reinitialized };
}

/** The parameter keys a re-initialization covers: every one, a node's own and its incoming weights, or one edge's. */
export type ReinitScope = { kind: 'graph' } | { kind: 'node'; id: string } | { kind: 'edge'; id: string };

export function scopeCovers(graph: Graph, scope: ReinitScope, key: string): boolean {
  const colon = key.indexOf(':');
  const prefix = key.slice(0, colon);
  const id = key.slice(colon + 1);
  switch (scope.kind) {
    case 'graph': return true;
    case 'edge': return prefix === 'edge' && id === scope.id;
    case 'node':
      if (prefix === 'edge') return graph.edges.some((edge) => edge.id === id && edge.target === scope.id);
      return id === scope.id;
    default: {
      const never: never = scope;
      return Boolean(never);
    }
  }
}

/** The graph without the stored parameters the scope covers, and the keys dropped. */
export function withoutStoredParameters(graph: Graph, scope: ReinitScope): { graph: Graph; dropped: string[] } {
  const params = graph.parameters ?? {};
  const dropped = Object.keys(params).filter((key) => scopeCovers(graph, scope, key));
  if (dropped.length === 0) return { graph, dropped };
  const kept: Record<string, TensorJSON> = {};
  for (const [key, value] of Object.entries(params)) if (!dropped.includes(key)) kept[key] = value;
  return { graph: withParameters(graph, kept), dropped };
}

/** "3 stored weights (edge:h_h_new, bias:h_new, …)" for the one-line notice. */
export function describeKeys(keys: readonly string[], limit = 3): string {
  const shown = keys.slice(0, limit).join(', ');
  const more = keys.length > limit ? `, +${keys.length - limit} more` : '';
  return `${keys.length} stored weight${keys.length === 1 ? '' : 's'} (${shown}${more})`;
}
