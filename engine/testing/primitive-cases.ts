/**
 * One small recurrent graph per registered primitive — every activation, op,
 * loss and weight kind, plus tied edges, zoneout and a loss whose target port
 * reads a node — generated from the registries, with its data. The registry's
 * gradient tests (engine/ops/registry.test.ts: finite differences on the
 * reference and the fast runtime) and the PyTorch checks
 * (test/torch-registry.test.ts: autograd through the exported model) both run
 * these, so a new registry entry is tested as soon as it has its row here.
 */
import type { DataFile, Graph, GraphEdge, GraphNode, LossKind, TensorJSON, WeightKind } from '../format/types.ts';
import { activationNames } from '../ops/activations.ts';
import { LOSS_DEFS } from '../ops/losses.ts';
import { opNames } from '../ops/ops.ts';
import { WEIGHT_KIND_DEFS } from '../ops/weights.ts';
import { Rng } from '../rng.ts';

export interface PrimitiveCase {
  /** e.g. "activation gelu", "op layer_norm" */
  name: string;
  registry: 'activation' | 'op' | 'loss' | 'weight' | 'feature';
  primitive: string;
  graph: Graph;
  data: DataFile;
  /** Has training noise (dropout, zoneout): the gradient is also checked with a fixed noise. */
  noisy?: boolean;
}

/** How each op is fed: the activations of the gates in front of its inputs, its fields and slots. */
interface OpRow {
  inputs: { act: string; size?: number }[];
  fields?: Record<string, number | boolean>;
  slots?: number[];
}

/**
 * The op table's rows. Inputs go through gates so that they depend on the
 * parameters; log and the divisor get positive inputs (sigmoid).
 */
export const OP_ROWS: Record<string, OpRow> = {
  mul: { inputs: [{ act: 'tanh' }, { act: 'sigmoid' }, { act: 'tanh' }] },
  add: { inputs: [{ act: 'tanh' }, { act: 'identity' }, { act: 'tanh' }] },
  one_minus: { inputs: [{ act: 'sigmoid' }] },
  sub: { inputs: [{ act: 'tanh' }, { act: 'sigmoid' }], slots: [1, 0] },
  div: { inputs: [{ act: 'tanh' }, { act: 'sigmoid' }], slots: [0, 1] },
  exp: { inputs: [{ act: 'tanh' }] },
  log: { inputs: [{ act: 'sigmoid' }] },
  square: { inputs: [{ act: 'tanh' }] },
  neg: { inputs: [{ act: 'tanh' }] },
  scale: { inputs: [{ act: 'tanh' }], fields: { factor: -1.75 } },
  softmax: { inputs: [{ act: 'identity' }] },
  layer_norm: { inputs: [{ act: 'identity', size: 4 }], fields: { eps: 1e-5 } },
  concat: { inputs: [{ act: 'tanh', size: 2 }, { act: 'sigmoid', size: 3 }, { act: 'identity', size: 1 }], slots: [2, 0, 1] },
  slice: { inputs: [{ act: 'tanh', size: 5 }], fields: { start: 1, size: 3 } },
  dropout: { inputs: [{ act: 'tanh' }], fields: { p: 0.3 } },
};

const H = 3;

function stream(rng: Rng, shape: number[], f: (r: number) => number = (r) => r): TensorJSON {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Array.from({ length: n }, () => Number(f(rng.range(-1, 1)).toFixed(6))) };
}

function dataFor(graph: Graph, seed: number, T = 4, B = 2): DataFile {
  const rng = new Rng(seed);
  const data: DataFile = { inputs: {}, targets: {}, initialStates: {} };
  for (const n of graph.nodes) {
    const size = (n as { size?: number }).size ?? 1;
    if (n.kind === 'input') data.inputs[n.id] = stream(rng, [T, B, size]);
    if (n.kind === 'target') {
      const loss = graph.nodes.find((m) => m.kind === 'loss' && graph.edges.some((e) => e.source === n.id && e.target === m.id))?.loss as LossKind | undefined;
      data.targets![n.id] = loss === 'cross_entropy'
        ? oneHot(rng, T, B, size)
        : stream(rng, [T, B, size], loss === 'bce' ? (r) => (r < 0 ? 0 : 1) : (r) => r);
    }
    if (n.kind === 'cell') data.initialStates![n.id] = stream(rng, [B, size], (r) => 0.5 * r);
  }
  return data;
}

