/**
 * Validation of a graph with layers, and its split into parts the ordinary
 * validator and compiler understand:
 *
 * - the outer "flat" graph: every layer node replaced, at the same index, by
 *   an input node of the layer's output size (to the outer step graph a
 *   layer's output is a sequence known in advance, like an input stream);
 *   edges into layers and `layer:` parameters removed;
 * - per layer and per copy (forward, reverse), the nested step graph as a
 *   standalone graph holding that copy's parameters (keys without prefix).
 *
 * Problems of the flat and nested graphs come from engine/format/validate.ts,
 * rewritten to point into the original file (`nodes[2].graph.edges[0]`,
 * `parameters["layer:l1/edge:x_f"]`). Never throws.
 */
import { problem, show } from '../errors.ts';
import type { Graph, GraphEdge, GraphNode, Problem, TensorJSON } from '../format/types.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../format/types.ts';
import type { ValidateOptions } from '../format/validate.ts';
import { hasErrors, inferSizes, pathOf, validateGraph } from '../format/validate.ts';
import type { Direction } from './types.ts';
import { copyPrefix, DIRECTIONS, LAYER_KIND, paramPrefix } from './types.ts';

/** Where a layer's nested input port gets its sequence: an outer input node or another layer. */
export interface PortFeed {
  /** Nested input node id. */
  port: string;
  /** Outer node id (an input node or a layer). */
  source: string;
  sourceIsLayer: boolean;
}

export interface LayerCopyInfo {
  /** Runs over reversed time. */
  reverse: boolean;
  /** `l1/` or `l1/reverse/`: prefix of reported node ids. */
  prefix: string;
  /** `layer:l1/` or `layer:l1/reverse/`: prefix of parameter keys. */
  keyPrefix: string;
  /** The nested graph as a standalone graph with this copy's parameters. */
  graph: Graph;
}

export interface LayerInfo {
  id: string;
  /** Index of the layer node in the file's nodes. */
  index: number;
  direction: Direction;
  output: string;
  /** Size of the output node (one copy). */
  copySize: number;
  /** The layer's output size: copySize, or 2·copySize when bidirectional. */
  size: number;
  feeds: PortFeed[];
  copies: LayerCopyInfo[];
}

export interface LayerAnalysis {
  problems: Problem[];
  /** The outer graph with layers as input nodes (meaningful when there are no errors). */
  flat: Graph;
  /** Layers in an order where every layer comes after the layers it reads. */
  layers: LayerInfo[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Rewrites a problem of a nested graph so it points into the layer node. */
function nestedProblem(p: Problem, layer: string, index: number, prefix: string, keyPrefix: string): Problem {
  let path: string;
  const m = /^parameters(?:\["((?:[^"\\]|\\.)*)"\]|\.([A-Za-z_$][\w$]*))(.*)$/.exec(p.path);
  if (m) {
    const key = m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2];
    path = `${pathOf('parameters', keyPrefix + key)}${m[3]}`;
  } else if (p.path.startsWith('parameters')) {
    path = 'parameters';
  } else {
    path = p.path === '' ? pathOf('nodes', index, 'graph') : `${pathOf('nodes', index, 'graph')}.${p.path}`;
  }
  const copy = prefix.endsWith('/reverse/') ? ' (backward copy)' : '';
  const out: Problem = { ...p, message: `in layer "${layer}"${copy}: ${p.message}`, path, node: layer };
  if (p.nodes) out.nodes = p.nodes.map((n) => prefix + n);
  return out;
}

/**
 * Checks a graph that may hold layer nodes and splits it (see the file comment).
 *
 * Example: analyzeLayers(twoLayerLstm).layers.map((l) => l.id) // ['l1', 'l2']
 */
export function analyzeLayers(graph: Graph, options: ValidateOptions = {}): LayerAnalysis {
  try {
    return analyze(graph, options);
  } catch (e) {
    const problems = [problem('CW099', { detail: e instanceof Error ? e.message : show(e) }, { path: '' })];
    return { problems, flat: graph, layers: [] };
  }
}

