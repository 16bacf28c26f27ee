/**
 * The fast runtime's plan: which computed nodes can run over all T steps at
 * once and which must run step by step, and which matrix products can be fused.
 *
 * - `pre`:  gates/ops/losses that do not depend (within a step) on any cell.
 *           They see only inputs, so they run once over T·B rows before the loop.
 * - `loop`: nodes that depend on a cell and feed a cell: the recurrence proper.
 * - `post`: nodes that depend on a cell but feed none (readouts, losses): once
 *           over T·B rows after the loop, and first in the backward pass.
 *
 * Every `full` edge belongs to a Group: all full edges from one source into
 * gates of one phase become one product S · Wcatᵀ with Wcat = the edges'
 * matrices stacked ([Σ target sizes, source size]). A loop group whose source
 * is an input or a pre node is "hoisted": its product for all T steps is one
 * product before the loop. The weight gradient of every group is one product
 * over all T·B rows after the backward pass (dWcat = dZᵀ · S).
 */
import type { CEdge, Program } from '../compile.ts';
import type { DType } from '../tensor.ts';

export type Phase = 'pre' | 'loop' | 'post';

export interface GroupEdge {
  edge: CEdge;
  gate: number;
  /** First column of this gate in the group's [rows, width] product. */
  col: number;
  n: number;
}

export interface Group {
  index: number;
  source: number;
  /** Phase of the target gates. */
  phase: Phase;
  /** A loop group whose source is known before the loop: computed over all T at once. */
  hoisted: boolean;
  /** A group whose product runs step by step (loop phase, source a cell or a loop node). */
  perStep: boolean;
  edges: GroupEdge[];
  width: number;
  ns: number;
  /** The slab holding dL/dz of the group's gates for all T·B rows (shared by groups with the same gates). */
  slab: number;
}

export interface Slab {
  width: number;
}

export interface FastPlan {
  phase: (Phase | null)[];
  pre: number[];
  loop: number[];
  post: number[];
  groups: Group[];
  slabs: Slab[];
  /** Per gate: the groups it is a target of (with its column in each). */
  gateGroups: { group: number; col: number }[][];
  /** Per gate: the distinct (slab, column) places it writes its dz into. */
  gateSlabs: { slab: number; col: number }[][];
  /** Per node: groups whose source is this node and whose gates are in the node's own phase. */
  after: number[][];
  /** Per phase: groups whose source is not computed in that phase. */
  start: Record<Phase, number[]>;
  /** Hoisted loop groups. */
  hoisted: number[];
  /** Non-full edges into gates, per gate. */
  otherEdges: CEdge[][];
}

const computed = (kind: string): boolean => kind === 'gate' || kind === 'op' || kind === 'loss';

/** Builds the plan of a compiled program (pure; independent of T and B). */
export function makePlan(p: Program): FastPlan {
  const N = p.nodes.length;
  const dependsOnCell = new Array<boolean>(N).fill(false);
  for (const i of p.order) {
    dependsOnCell[i] = p.nodes[i].inEdges.some((e) => p.nodes[e.source].kind === 'cell' || dependsOnCell[e.source]);
  }
  const feedsCell = new Array<boolean>(N).fill(false);
  for (const c of p.cells) feedsCell[p.nodes[c].writer!] = true;
  for (let k = p.order.length - 1; k >= 0; k--) {
    const i = p.order[k];
    if (p.nodes[i].outEdges.some((e) => computed(p.nodes[e.target].kind) && feedsCell[e.target])) feedsCell[i] = true;
  }
  const phase: (Phase | null)[] = p.nodes.map(() => null);
  const pre: number[] = [];
  const loop: number[] = [];
  const post: number[] = [];
  for (const i of p.order) {
    const ph: Phase = !dependsOnCell[i] ? 'pre' : feedsCell[i] ? 'loop' : 'post';
    phase[i] = ph;
    (ph === 'pre' ? pre : ph === 'loop' ? loop : post).push(i);
  }

  const groups: Group[] = [];
  const key = new Map<string, number>();
  const gateGroups: { group: number; col: number }[][] = p.nodes.map(() => []);
  const otherEdges: CEdge[][] = p.nodes.map(() => []);
  // Gates in schedule order, so groups of the same gates list them identically.
  for (const g of p.order) {
    const n = p.nodes[g];
    if (n.kind !== 'gate') continue;
    for (const e of n.inEdges) {
      if (e.weight !== 'full') { otherEdges[g].push(e); continue; }
      const ph = phase[g]!;
      const k = `${e.source}:${ph}`;
      let gi = key.get(k);
      if (gi === undefined) {
        gi = groups.length;
        key.set(k, gi);
        const src = p.nodes[e.source];
        const srcPhase = phase[e.source];
        const hoisted = ph === 'loop' && (src.kind === 'input' || srcPhase === 'pre');
        groups.push({
          index: gi, source: e.source, phase: ph, hoisted, perStep: ph === 'loop' && !hoisted,
          edges: [], width: 0, ns: src.size, slab: -1,
        });
      }
      const grp = groups[gi];
      grp.edges.push({ edge: e, gate: g, col: grp.width, n: n.size });
      gateGroups[g].push({ group: gi, col: grp.width });
      grp.width += n.size;
    }
  }

  // Slabs: one per distinct list of (gate, column).
  const slabs: Slab[] = [];
  const slabKey = new Map<string, number>();
  for (const grp of groups) {
    const k = grp.edges.map((ge) => `${ge.gate}@${ge.col}`).join(',');
    let s = slabKey.get(k);
    if (s === undefined) {
      s = slabs.length;
      slabKey.set(k, s);
      slabs.push({ width: grp.width });
    }
    grp.slab = s;
  }
  const gateSlabs: { slab: number; col: number }[][] = p.nodes.map((_, g) => {
    // A gate fed twice by one source (parallel edges) has two columns in one slab.
    const seen = new Set<string>();
    const out: { slab: number; col: number }[] = [];
    for (const m of gateGroups[g]) {
      const s = groups[m.group].slab;
      if (seen.has(`${s}:${m.col}`)) continue;
      seen.add(`${s}:${m.col}`);
      out.push({ slab: s, col: m.col });
    }
    return out;
  });

  const after: number[][] = p.nodes.map(() => []);
  const start: Record<Phase, number[]> = { pre: [], loop: [], post: [] };
  const hoisted: number[] = [];
  for (const grp of groups) {
    if (grp.hoisted) { hoisted.push(grp.index); continue; }
    if (phase[grp.source] === grp.phase) after[grp.source].push(grp.index);
    else start[grp.phase].push(grp.index);
  }
  return { phase, pre, loop, post, groups, slabs, gateGroups, gateSlabs, after, start, hoisted, otherEdges };
}

