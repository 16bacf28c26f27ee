/**
 * Document edits as pure functions Graph → Graph. They never mutate their
 * input and keep every field they do not touch (unknown fields included), so
 * the undo history can hold the graphs themselves: unchanged nodes and edges
 * are shared between entries, which makes an entry cost what it changed.
 */
import { layerOfKey } from '../../engine/layers/types.ts';
import type { Graph, GraphEdge, GraphNode, NodeKind, Port, TensorJSON } from '../../engine/format/types.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../../engine/format/types.ts';
import { getOp } from '../../engine/ops/ops.ts';
import { connectionRefusal } from './rules.ts';

export interface XY { x: number; y: number }

export function emptyGraph(name = 'Untitled'): Graph {
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, name, nodes: [], edges: [] };
}

/** `base` if free, else `base_2`, `base_3`, … (a trailing `_N` on base is replaced, so f_2 → f_3). */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (base && !taken.has(base)) return base;
  const stem = (base || 'n').replace(/_\d+$/, '');
  for (let n = 2; ; n += 1) {
    const candidate = `${stem}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

const ID_PREFIX: Record<NodeKind, string> = { input: 'x', target: 'y', cell: 'h', gate: 'g', op: 'op', loss: 'loss' };

/** A fresh id for a node made from the palette: x, y, h for the first ones, then x2, g1, g2, … */
export function newNodeId(kind: NodeKind, taken: ReadonlySet<string>): string {
  const prefix = ID_PREFIX[kind];
  if ((kind === 'input' || kind === 'target' || kind === 'cell' || kind === 'loss') && !taken.has(prefix)) return prefix;
  for (let n = kind === 'gate' || kind === 'op' ? 1 : 2; ; n += 1) {
    if (!taken.has(`${prefix}${n}`)) return `${prefix}${n}`;
  }
}

export function nodeIds(graph: Graph): Set<string> {
  return new Set(graph.nodes.map((node) => node.id));
}

export function edgeIds(graph: Graph): Set<string> {
  return new Set(graph.edges.map((edge) => edge.id));
}

/** The node a palette kind creates, with the defaults a newcomer can train right away. */
export function defaultNode(kind: NodeKind, id: string, position: XY): GraphNode {
  const pos = { x: Math.round(position.x), y: Math.round(position.y) };
  switch (kind) {
    case 'input': return { id, kind, size: 1, position: pos };
    case 'target': return { id, kind, size: 1, position: pos };
    case 'cell': return { id, kind, size: 4, position: pos };
    case 'gate': return { id, kind, size: 4, activation: 'tanh', position: pos };
    case 'op': return { id, kind, op: 'mul', position: pos };
    case 'loss': return { id, kind, loss: 'mse', position: pos };
  }
}

export function addNode(graph: Graph, node: GraphNode): Graph {
  return { ...graph, nodes: [...graph.nodes, node] };
}

function withoutKeys<T extends object>(object: T, remove: (key: string) => boolean): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (!remove(key)) out[key] = value;
  return out as T;
}

function renameKeys(params: Record<string, TensorJSON>, rename: (key: string) => string): Record<string, TensorJSON> {
  const out: Record<string, TensorJSON> = {};
  for (const [key, value] of Object.entries(params)) out[rename(key)] = value;
  return out;
}

/** Remove nodes (with every edge touching them) and edges, and the parameters that belonged to them. */
export function removeElements(graph: Graph, nodes: Iterable<string>, edges: Iterable<string>): Graph {
  const deadNodes = new Set(nodes);
  const deadEdges = new Set(edges);
  for (const edge of graph.edges) {
    if (deadNodes.has(edge.source) || deadNodes.has(edge.target)) deadEdges.add(edge.id);
  }
  if (deadNodes.size === 0 && deadEdges.size === 0) return graph;
  const next: Graph = {
    ...graph,
    nodes: graph.nodes.filter((node) => !deadNodes.has(node.id)),
    edges: graph.edges.filter((edge) => !deadEdges.has(edge.id)),
  };
  if (graph.parameters) {
    next.parameters = withoutKeys(graph.parameters, (key) => {
      const [prefix, id] = splitParamKey(key);
      return prefix === 'edge' ? deadEdges.has(id) : (prefix === 'bias' || prefix === 'init') && deadNodes.has(id);
    });
  }
  const groups = graphGroups(next);
  if (Object.keys(groups).length > 0) {
    const used = new Set(next.nodes.map((node) => node.group));
    const kept = Object.fromEntries(Object.entries(groups).filter(([id]) => used.has(id)));
    if (Object.keys(kept).length !== Object.keys(groups).length) {
      if (Object.keys(kept).length > 0) next.groups = kept;
      else delete next.groups;
    }
  }
  return next;
}

function splitParamKey(key: string): [string, string] {
  const colon = key.indexOf(':');
  return colon < 0 ? ['', key] : [key.slice(0, colon), key.slice(colon + 1)];
}

export type FieldPatch = Record<string, unknown>;

function patchChanges(object: object, patch: FieldPatch): boolean {
  const record = object as Record<string, unknown>;
  return Object.entries(patch).some(([key, value]) => (value === undefined ? key in record : record[key] !== value));
}

/** Set fields; a value of `undefined` removes the field (so defaults stay implicit in the file). */
function patchObject<T extends object>(object: T, patch: FieldPatch): T {
  if (!patchChanges(object, patch)) return object;
  const out: Record<string, unknown> = { ...(object as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out as T;
}

export function updateNode(graph: Graph, id: string, patch: FieldPatch): Graph {
  let changed = false;
  const nodes = graph.nodes.map((node) => {
    if (node.id !== id) return node;
    const next = patchObject(node, patch);
    changed ||= next !== node;
    return next;
  });
  return changed ? { ...graph, nodes } : graph;
}

export function updateEdge(graph: Graph, id: string, patch: FieldPatch): Graph {
  let changed = false;
  const edges = graph.edges.map((edge) => {
    if (edge.id !== id) return edge;
    const next = patchObject(edge, patch);
    changed ||= next !== edge;
    return next;
  });
  return changed ? { ...graph, edges } : graph;
}

export function updateGraphFields(graph: Graph, patch: FieldPatch): Graph {
  return patchObject(graph, patch);
}

/** Why an id cannot be used, or null when it can. */
export function idRefusal(id: string, taken: ReadonlySet<string>, current: string, what: 'node' | 'edge'): string | null {
  if (id.trim() === '') return 'An id cannot be empty.';
  if (id !== id.trim()) return 'An id cannot start or end with a space.';
  if (id.includes(':')) return 'An id cannot contain ":" (parameter keys use it).';
  if (id !== current && taken.has(id)) return `Another ${what} already has the id "${id}".`;
  return null;
}

/** Rename a node everywhere it is named: edges and parameter keys. */
export function renameNode(graph: Graph, from: string, to: string): Graph {
  if (from === to) return graph;
  // A block instance (docs/blocks.md): its inner parameters (`edge:g1/e`) and the instances tied to it follow it.
  const instance = graph.nodes.some((node) => node.id === from && (node.kind as string) === 'block');
  const next: Graph = {
    ...graph,
    nodes: graph.nodes.map((node) => (node.id === from ? { ...node, id: to }
      : instance && (node.kind as string) === 'block' && node.tie === from ? { ...node, tie: to } : node)),
    edges: graph.edges.map((edge) => (edge.source === from || edge.target === from
      ? { ...edge, source: edge.source === from ? to : edge.source, target: edge.target === from ? to : edge.target }
      : edge)),
  };
  if (graph.parameters) {
    const inner = (key: string): string | undefined => {
      const colon = key.indexOf(':');
      return instance && key.startsWith(`${from}/`, colon + 1) ? `${key.slice(0, colon + 1)}${to}/${key.slice(colon + 2 + from.length)}` : undefined;
    };
    next.parameters = renameKeys(graph.parameters, (key) => (key === `bias:${from}` ? `bias:${to}` : key === `init:${from}` ? `init:${to}`
      : layerOfKey(key)?.layer === from ? `layer:${to}/${layerOfKey(key)!.rest}` : inner(key) ?? key));
  }
  return next;
}

export function renameEdge(graph: Graph, from: string, to: string): Graph {
  if (from === to) return graph;
  const next: Graph = { ...graph, edges: graph.edges.map((edge) => (edge.id === from ? { ...edge, id: to } : edge)) };
  if (graph.parameters) next.parameters = renameKeys(graph.parameters, (key) => (key === `edge:${from}` ? `edge:${to}` : key));
  return next;
}

/** Move nodes; only x and y change, any other field of `position` is kept. */
export function moveNodes(graph: Graph, positions: ReadonlyMap<string, XY>): Graph {
  let changed = false;
  const nodes = graph.nodes.map((node) => {
    const to = positions.get(node.id);
    if (!to) return node;
    const x = Math.round(to.x);
    const y = Math.round(to.y);
    if (node.position && node.position.x === x && node.position.y === y) return node;
    changed = true;
    return { ...node, position: { ...node.position, x, y } };
  });
  return changed ? { ...graph, nodes } : graph;
}

export interface ConnectRequest {
  source: string;
  target: string;
  /** The loss port the edge was dropped on. */
  port?: Port;
  /** The input port of a block instance the edge was dropped on (engine/blocks). */
  blockPort?: string;
  /** The output of a block instance the edge leaves from. */
  sourcePort?: string;
}

export type ConnectResult = { ok: true; graph: Graph; edgeId: string } | { ok: false; reason: string };

export function connect(graph: Graph, request: ConnectRequest): ConnectResult {
  const reason = connectionRefusal(graph, request);
  if (reason) return { ok: false, reason };
  const target = graph.nodes.find((node) => node.id === request.target)!;
  const edgeId = uniqueId(`e_${request.source}_${request.target}`, edgeIds(graph));
  const edge: GraphEdge = { id: edgeId, source: request.source, target: request.target };
  if (target.kind === 'gate') edge.weight = 'full';
  if (target.kind === 'loss') edge.port = request.port ?? 'prediction';
  if ((target.kind as string) === 'block' && request.blockPort) edge.port = request.blockPort as Port;
  const source = graph.nodes.find((node) => node.id === request.source);
  if ((source?.kind as string) === 'block' && request.sourcePort) edge.sourcePort = request.sourcePort;
  // Ops that tell inputs apart (sub, div, concat): the next free slot, so a new edge is valid at once.
  if (target.kind === 'op' && getOp(target.op)?.slots) {
    const used = new Set(graph.edges.filter((e) => e.target === target.id && typeof e.slot === 'number').map((e) => e.slot));
    let slot = 0;
    while (used.has(slot)) slot += 1;
    edge.slot = slot;
  }
  return { ok: true, graph: { ...graph, edges: [...graph.edges, edge] }, edgeId };
}

/** What a copy holds: nodes, the edges between them, and their parameters. */
export interface Fragment {
  nodes: GraphNode[];
  edges: GraphEdge[];
  parameters: Record<string, TensorJSON>;
  /** Names of the template groups the nodes belong to. */
  groups?: Record<string, { name: string }>;
}

function graphGroups(graph: Graph): Record<string, { name: string }> {
  const value = graph.groups;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, { name: string }> : {};
}

/** The selected nodes, every edge between two of them, and their parameters. */
export function extractFragment(graph: Graph, selected: Iterable<string>): Fragment {
  const ids = new Set(selected);
  const nodes = graph.nodes.filter((node) => ids.has(node.id));
  const edges = graph.edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target));
  const parameters: Record<string, TensorJSON> = {};
  const edgeSet = new Set(edges.map((edge) => edge.id));
  for (const [key, value] of Object.entries(graph.parameters ?? {})) {
    const [prefix, id] = splitParamKey(key);
    if ((prefix === 'edge' && edgeSet.has(id)) || ((prefix === 'bias' || prefix === 'init') && ids.has(id))) parameters[key] = value;
    else if (ids.has(layerOfKey(key)?.layer ?? '')) parameters[key] = value; // a layer's nested parameters (docs/layers.md)
  }
  const all = graphGroups(graph);
  const groups: Record<string, { name: string }> = {};
  for (const node of nodes) if (typeof node.group === 'string' && all[node.group]) groups[node.group] = all[node.group];
  return { nodes, edges, parameters, groups };
}

export function fragmentFromGraph(graph: Graph): Fragment {
  return { nodes: graph.nodes, edges: graph.edges, parameters: graph.parameters ?? {}, groups: graphGroups(graph) };
}

export interface PasteResult {
  graph: Graph;
  nodeIds: string[];
  edgeIds: string[];
  /** Old id → new id, for the nodes. */
  renamed: Map<string, string>;
}

/**
 * Insert a fragment: node and edge ids that clash are renamed (f → f_2),
 * edges follow their renamed nodes, parameters follow their owners, and
 * positions are shifted by `offset` (or placed at `at`, keeping the shape).
 */
export function pasteFragment(graph: Graph, fragment: Fragment, placement: { offset?: XY; at?: XY } = {}): PasteResult {
  const takenNodes = nodeIds(graph);
  const takenEdges = edgeIds(graph);
  const renamed = new Map<string, string>();
  for (const node of fragment.nodes) {
    const id = uniqueId(node.id, takenNodes);
    takenNodes.add(id);
    renamed.set(node.id, id);
  }
  const edgeRenamed = new Map<string, string>();
  const edges: GraphEdge[] = [];
  for (const edge of fragment.edges) {
    const source = renamed.get(edge.source);
    const target = renamed.get(edge.target);
    if (source === undefined || target === undefined) continue;
    const id = uniqueId(edge.id, takenEdges);
    takenEdges.add(id);
    edgeRenamed.set(edge.id, id);
    edges.push({ ...edge, id, source, target });
  }
  let shift = placement.offset ?? { x: 0, y: 0 };
  if (placement.at) {
    const box = boundsOf(fragment.nodes);
    shift = { x: placement.at.x - box.x, y: placement.at.y - box.y };
  }
  // A pasted group is a new group: its id is renamed like the nodes'.
  const existingGroups = graphGroups(graph);
  const takenGroups = new Set([...Object.keys(existingGroups), ...graph.nodes.map((node) => node.group).filter((g): g is string => typeof g === 'string')]);
  const groupRenamed = new Map<string, string>();
  const newGroups: Record<string, { name: string }> = {};
  for (const node of fragment.nodes) {
    if (typeof node.group !== 'string' || groupRenamed.has(node.group)) continue;
    const id = uniqueId(node.group, takenGroups);
    takenGroups.add(id);
    groupRenamed.set(node.group, id);
    newGroups[id] = fragment.groups?.[node.group] ?? { name: node.group };
  }
  const nodes = fragment.nodes.map((node, i) => {
    const base = node.position ?? { x: (i % 4) * 180, y: Math.floor(i / 4) * 120 };
    const moved: GraphNode = { ...node, id: renamed.get(node.id)!, position: { ...base, x: Math.round(base.x + shift.x), y: Math.round(base.y + shift.y) } };
    if (typeof node.group === 'string') moved.group = groupRenamed.get(node.group);
    return moved;
  });
  const next: Graph = { ...graph, nodes: [...graph.nodes, ...nodes], edges: [...graph.edges, ...edges] };
  if (groupRenamed.size > 0) next.groups = { ...existingGroups, ...newGroups };
  const params = Object.entries(fragment.parameters);
  if (params.length > 0) {
    const parameters = { ...(graph.parameters ?? {}) };
    for (const [key, value] of params) {
      const nested = layerOfKey(key);
      if (nested) {
        const layer = renamed.get(nested.layer);
        if (layer !== undefined) parameters[`layer:${layer}/${nested.rest}`] = value;
        continue;
      }
      const [prefix, id] = splitParamKey(key);
      const newId = prefix === 'edge' ? edgeRenamed.get(id) : renamed.get(id);
      if (newId !== undefined) parameters[`${prefix}:${newId}`] = value;
    }
    next.parameters = parameters;
  }
  return { graph: next, nodeIds: nodes.map((node) => node.id), edgeIds: edges.map((edge) => edge.id), renamed };
}

export function boundsOf(nodes: readonly GraphNode[]): { x: number; y: number; width: number; height: number } {
  if (nodes.length === 0) return { x: 0, y: 0, width: 0, height: 0 };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const node of nodes) {
    const p = node.position ?? { x: 0, y: 0 };
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export function hasAllPositions(graph: Graph): boolean {
  return graph.nodes.every((node) => node.position && Number.isFinite(node.position.x) && Number.isFinite(node.position.y));
}

/** The weight kind an edge has when the file leaves it out. */
/**
 * The edges whose weight `edgeId` may share ("tie"): other learned edges into
 * gates, not tied themselves, of the same weight kind and shape (sizes as
 * inferred by the validator).
 */
export function tieCandidates(graph: Graph, edgeId: string, sizes: ReadonlyMap<string, number>): string[] {
  const edge = graph.edges.find((e) => e.id === edgeId);
  if (!edge) return [];
  const shape = (e: GraphEdge): string => {
    const w = effectiveWeight(graph, e);
    const ns = sizes.get(e.source);
    const nt = sizes.get(e.target);
    return `${w}:${w === 'full' ? `${nt}x${ns}` : w === 'diagonal' ? `${nt}` : ''}`;
  };
  const intoGate = (e: GraphEdge): boolean => graph.nodes.some((n) => n.id === e.target && n.kind === 'gate') && effectiveWeight(graph, e) !== 'identity';
  if (!intoGate(edge) || graph.edges.some((e) => e.tie === edgeId)) return [];
  return graph.edges.filter((e) => e.id !== edgeId && e.tie === undefined && intoGate(e) && shape(e) === shape(edge)).map((e) => e.id);
}

export function effectiveWeight(graph: Graph, edge: GraphEdge): NonNullable<GraphEdge['weight']> {
  if (edge.weight) return edge.weight;
  const target = graph.nodes.find((node) => node.id === edge.target);
  return target?.kind === 'gate' ? 'full' : 'identity';
}