function analyze(graph: Graph, options: ValidateOptions): LayerAnalysis {
  const problems: Problem[] = [];
  const nodes = arr(graph.nodes);
  const edges = arr(graph.edges);
  const params = isRecord(graph.parameters) ? graph.parameters : undefined;
  const kindOf = new Map<string, unknown>();
  const sizeOf = new Map<string, number>();
  for (const n of nodes) {
    if (isRecord(n) && typeof n.id === 'string' && !kindOf.has(n.id)) {
      kindOf.set(n.id, n.kind);
      if (typeof n.size === 'number') sizeOf.set(n.id, n.size);
    }
  }

  // ── each layer node on its own ───────────────────────────────────────────
  const infos = new Map<string, LayerInfo>();
  const ok = new Set<string>();
  const reported = new Map<string, { layer: string; node: string }>();
  nodes.forEach((raw, index) => {
    if (!isRecord(raw) || raw.kind !== LAYER_KIND || typeof raw.id !== 'string' || raw.id === '') return;
    const id = raw.id;
    if (infos.has(id)) return; // duplicate ids: the flat graph's validation reports them
    const at = (...rest: (string | number)[]): string => pathOf('nodes', index, ...rest);
    let bad = false;
    const direction = raw.direction === undefined ? 'forward' : raw.direction;
    if (!(DIRECTIONS as readonly unknown[]).includes(direction)) {
      problems.push(problem('CW171', { layer: id, found: raw.direction }, { path: at('direction'), node: id }));
      bad = true;
    }
    const g = raw.graph;
    if (!isRecord(g) || !Array.isArray(g.nodes) || !Array.isArray(g.edges)) {
      problems.push(problem('CW170', { layer: id, found: g }, { path: at('graph'), node: id }));
      return;
    }
    if (g.parameters !== undefined) {
      problems.push(problem('CW182', { layer: id }, { path: at('graph', 'parameters'), node: id }));
      bad = true;
    }
    const nestedIds: string[] = [];
    const nestedInputs: string[] = [];
    g.nodes.forEach((n, k) => {
      if (!isRecord(n) || typeof n.id !== 'string') return;
      nestedIds.push(n.id);
      if (n.kind === 'target' || n.kind === 'loss' || n.kind === LAYER_KIND) {
        problems.push(problem('CW173', { layer: id, node: n.id, kind: String(n.kind) }, { path: at('graph', 'nodes', k, 'kind'), node: id }));
        bad = true;
      }
      if (n.kind === 'input') {
        nestedInputs.push(n.id);
        if (n.reverse === true) {
          problems.push(problem('CW181', { layer: id, node: n.id }, { path: at('graph', 'nodes', k, 'reverse'), node: id }));
          bad = true;
        }
      }
    });
    if (typeof raw.output !== 'string' || !nestedIds.includes(raw.output)) {
      problems.push(problem('CW172', { layer: id, found: raw.output, nodes: nestedIds }, { path: at('output'), node: id }));
      bad = true;
    }
    const dir = direction as Direction;
    const copies: LayerCopyInfo[] = [];
    const copyDefs = dir === 'bidirectional' ? [false, true] : [dir === 'reverse'];
    copyDefs.forEach((reverse, c) => {
      const backward = dir === 'bidirectional' && c === 1;
      const prefix = copyPrefix(id, backward);
      const keyPrefix = paramPrefix(id, backward);
      const own: Record<string, TensorJSON> = {};
      for (const [key, value] of Object.entries(params ?? {})) {
        if (!key.startsWith(keyPrefix)) continue;
        const rest = key.slice(keyPrefix.length);
        // `layer:l1/reverse/…` is the backward copy's, not a forward key named "reverse/…"
        if (!backward && rest.startsWith('reverse/')) {
          if (dir !== 'bidirectional') problems.push(problem('CW185', { key, layer: id, direction: dir }, { path: pathOf('parameters', key), node: id }));
          continue;
        }
        own[rest] = value as TensorJSON;
      }
      const nested: Graph = {
        ...(g as Record<string, unknown>),
        format: GRAPH_FORMAT, version: GRAPH_VERSION,
        nodes: g.nodes as GraphNode[], edges: g.edges as GraphEdge[],
      };
      if (Object.keys(own).length > 0) nested.parameters = own;
      else delete nested.parameters;
      // The nested graph reads no target and writes no loss: "no loss node" is not a problem here.
      for (const p of validateGraph(nested, options)) {
        if (p.code === 'CW049' || (c > 0 && !p.path.startsWith('parameters'))) continue;
        problems.push(nestedProblem(p, id, index, prefix, keyPrefix));
        if (p.severity === 'error') bad = true;
      }
      copies.push({ reverse, prefix, keyPrefix, graph: nested });
      for (const nid of nestedIds) if (!reported.has(prefix + nid)) reported.set(prefix + nid, { layer: id, node: nid });
    });
    if (nestedInputs.length === 0) {
      problems.push(problem('CW184', { layer: id }, { path: at('graph', 'nodes'), node: id }));
      bad = true;
    }
    const copySize = bad ? 1 : inferSizes(copies[0].graph).get(raw.output as string) ?? 1;
    infos.set(id, {
      id, index, direction: dir, output: String(raw.output), copySize, size: dir === 'bidirectional' ? 2 * copySize : copySize,
      feeds: [], copies,
    });
    sizeOf.set(id, dir === 'bidirectional' ? 2 * copySize : copySize);
    if (!bad) ok.add(id);
  });

  // Layer parameters that name no layer.
  for (const key of Object.keys(params ?? {})) {
    if (!key.startsWith('layer:')) continue;
    const layer = key.slice('layer:'.length).split('/')[0];
    if (!infos.has(layer)) problems.push(problem('CW183', { key, layer }, { path: pathOf('parameters', key) }));
  }

  // Reported ids must not collide with outer ids.
  for (const [rid, { layer, node }] of reported) {
    if (kindOf.has(rid)) {
      const index = nodes.findIndex((n) => isRecord(n) && n.id === rid);
      problems.push(problem('CW180', { id: rid, layer, node }, { path: pathOf('nodes', index, 'id'), node: rid }));
    }
  }

  // ── edges into layers ───────────────────────────────────────────────────
  const flatEdges: GraphEdge[] = [];
  const edgeIndex: number[] = [];
  const fedBy = new Map<string, Map<string, number>>();
  edges.forEach((raw, index) => {
    const target = isRecord(raw) && typeof raw.target === 'string' ? raw.target : undefined;
    const info = target !== undefined && kindOf.get(target) === LAYER_KIND ? infos.get(target) : undefined;
    if (!isRecord(raw) || !info) {
      flatEdges.push(raw as GraphEdge);
      edgeIndex.push(index);
      return;
    }
    const eid = typeof raw.id === 'string' ? raw.id : show(raw.id);
    const where = (field?: string): { path: string; edge: string; node: string } => ({
      path: field ? pathOf('edges', index, field) : pathOf('edges', index), edge: eid, node: info.id,
    });
    if (raw.weight !== undefined && raw.weight !== 'identity') problems.push(problem('CW178', { edge: eid, layer: info.id, weight: raw.weight }, where('weight')));
    const source = typeof raw.source === 'string' ? raw.source : undefined;
    const sKind = source === undefined ? undefined : kindOf.get(source);
    if (source === undefined || sKind === undefined) {
      problems.push(problem('CW031', { end: 'source', found: raw.source }, where('source')));
      return;
    }
    if (sKind === LAYER_KIND && !infos.has(source)) return; // a broken layer, reported above
    if (sKind !== 'input' && sKind !== LAYER_KIND) {
      problems.push(problem('CW174', { edge: eid, layer: info.id, source, kind: String(sKind) }, where('source')));
      return;
    }
    const nestedNodes = info.copies[0]?.graph.nodes ?? [];
    const inputs = nestedNodes.filter((n) => isRecord(n) && n.kind === 'input').map((n) => n.id);
    let port: string | undefined;
    if (raw.port === undefined && inputs.length === 1) port = inputs[0];
    else if (typeof raw.port === 'string' && inputs.includes(raw.port)) port = raw.port;
    if (port === undefined) {
      if (inputs.length > 0) problems.push(problem('CW175', { edge: eid, layer: info.id, found: raw.port, ports: inputs }, where('port')));
      return;
    }
    const counts = fedBy.get(info.id) ?? new Map<string, number>();
    counts.set(port, (counts.get(port) ?? 0) + 1);
    fedBy.set(info.id, counts);
    const portSize = (nestedNodes.find((n) => n.id === port) as { size?: unknown } | undefined)?.size;
    const srcSize = sizeOf.get(source);
    if (typeof portSize === 'number' && srcSize !== undefined && portSize !== srcSize && ok.has(info.id) && (sKind !== LAYER_KIND || ok.has(source))) {
      problems.push(problem('CW177', { edge: eid, layer: info.id, port, source, size: srcSize, portSize }, where('source')));
    }
    info.feeds.push({ port, source, sourceIsLayer: sKind === LAYER_KIND });
  });
  for (const info of infos.values()) {
    const inputs = (info.copies[0]?.graph.nodes ?? []).filter((n) => isRecord(n) && n.kind === 'input').map((n) => n.id);
    const counts = fedBy.get(info.id) ?? new Map<string, number>();
    for (const port of inputs) {
      const c = counts.get(port) ?? 0;
      if (c !== 1) problems.push(problem('CW176', { layer: info.id, port, count: c }, { path: pathOf('nodes', info.index), node: info.id }));
    }
  }

  // ── order: layers after the layers they read; cycles refused ─────────────
  const order: LayerInfo[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (id: string, stack: string[]): void => {
    if (state.get(id) === 2) return;
    if (state.get(id) === 1) {
      const cycle = stack.slice(stack.indexOf(id));
      if (!problems.some((p) => p.code === 'CW179')) {
        problems.push(problem('CW179', { cycle }, { path: pathOf('nodes', infos.get(id)!.index), node: id, nodes: cycle }));
      }
      return;
    }
    state.set(id, 1);
    for (const f of infos.get(id)!.feeds) if (f.sourceIsLayer) visit(f.source, [...stack, id]);
    state.set(id, 2);
    order.push(infos.get(id)!);
  };
  for (const id of infos.keys()) visit(id, []);

  // ── the flat outer graph ─────────────────────────────────────────────────
  const layerFed = new Set<string>();
  for (const info of infos.values()) for (const f of info.feeds) layerFed.add(f.source);
  const flatNodes = nodes.map((n) => {
    if (!isRecord(n) || n.kind !== LAYER_KIND || typeof n.id !== 'string') return n;
    const info = infos.get(n.id);
    const stand: Record<string, unknown> = { id: n.id, kind: 'input', size: info?.size ?? 1 };
    return stand;
  }) as GraphNode[];
  const flatParams = params ? Object.fromEntries(Object.entries(params).filter(([k]) => !k.startsWith('layer:'))) : undefined;
  const flat: Graph = { ...graph, nodes: flatNodes, edges: flatEdges };
  if (flatParams) flat.parameters = flatParams as Record<string, TensorJSON>;
  for (const p of validateGraph(flat, options)) {
    // An input node that only feeds layers reaches the loss through them.
    if (p.code === 'CW070' && p.node !== undefined && layerFed.has(p.node)) continue;
    const m = /^edges\[(\d+)\](.*)$/.exec(p.path);
    problems.push(m ? { ...p, path: `edges[${edgeIndex[Number(m[1])]}]${m[2]}` } : p);
  }
  return { problems, flat, layers: hasErrors(problems) ? [] : order };
}
