/**
 * The one-click fixes a flagged node offers (reference text §5), as pure
 * edits Graph → Graph: turn on norm clipping, identity init + ReLU (IRNN),
 * orthogonal init, forget-gate bias 1, a shorter sequence, and switching the
 * recurrent core to another template (LSTM, GRU) while keeping the input,
 * readout, loss, task and training blocks.
 */
import type { Graph, GraphEdge, GraphNode, TensorJSON } from '../../engine/format/types.ts';
import { groupsOf } from './groups.ts';
import { uniqueId } from './ops.ts';
import { setting, settingDefault } from '../../engine/train/settings.ts';

type Params = Record<string, TensorJSON>;

function byId(graph: Graph): Map<string, GraphNode> {
  return new Map(graph.nodes.map((node) => [node.id, node]));
}

/**
 * The recurrent core around a cell: the strongly connected component that
 * holds it (every node on a loop through the cell), without inputs, targets
 * and losses. For an Elman RNN {h, h_new}; for an LSTM every gate, op and
 * both cells.
 */
export function recurrentCore(graph: Graph, cellId: string): Set<string> {
  const out = new Map<string, string[]>();
  const inn = new Map<string, string[]>();
  for (const edge of graph.edges) {
    (out.get(edge.source) ?? out.set(edge.source, []).get(edge.source)!).push(edge.target);
    (inn.get(edge.target) ?? inn.set(edge.target, []).get(edge.target)!).push(edge.source);
  }
  const reach = (start: string, next: Map<string, string[]>): Set<string> => {
    const seen = new Set([start]);
    const stack = [start];
    while (stack.length) for (const n of next.get(stack.pop()!) ?? []) if (!seen.has(n)) { seen.add(n); stack.push(n); }
    return seen;
  };
  const forward = reach(cellId, out);
  const backward = reach(cellId, inn);
  const kinds = byId(graph);
  const core = new Set<string>();
  for (const id of forward) {
    const kind = kinds.get(id)?.kind;
    if (backward.has(id) && kind !== 'input' && kind !== 'target' && kind !== 'loss') core.add(id);
  }
  return core;
}

/** Every cell's core joined: a template's whole recurrent part. */
function allCores(graph: Graph): Set<string> {
  const core = new Set<string>();
  for (const node of graph.nodes) if (node.kind === 'cell' && !core.has(node.id)) for (const id of recurrentCore(graph, node.id)) core.add(id);
  return core;
}

function withoutParams(params: Params | undefined, drop: (key: string) => boolean): Params | undefined {
  if (!params) return undefined;
  const out: Params = {};
  for (const [key, value] of Object.entries(params)) if (!drop(key)) out[key] = value;
  return out;
}

function setParams(graph: Graph, params: Params | undefined): Graph {
  const next = { ...graph };
  if (params && Object.keys(params).length > 0) next.parameters = params;
  else delete next.parameters;
  return next;
}

/** Square full edges from a cell of the core into a gate of the core: the recurrent weights W_hh. */
export function recurrentEdges(graph: Graph, cellId: string): GraphEdge[] {
  const nodes = byId(graph);
  const core = recurrentCore(graph, cellId);
  return graph.edges.filter((edge) => {
    const s = nodes.get(edge.source);
    const t = nodes.get(edge.target);
    return s?.kind === 'cell' && t?.kind === 'gate' && core.has(s.id) && core.has(t.id) && (edge.weight ?? 'full') === 'full';
  });
}

/** The gate that writes the cell's next state (Elman's h_new), if it is a gate. */
function writer(graph: Graph, cellId: string): GraphNode | undefined {
  const edge = graph.edges.find((e) => e.target === cellId);
  const node = edge ? graph.nodes.find((n) => n.id === edge.source) : undefined;
  return node?.kind === 'gate' ? node : undefined;
}

/** training.clipNorm = `max` (clipValue removed: the two do not go together). */
export function withNormClipping(graph: Graph, max = 1): Graph {
  const training = { ...(graph.training ?? {}) };
  delete training.clipValue;
  training.clipNorm = max;
  return { ...graph, training };
}

