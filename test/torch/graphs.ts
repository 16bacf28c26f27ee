/**
 * Graphs beyond the examples for the PyTorch export tests: together they use
 * every node kind, activation, op, loss (both `steps`), weight kind, learned
 * and given initial states, input reversal, a frozen edge, a gate without
 * inputs, a cell written by an input and a cell written by a cell, nodes
 * that only pass their input on, and ids that are not Python names.
 */
import { compile } from '../../engine/compile.ts';
import type { DataFile, Graph, GraphEdge, GraphNode, TensorJSON } from '../../engine/format/types.ts';
import { randomBatch } from '../../engine/testing/build.ts';
import { randomGraph } from '../../engine/testing/random-graph.ts';

/** A small deterministic generator (the tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function stream(rand: () => number, shape: number[], f: (r: number) => number = (r) => 2 * r - 1): TensorJSON {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Array.from({ length: n }, () => Number(f(rand()).toFixed(4))) };
}

/** Every kind of the spec in one graph. */
export function everything(): Graph {
  return {
    format: 'cellwright-graph',
    version: 1,
    name: 'Every node kind',
    description: 'A graph that uses everything the spec has.\nLine two with a backslash \\ and """quotes""".',
    nodes: [
      { id: 'in-1', kind: 'input', size: 2, reverse: true },
      { id: 'u', kind: 'input', size: 1 },
      { id: 'class', kind: 'cell', size: 3, initial: 'learned' },
      { id: 's2', kind: 'cell', size: 1 },
      { id: 'c3', kind: 'cell', size: 3 },
      { id: 'g 1', kind: 'gate', size: 3, activation: 'sigmoid' },
      { id: 'sp', kind: 'gate', size: 3, activation: 'softplus' },
      { id: 'r', kind: 'gate', size: 3, activation: 'relu', bias: false },
      { id: 'st', kind: 'gate', size: 3, activation: 'step' },
      { id: 'state', kind: 'gate', size: 3, activation: 'tanh' },
      { id: 'logits', kind: 'gate', size: 3, activation: 'identity' },
      { id: '1m', kind: 'op', op: 'one_minus' },
      { id: 'prod', kind: 'op', op: 'mul' },
      { id: 'class_new', kind: 'op', op: 'add' },
      { id: 'pass', kind: 'gate', size: 3, activation: 'identity', bias: false },
      { id: 'solo', kind: 'op', op: 'add' },
      { id: 'solo2', kind: 'op', op: 'mul' },
      { id: 'tgt', kind: 'target', size: 3 },
      { id: 'tb', kind: 'target', size: 3 },
      { id: 'tm', kind: 'target', size: 3 },
      { id: 'ce', kind: 'loss', loss: 'cross_entropy' },
      { id: 'bce', kind: 'loss', loss: 'bce', steps: 'last' },
      { id: 'mse', kind: 'loss', loss: 'mse' },
      { id: 'total', kind: 'loss', loss: 'sum', steps: 'last' },
      { id: 'all-sum', kind: 'loss', loss: 'sum' },
    ],
    edges: [
      { id: 'e:1', source: 'in-1', target: 'g 1', trainable: false },
      { id: 'e-1', source: 'class', target: 'g 1' },
      { id: 'peep', source: 'c3', target: 'g 1', weight: 'diagonal', init: 'uniform', initScale: 0.5 },
      { id: 'g_sp', source: 'g 1', target: 'sp', weight: 'identity' },
      { id: 'bcast', source: 's2', target: 'sp', weight: 'scalar', init: 'normal' },
      { id: 'sc', source: 'sp', target: 'r', weight: 'scalar', init: 'normal' },
      { id: 'dg', source: 'class', target: 'r', weight: 'diagonal', init: 'uniform' },
      { id: 'full_st', source: 'r', target: 'st' },
      { id: 'om', source: 'g 1', target: '1m' },
      { id: 'p1', source: '1m', target: 'prod' },
      { id: 'p2', source: 'class', target: 'prod' },
      { id: 'p3', source: 'sp', target: 'prod' },
      { id: 'a1', source: 'prod', target: 'class_new' },
      { id: 'a2', source: 'st', target: 'class_new' },
      { id: 'a3', source: 'state', target: 'class_new' },
      { id: 'a4', source: 'r', target: 'class_new' },
      { id: 'next', source: 'class_new', target: 'class' },
      { id: 'shift', source: 'class', target: 'c3' },
      { id: 'feed', source: 'u', target: 's2' },
      { id: 'lg', source: 'class_new', target: 'logits', init: 'orthogonal' },
      { id: 'lu', source: 'u', target: 'logits', weight: 'scalar' },
      { id: 'ce_p', source: 'logits', target: 'ce', port: 'prediction' },
      { id: 'ce_t', source: 'tgt', target: 'ce', port: 'target' },
      { id: 'b_p', source: 'sp', target: 'bce', port: 'prediction' },
      { id: 'b_t', source: 'tb', target: 'bce', port: 'target' },
      { id: 'm_p', source: 'class', target: 'mse', port: 'prediction' },
      { id: 'm_t', source: 'tm', target: 'mse', port: 'target' },
      { id: 'pass_in', source: 'r', target: 'pass', weight: 'identity' },
      { id: 'solo_in', source: 'pass', target: 'solo' },
      { id: 'solo2_in', source: 'solo', target: 'solo2' },
      { id: 's_p', source: 'solo2', target: 'total', port: 'prediction' },
      { id: 'as_p', source: 'c3', target: 'all-sum', port: 'prediction' },
    ],
    training: { seed: 3 },
  };
}

