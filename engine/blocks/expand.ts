/**
 * Expansion of block instances (docs/blocks.md): a graph with a `blocks`
 * table and `"kind": "block"` nodes → the flat graph the validator, compiler,
 * runtime and exports already understand.
 *
 * Instance `g1` of a block puts every inner node `f` into the flat graph as
 * `g1/f` and every inner edge `e` as `g1/e` (nested instances: `g1/inner/f`).
 * The inner `input` nodes are ports: they vanish, and the inner edges out of
 * a port leave from whatever feeds the instance's port. An edge out of the
 * instance leaves from `g1/<output>`. So parameter keys are the flat graph's
 * own (`edge:g1/e`, `bias:g1/f`, `init:g1/c`, `gain:g1/ln`), and values are
 * reported under `g1/f`.
 *
 * A tied instance (`"tie": "g1"`) gets the same nodes and edges under its own
 * id, but every learned inner edge is tied to the owner's edge (`"tie":
 * "g1/e"`) and every inner node uses the owner's bias, gain, shift and
 * learned initial state (`nodeTies`, given to compile()).
 *
 * Problems point into the file: top-level elements at their own path, inner
 * elements at `blocks["my gate"].nodes[2]`. Never throws on any input.
 */
import { problem, show } from '../errors.ts';
import type { Graph, GraphEdge, GraphNode, Problem } from '../format/types.ts';
import { pathOf } from '../format/validate.ts';
import type { Limits } from '../limits.ts';
import { resolveLimits } from '../limits.ts';
import { BLOCK_KIND, blockTable, innerId, isRecord, outputPorts } from './types.ts';

/** How deep blocks may nest (instances inside definitions inside …). */
export const MAX_BLOCK_DEPTH = 32;

/** Where a flat element came from. */
export interface Origin {
  /** JSON path of the element in the file (`nodes[3]`, `blocks["my gate"].edges[1]`). */
  path: string;
  /** The top-level instance it belongs to (undefined for the graph's own elements). */
  top?: string;
  /** The full instance path (`g1`, `g1/inner`) and the block it instantiates, innermost. */
  instance?: string;
  block?: string;
  /** Its id inside that block. */
  inner?: string;
}

/** A top-level instance. */
export interface InstanceInfo {
  id: string;
  block: string;
  /** Index of the instance node in the file's nodes. */
  index: number;
  /** The instance whose parameters it uses, when tied. */
  tie?: string;
  /** Input port → the flat id of the node that feeds it. */
  feeds: Map<string, string>;
  /** Output port → its flat id (`g1/f`). */
  outputs: Map<string, string>;
}

/** An edge into an input port, for the size check once sizes are known. */
export interface PortFeed {
  instance: string;
  block: string;
  port: string;
  /** The port's declared size (its inner input node's `size`). */
  portSize: unknown;
  /** Flat id of the feeding node. */
  source: string;
  /** The edge into the instance, in the file. */
  edge: string;
  path: string;
}

export interface Expansion {
  /** Problems of the blocks themselves (the flat graph's own are found by validating `graph`). */
  problems: Problem[];
  /** The flat graph: no `blocks`, no block nodes; every other field kept. */
  graph: Graph;
  /** Origins of the flat graph's nodes and edges, index for index. */
  nodeOrigins: Origin[];
  edgeOrigins: Origin[];
  /** Inner node of a tied instance → the owner's node whose parameters it uses. */
  nodeTies: Map<string, string>;
  instances: InstanceInfo[];
  /** Every port feed at every level (flat ids), for the size check. */
  portFeeds: PortFeed[];
  /** Top-level instance ids whose expansion failed (their elements are missing from the flat graph). */
  broken: Set<string>;
}

interface FlatNode { raw: Record<string, unknown>; origin: Origin }
interface FlatEdge { raw: Record<string, unknown>; origin: Origin }

