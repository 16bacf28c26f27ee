/**
 * What the views call a node or an edge: its label when it has one (the
 * reference text's notation, "forget f_t", drawn with real subscripts on
 * canvases), its id otherwise. The id is shown only where it matters — CSV
 * headers, the inspector, and next to a name when two nodes share it.
 */
import type { Graph } from '../../engine/format/types.ts';

const SUB: Record<string, string> = {
  0: '₀', 1: '₁', 2: '₂', 3: '₃', 4: '₄', 5: '₅', 6: '₆', 7: '₇', 8: '₈', 9: '₉',
  '+': '₊', '-': '₋', '−': '₋', '=': '₌', '(': '₍', ')': '₎',
  a: 'ₐ', e: 'ₑ', h: 'ₕ', i: 'ᵢ', j: 'ⱼ', k: 'ₖ', l: 'ₗ', m: 'ₘ', n: 'ₙ', o: 'ₒ', p: 'ₚ', r: 'ᵣ', s: 'ₛ', t: 'ₜ', u: 'ᵤ', v: 'ᵥ', x: 'ₓ',
};

function subscript(text: string): string | null {
  let out = '';
  for (const ch of text) {
    const s = SUB[ch];
    if (s === undefined) return null;
    out += s;
  }
  return out;
}

/** "h_{t−1}" → "hₜ₋₁", "f_t" → "fₜ"; a subscript with no Unicode form stays "_x". */
export function plainMath(text: string): string {
  return text.replace(/_\{([^}]*)\}|_([^\s_{}⊙·+,()]+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const inner = braced ?? bare ?? '';
    const sub = subscript(inner);
    return sub ?? (braced !== undefined ? `_${inner}` : whole);
  });
}

/** Every node's display name; a name two nodes share gets its id appended so they stay apart. */
export function nodeNames(graph: Graph): Map<string, string> {
  const names = new Map<string, string>();
  const count = new Map<string, number>();
  for (const node of graph.nodes) {
    const name = node.label ? plainMath(node.label) : node.id;
    names.set(node.id, name);
    count.set(name, (count.get(name) ?? 0) + 1);
  }
  for (const node of graph.nodes) {
    const name = names.get(node.id)!;
    if ((count.get(name) ?? 0) > 1 && name !== node.id) names.set(node.id, `${name} (${node.id})`);
  }
  return names;
}

/** The cache behind nodeName: one map per graph object (graphs are immutable values). */
const cache = new WeakMap<Graph, Map<string, string>>();

export function nodeName(graph: Graph, id: string): string {
  let names = cache.get(graph);
  if (!names) {
    names = nodeNames(graph);
    cache.set(graph, names);
  }
  return names.get(id) ?? id;
}

/** An edge by what it connects: "hₜ₋₁ → forget fₜ". */
export function edgeName(graph: Graph, id: string): string {
  const edge = graph.edges.find((e) => e.id === id);
  return edge ? `${nodeName(graph, edge.source)} → ${nodeName(graph, edge.target)}` : id;
}