/** Data for `everything`: T = 5, B = 2; `givenClass` also overrides the learned initial state of "class". */
export function everythingData(givenClass: boolean): DataFile {
  const rand = lcg(givenClass ? 7 : 11);
  const T = 5;
  const B = 2;
  const dist = (): TensorJSON => {
    const t = stream(rand, [T, B, 3], (r) => 0.05 + r);
    for (let i = 0; i < t.data.length; i += 3) {
      const s = t.data[i] + t.data[i + 1] + t.data[i + 2];
      for (let k = 0; k < 3; k++) t.data[i + k] /= s;
    }
    return t;
  };
  const data: DataFile = {
    inputs: { 'in-1': stream(rand, [T, B, 2]), u: stream(rand, [T, B, 1]) },
    targets: { tgt: dist(), tb: stream(rand, [T, B, 3], (r) => (r < 0.5 ? 0 : 1)), tm: stream(rand, [T, B, 3]) },
    initialStates: { c3: stream(rand, [B, 3]) },
  };
  if (givenClass) data.initialStates!.class = stream(rand, [B, 3]);
  return data;
}

/**
 * Every primitive of the registry's format-1 additions in one recurrent graph:
 * each new activation and op, a zoneout cell, a learned initial state, a tied
 * edge, ops with slots given out of order, and a loss whose target port reads
 * a node (gradients into both ports).
 */
export function everyPrimitive(): Graph {
  const gate = (id: string, size: number, activation: string, bias = true): GraphNode =>
    ({ id, kind: 'gate', size, activation: activation as 'tanh', ...(bias ? {} : { bias: false }) });
  const op = (id: string, name: string, fields: Record<string, number | boolean> = {}): GraphNode => ({ id, kind: 'op', op: name as 'add', ...fields });
  const e = (source: string, target: string, extra: Partial<GraphEdge> = {}): GraphEdge => ({ id: `${source}>${target}`, source, target, ...extra });
  return {
    format: 'cellwright-graph',
    version: 1,
    name: 'Every primitive',
    nodes: [
      { id: 'x', kind: 'input', size: 3 },
      { id: 'h', kind: 'cell', size: 4, zoneout: 0.2 },
      { id: 'c', kind: 'cell', size: 4, initial: 'learned' },
      gate('a', 4, 'gelu'), gate('b', 4, 'silu'), gate('d', 4, 'leaky_relu'), gate('e', 4, 'elu'),
      gate('k', 4, 'hard_tanh'), gate('s', 4, 'hard_sigmoid'), gate('q', 2, 'sin'), gate('w', 2, 'exp', false), gate('sg', 4, 'sigmoid'),
      op('o_sub', 'sub'), op('ex', 'exp'), op('o_div', 'div'), op('sq', 'square'), op('ng', 'neg'), op('sc', 'scale', { factor: 0.3 }),
      op('lg', 'log'), op('sm', 'softmax'), op('drop', 'dropout', { p: 0.2 }), op('ln', 'layer_norm', { eps: 0.001 }),
      op('cat', 'concat'), op('sl', 'slice', { start: 1, size: 2 }), op('sm2', 'softmax'), op('ds', 'mul'),
      op('h_new', 'add'), op('c_new', 'add'),
      gate('y', 3, 'identity'), gate('y2', 2, 'identity'),
      { id: 't', kind: 'target', size: 3 },
      { id: 'L1', kind: 'loss', loss: 'mse' }, { id: 'L2', kind: 'loss', loss: 'cross_entropy', steps: 'last' },
    ],
    edges: [
      e('x', 'a'), e('h', 'a', { id: 'U' }), e('x', 'b'), e('h', 'b', { tie: 'U' }), e('x', 'd'), e('c', 'e', { weight: 'diagonal' }), e('x', 'e'),
      e('x', 'k'), e('h', 's'), e('s', 'ds'), e('d', 'ds'), e('x', 'q'), e('h', 'w', { initScale: 0.3 }), e('x', 'sg'),
      e('b', 'o_sub', { slot: 1 }), e('a', 'o_sub', { slot: 0 }), e('k', 'ex'), e('o_sub', 'o_div', { slot: 0 }), e('ex', 'o_div', { slot: 1 }),
      e('e', 'sq'), e('sq', 'ng'), e('ng', 'sc'), e('sg', 'lg'), e('k', 'sm'), e('sm', 'drop'), e('a', 'ln'),
      e('q', 'cat', { slot: 1 }), e('w', 'cat', { slot: 0 }), e('cat', 'sl'), e('q', 'sm2'),
      e('ln', 'h_new'), e('sc', 'h_new'), e('o_div', 'h_new'), e('drop', 'h_new'), e('ds', 'h_new'), e('h_new', 'h'),
      e('e', 'c_new'), e('lg', 'c_new'), e('c_new', 'c'),
      e('h_new', 'y'), e('sl', 'y2'),
      e('y', 'L1', { port: 'prediction' }), e('t', 'L1', { port: 'target' }),
      e('y2', 'L2', { port: 'prediction' }), e('sm2', 'L2', { port: 'target' }),
    ],
  };
}

