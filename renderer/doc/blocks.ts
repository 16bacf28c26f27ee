/**
 * Editing with blocks (engine/blocks, docs/blocks.md): pure document edits.
 *
 * - groupAsBlock: selected gates, ops and cells → one block definition in the
 *   file's `blocks` and one instance in their place. Every outside node that
 *   feeds the selection becomes an input port (an inner `input` node of its
 *   size), every selected node read from outside an output port; stored
 *   weights move to the instance's keys (`edge:e` → `edge:<instance>/e`), so a
 *   trained cell keeps its numbers.
 * - placeBlock: a definition (from the file or the user library) instantiated
 *   at a point, its definition added to the file when missing.
 * - setBlockTie / renameBlock: the inspector's edits of an instance.
 */
import type { Graph, GraphEdge, GraphNode, TensorJSON } from '../../engine/format/types.ts';
import { BLOCK_KIND, blockTable, inputPorts, outputPorts } from '../../engine/blocks/types.ts';
import type { BlockDef, BlockInstanceNode } from '../../engine/blocks/types.ts';
import { idTable } from '../../engine/format/dict.ts';
import type { XY } from './ops.ts';
import { edgeIds, nodeIds, uniqueId } from './ops.ts';

export type BlockEdit = { ok: true; graph: Graph; instance: string; name: string } | { ok: false; reason: string };

const PARAM_PREFIXES = new Set(['edge', 'bias', 'init', 'gain', 'shift']);

/** The block instance node with this id, if it is one. */
export function instanceOf(graph: Graph, id: string): BlockInstanceNode | undefined {
  const node = graph.nodes.find((n) => n.id === id) as unknown as BlockInstanceNode | undefined;
  return node && node.kind === BLOCK_KIND ? node : undefined;
}

/** The definition of a block in the file (own keys only). */
export function definitionOf(graph: Graph, name: string): BlockDef | undefined {
  const table = blockTable(graph);
  return Object.hasOwn(table, name) ? table[name] as BlockDef : undefined;
}

/** A block name not used by the file yet: "block 1", "block 2", … or the given one. */
export function freshBlockName(graph: Graph, base = 'block'): string {
  const table = blockTable(graph);
  if (base !== 'block' && !Object.hasOwn(table, base)) return base;
  for (let n = 1; ; n += 1) if (!Object.hasOwn(table, `${base} ${n}`)) return `${base} ${n}`;
}

/** An id for an instance, after the block's name: "my gate" → "my_gate" (then my_gate_2, …). */
function instanceIdFor(graph: Graph, name: string): string {
  const slug = name.trim().replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'block';
  return uniqueId(slug, nodeIds(graph));
}

function withBlocks(graph: Graph, name: string, def: BlockDef): Graph {
  const blocks = idTable<unknown>();
  for (const [k, v] of Object.entries(blockTable(graph))) blocks[k] = v;
  blocks[name] = def;
  return { ...graph, blocks };
}

function moveKey(key: string, instance: string, nodes: ReadonlySet<string>, edges: ReadonlySet<string>): string | undefined {
  const colon = key.indexOf(':');
  if (colon < 0) return undefined;
  const prefix = key.slice(0, colon);
  const id = key.slice(colon + 1);
  if (!PARAM_PREFIXES.has(prefix)) return undefined;
  const moved = prefix === 'edge' ? edges.has(id) : nodes.has(id);
  return moved ? `${prefix}:${instance}/${id}` : undefined;
}

/**
 * Replaces the selected nodes by one instance of a new block `name` (see the file comment).
 * `sizes` are the validator's node sizes (an input port gets its feeder's size).
 *
 * @example
 * const r = groupAsBlock(graph, ['f'], 'my gate', sizes); // r.instance === 'my_gate'
 */
