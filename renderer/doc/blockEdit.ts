/**
 * Edit block (docs/blocks.md): a block's definition shown and edited as a
 * graph of its own. The canvas and the inspector work on `definitionView` —
 * an ordinary Graph whose nodes and edges are the definition's — and every
 * edit of that view is written back into `blocks[name]` of the document by
 * `writeDefinition`, one undo step in the document's history, so every
 * instance of the block changes at once. Problems and sizes of the whole
 * document are mapped onto the inner ids (`blockProblems`, `blockSizes`).
 */
import type { Graph, GraphEdge, GraphNode, Problem } from '../../engine/format/types.ts';
import { pathOf } from '../../engine/format/validate.ts';
import { idTable } from '../../engine/format/dict.ts';
import { BLOCK_KIND, blockTable, innerId } from '../../engine/blocks/types.ts';
import type { BlockDef } from '../../engine/blocks/types.ts';
import { definitionOf } from './blocks.ts';

const views = new WeakMap<Graph, Map<string, Graph>>();

/**
 * The definition of block `name` as a graph (its nodes and edges, the file's
 * other blocks for nested instances), or undefined when the file has no such
 * block. The same document gives the same object (views are cached), so a
 * view that has not changed is not redrawn.
 */
export function definitionView(graph: Graph, name: string): Graph | undefined {
  const def = definitionOf(graph, name);
  if (!def || !Array.isArray(def.nodes) || !Array.isArray(def.edges)) return undefined;
  let cache = views.get(graph);
  if (!cache) {
    cache = new Map();
    views.set(graph, cache);
  }
  let view = cache.get(name);
  if (!view) {
    view = { version: graph.version, name, nodes: def.nodes as GraphNode[], edges: def.edges } as Graph;
    if (graph.blocks !== undefined) view.blocks = graph.blocks;
    cache.set(name, view);
  }
  return view;
}

/** Inner ids renamed by the edit: same count of nodes, another id at the same index. */
function renamedIds(before: readonly { id?: unknown }[], after: readonly { id?: unknown }[]): Map<string, string> {
  const out = new Map<string, string>();
  if (before.length !== after.length) return out;
  for (let i = 0; i < before.length; i += 1) {
    const a = before[i]?.id;
    const b = after[i]?.id;
    if (typeof a === 'string' && typeof b === 'string' && a !== b) out.set(a, b);
  }
  return out;
}

/**
 * The document with block `name`'s definition replaced by the (edited) view.
 * Its outputs follow renamed inner nodes and lose deleted ones; the edges of
 * the instances in the file follow renamed ports. Blocks the view added (a
 * library block placed inside) join the file's table. Stored parameters that
 * no longer fit are dropped by the document store's commit, as for any edit.
 */
export function writeDefinition(graph: Graph, name: string, view: Graph): Graph {
  const def = definitionOf(graph, name);
  if (!def) return graph;
  if (view.nodes === def.nodes && view.edges === def.edges && (view.blocks ?? graph.blocks) === graph.blocks) return graph;
  const renamed = renamedIds(def.nodes, view.nodes);
  const ids = new Set(view.nodes.map((n) => n.id));
  const outputs = (Array.isArray(def.outputs) ? def.outputs : []).map((o) => renamed.get(o) ?? o).filter((o) => ids.has(o));
  const next: BlockDef = { ...def, nodes: view.nodes, edges: view.edges, outputs };
  const blocks = idTable<unknown>();
  for (const [k, v] of Object.entries(blockTable(graph))) blocks[k] = v;
  for (const [k, v] of Object.entries(blockTable(view))) if (!Object.hasOwn(blocks, k)) blocks[k] = v;
  blocks[name] = next;
  let edges = graph.edges;
  if (renamed.size > 0) {
    const instances = new Set(graph.nodes.filter((n) => (n.kind as string) === BLOCK_KIND && (n as Record<string, unknown>).block === name).map((n) => n.id));
    edges = graph.edges.map((e) => {
      let copy: GraphEdge = e;
      if (instances.has(e.source) && typeof e.sourcePort === 'string' && renamed.has(e.sourcePort)) copy = { ...copy, sourcePort: renamed.get(e.sourcePort)! };
      if (instances.has(e.target) && typeof e.port === 'string' && renamed.has(e.port)) copy = { ...copy, port: renamed.get(e.port) as never };
      return copy;
    });
  }
  return { ...graph, blocks, edges };
}