/** Data for `everyPrimitive`: T = 5, B = 2, given states for both cells. */
export function everyPrimitiveData(): DataFile {
  const rand = lcg(5);
  return {
    inputs: { x: stream(rand, [5, 2, 3]) },
    targets: { t: stream(rand, [5, 2, 3]) },
    initialStates: { h: stream(rand, [2, 4]), c: stream(rand, [2, 4]) },
  };
}

/**
 * A random valid graph (engine/testing/random-graph.ts) with every activation,
 * and a random data file for it (T = 4, B = 2; initial states for odd seeds).
 */
export function randomCase(seed: number): { graph: Graph; data: DataFile } {
  const graph = randomGraph(seed, { activations: ['identity', 'sigmoid', 'tanh', 'relu', 'step', 'softplus'], maxComputed: 8 });
  const program = compile(graph);
  const T = 4;
  const B = 2;
  const batch = randomBatch(program, T, B, seed + 1000, { initialStates: seed % 2 === 1 });
  const json = (a: ArrayLike<number>, shape: number[]): TensorJSON => ({ shape, data: Array.from(a) });
  const size = (id: string): number => program.nodes[program.byId.get(id)!].size;
  const data: DataFile = {
    inputs: Object.fromEntries(Object.entries(batch.inputs).map(([k, a]) => [k, json(a, [T, B, size(k)])])),
    targets: Object.fromEntries(Object.entries(batch.targets).map(([k, a]) => [k, json(a, [T, B, size(k)])])),
  };
  if (batch.initialStates) data.initialStates = Object.fromEntries(Object.entries(batch.initialStates).map(([k, a]) => [k, json(a, [B, size(k)])]));
  return { graph, data };
}

/** Strings that break naive code generation: quote runs, backslashes, every kind of line break, code. */
export const HOSTILE_STRINGS: readonly string[] = [
  '"""""', "'''", '\\', 'a\\"b\\', 'x\ny', 'c\rr', 'l\u2028s', 'p\u2029s', 'n\u0085l', 'nul\u0000', '#', '\\N{BULLET}',
  "__import__('os').system('touch PWNED')", '"""; __import__(\'os\').system(\'touch PWNED\'); """', "'''\n__import__('os').system('touch PWNED')\n'''",
  '__init__', '__class__', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'self', 'None', 'print', '\ud800',
];

/**
 * `everything` (and its data with given states) with every id, label, the name
 * and the description made hostile: ids from HOSTILE_STRINGS (made unique), so
 * an exporter that pastes them into code gets code that breaks or runs them.
 */
export function hostileCase(base: Graph = everything(), data: DataFile = everythingData(true)): { graph: Graph; data: DataFile } {
  const nodeId = new Map<string, string>();
  base.nodes.forEach((n, i) => nodeId.set(n.id, i < HOSTILE_STRINGS.length ? HOSTILE_STRINGS[i] : `${HOSTILE_STRINGS[i % HOSTILE_STRINGS.length]}#${i}`));
  const edgeId = new Map<string, string>();
  base.edges.forEach((e, i) => edgeId.set(e.id, `${HOSTILE_STRINGS[(i + 5) % HOSTILE_STRINGS.length]}${i < HOSTILE_STRINGS.length ? '' : `"${i}`}`));
  const rename = <T>(r: Record<string, T> | undefined): Record<string, T> =>
    Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [nodeId.get(k)!, v]));
  const graph: Graph = {
    ...base,
    name: `"""Hostile''' \\ name\n${HOSTILE_STRINGS[12]}\r\u2028`,
    description: `${HOSTILE_STRINGS.join('\n')}\n"""`,
    nodes: base.nodes.map((n, i) => ({ ...n, id: nodeId.get(n.id)!, label: HOSTILE_STRINGS[(i + 3) % HOSTILE_STRINGS.length] })),
    edges: base.edges.map((e) => ({
      ...e, id: edgeId.get(e.id)!, source: nodeId.get(e.source)!, target: nodeId.get(e.target)!,
      ...(e.tie !== undefined ? { tie: edgeId.get(e.tie)! } : {}),
    })),
  };
  return {
    graph,
    data: { inputs: rename(data.inputs), targets: rename(data.targets), initialStates: rename(data.initialStates) },
  };
}
