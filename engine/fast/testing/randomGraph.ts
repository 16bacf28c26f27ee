/**
 * Random valid graphs for testing the fast runtime against the reference:
 * inputs (some reversed), cells (some with learned initial states), gates with
 * every weight kind and activation, ops, and several losses reading nodes of
 * every phase (input-only, recurrent, readout). Deterministic in the seed.
 */
import type { Activation, Graph, GraphEdge, GraphNode, LossKind, OpKind, WeightKind } from '../../format/types.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../../format/types.ts';
import { Rng } from '../../rng.ts';

const ACTS: Activation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'softplus', 'tanh', 'sigmoid'];
const SIZES = [1, 2, 3, 5];

interface Made { id: string; size: number; kind: GraphNode['kind'] }

export function randomGraph(seed: number, opts: { computed?: number } = {}): Graph {
  const rng = new Rng(seed);
  const pick = <T>(a: readonly T[]): T => a[rng.int(a.length)];
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  let eid = 0;
  const edge = (source: string, target: string, extra: Partial<GraphEdge> = {}): void => {
    edges.push({ id: `e${eid++}`, source, target, ...extra });
  };
  const avail: Made[] = [];
  const nIn = 1 + rng.int(2);
  for (let k = 0; k < nIn; k++) {
    const n: GraphNode = { id: `x${k}`, kind: 'input', size: pick(SIZES) };
    if (rng.uniform() < 0.25) n.reverse = true;
    nodes.push(n);
    avail.push({ id: n.id, size: n.size, kind: 'input' });
  }
  const nCell = 1 + rng.int(3);
  const cells: Made[] = [];
  for (let k = 0; k < nCell; k++) {
    const n: GraphNode = { id: `c${k}`, kind: 'cell', size: pick(SIZES) };
    if (rng.uniform() < 0.3) n.initial = 'learned';
    nodes.push(n);
    cells.push({ id: n.id, size: n.size, kind: 'cell' });
    avail.push(cells[k]);
  }
  const computed: Made[] = [];
  const count = opts.computed ?? 3 + rng.int(6);
  for (let k = 0; k < count; k++) {
    const id = `n${k}`;
    if (rng.uniform() < 0.3 && computed.length > 0) {
      // An op over sources of one size.
      const first = pick(avail);
      const same = avail.filter((a) => a.size === first.size);
      const op: OpKind = pick(['mul', 'add', 'one_minus', 'mul'] as const);
      nodes.push({ id, kind: 'op', op });
      const arity = op === 'one_minus' ? 1 : 1 + rng.int(3);
      for (let j = 0; j < arity; j++) edge(j === 0 ? first.id : pick(same).id, id);
      const m: Made = { id, size: first.size, kind: 'op' };
      computed.push(m);
      avail.push(m);
      continue;
    }
    const size = pick(SIZES);
    const g: GraphNode = { id, kind: 'gate', size, activation: pick(ACTS) };
    if (rng.uniform() < 0.2) g.bias = false;
    nodes.push(g);
    const nEdges = 1 + rng.int(3);
    for (let j = 0; j < nEdges; j++) {
      const s = pick(avail);
      const kinds: WeightKind[] = ['full', 'full', 'full', 'scalar'];
      if (s.size === size) kinds.push('diagonal', 'identity');
      if (s.size !== size && s.size !== 1) kinds.splice(kinds.indexOf('scalar'), 1);
      const w = pick(kinds);
      edge(s.id, id, w === 'full' ? {} : { weight: w, ...(w === 'identity' ? {} : { init: 'uniform' as const, initScale: 0.5 }) });
    }
    const m: Made = { id, size, kind: 'gate' };
    computed.push(m);
    avail.push(m);
  }
  // Every cell is written by a computed node (or, rarely, an input) of its size.
  for (const c of cells) {
    const writers = [...computed, ...avail.filter((a) => a.kind === 'input')].filter((a) => a.size === c.size);
    let w = writers.length > 0 && rng.uniform() < 0.9 ? pick(writers.filter((x) => x.kind !== 'input').length > 0 ? writers.filter((x) => x.kind !== 'input') : writers) : undefined;
    if (!w) {
      const id = `w_${c.id}`;
      nodes.push({ id, kind: 'gate', size: c.size, activation: 'tanh' });
      edge(pick(avail).id, id);
      edge(c.id, id);
      w = { id, size: c.size, kind: 'gate' };
      computed.push(w);
      avail.push(w);
    }
    edge(w.id, c.id);
  }
  // Losses: one on a readout of the last computed node, plus a random one.
  const readId = 'readout';
  const last = computed[computed.length - 1];
  const ySize = pick(SIZES);
  nodes.push({ id: readId, kind: 'gate', size: ySize, activation: 'identity' });
  edge(last.id, readId);
  if (rng.uniform() < 0.5) edge(pick(cells).id, readId);
  const lossOn = (pred: Made, k: number): void => {
    const loss: LossKind = pick(['mse', 'mse', 'bce', 'sum', 'cross_entropy'] as const);
    const id = `L${k}`;
    nodes.push({ id, kind: 'loss', loss, ...(rng.uniform() < 0.3 ? { steps: 'last' as const } : {}) });
    edge(pred.id, id, { port: 'prediction' });
    if (loss !== 'sum') {
      const t = `y${k}`;
      nodes.push({ id: t, kind: 'target', size: pred.size });
      edge(t, id, { port: 'target' });
    }
  };
  lossOn({ id: readId, size: ySize, kind: 'gate' }, 0);
  if (rng.uniform() < 0.7) lossOn(pick(computed), 1);
  return { format: GRAPH_FORMAT, version: GRAPH_VERSION, name: `random ${seed}`, nodes, edges };
}