function oneHot(rng: Rng, T: number, B: number, n: number): TensorJSON {
  const data = new Array<number>(T * B * n).fill(0);
  for (let r = 0; r < T * B; r++) data[r * n + rng.int(n)] = 1;
  return { shape: [T, B, n], data };
}

function graph(name: string, nodes: GraphNode[], edges: GraphEdge[]): Graph {
  return { format: 'cellwright-graph', version: 1, name, nodes, edges };
}

/**
 * x → gate g (act, recurrent through cell h via `rec`) → readout y → mse. With
 * `bounded`, a tanh gate between g and the cell keeps the state in (−1, 1)
 * whatever the activation (exp would otherwise overflow over the steps).
 */
function gateGraph(name: string, act: string, rec: WeightKind = 'full', extra: { zoneout?: number; tie?: boolean; bounded?: boolean } = {}): Graph {
  const nodes: GraphNode[] = [
    { id: 'x', kind: 'input', size: 3 },
    { id: 'h', kind: 'cell', size: H, ...(extra.zoneout ? { zoneout: extra.zoneout } : {}) },
    { id: 'g', kind: 'gate', size: H, activation: act as 'tanh' },
    { id: 'y', kind: 'gate', size: 2, activation: 'identity' },
    { id: 't', kind: 'target', size: 2 },
    { id: 'L', kind: 'loss', loss: 'mse' },
  ];
  const edges: GraphEdge[] = [
    { id: 'xg', source: 'x', target: 'g' },
    { id: 'hg', source: 'h', target: 'g', weight: rec },
    { id: 'gy', source: 'g', target: 'y' },
    { id: 'yL', source: 'y', target: 'L', port: 'prediction' },
    { id: 'tL', source: 't', target: 'L', port: 'target' },
  ];
  if (extra.bounded) {
    nodes.push({ id: 'b', kind: 'gate', size: H, activation: 'tanh' });
    edges.push({ id: 'gb', source: 'g', target: 'b' }, { id: 'bh', source: 'b', target: 'h' });
  } else edges.push({ id: 'gh', source: 'g', target: 'h' });
  if (extra.tie) {
    // A second gate reads h through the same weight as g (tied), and feeds the readout.
    nodes.push({ id: 'g2', kind: 'gate', size: H, activation: 'tanh' });
    edges.push({ id: 'hg2', source: 'h', target: 'g2', weight: rec, tie: 'hg' }, { id: 'g2y', source: 'g2', target: 'y' });
  }
  return graph(name, nodes, edges);
}

/** The op between gates: x and the cell feed gates a_k, the op's output writes the cell (through a gate) and feeds the readout. */
function opGraph(op: string, row: OpRow): Graph {
  const nodes: GraphNode[] = [{ id: 'x', kind: 'input', size: 3 }, { id: 'h', kind: 'cell', size: H }];
  const edges: GraphEdge[] = [];
  row.inputs.forEach((inp, k) => {
    nodes.push({ id: `a${k}`, kind: 'gate', size: inp.size ?? H, activation: inp.act as 'tanh' });
    edges.push({ id: `xa${k}`, source: 'x', target: `a${k}` }, { id: `ha${k}`, source: 'h', target: `a${k}` });
    edges.push({ id: `a${k}o`, source: `a${k}`, target: 'o', ...(row.slots ? { slot: row.slots[k] } : {}) });
  });
  nodes.push(
    { id: 'o', kind: 'op', op: op as 'add', ...(row.fields ?? {}) },
    { id: 'r', kind: 'gate', size: H, activation: 'tanh' },
    { id: 'y', kind: 'gate', size: 2, activation: 'identity' },
    { id: 't', kind: 'target', size: 2 },
    { id: 'L', kind: 'loss', loss: 'mse' },
  );
  edges.push(
    { id: 'or', source: 'o', target: 'r' }, { id: 'rh', source: 'r', target: 'h' },
    { id: 'oy', source: 'o', target: 'y' },
    { id: 'yL', source: 'y', target: 'L', port: 'prediction' }, { id: 'tL', source: 't', target: 'L', port: 'target' },
  );
  return graph(`op ${op}`, nodes, edges);
}

