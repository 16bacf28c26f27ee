/**
 * Random VALID graphs for property tests: random gates (smooth activations),
 * ops and cells, with random cycles through cells. Deterministic in the seed.
 */
import type { Activation, Graph, GraphEdge, GraphNode, LossKind, WeightKind } from '../format/types.ts';
import { Rng } from '../rng.ts';

export interface RandomGraphOptions {
  activations?: Activation[];
  maxComputed?: number;
}

export function randomGraph(seed: number, opts: RandomGraphOptions = {}): Graph {
  const rng = new Rng(seed);
  const acts = opts.activations ?? ['identity', 'sigmoid', 'tanh', 'softplus'];
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const size = new Map<string, number>();
  let eid = 0;
  const edge = (source: string, target: string, weight?: WeightKind, extra: Partial<GraphEdge> = {}): void => {
    const e: GraphEdge = { id: `e${eid++}`, source, target, ...extra };
    if (weight) e.weight = weight;
    edges.push(e);
  };
  const add = (n: GraphNode, s: number): void => { nodes.push(n); size.set(n.id, s); };

  const nIn = 1 + rng.int(2);
  for (let i = 0; i < nIn; i++) add({ id: `x${i}`, kind: 'input', size: 1 + rng.int(3), ...(rng.uniform() < 0.2 ? { reverse: true } : {}) }, 0);
  for (const n of nodes) size.set(n.id, (n as { size: number }).size);
  const nCell = 1 + rng.int(3);
  const cells: string[] = [];
  for (let i = 0; i < nCell; i++) {
    const s = 1 + rng.int(3);
    add({ id: `c${i}`, kind: 'cell', size: s, ...(rng.uniform() < 0.3 ? { initial: 'learned' as const } : {}) }, s);
    cells.push(`c${i}`);
  }
  const readable = (): string[] => nodes.filter((n) => n.kind !== 'loss' && n.kind !== 'target').map((n) => n.id);
  const weightFor = (src: string, tgtSize: number): WeightKind => {
    const s = size.get(src)!;
    const options: WeightKind[] = ['full', 'full'];
    if (s === tgtSize) options.push('diagonal', 'identity', 'scalar');
    if (s === 1) options.push('scalar');
    return pick(options);
  };
  const gate = (id: string, s: number, sources: string[]): void => {
    add({ id, kind: 'gate', size: s, activation: pick(acts), ...(rng.uniform() < 0.2 ? { bias: false } : {}) }, s);
    for (const src of sources) edge(src, id, weightFor(src, s));
  };

  const nComp = 1 + rng.int(opts.maxComputed ?? 6);
  const computed: string[] = [];
  for (let k = 0; k < nComp; k++) {
    const id = `n${k}`;
    const pool = readable();
    if (rng.uniform() < 0.35) {
      // An op over same-size sources.
      const s = size.get(pick(pool))!;
      const same = pool.filter((p) => size.get(p) === s);
      const op = pick(['mul', 'add', 'one_minus'] as const);
      const arity = op === 'one_minus' ? 1 : 1 + rng.int(3);
      add({ id, kind: 'op', op }, s);
      for (let a = 0; a < arity; a++) edge(pick(same), id);
    } else {
      const s = 1 + rng.int(3);
      const k2 = 1 + rng.int(3);
      const srcs = Array.from({ length: k2 }, () => pick(pool));
      gate(id, s, [...new Set(srcs)]);
    }
    computed.push(id);
  }
  // Close every cell's cycle: its next state is a computed node of its size.
  for (const c of cells) {
    const s = size.get(c)!;
    const fits = computed.filter((id) => size.get(id) === s);
    let writer = fits.length > 0 ? pick(fits) : '';
    if (!writer) {
      writer = `w_${c}`;
      gate(writer, s, [pick(computed), c]);
    }
    edge(writer, c);
  }
  // One or two losses on random computed nodes.
  const nLoss = 1 + rng.int(2);
  for (let l = 0; l < nLoss; l++) {
    const from = pick([...computed, ...cells]);
    const s = size.get(from)!;
    const kind = pick(['mse', 'bce', 'sum', 'cross_entropy'] as LossKind[]);
    const steps = rng.uniform() < 0.3 ? 'last' as const : 'all' as const;
    add({ id: `L${l}`, kind: 'loss', loss: kind, steps }, 1);
    edge(from, `L${l}`, undefined, { port: 'prediction' });
    if (kind !== 'sum') {
      add({ id: `t${l}`, kind: 'target', size: s }, s);
      edge(`t${l}`, `L${l}`, undefined, { port: 'target' });
    }
  }
  return { format: 'cellwright-graph', version: 1, name: `random ${seed}`, nodes, edges };
}
