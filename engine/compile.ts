/**
 * The compiler: a validated graph → a Program (resolved sizes, a same-step
 * schedule, the parameter layout). Pure and deterministic; the runtime
 * allocates buffers for a given T and B once and reuses them.
 */
import type {
  Activation, CellNode, GateNode, Graph, GraphEdge, GraphNode, InputNode, LossKind, LossNode, LossSteps, NodeKind, OpKind, OpNode, Problem, WeightKind,
} from './format/types.ts';
import { hasErrors, inferSizes, validateGraph } from './format/validate.ts';
import type { ActivationOp } from './ops/activations.ts';
import { activation } from './ops/activations.ts';
import type { OpAttrs, OpDef } from './ops/ops.ts';
import { op as opDef, opAttrs } from './ops/ops.ts';
import type { WeightKindDef } from './ops/weights.ts';
import { WEIGHT_KIND_DEFS } from './ops/weights.ts';
import type { ParamEntry, ParamLayout } from './params.ts';
import { makeLayout } from './params.ts';
import type { Limits } from './limits.ts';

export interface CEdge {
  index: number;
  id: string;
  source: number;
  target: number;
  weight: WeightKind;
  /** The weight kind's forward/backward (engine/ops/weights.ts). */
  kind: WeightKindDef;
  port?: 'prediction' | 'target';
  /** An op input's slot (sub, div, concat). */
  slot?: number;
  /** The edge whose parameter this one shares (its param is the owner's). */
  tie?: string;
  param?: ParamEntry;
}

export interface CNode {
  index: number;
  id: string;
  kind: NodeKind;
  size: number;
  activation?: Activation;
  /** A gate's activation kernels (engine/ops/activations.ts). */
  act?: ActivationOp;
  op?: OpKind;
  /** An op's definition and field values (engine/ops/ops.ts). */
  opDef?: OpDef;
  attrs?: OpAttrs;
  /** An op's own parameters (layer_norm: gain, shift), in the order of its definition's params. */
  opParams?: ParamEntry[];
  /** A cell's zoneout probability (0: none). */
  zoneout?: number;
  loss?: LossKind;
  steps?: LossSteps;
  reverse?: boolean;
  /** Incoming edges (for a loss: prediction first, then target). */
  inEdges: CEdge[];
  outEdges: CEdge[];
  /** For a cell: the node whose value at step t becomes the state h_t. */
  writer?: number;
  bias?: ParamEntry;
  init?: ParamEntry;
}

export interface Program {
  graph: Graph;
  nodes: CNode[];
  edges: CEdge[];
  byId: Map<string, number>;
  /** Gates, ops and losses in an order where every same-step source comes first. */
  order: number[];
  cells: number[];
  inputs: number[];
  targets: number[];
  losses: number[];
  layout: ParamLayout;
  /** Warnings found while validating (errors make compile throw). */
  warnings: Problem[];
}

/** Thrown when a graph cannot be compiled; carries every problem found. */
export class GraphError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.filter((p) => p.severity === 'error').map((p) => p.message).join('\n') || 'invalid graph');
    this.name = 'GraphError';
  }
}

export interface CompileOptions {
  /** A layer's nested step graph (engine/layers): it has no loss of its own, so "no loss node" is not an error. */
  stepGraph?: boolean;
  /** Size limits over the defaults (engine/limits.ts); a graph over them does not compile. */
  limits?: Partial<Limits>;
  /**
   * Node id → the node whose parameters (bias, gain and shift, learned initial
   * state) it uses instead of its own: the inner nodes of a tied block
   * instance (engine/blocks). Both nodes have the same kind and fields, so the
   * owner's entries fit; the gradient sums over both uses.
   */
  nodeTies?: ReadonlyMap<string, string>;
}

/**
 * Compiles a graph. Throws GraphError listing every problem when it is invalid.
 *
 * @example
 * const program = compile(graph);
 * const session = new Session(program, { T: 10, B: 4 });
 */