/** The top-level instances of block `name`, in file order. */
export function instancesOf(graph: Graph, name: string): string[] {
  return graph.nodes.filter((n) => (n.kind as string) === BLOCK_KIND && (n as Record<string, unknown>).block === name).map((n) => n.id);
}

/**
 * The document's problems that point into block `name` (`blocks["my gate"].nodes[2]…`,
 * or an inner element of one of its instances, `g1/f`), with `node` / `edge`
 * set to the inner ids so the canvas flags the inner nodes and edges.
 */
export function blockProblems(graph: Graph, name: string, problems: readonly Problem[]): Problem[] {
  const def = definitionOf(graph, name);
  if (!def) return [];
  const prefix = pathOf('blocks', name);
  const instances = instancesOf(graph, name);
  const nodeIds = new Set(def.nodes.map((n) => n.id));
  const edgeIds = new Set(def.edges.map((e) => e.id));
  const inner = (id: string | undefined, known: ReadonlySet<string>): string | undefined => {
    if (id === undefined) return undefined;
    for (const inst of instances) {
      const head = innerId(inst, '');
      if (id.startsWith(head) && known.has(id.slice(head.length))) return id.slice(head.length);
    }
    return undefined;
  };
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const p of problems) {
    let node: string | undefined;
    let edge: string | undefined;
    const at = p.path.startsWith(prefix) ? p.path.slice(prefix.length) : undefined;
    const match = at !== undefined ? /^\.(nodes|edges)\[(\d+)\]/.exec(at) : null;
    if (match) {
      const index = Number(match[2]);
      if (match[1] === 'nodes') node = def.nodes[index]?.id;
      else {
        edge = def.edges[index]?.id;
        // The engine names the instance as the node of an inner problem: inside, it is the edge's target.
        if (p.node !== undefined && instances.includes(p.node)) node = def.edges[index]?.target;
      }
    }
    node ??= inner(p.node, nodeIds);
    edge ??= inner(p.edge, edgeIds);
    if (at === undefined && node === undefined && edge === undefined) continue;
    // The same inner problem found once per instance is shown once.
    const key = `${p.code}\u0000${node ?? ''}\u0000${edge ?? ''}\u0000${at ?? ''}`;
    if (at === undefined && seen.has(key)) continue;
    seen.add(key);
    const mapped: Problem = { ...p, node, edge };
    delete mapped.nodes;
    out.push(mapped);
  }
  return out;
}

/** Sizes of the inner nodes, read from the first instance that has them (input ports: their own size). */
export function blockSizes(graph: Graph, name: string, sizes: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  const def = definitionOf(graph, name);
  if (!def) return out;
  const instances = instancesOf(graph, name);
  for (const n of def.nodes) {
    if (!n || typeof n.id !== 'string') continue;
    const own = (n as { size?: unknown }).size;
    if (n.kind === 'input' && typeof own === 'number') {
      out.set(n.id, own);
      continue;
    }
    for (const inst of instances) {
      const size = sizes.get(innerId(inst, n.id));
      if (size !== undefined) {
        out.set(n.id, size);
        break;
      }
    }
  }
  return out;
}

/** The block whose definition a problem's JSON path points into (`blocks["my gate"].edges[1]` → "my gate"), or null. */
export function blockOfPath(graph: Graph, path: string): string | null {
  let best: string | null = null;
  let length = 0;
  for (const name of Object.keys(blockTable(graph))) {
    const prefix = pathOf('blocks', name);
    const next = path.charAt(prefix.length);
    if (path.startsWith(prefix) && (next === '' || next === '.' || next === '[') && prefix.length > length) {
      best = name;
      length = prefix.length;
    }
  }
  return best;
}