/** The recurrent weights start from `init` again: their stored values are dropped so the trainer draws fresh ones. */
export function withRecurrentInit(graph: Graph, cellId: string, init: 'identity' | 'orthogonal'): Graph {
  const targets = new Set(recurrentEdges(graph, cellId).map((edge) => edge.id));
  if (targets.size === 0) return graph;
  const edges = graph.edges.map((edge) => {
    if (!targets.has(edge.id)) return edge;
    const next: GraphEdge = { ...edge, init };
    delete next.initScale;
    return next;
  });
  return setParams({ ...graph, edges }, withoutParams(graph.parameters, (key) => key.startsWith('edge:') && targets.has(key.slice(5))));
}

/** IRNN (Le, Jaitly & Hinton 2015): identity recurrent weights and a ReLU writer. */
export function withIdentityRelu(graph: Graph, cellId: string): Graph {
  const next = withRecurrentInit(graph, cellId, 'identity');
  const w = writer(next, cellId);
  if (!w || w.kind !== 'gate' || w.activation === 'relu') return next;
  return { ...next, nodes: next.nodes.map((node) => (node.id === w.id ? { ...node, activation: 'relu' } as GraphNode : node)) };
}

/**
 * Does `from` reach the node that writes a cell's next state through ops only
 * (no gate on the way)? That is what makes a product with the old state a
 * memory path (LSTM's f ⊙ C_{t−1} → + → C_t) rather than a gate's input
 * (an MGU's f ⊙ h feeds the candidate: a reset, not a forget).
 */
function reachesStateThroughOps(graph: Graph, from: string): boolean {
  const nodes = byId(graph);
  const writers = new Set(graph.edges.filter((edge) => nodes.get(edge.target)?.kind === 'cell').map((edge) => edge.source));
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (writers.has(id)) return true;
    for (const edge of graph.edges) {
      if (edge.source !== id || seen.has(edge.target) || nodes.get(edge.target)?.kind !== 'op') continue;
      seen.add(edge.target);
      stack.push(edge.target);
    }
  }
  return false;
}

/** Sigmoid gates (with a bias) that scale a cell's previous value on its memory path, through `via` (e.g. a 1 − f op). */
function memoryGates(graph: Graph, complement: boolean): GraphNode[] {
  const nodes = byId(graph);
  const found = new Map<string, GraphNode>();
  for (const op of graph.nodes) {
    if (op.kind !== 'op' || op.op !== 'mul') continue;
    const sources = graph.edges.filter((edge) => edge.target === op.id).map((edge) => nodes.get(edge.source));
    if (!sources.some((s) => s?.kind === 'cell') || !reachesStateThroughOps(graph, op.id)) continue;
    for (const s of sources) {
      const gate = complement && s?.kind === 'op' && s.op === 'one_minus'
        ? nodes.get(graph.edges.find((edge) => edge.target === s.id)?.source ?? '')
        : complement ? undefined : s;
      if (gate?.kind === 'gate' && gate.activation === 'sigmoid' && gate.bias !== false) found.set(gate.id, gate);
    }
  }
  return [...found.values()];
}

/** Forget gates: sigmoid gates multiplied with a cell's previous value on its memory path (f ⊙ C_{t−1}). */
export function forgetGates(graph: Graph): GraphNode[] {
  return memoryGates(graph, false);
}

/** Gates whose complement keeps the memory: (1 − f) ⊙ h_{t−1}, as in an MGU (and a GRU written that way). */
export function complementGates(graph: Graph): GraphNode[] {
  const direct = new Set(forgetGates(graph).map((gate) => gate.id));
  return memoryGates(graph, true).filter((gate) => !direct.has(gate.id));
}

/**
 * Forget-gate biases set to 1 (Gers et al. 2000; Jozefowicz et al. 2015):
 * σ(1) ≈ 0.73 keeps most of C at the start. A gate that keeps the memory
 * through 1 − f gets −1 instead, for the same 0.73.
 */
export function withForgetBias(graph: Graph, value = 1): Graph {
  const gates = [...forgetGates(graph).map((gate) => [gate, value] as const), ...complementGates(graph).map((gate) => [gate, -value] as const)];
  if (gates.length === 0) return graph;
  const params: Params = { ...(graph.parameters ?? {}) };
  for (const [gate, bias] of gates) {
    const size = gate.kind === 'gate' ? gate.size : 1;
    params[`bias:${gate.id}`] = { shape: [size], data: new Array<number>(size).fill(bias) };
  }
  return { ...graph, parameters: params };
}