export function compile(graph: Graph, opts: CompileOptions = {}): Program {
  const problems = validateGraph(graph, { limits: opts.limits }).filter((p) => !(opts.stepGraph && p.code === 'CW049'));
  if (hasErrors(problems)) throw new GraphError(problems);
  const sizes = inferSizes(graph);
  const byId = new Map<string, number>();
  const nodes: CNode[] = graph.nodes.map((n: GraphNode, index) => {
    byId.set(n.id, index);
    const c: CNode = { index, id: n.id, kind: n.kind, size: sizes.get(n.id) ?? 1, inEdges: [], outEdges: [] };
    if (n.kind === 'gate') { c.activation = (n as GateNode).activation; c.act = activation(c.activation); }
    if (n.kind === 'op') {
      c.op = (n as OpNode).op;
      c.opDef = opDef(c.op);
      c.attrs = opAttrs(c.opDef, n);
    }
    if (n.kind === 'cell' && typeof (n as CellNode).zoneout === 'number') c.zoneout = (n as CellNode).zoneout;
    if (n.kind === 'loss') { c.loss = (n as LossNode).loss; c.steps = (n as LossNode).steps ?? 'all'; }
    if (n.kind === 'input') c.reverse = (n as InputNode).reverse === true;
    return c;
  });

  const entries: Omit<ParamEntry, 'offset' | 'length'>[] = [];
  const edges: CEdge[] = graph.edges.map((e: GraphEdge, index) => {
    const source = byId.get(e.source)!;
    const target = byId.get(e.target)!;
    const tn = nodes[target];
    const weight: WeightKind = e.weight ?? (tn.kind === 'gate' ? 'full' : 'identity');
    const c: CEdge = { index, id: e.id, source, target, weight, kind: WEIGHT_KIND_DEFS[weight] };
    if (e.port) c.port = e.port;
    if (typeof e.slot === 'number') c.slot = e.slot;
    if (typeof e.tie === 'string') c.tie = e.tie;
    const shape = c.kind.shape(nodes[source].size, tn.size);
    if (shape && c.tie === undefined) {
      entries.push({
        key: `edge:${e.id}`, kind: 'edge', owner: e.id, shape, trainable: e.trainable !== false,
        init: e.init ?? 'glorot_uniform', ...(e.initScale !== undefined ? { initScale: e.initScale } : {}),
      });
    }
    return c;
  });
  const tied = (id: string): boolean => opts.nodeTies?.has(id) === true;
  const paramOwner = (id: string): string => opts.nodeTies?.get(id) ?? id;
  for (const n of graph.nodes) {
    if (tied(n.id)) continue;
    if (n.kind === 'gate' && (n as GateNode).bias !== false) {
      entries.push({ key: `bias:${n.id}`, kind: 'bias', owner: n.id, shape: [sizes.get(n.id)!], trainable: true, init: 'zeros' });
    }
  }
  for (const c of nodes) {
    if (tied(c.id)) continue;
    for (const prm of c.opDef?.params?.(c.attrs!) ?? []) {
      entries.push({ key: `${prm.prefix}:${c.id}`, kind: prm.prefix === 'gain' ? 'gain' : 'shift', owner: c.id, shape: [c.size], trainable: true, init: prm.init });
    }
  }
  for (const n of graph.nodes) {
    if (tied(n.id)) continue;
    if (n.kind === 'cell' && (n as CellNode).initial === 'learned') {
      entries.push({ key: `init:${n.id}`, kind: 'init', owner: n.id, shape: [sizes.get(n.id)!], trainable: true, init: 'zeros' });
    }
  }
  const layout = makeLayout(entries);
  for (const e of edges) {
    e.param = layout.byKey.get(`edge:${e.tie ?? e.id}`);
    nodes[e.target].inEdges.push(e);
    nodes[e.source].outEdges.push(e);
  }
  for (const n of nodes) {
    const owner = paramOwner(n.id);
    n.bias = layout.byKey.get(`bias:${owner}`);
    n.init = layout.byKey.get(`init:${owner}`);
    if (n.opDef?.params) n.opParams = n.opDef.params(n.attrs!).map((prm) => layout.byKey.get(`${prm.prefix}:${owner}`)!);
    if (n.opDef?.slots) n.inEdges.sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0));
    if (n.kind === 'loss') {
      n.inEdges.sort((a, b) => (a.port === 'prediction' ? 0 : 1) - (b.port === 'prediction' ? 0 : 1));
    }
    if (n.kind === 'cell') n.writer = n.inEdges[0].source;
  }

  const order = schedule(nodes);
  const of = (k: NodeKind): number[] => nodes.filter((n) => n.kind === k).map((n) => n.index);
  return {
    graph, nodes, edges, byId, order,
    cells: of('cell'), inputs: of('input'), targets: of('target'), losses: of('loss'),
    layout, warnings: problems,
  };
}

/**
 * Topological order of gates, ops and losses over same-step dependencies.
 * Cells, inputs and targets are available at the start of a step, so edges
 * out of them impose no order (that is what makes a cycle through a cell legal).
 */
function schedule(nodes: CNode[]): number[] {
  const computed = (n: CNode): boolean => n.kind === 'gate' || n.kind === 'op' || n.kind === 'loss';
  const indeg = new Map<number, number>();
  for (const n of nodes) {
    if (!computed(n)) continue;
    indeg.set(n.index, n.inEdges.filter((e) => computed(nodes[e.source])).length);
  }
  // Kahn's algorithm, taking ready nodes in file order (a min-heap of indices)
  // so the schedule is stable; O((V + E) log V) however wide the graph.
  const ready = new MinHeap();
  for (const n of nodes) if (computed(n) && indeg.get(n.index) === 0) ready.push(n.index);
  const order: number[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push(i);
    for (const e of nodes[i].outEdges) {
      if (!computed(nodes[e.target])) continue;
      const d = indeg.get(e.target)! - 1;
      indeg.set(e.target, d);
      if (d === 0) ready.push(e.target);
    }
  }
  if (order.length !== indeg.size) {
    // The validator reports algebraic loops; reaching here means it missed one.
    throw new Error('internal: same-step cycle survived validation');
  }
  return order;
}

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(x: number): void {
    const a = this.a;
    let i = a.length;
    a.push(x);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent] <= x) break;
      a[i] = a[parent];
      i = parent;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop() as number;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1] < a[l] ? l + 1 : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