/** The sizes (in elements) of every buffer a fast session allocates, by purpose. */
export interface BufferSizes {
  /** Values and gradients of every node, laid out as the reference Session does. */
  vals: number[];
  grads: number[];
  gparams: number;
  /** Per slab: dL/dz for all T·B rows. */
  slabs: number[];
  /** Per group: its forward product (0 when it reuses its slab), Wcat and Wcatᵀ. */
  products: number[];
  packed: number[];
  /** Shared scratch: a gate's dz ([T·B, size]) and one group's dWcat. */
  scratchDz: number;
  dwcat: number;
  /** Per node: the pre-activations of a gate whose activation's derivative needs them (else 0). */
  pre: number[];
}

export function bufferSizes(p: Program, plan: FastPlan, T: number, B: number, inputGrads: boolean): BufferSizes {
  const vals = p.nodes.map((n) => (n.kind === 'loss' ? 0 : (n.kind === 'cell' ? T + 1 : T) * B * n.size));
  const grads = p.nodes.map((n) => {
    if (n.kind === 'target' || n.kind === 'loss') return 0;
    if (n.kind === 'input' && !inputGrads) return 0;
    return (n.kind === 'cell' ? T + 1 : T) * B * n.size;
  });
  const slabs = plan.slabs.map((s) => T * B * s.width);
  const aliased = new Set<number>();
  const products = plan.groups.map((g) => {
    if (g.perStep) return B * g.width;
    // An all-T product is only needed during the forward pass; the slab of
    // dz is only written during the backward pass, so the first such group
    // of each slab computes its product in the slab's memory.
    if (!aliased.has(g.slab)) { aliased.add(g.slab); return 0; }
    return T * B * g.width;
  });
  const packed = plan.groups.map((g) => 2 * g.width * g.ns);
  let maxGate = 1;
  for (const n of p.nodes) if (n.kind === 'gate') maxGate = Math.max(maxGate, n.size);
  const dwcat = plan.groups.reduce((m, g) => Math.max(m, g.width * g.ns), 1);
  const pre = p.nodes.map((n) => (n.act?.def.usesInput ? T * B * n.size : 0));
  return { vals, grads, gparams: p.layout.size, slabs, products, packed, scratchDz: T * B * maxGate, dwcat, pre };
}

const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);

export interface MemoryEstimate {
  /** Bytes of all buffers of one training session (values, gradients, products, scratch). */
  bytes: number;
  /** The same, split: node values, node gradients, fused-product buffers and scratch, parameters. */
  parts: { values: number; gradients: number; products: number; parameters: number };
}

/**
 * The memory one training step needs at (T, B): every buffer the fast session
 * allocates up front (nothing is allocated inside a step).
 *
 * @example
 * const m = estimateMemory(program, { T: 100, B: 64, dtype: 'float32' }); // m.bytes
 */
export function estimateMemory(p: Program, opts: { T: number; B: number; dtype?: DType; inputGrads?: boolean }, plan: FastPlan = makePlan(p)): MemoryEstimate {
  const el = (opts.dtype ?? 'float64') === 'float64' ? 8 : 4;
  const s = bufferSizes(p, plan, opts.T, opts.B, opts.inputGrads === true);
  const values = (sum(s.vals) + sum(s.pre)) * el;
  const gradients = sum(s.grads) * el;
  const products = (sum(s.slabs) + sum(s.products) + sum(s.packed) + s.scratchDz + s.dwcat) * el;
  // gparams and the session's copy of θ, plus the caller's θ and one optimizer state of the same size.
  const parameters = 4 * s.gparams * el;
  return { bytes: values + gradients + products + parameters, parts: { values, gradients, products, parameters } };
}