/**
 * The training a switched-in gated core gets, measured on the README's story
 * (LSTM on adding, T = 100, `cellwright train` seeds 1–5): Adam at lr 0.01
 * needs 700–825 steps to leave the mean-prediction plateau (more than the
 * template's 800 for some seeds); at lr 0.02 it leaves it by step 375–675 and
 * reaches validation MSE ≈ 4e-4 by 1500. So: Adam, lr at least 0.02, at least
 * 1500 steps, norm clipping at 1 (a larger step needs it). The forget-gate
 * bias of 1 comes with the template.
 */
export const SWITCHED_TRAINING = { optimizer: 'adam', lr: 0.02, steps: 1500, clipNorm: 1 } as const;

export function withSwitchedTraining(graph: Graph): { graph: Graph; changes: string[] } {
  const training = { ...(graph.training ?? {}) };
  const changes: string[] = [];
  const optimizer = typeof training.optimizer === 'string' ? training.optimizer : 'adam';
  if (optimizer !== 'adam') {
    training.optimizer = 'adam';
    changes.push('Adam');
  }
  const lr = typeof training.lr === 'number' ? training.lr : 0.001;
  if (optimizer !== 'adam' || lr < SWITCHED_TRAINING.lr) {
    training.lr = SWITCHED_TRAINING.lr;
    changes.push(`learning rate ${SWITCHED_TRAINING.lr}`);
  }
  const steps = typeof training.steps === 'number' ? training.steps : 1000;
  if (steps < SWITCHED_TRAINING.steps) {
    training.steps = SWITCHED_TRAINING.steps;
    changes.push(`${SWITCHED_TRAINING.steps} steps`);
  }
  if (typeof training.clipNorm !== 'number' && typeof training.clipValue !== 'number') {
    training.clipNorm = SWITCHED_TRAINING.clipNorm;
    changes.push('norm clipping at 1');
  }
  return changes.length === 0 ? { graph, changes } : { graph: { ...graph, training }, changes };
}

/** The task's sequence length, when the task has one the user can set. */
export function taskLength(graph: Graph): { field: string; value: number } | null {
  const task = graph.task;
  if (!task) return null;
  const name = task.name;
  if (typeof name !== 'string') return null;
  // The field that sets how far back the gradient travels, with its default for this task (engine/train/settings.ts).
  const field = name === 'copy' ? 'delay' : name === 'csv' ? 'window' : 'length';
  const value = task[field];
  if (typeof value === 'number') return { field, value };
  const def = settingDefault(setting('task', field), name);
  return typeof def === 'number' ? { field, value: def } : null;
}

/** Half the sequence length (at least 2): fewer steps for the gradient to travel back through. */
export function withShorterSequence(graph: Graph): Graph {
  const length = taskLength(graph);
  if (!length || length.value <= 2) return graph;
  return { ...graph, task: { ...graph.task!, [length.field]: Math.max(2, Math.floor(length.value / 2)) } };
}

/**
 * Replace the recurrent core around `cellId` with `template`'s core: the
 * graph's inputs feed the template's gates the way the template's input did,
 * the template's hidden output feeds what the old core fed (readout), sizes
 * follow the old cell, the task and training blocks stay. Learned weights of
 * the old core are dropped; the template's constant biases (an LSTM's forget
 * bias of 1) come along, resized. The graph takes the template's name and
 * description: an "Elman RNN" whose core is now an LSTM is an LSTM.
 */