/** A recurrent readout p scored by `loss`, against the target stream or (nodeTarget) against another node. */
function lossGraph(loss: LossKind, nodeTarget: boolean): Graph {
  const nodes: GraphNode[] = [
    { id: 'x', kind: 'input', size: 3 },
    { id: 'h', kind: 'cell', size: H },
    { id: 'g', kind: 'gate', size: H, activation: 'tanh' },
    { id: 'p', kind: 'gate', size: 3, activation: 'identity' },
    { id: 'L', kind: 'loss', loss, steps: nodeTarget ? 'all' : 'last' },
  ];
  const edges: GraphEdge[] = [
    { id: 'xg', source: 'x', target: 'g' }, { id: 'hg', source: 'h', target: 'g' }, { id: 'gh', source: 'g', target: 'h' },
    { id: 'gp', source: 'g', target: 'p' }, { id: 'pL', source: 'p', target: 'L', port: 'prediction' },
  ];
  if (LOSS_DEFS[loss].target) {
    if (nodeTarget) {
      // The target is a node of the graph (a distribution for cross_entropy, in (0, 1) for bce).
      const act = loss === 'cross_entropy' ? 'identity' : loss === 'bce' ? 'sigmoid' : 'tanh';
      nodes.push({ id: 'q', kind: 'gate', size: 3, activation: act });
      edges.push({ id: 'xq', source: 'x', target: 'q' }, { id: 'hq', source: 'h', target: 'q' });
      if (loss === 'cross_entropy') {
        nodes.push({ id: 'qs', kind: 'op', op: 'softmax' });
        edges.push({ id: 'qqs', source: 'q', target: 'qs' }, { id: 'qL', source: 'qs', target: 'L', port: 'target' });
      } else edges.push({ id: 'qL', source: 'q', target: 'L', port: 'target' });
    } else {
      nodes.push({ id: 't', kind: 'target', size: 3 });
      edges.push({ id: 'tL', source: 't', target: 'L', port: 'target' });
    }
  }
  return graph(`loss ${loss}${nodeTarget ? ' (target port reads a node)' : ''}`, nodes, edges);
}

/**
 * Every case, from the registries at call time.
 *
 * @example
 * for (const c of primitiveCases()) gradcheck(compile(c.graph), …)
 */
export function primitiveCases(): PrimitiveCase[] {
  const out: PrimitiveCase[] = [];
  let seed = 100;
  const add = (c: Omit<PrimitiveCase, 'data'>): void => { out.push({ ...c, data: dataFor(c.graph, seed++) }); };
  for (const act of activationNames()) add({ name: `activation ${act}`, registry: 'activation', primitive: act, graph: gateGraph(`activation ${act}`, act, 'full', { bounded: true }) });
  for (const op of opNames()) {
    const row = OP_ROWS[op];
    if (!row) throw new Error(`op "${op}" has no row in OP_ROWS (engine/testing/primitive-cases.ts): add one`);
    add({ name: `op ${op}`, registry: 'op', primitive: op, graph: opGraph(op, row), ...(op === 'dropout' ? { noisy: true } : {}) });
  }
  for (const loss of Object.keys(LOSS_DEFS) as LossKind[]) {
    add({ name: `loss ${loss}`, registry: 'loss', primitive: loss, graph: lossGraph(loss, false) });
    if (LOSS_DEFS[loss].target) add({ name: `loss ${loss}, target port reads a node`, registry: 'loss', primitive: loss, graph: lossGraph(loss, true) });
  }
  for (const w of Object.keys(WEIGHT_KIND_DEFS) as WeightKind[]) {
    add({ name: `weight ${w}`, registry: 'weight', primitive: w, graph: gateGraph(`weight ${w}`, 'tanh', w) });
    if (WEIGHT_KIND_DEFS[w].shape(H, H)) add({ name: `weight ${w}, tied`, registry: 'feature', primitive: 'tie', graph: gateGraph(`weight ${w}, tied`, 'tanh', w, { tie: true }) });
  }
  add({ name: 'cell zoneout', registry: 'feature', primitive: 'zoneout', graph: gateGraph('cell zoneout', 'tanh', 'full', { zoneout: 0.25 }), noisy: true });
  const ln = opGraph('layer_norm', { inputs: [{ act: 'identity', size: 4 }], fields: { affine: false } });
  add({ name: 'op layer_norm without affine', registry: 'op', primitive: 'layer_norm', graph: { ...ln, name: 'op layer_norm without affine' } });
  return out;
}