export function groupAsBlock(graph: Graph, selected: Iterable<string>, name: string, sizes: ReadonlyMap<string, number>): BlockEdit {
  const ids = new Set(selected);
  const members = graph.nodes.filter((n) => ids.has(n.id));
  const trimmed = name.trim();
  if (trimmed === '') return { ok: false, reason: 'Give the block a name.' };
  if (definitionOf(graph, trimmed)) return { ok: false, reason: `The file already has a block named "${trimmed}": choose another name.` };
  if (members.length === 0) return { ok: false, reason: 'Select the gates, ops and cells to group first.' };
  const outside = members.find((n) => n.kind !== 'gate' && n.kind !== 'op' && n.kind !== 'cell');
  if (outside) return { ok: false, reason: `${outside.kind} "${outside.id}" stays in the graph: a block holds gates, ops and cells (its inputs become ports).` };
  const inSel = new Set(members.map((n) => n.id));
  const inner = graph.edges.filter((e) => inSel.has(e.source) && inSel.has(e.target));
  const inbound = graph.edges.filter((e) => !inSel.has(e.source) && inSel.has(e.target));
  const outbound = graph.edges.filter((e) => inSel.has(e.source) && !inSel.has(e.target));
  if (outbound.length === 0) return { ok: false, reason: 'Nothing outside the selection reads it, so the block would have no output: include fewer nodes.' };
  const movedEdges = new Set([...inner, ...inbound].map((e) => e.id));
  for (const e of graph.edges) {
    if (typeof e.tie !== 'string') continue;
    if (movedEdges.has(e.id) !== movedEdges.has(e.tie)) {
      return { ok: false, reason: `Edge "${e.id}" is tied to "${e.tie}", and only one of them would move into the block: untie it or select both ends.` };
    }
  }
  const instance = instanceIdFor(graph, trimmed);

  // Input ports: one per outside source (a block instance's output counts as its own source).
  const portOf = new Map<string, string>();
  const portNodes: GraphNode[] = [];
  const feeds: GraphEdge[] = [];
  const taken = new Set(members.map((n) => n.id));
  const takenEdges = edgeIds(graph);
  for (const e of inbound) {
    const key = e.sourcePort ? `${e.source}\u0000${e.sourcePort}` : e.source;
    if (portOf.has(key)) continue;
    const size = sizes.get(e.sourcePort ? `${e.source}/${e.sourcePort}` : e.source);
    if (size === undefined) return { ok: false, reason: `The size of "${e.source}" is not known yet: fix the graph's problems first.` };
    const port = uniqueId((e.sourcePort ? `${e.source}_${e.sourcePort}` : e.source).replace(/\//g, '_'), taken);
    taken.add(port);
    portOf.set(key, port);
    portNodes.push({ id: port, kind: 'input', size, position: { x: 0, y: 90 * portNodes.length } });
    const feed: GraphEdge = { id: uniqueId(`${e.source}_${instance}`.replace(/\//g, '_'), takenEdges), source: e.source, target: instance, port: port as never };
    if (e.sourcePort) feed.sourcePort = e.sourcePort;
    takenEdges.add(feed.id);
    feeds.push(feed);
  }

  const x0 = Math.min(...members.map((n) => n.position?.x ?? 0));
  const y0 = Math.min(...members.map((n) => n.position?.y ?? 0));
  const innerNodes: GraphNode[] = members.map((n) => {
    const copy: Record<string, unknown> = { ...n, position: { x: (n.position?.x ?? 0) - x0 + 220, y: (n.position?.y ?? 0) - y0 } };
    delete copy.group;
    return copy as GraphNode;
  });
  const innerEdges: GraphEdge[] = [
    ...inner,
    ...inbound.map((e) => {
      const copy: GraphEdge = { ...e, source: portOf.get(e.sourcePort ? `${e.source}\u0000${e.sourcePort}` : e.source)! };
      delete copy.sourcePort;
      return copy;
    }),
  ];
  const outputs = [...new Set(outbound.map((e) => e.source))];
  const def: BlockDef = { nodes: [...portNodes, ...innerNodes], edges: innerEdges, outputs };
  const node: BlockInstanceNode = { id: instance, kind: BLOCK_KIND, block: trimmed, position: { x: x0, y: y0 } };

  const nodes: GraphNode[] = [];
  let placed = false;
  for (const n of graph.nodes) {
    if (!inSel.has(n.id)) nodes.push(n);
    else if (!placed) {
      nodes.push(node as unknown as GraphNode);
      placed = true;
    }
  }
  const edges: GraphEdge[] = [];
  for (const e of graph.edges) {
    if (movedEdges.has(e.id)) continue;
    if (inSel.has(e.source)) {
      // Named even when the block has one output, so adding an output later leaves the edge meaning the same.
      edges.push({ ...e, source: instance, sourcePort: e.source });
    } else edges.push(e);
  }
  edges.push(...feeds);

  let next: Graph = withBlocks({ ...graph, nodes, edges }, trimmed, def);
  if (graph.parameters) {
    const params = idTable<TensorJSON>();
    for (const [key, value] of Object.entries(graph.parameters)) params[moveKey(key, instance, inSel, movedEdges) ?? key] = value;
    next = { ...next, parameters: params };
  }
  return { ok: true, graph: next, instance, name: trimmed };
}

/** Two definitions mean the same block (compared as JSON, positions included). */
function sameDefinition(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Adds an instance of `def` named `name` at `at`. The definition goes into the
 * file when it has none of that name; when the file has a different one, the
 * new definition is added as "name 2" (the file's own is never overwritten).
 */
export function placeBlock(graph: Graph, name: string, def: BlockDef, at: XY): BlockEdit {
  let use = name;
  let next = graph;
  const existing = definitionOf(graph, name);
  if (!existing) next = withBlocks(graph, name, def);
  else if (!sameDefinition(existing, def)) {
    use = freshBlockName(graph, name);
    next = withBlocks(graph, use, def);
  }
  const instance = instanceIdFor(graph, use);
  const node = { id: instance, kind: BLOCK_KIND, block: use, position: { x: Math.round(at.x), y: Math.round(at.y) } };
  return { ok: true, graph: { ...next, nodes: [...next.nodes, node as unknown as GraphNode] }, instance, name: use };
}

/** Ties an instance's weights to another instance of the same block (or unties it: owner undefined). */
export function setBlockTie(graph: Graph, id: string, owner: string | undefined): Graph {
  const nodes = graph.nodes.map((n) => {
    if (n.id !== id) return n;
    const copy: Record<string, unknown> = { ...n };
    if (owner === undefined) delete copy.tie;
    else copy.tie = owner;
    return copy as GraphNode;
  });
  if (owner === undefined || !graph.parameters) return { ...graph, nodes };
  // A tied instance uses its owner's parameters: its own stored ones go.
  const params = idTable<TensorJSON>();
  for (const [key, value] of Object.entries(graph.parameters)) if (!key.slice(key.indexOf(':') + 1).startsWith(`${id}/`)) params[key] = value;
  return { ...graph, nodes, parameters: params };
}

/** The instances an instance may tie to: others of the same block that are not tied themselves. */
export function tieOwners(graph: Graph, id: string): string[] {
  const me = instanceOf(graph, id);
  if (!me) return [];
  return graph.nodes
    .filter((n) => n.id !== id && (n.kind as string) === BLOCK_KIND && (n as Record<string, unknown>).block === me.block && (n as Record<string, unknown>).tie === undefined)
    .map((n) => n.id);
}

/** Ports of an instance's block, for drawing its handles. */
export function portsOf(graph: Graph, id: string): { inputs: string[]; outputs: string[] } {
  const me = instanceOf(graph, id);
  const def = me ? definitionOf(graph, me.block) : undefined;
  return { inputs: inputPorts(def), outputs: outputPorts(def) };
}

/** Why a block name cannot be used (empty, or another block's), or null. */
export function blockNameRefusal(graph: Graph, name: string, current?: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return 'A block needs a name.';
  if (trimmed !== current && definitionOf(graph, trimmed)) return `The file already has a block named "${trimmed}".`;
  return null;
}

/** Renames a block: its definition's key and every instance's `block` (instance ids and parameter keys stay). */
export function renameBlock(graph: Graph, from: string, to: string): Graph {
  const name = to.trim();
  if (name === from || blockNameRefusal(graph, name, from) !== null || !definitionOf(graph, from)) return graph;
  const blocks = idTable<unknown>();
  // Same order, the renamed one in its place.
  for (const [k, v] of Object.entries(blockTable(graph))) blocks[k === from ? name : k] = v;
  const rename = (list: unknown[]): unknown[] => list.map((n) => (n && typeof n === 'object' && (n as Record<string, unknown>).kind === BLOCK_KIND && (n as Record<string, unknown>).block === from ? { ...n, block: name } : n));
  for (const [k, v] of Object.entries(blocks)) {
    const def = v as BlockDef;
    if (def && Array.isArray(def.nodes) && def.nodes.some((n) => (n as Record<string, unknown>)?.block === from)) blocks[k] = { ...def, nodes: rename(def.nodes) };
  }
  return { ...graph, blocks, nodes: rename(graph.nodes) as GraphNode[] };
}

/**
 * Ungroup: an instance back into ordinary nodes (the inverse of groupAsBlock).
 * Inner nodes keep their inner ids where free (else `f_2`, …), ports are wired
 * to what fed them, and the instance's stored weights move to the new keys. A
 * tied instance gets a copy of its owner's stored weights, its own from then
 * on. An instance others are tied to is refused (untie them first).
 */
export function ungroupBlock(graph: Graph, id: string): BlockEdit {
  const inst = instanceOf(graph, id);
  const def = inst ? definitionOf(graph, inst.block) : undefined;
  if (!inst || !def || !Array.isArray(def.nodes) || !Array.isArray(def.edges)) return { ok: false, reason: `"${id}" is not an instance of a block of this file.` };
  const dependants = graph.nodes.filter((n) => (n.kind as string) === BLOCK_KIND && (n as Record<string, unknown>).tie === id).map((n) => n.id);
  if (dependants.length > 0) return { ok: false, reason: `${dependants.map((d) => `"${d}"`).join(', ')} ${dependants.length === 1 ? 'is' : 'are'} tied to "${id}": untie ${dependants.length === 1 ? 'it' : 'them'} first.` };
  const ports = new Set(inputPorts(def));
  const feeds = new Map<string, GraphEdge>();
  for (const e of graph.edges) {
    if (e.target !== id) continue;
    const port = typeof e.port === 'string' ? e.port as string : ports.size === 1 ? [...ports][0] : undefined;
    if (port !== undefined) feeds.set(port, e);
  }
  const missing = [...ports].find((p) => !feeds.has(p));
  if (missing !== undefined) return { ok: false, reason: `Input port "${missing}" of "${id}" is not connected: connect it first.` };

  const takenNodes = nodeIds(graph);
  takenNodes.delete(id);
  const takenEdges = edgeIds(graph);
  const nodeId = new Map<string, string>();
  const at = inst.position ?? { x: 0, y: 0 };
  const inner = def.nodes.filter((n) => n && typeof n.id === 'string' && !ports.has(n.id));
  const placed: GraphNode[] = inner.map((n) => {
    const fresh = uniqueId(n.id, takenNodes);
    takenNodes.add(fresh);
    nodeId.set(n.id, fresh);
    const p = (n as { position?: XY }).position ?? { x: 220, y: 0 };
    return { ...n, id: fresh, position: { x: Math.round(at.x + p.x - 220), y: Math.round(at.y + p.y) } } as GraphNode;
  });
  const edgeId = new Map<string, string>();
  for (const e of def.edges) {
    if (!e || typeof e.id !== 'string') continue;
    const fresh = uniqueId(e.id, takenEdges);
    takenEdges.add(fresh);
    edgeId.set(e.id, fresh);
  }
  for (const n of placed) {
    const r = n as Record<string, unknown>;
    if (r.kind === BLOCK_KIND && typeof r.tie === 'string') r.tie = nodeId.get(r.tie) ?? r.tie;
  }
  const innerEdges: GraphEdge[] = def.edges.filter((e) => e && typeof e.id === 'string').map((e) => {
    const copy: GraphEdge = { ...e, id: edgeId.get(e.id)!, target: nodeId.get(e.target) ?? e.target };
    const feed = ports.has(e.source) ? feeds.get(e.source) : undefined;
    if (feed) {
      copy.source = feed.source;
      if (feed.sourcePort) copy.sourcePort = feed.sourcePort;
    } else copy.source = nodeId.get(e.source) ?? e.source;
    if (typeof e.tie === 'string') copy.tie = edgeId.get(e.tie) ?? e.tie;
    return copy;
  });
  const outer: GraphEdge[] = [];
  for (const e of graph.edges) {
    if (e.target === id) continue;
    if (e.source !== id) {
      outer.push(e);
      continue;
    }
    const out = typeof e.sourcePort === 'string' ? e.sourcePort : outputPorts(def)[0];
    const copy: GraphEdge = { ...e, source: nodeId.get(out) ?? out };
    delete copy.sourcePort;
    outer.push(copy);
  }
  const nodes: GraphNode[] = [];
  for (const n of graph.nodes) {
    if (n.id === id) nodes.push(...placed);
    else nodes.push(n);
  }
  let next: Graph = { ...graph, nodes, edges: [...outer, ...innerEdges] };
  if (graph.parameters) {
    // The instance's keys (a tied one: its owner's), `edge:g1/e` → `edge:e`, `bias:g1/sub/f` → `bias:sub_2/f`.
    const from = inst.tie ?? id;
    const params = idTable<TensorJSON>();
    for (const [key, value] of Object.entries(graph.parameters)) {
      const colon = key.indexOf(':');
      const rest = key.slice(colon + 1);
      if (!rest.startsWith(`${from}/`)) {
        if (!rest.startsWith(`${id}/`)) params[key] = value;
        continue;
      }
      const prefix = key.slice(0, colon);
      const tail = rest.slice(from.length + 1);
      const slash = tail.indexOf('/');
      const head = slash < 0 ? tail : tail.slice(0, slash);
      const renamed = (prefix === 'edge' && slash < 0 ? edgeId.get(head) : nodeId.get(head)) ?? head;
      params[`${prefix}:${renamed}${slash < 0 ? '' : tail.slice(slash)}`] = value;
      if (inst.tie !== undefined) params[key] = value; // the owner keeps its own
    }
    next = { ...next, parameters: params };
  }
  return { ok: true, graph: next, instance: id, name: inst.block };
}