export function switchCore(graph: Graph, cellId: string, template: Graph, name: string): { graph: Graph; added: string[] } {
  const nodes = byId(graph);
  const cell = nodes.get(cellId);
  const core = recurrentCore(graph, cellId);
  const tNodes = byId(template);
  const tCore = allCores(template);
  if (!cell || cell.kind !== 'cell' || core.size === 0 || tCore.size === 0) return { graph, added: [] };
  const size = cell.size;
  // The template's hidden state: the core node its readout (or loss) reads.
  const tOutEdge = template.edges.find((edge) => tCore.has(edge.source) && !tCore.has(edge.target));
  const tHidden = tOutEdge?.source;
  const tHiddenCell = template.edges.find((edge) => edge.source === tHidden && tNodes.get(edge.target)?.kind === 'cell')?.target;
  const tSize = (tHiddenCell && tNodes.get(tHiddenCell)?.kind === 'cell' ? (tNodes.get(tHiddenCell) as { size: number }).size : undefined) ?? 0;
  if (!tHidden) return { graph, added: [] };

  const keep = graph.nodes.filter((node) => !core.has(node.id));
  const taken = new Set(keep.map((node) => node.id));
  const rename = new Map<string, string>();
  for (const id of tCore) {
    const fresh = uniqueId(id, taken);
    taken.add(fresh);
    rename.set(id, fresh);
  }
  // Place the new core where the old one was (auto layout tidies it afterwards).
  const oldBox = box(graph.nodes.filter((node) => core.has(node.id)));
  const tBox = box(template.nodes.filter((node) => tCore.has(node.id)));
  const group = uniqueId(name.toLowerCase().replace(/[^a-z0-9]+/g, '_') || 'core', new Set([...Object.keys(groupsOf(graph)), ...graph.nodes.map((n) => String(n.group ?? ''))]));
  const added: GraphNode[] = template.nodes.filter((node) => tCore.has(node.id)).map((node) => {
    const copy = { ...node, id: rename.get(node.id)!, group } as GraphNode;
    if ((copy.kind === 'gate' || copy.kind === 'cell') && (copy.size === tSize || tSize === 0)) copy.size = size;
    const p = node.position ?? { x: 0, y: 0 };
    copy.position = { x: Math.round(p.x - tBox.x + oldBox.x), y: Math.round(p.y - tBox.y + oldBox.y) };
    return copy;
  });

  const edgeTaken = new Set(graph.edges.filter((edge) => !core.has(edge.source) && !core.has(edge.target)).map((edge) => edge.id));
  const newEdge = (base: GraphEdge, source: string, target: string): GraphEdge => {
    const id = uniqueId(`${source}_${target}`, edgeTaken);
    edgeTaken.add(id);
    return { ...base, id, source, target };
  };
  const edges: GraphEdge[] = graph.edges.filter((edge) => !core.has(edge.source) && !core.has(edge.target));
  for (const edge of template.edges) {
    if (tCore.has(edge.source) && tCore.has(edge.target)) edges.push(newEdge(edge, rename.get(edge.source)!, rename.get(edge.target)!));
  }
  // Outside sources into the old core (the input) feed what the template's input fed.
  const tFromInput = template.edges.filter((edge) => !tCore.has(edge.source) && tCore.has(edge.target) && tNodes.get(edge.source)?.kind === 'input');
  const outsideSources = [...new Set(graph.edges.filter((edge) => !core.has(edge.source) && core.has(edge.target)).map((edge) => edge.source))];
  for (const source of outsideSources) for (const edge of tFromInput) edges.push(newEdge(edge, source, rename.get(edge.target)!));
  // What the old core fed (the readout) now reads the template's hidden state.
  for (const edge of graph.edges) {
    if (core.has(edge.source) && !core.has(edge.target)) {
      const next = newEdge(edge, rename.get(tHidden)!, edge.target);
      edges.push(next);
    }
  }

  const keptEdges = new Set(graph.edges.filter((edge) => !core.has(edge.source) && !core.has(edge.target)).map((edge) => edge.id));
  const keptNodes = new Set(keep.map((n) => n.id));
  const params: Params = {};
  for (const [key, value] of Object.entries(graph.parameters ?? {})) {
    const colon = key.indexOf(':');
    const prefix = key.slice(0, colon);
    const id = key.slice(colon + 1);
    // Edges into and out of the old core are new edges: their old weights go with the core.
    if (prefix === 'edge' ? keptEdges.has(id) : keptNodes.has(id)) params[key] = value;
  }
  for (const [key, value] of Object.entries(template.parameters ?? {})) {
    if (!key.startsWith('bias:')) continue;
    const id = key.slice(5);
    const fresh = rename.get(id);
    if (!fresh || value.data.length === 0 || !value.data.every((v) => v === value.data[0])) continue;
    const node = added.find((n) => n.id === fresh);
    const n = node && node.kind === 'gate' ? node.size : value.data.length;
    params[`bias:${fresh}`] = { shape: [n], data: new Array<number>(n).fill(value.data[0]) };
  }
  const next: Graph = { ...graph, name: template.name, nodes: [...keep, ...added], edges, groups: { ...groupsOf(graph), [group]: { name } } };
  if (template.description !== undefined) next.description = template.description;
  else delete next.description;
  return { graph: setParams(next, params), added: added.map((n) => n.id) };
}

function box(nodes: GraphNode[]): { x: number; y: number } {
  if (nodes.length === 0) return { x: 0, y: 0 };
  return {
    x: Math.min(...nodes.map((n) => n.position?.x ?? 0)),
    y: Math.min(...nodes.map((n) => n.position?.y ?? 0)),
  };
}