/** A definition expanded once (ids unprefixed), then copied into each instance. */
interface Body {
  name: string;
  nodes: FlatNode[];
  edges: FlatEdge[];
  /** Input port ids (inner input nodes). */
  ports: string[];
  portSizes: Map<string, unknown>;
  outputs: string[];
  nodeTies: Map<string, string>;
  portFeeds: PortFeed[];
  /** The deepest chain of blocks inside, this one first. */
  chain: string[];
}

interface Level {
  nodes: FlatNode[];
  edges: FlatEdge[];
  nodeTies: Map<string, string>;
  portFeeds: PortFeed[];
  instances: InstanceInfo[];
  broken: Set<string>;
  ok: boolean;
  /** The deepest chain of blocks used at this level. */
  chain: string[];
}

interface Ctx {
  table: Record<string, unknown>;
  limits: Limits;
  problems: Problem[];
  /** Expanded definitions (undefined: broken), each expanded and reported once. */
  bodies: Map<string, Body | undefined>;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * Expands every block instance of a graph (see the file comment).
 *
 * @example
 * const x = expandBlocks(graph);
 * if (!hasErrors(x.problems)) compile(x.graph, { nodeTies: x.nodeTies });
 */
export function expandBlocks(graph: Graph, opts: { limits?: Partial<Limits> } = {}): Expansion {
  const ctx: Ctx = { table: blockTable(graph), limits: resolveLimits(opts.limits), problems: [], bodies: new Map() };
  const g = graph as unknown as Record<string, unknown>;
  if (g.blocks !== undefined && !isRecord(g.blocks)) {
    ctx.problems.push(problem('CW330', { what: '"blocks"', found: g.blocks }, { path: 'blocks' }));
  }
  let level: Level;
  try {
    level = expandLevel(arr(g.nodes), arr(g.edges), [], ctx, []);
    // Definitions no instance uses are still checked, so a broken library block is reported where it is.
    for (const name of Object.keys(ctx.table)) bodyOf(name, ctx, []);
  } catch (e) {
    ctx.problems.push(problem('CW099', { detail: `expanding blocks: ${e instanceof Error ? e.message : show(e)}` }, { path: 'blocks' }));
    level = { nodes: [], edges: [], nodeTies: new Map(), portFeeds: [], instances: [], broken: new Set(), ok: false, chain: [] };
  }
  const flat: Graph = { ...graph, nodes: level.nodes.map((n) => n.raw as GraphNode), edges: level.edges.map((e) => e.raw as GraphEdge) };
  delete (flat as Record<string, unknown>).blocks;
  checkTiedParameters(graph, level.instances, ctx.problems);
  return {
    problems: ctx.problems, graph: flat,
    nodeOrigins: level.nodes.map((n) => n.origin), edgeOrigins: level.edges.map((e) => e.origin),
    nodeTies: level.nodeTies, instances: level.instances, portFeeds: level.portFeeds, broken: level.broken,
  };
}

/** The definition `name` expanded, or undefined when it is broken (reported once). */
function bodyOf(name: string, ctx: Ctx, stack: string[]): Body | undefined {
  if (ctx.bodies.has(name)) return ctx.bodies.get(name);
  const at = (...rest: (string | number)[]): string => pathOf('blocks', name, ...rest);
  const def = ctx.table[name];
  if (!isRecord(def) || !Array.isArray(def.nodes) || !Array.isArray(def.edges)) {
    ctx.problems.push(problem('CW330', { what: `block ${show(name)}`, found: def }, { path: at() }));
    ctx.bodies.set(name, undefined);
    return undefined;
  }
  if (stack.length >= MAX_BLOCK_DEPTH) {
    ctx.problems.push(problem('CW345', { chain: [...stack, name], limit: MAX_BLOCK_DEPTH }, { path: at() }));
    ctx.bodies.set(name, undefined);
    return undefined;
  }
  let ok = true;
  const ports: string[] = [];
  const portSizes = new Map<string, unknown>();
  const innerIds: string[] = [];
  def.nodes.forEach((n, k) => {
    if (!isRecord(n) || typeof n.id !== 'string') return;
    innerIds.push(n.id);
    if (n.kind === 'target' || n.kind === 'loss' || n.kind === 'layer') {
      ctx.problems.push(problem('CW334', { block: name, node: n.id, kind: String(n.kind) }, { path: at('nodes', k, 'kind') }));
      ok = false;
    }
    if (n.kind === 'input') {
      ports.push(n.id);
      portSizes.set(n.id, n.size);
    }
  });
  const outputs = outputPorts(def);
  const outputsBad = ((): string => {
    if (!Array.isArray(def.outputs) || def.outputs.length === 0) return 'must be a non-empty list of inner node ids';
    if (outputs.length !== def.outputs.length) return 'must hold only inner node ids (strings)';
    const missing = outputs.find((o) => !innerIds.includes(o));
    if (missing !== undefined) return `names "${missing}", which is not a node of the block`;
    const port = outputs.find((o) => ports.includes(o));
    if (port !== undefined) return `names "${port}", an input port: a block's outputs are nodes it computes`;
    if (new Set(outputs).size !== outputs.length) return 'names a node twice';
    return '';
  })();
  if (outputsBad) {
    const computed = innerIds.filter((id) => !ports.includes(id));
    ctx.problems.push(problem('CW333', { block: name, found: def.outputs, why: outputsBad, nodes: computed }, { path: at('outputs') }));
    ok = false;
  }
  def.edges.forEach((e, k) => {
    if (isRecord(e) && typeof e.target === 'string' && ports.includes(e.target)) {
      ctx.problems.push(problem('CW343', { block: name, edge: typeof e.id === 'string' ? e.id : show(e.id), port: e.target }, { path: at('edges', k, 'target') }));
      ok = false;
    }
  });
  // An instance of the definition inside itself is caught by the stack (CW332) before this is reached again.
  const level = expandLevel(def.nodes, def.edges, ['blocks', name], ctx, [...stack, name]);
  const chain = [name, ...level.chain];
  // Memoized definitions can nest deeper than the stack ever went: the depth is checked on the chain itself.
  if (ok && level.ok && chain.length > MAX_BLOCK_DEPTH) {
    ctx.problems.push(problem('CW345', { chain, limit: MAX_BLOCK_DEPTH }, { path: at() }));
    ok = false;
  }
  if (!ok || !level.ok) {
    ctx.bodies.set(name, undefined);
    return undefined;
  }
  const body: Body = { name, nodes: level.nodes, edges: level.edges, ports, portSizes, outputs, nodeTies: level.nodeTies, portFeeds: level.portFeeds, chain };
  ctx.bodies.set(name, body);
  return body;
}

/** Expands the instances among one list of nodes and edges (the graph's, or a definition's). */
function expandLevel(nodes: unknown[], edges: unknown[], base: (string | number)[], ctx: Ctx, stack: string[]): Level {
  const at = (...rest: (string | number)[]): string => pathOf(...base, ...rest);
  const inBlock = stack.length > 0 ? stack[stack.length - 1] : undefined;
  const out: Level = { nodes: [], edges: [], nodeTies: new Map(), portFeeds: [], instances: [], broken: new Set(), ok: true, chain: [] };
  const instances = new Map<string, { index: number; raw: Record<string, unknown>; body: Body | undefined; info: InstanceInfo }>();
  const ids = new Map<string, number>();
  /** Flat nodes in file order; an instance is a placeholder until it is inlined. */
  const slots: (FlatNode | string)[] = [];

  nodes.forEach((raw, index) => {
    if (isRecord(raw) && typeof raw.id === 'string' && !ids.has(raw.id)) ids.set(raw.id, index);
    if (!isRecord(raw) || raw.kind !== BLOCK_KIND) {
      slots.push({ raw: (raw ?? {}) as Record<string, unknown>, origin: { path: at('nodes', index) } });
      return;
    }
    const id = typeof raw.id === 'string' && raw.id !== '' ? raw.id : undefined;
    if (id === undefined) {
      ctx.problems.push(problem('CW011', { what: 'node', found: raw.id }, { path: at('nodes', index, 'id') }));
      out.ok = false;
      return;
    }
    if (ids.get(id) !== index) {
      ctx.problems.push(problem('CW012', { id, first: at('nodes', ids.get(id) ?? 0) }, { path: at('nodes', index, 'id'), node: id }));
      out.ok = false;
      return;
    }
    const name = raw.block;
    let body: Body | undefined;
    if (typeof name !== 'string' || !Object.hasOwn(ctx.table, name)) {
      ctx.problems.push(problem('CW331', { instance: id, block: name, known: Object.keys(ctx.table) }, { path: at('nodes', index, 'block'), node: id }));
    } else if (stack.includes(name)) {
      ctx.problems.push(problem('CW332', { chain: [...stack.slice(stack.indexOf(name)), name] }, { path: at('nodes', index, 'block'), node: id }));
    } else {
      body = bodyOf(name, ctx, stack);
    }
    if (!body) {
      out.ok = false;
      out.broken.add(id);
    }
    const info: InstanceInfo = { id, block: typeof name === 'string' ? name : '', index, feeds: new Map(), outputs: new Map() };
    if (body) for (const o of body.outputs) info.outputs.set(o, innerId(id, o));
    if (body && body.chain.length > out.chain.length) out.chain = body.chain;
    instances.set(id, { index, raw, body, info });
    slots.push(id);
  });

  // Edges: those into an instance feed its ports; the others are kept, leaving instances from their output node.
  const counts = new Map<string, Map<string, number>>();
  edges.forEach((raw, index) => {
    if (!isRecord(raw)) {
      out.edges.push({ raw: (raw ?? {}) as Record<string, unknown>, origin: { path: at('edges', index) } });
      return;
    }
    const eid = typeof raw.id === 'string' ? raw.id : show(raw.id);
    const src = typeof raw.source === 'string' ? instances.get(raw.source) : undefined;
    const dst = typeof raw.target === 'string' ? instances.get(raw.target) : undefined;
    let source = raw.source;
    if (src) {
      if (!src.body) return; // the broken instance is reported
      const outs = src.body.outputs;
      const port = raw.sourcePort === undefined && outs.length === 1 ? outs[0] : raw.sourcePort;
      if (typeof port !== 'string' || !outs.includes(port)) {
        ctx.problems.push(problem('CW337', { edge: eid, instance: src.info.id, block: src.body.name, found: raw.sourcePort, ports: outs }, { path: at('edges', index, 'sourcePort'), edge: eid, node: src.info.id }));
        out.ok = false;
        return;
      }
      source = innerId(src.info.id, port);
    } else if (raw.sourcePort !== undefined) {
      ctx.problems.push(problem('CW344', { edge: eid, source: show(raw.source) }, { path: at('edges', index, 'sourcePort'), edge: eid }));
      out.ok = false;
    }
    if (!dst) {
      const copy: Record<string, unknown> = { ...raw, source };
      delete copy.sourcePort;
      out.edges.push({ raw: copy, origin: { path: at('edges', index) } });
      return;
    }
    if (!dst.body) return;
    if (raw.weight !== undefined && raw.weight !== 'identity') {
      ctx.problems.push(problem('CW338', { edge: eid, instance: dst.info.id, weight: raw.weight }, { path: at('edges', index, 'weight'), edge: eid, node: dst.info.id }));
      out.ok = false;
    }
    const ports = dst.body.ports;
    const port = raw.port === undefined && ports.length === 1 ? ports[0] : raw.port;
    if (typeof port !== 'string' || !ports.includes(port)) {
      ctx.problems.push(problem('CW335', { edge: eid, instance: dst.info.id, block: dst.body.name, found: raw.port, ports }, { path: at('edges', index, 'port'), edge: eid, node: dst.info.id }));
      out.ok = false;
      return;
    }
    const c = counts.get(dst.info.id) ?? new Map<string, number>();
    c.set(port, (c.get(port) ?? 0) + 1);
    counts.set(dst.info.id, c);
    if (typeof source === 'string' && !dst.info.feeds.has(port)) {
      dst.info.feeds.set(port, source);
      out.portFeeds.push({ instance: dst.info.id, block: dst.body.name, port, portSize: dst.body.portSizes.get(port), source, edge: eid, path: at('edges', index, 'source') });
    }
  });

  // Every port fed once; ties to another instance of the same block that owns its weights.
  for (const { index, raw, body, info } of instances.values()) {
    if (!body) continue;
    for (const port of body.ports) {
      const c = counts.get(info.id)?.get(port) ?? 0;
      if (c !== 1) {
        ctx.problems.push(problem('CW336', { instance: info.id, block: body.name, port, count: c }, { path: at('nodes', index), node: info.id }));
        out.ok = false;
      }
    }
    if (raw.tie === undefined) continue;
    const owner = typeof raw.tie === 'string' ? instances.get(raw.tie) : undefined;
    let why = '';
    if (typeof raw.tie !== 'string') why = 'it must be the id of another instance (a string)';
    else if (!owner) why = `"${raw.tie}" is not a block instance${inBlock === undefined ? ' of the graph' : ` in block ${show(inBlock)}`}`;
    else if (owner.info.id === info.id) why = 'an instance cannot be tied to itself';
    else if (owner.raw.block !== raw.block) why = `"${raw.tie}" is an instance of ${show(owner.raw.block)}, not of "${body.name}"`;
    else if (owner.raw.tie !== undefined) why = `"${raw.tie}" is tied to another instance itself (tie to the instance that owns the weights)`;
    if (why) {
      ctx.problems.push(problem('CW339', { instance: info.id, tie: raw.tie, why }, { path: at('nodes', index, 'tie'), node: info.id }));
      out.ok = false;
      continue;
    }
    info.tie = raw.tie as string;
  }

  // Size, before anything is copied: instances of instances multiply.
  let nodeCount = 0;
  let edgeCount = out.edges.length;
  let largest = { id: '', nodes: 0, edges: 0 };
  for (const s of slots) {
    if (typeof s !== 'string') {
      nodeCount++;
      continue;
    }
    const body = instances.get(s)!.body;
    if (!body) continue;
    nodeCount += body.nodes.length - body.ports.length;
    edgeCount += body.edges.length;
    if (body.nodes.length > largest.nodes) largest = { id: s, nodes: body.nodes.length, edges: body.edges.length };
  }
  for (const [what, count, limit] of [['nodes', nodeCount, ctx.limits.maxNodes], ['edges', edgeCount, ctx.limits.maxEdges]] as const) {
    if (count > limit) {
      const big = largest.id ? `instance "${largest.id}" of block ${show(instances.get(largest.id)!.info.block)}, ${largest.nodes} nodes and ${largest.edges} edges` : 'the graph\'s own';
      ctx.problems.push(problem('CW341', { what, count, limit, largest: big }, { path: inBlock === undefined ? 'nodes' : at() }));
      out.ok = false;
      return out;
    }
  }

  // Inline.
  for (const s of slots) {
    if (typeof s !== 'string') {
      out.nodes.push(s);
      continue;
    }
    const inst = instances.get(s)!;
    out.instances.push(inst.info);
    if (inst.body && !inline(inst.info, inst.body, out, ids, at, ctx.problems)) out.ok = false;
  }
  return out;
}

/** Copies a definition's body into a level under the instance's id. */
function inline(info: InstanceInfo, body: Body, out: Level, taken: ReadonlyMap<string, number>, at: (...rest: (string | number)[]) => string, problems: Problem[]): boolean {
  const id = info.id;
  let ok = true;
  const owner = info.tie;
  const kinds = new Map<string, unknown>();
  for (const n of body.nodes) if (typeof n.raw.id === 'string') kinds.set(n.raw.id, n.raw.kind);
  // At each level up the instance path grows and `top` becomes the outer instance: at the graph's level, the top-level one.
  const here = (o: Origin, inner: string): Origin => ({
    path: o.path, top: id, instance: o.instance === undefined ? id : innerId(id, o.instance), block: o.block ?? body.name, inner: o.inner ?? inner,
  });
  for (const n of body.nodes) {
    const nid = n.raw.id;
    if (typeof nid !== 'string' || !isRecord(n.raw)) {
      out.nodes.push({ raw: n.raw, origin: here(n.origin, '?') }); // malformed: the flat graph's validation reports it here
      continue;
    }
    if (body.ports.includes(nid)) continue;
    const flatId = innerId(id, nid);
    if (taken.has(flatId)) {
      problems.push(problem('CW340', { id: flatId, instance: id, node: nid }, { path: at('nodes', taken.get(flatId)!, 'id'), node: flatId }));
      ok = false;
      continue;
    }
    out.nodes.push({ raw: { ...n.raw, id: innerId(id, nid) }, origin: here(n.origin, nid) });
    if (owner !== undefined) out.nodeTies.set(innerId(id, nid), innerId(owner, body.nodeTies.get(nid) ?? nid));
  }
  if (owner === undefined) for (const [a, b] of body.nodeTies) out.nodeTies.set(innerId(id, a), innerId(id, b));
  for (const e of body.edges) {
    if (!isRecord(e.raw)) {
      out.edges.push({ raw: e.raw, origin: here(e.origin, '?') });
      continue;
    }
    const raw: Record<string, unknown> = { ...e.raw };
    const eid = typeof raw.id === 'string' ? raw.id : undefined;
    if (eid !== undefined) raw.id = innerId(id, eid);
    if (typeof raw.source === 'string') {
      raw.source = body.ports.includes(raw.source) ? info.feeds.get(raw.source) ?? innerId(id, raw.source) : innerId(id, raw.source);
    }
    if (typeof raw.target === 'string') raw.target = innerId(id, raw.target);
    const target = typeof e.raw.target === 'string' ? kinds.get(e.raw.target) : undefined;
    const learned = target === 'gate' && raw.weight !== 'identity';
    if (owner !== undefined && learned && eid !== undefined) raw.tie = innerId(owner, typeof e.raw.tie === 'string' ? e.raw.tie : eid);
    else if (typeof raw.tie === 'string') raw.tie = innerId(id, raw.tie);
    out.edges.push({ raw, origin: here(e.origin, eid ?? '?') });
  }
  for (const f of body.portFeeds) {
    out.portFeeds.push({ ...f, instance: innerId(id, f.instance), source: body.ports.includes(f.source) ? info.feeds.get(f.source) ?? f.source : innerId(id, f.source) });
  }
  return ok;
}

/** A parameter of a tied instance's inner node or edge (`bias:g2/f`) is refused: it uses its owner's. */
function checkTiedParameters(graph: Graph, instances: InstanceInfo[], problems: Problem[]): void {
  const params = (graph as Record<string, unknown>).parameters;
  if (!isRecord(params)) return;
  const tied = instances.filter((i) => i.tie !== undefined);
  if (tied.length === 0) return;
  for (const key of Object.keys(params)) {
    const colon = key.indexOf(':');
    const id = key.slice(colon + 1);
    const inst = tied.find((i) => id.startsWith(`${i.id}/`));
    if (inst) problems.push(problem('CW342', { key, instance: inst.id, owner: inst.tie! }, { path: pathOf('parameters', key), node: inst.id }));
  }
}
