/**
 * Recognizes a graph that is exactly one standard LSTM, GRU or RNN layer (the
 * shapes of engine/templates.ts and engine/import/recurrent.ts), optionally
 * with dense readouts, and writes it as the fused ONNX op, layout 0
 * (onnxruntime refuses layout 1). Anything that does not match exactly is
 * left to the Scan form: a fused op must compute the same numbers.
 */
import type { CEdge, CNode, Program } from '../compile.ts';
import type { Activation } from '../format/types.ts';
import type { AttrValue, OnnxGraph } from '../import/onnx-proto.ts';
import { DT } from '../import/onnx-proto.ts';
import type { Arr } from '../tensor.ts';
import { Emitter, initialState } from './onnx-emitter.ts';

const ONNX_ACT: Partial<Record<Activation, string>> = { sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', softplus: 'Softplus' };

type Op = 'LSTM' | 'GRU' | 'RNN';

/** One matched layer: its op, nodes by role and weights in ONNX order. */
export interface Layer {
  op: Op;
  x: CNode;
  h: CNode;
  c?: CNode;
  /** The node holding h_t (the cell's writer). */
  out: CNode;
  /** Gates by ONNX block order (LSTM i o f c; GRU z r h; RNN h) with the edge from x and from the recurrent input. */
  W: number[];
  R: number[];
  B: number[];
  P?: number[];
  activations: string[];
  inputForget: boolean;
  linearBeforeReset: boolean;
  /** Every node the layer consists of. */
  members: Set<number>;
  reverse: boolean;
  /** The gate nodes in PyTorch's order: LSTM i, f, g, o (f absent with input_forget); GRU r, z, n and, with linear_before_reset, the gate R_h·h + b. */
  gates?: (CNode | undefined)[];
}

function only<T>(xs: T[]): T | undefined {
  return xs.length === 1 ? xs[0] : undefined;
}

class Matcher {
  members = new Set<number>();
  constructor(private p: Program, private theta: Arr) {}
  node(i: number): CNode {
    return this.p.nodes[i];
  }
  /** The node n if it is an op of the kind with exactly `count` inputs. */
  op(n: CNode | undefined, op: string, count: number): CNode[] | undefined {
    if (!n || n.kind !== 'op' || n.op !== op || n.inEdges.length !== count) return undefined;
    this.members.add(n.index);
    return n.inEdges.map((e) => this.node(e.source));
  }
  /** A gate reading x (full) and rec (full), bias optional, extra diagonal peepholes allowed. */
  gate(n: CNode | undefined, x: CNode, rec: CNode, peeps: CNode[] = []): { W: number[]; R: number[]; b: number[]; act: Activation; peep: Map<number, number[]> } | undefined {
    if (!n || n.kind !== 'gate' || !n.activation) return undefined;
    const H = n.size;
    const ex = only(n.inEdges.filter((e) => e.source === x.index));
    const er = only(n.inEdges.filter((e) => e.source === rec.index));
    if (!ex || !er || ex.weight !== 'full' || er.weight !== 'full') return undefined;
    const peep = new Map<number, number[]>();
    for (const e of n.inEdges) {
      if (e === ex || e === er) continue;
      if (e.weight !== 'diagonal' || !peeps.some((q) => q.index === e.source)) return undefined;
      peep.set(e.source, this.vec(e, H));
    }
    this.members.add(n.index);
    return { W: this.vec(ex, H * x.size), R: this.vec(er, H * rec.size), b: n.bias ? Array.from(this.theta.subarray(n.bias.offset, n.bias.offset + H)) : new Array<number>(H).fill(0), act: n.activation, peep };
  }
  vec(e: CEdge, len: number): number[] {
    return Array.from(this.theta.subarray(e.param!.offset, e.param!.offset + len));
  }
}

function input(p: Program): CNode | undefined {
  return only(p.inputs.map((i) => p.nodes[i]));
}

function acts(...a: Activation[]): string[] | undefined {
  const out = a.map((x) => ONNX_ACT[x]);
  return out.every((x) => x !== undefined) ? (out as string[]) : undefined;
}

function matchRnn(p: Program, theta: Arr, x: CNode, h: CNode): Layer | undefined {
  const m = new Matcher(p, theta);
  const w = m.node(h.writer!);
  const g = m.gate(w, x, h);
  const a = g && acts(g.act);
  if (!g || !a) return undefined;
  return { op: 'RNN', x, h, out: w, W: g.W, R: g.R, B: [...g.b, ...new Array<number>(h.size).fill(0)], activations: a, inputForget: false, linearBeforeReset: false, members: new Set([...m.members, h.index]), reverse: x.reverse === true };
}

function matchGru(p: Program, theta: Arr, x: CNode, h: CNode): Layer | undefined {
  const m = new Matcher(p, theta);
  const out = m.node(h.writer!);
  const [zn, zh] = m.op(out, 'add', 2) ?? [];
  const a1 = m.op(zn, 'mul', 2);
  const a2 = m.op(zh, 'mul', 2);
  if (!a1 || !a2) return undefined;
  // zh = z ⊙ h; zn = (1 − z) ⊙ n (either order of the factors).
  const [zmul, zother] = a1.some((n) => n.kind === 'op' && n.op === 'one_minus') ? [a2, a1] : [a1, a2];
  const z = zmul.find((n) => n.index !== h.index);
  if (!z || !zmul.some((n) => n.index === h.index)) return undefined;
  const omz = zother.find((n) => n.kind === 'op' && n.op === 'one_minus');
  const n = zother.find((q) => q !== omz);
  if (!omz || !n || m.op(omz, 'one_minus', 1)?.[0]?.index !== z.index) return undefined;
  const gz = m.gate(z, x, h);
  if (!gz) return undefined;
  // The candidate: lbr=1 reads r ⊙ (R_h h + b) through an identity edge; lbr=0 reads r ⊙ h through a full edge.
  if (n.kind !== 'gate' || n.inEdges.length !== 2) return undefined;
  const ex = only(n.inEdges.filter((e) => e.source === x.index));
  const eo = only(n.inEdges.filter((e) => e.source !== x.index));
  if (!ex || !eo || ex.weight !== 'full') return undefined;
  const prod = m.op(m.node(eo.source), 'mul', 2);
  if (!prod) return undefined;
  const H = h.size;
  let r: CNode | undefined;
  let hnGate: CNode | undefined;
  let Rh: number[];
  let Rbh: number[];
  let lbr: boolean;
  if (eo.weight === 'identity') {
    const hn = prod.find((q) => q.kind === 'gate' && q.inEdges.length === 1 && q.inEdges[0].source === h.index && q.inEdges[0].weight === 'full' && q.activation === 'identity');
    r = prod.find((q) => q !== hn);
    if (!hn || !r) return undefined;
    m.members.add(hn.index);
    hnGate = hn;
    Rh = m.vec(hn.inEdges[0], H * H);
    Rbh = hn.bias ? Array.from(theta.subarray(hn.bias.offset, hn.bias.offset + H)) : new Array<number>(H).fill(0);
    lbr = true;
  } else if (eo.weight === 'full') {
    if (!prod.some((q) => q.index === h.index)) return undefined;
    r = prod.find((q) => q.index !== h.index);
    Rh = m.vec(eo, H * H);
    Rbh = new Array<number>(H).fill(0);
    lbr = false;
  } else {
    return undefined;
  }
  const gr = m.gate(r, x, h);
  if (!gr || gr.act !== gz.act) return undefined;
  m.members.add(n.index);
  const a = acts(gz.act, n.activation!);
  if (!a) return undefined;
  const Wh = m.vec(ex, H * x.size);
  const bn = n.bias ? Array.from(theta.subarray(n.bias.offset, n.bias.offset + H)) : new Array<number>(H).fill(0);
  return {
    op: 'GRU', x, h, out, activations: a, inputForget: false, linearBeforeReset: lbr, reverse: x.reverse === true, gates: [r, z, n, hnGate],
    W: [...gz.W, ...gr.W, ...Wh], R: [...gz.R, ...gr.R, ...Rh],
    B: [...gz.b, ...gr.b, ...bn, ...new Array<number>(2 * H).fill(0), ...Rbh],
    members: new Set([...m.members, h.index]),
  };
}

function matchLstm(p: Program, theta: Arr, x: CNode, h: CNode, c: CNode): Layer | undefined {
  const m = new Matcher(p, theta);
  const H = c.size;
  if (h.size !== H) return undefined;
  const cn = m.node(c.writer!);
  const out = m.node(h.writer!);
  const [fc, ig] = m.op(cn, 'add', 2) ?? [];
  const fcIn = m.op(fc, 'mul', 2);
  const igIn = m.op(ig, 'mul', 2);
  const ot = m.op(out, 'mul', 2);
  if (!fcIn || !igIn || !ot) return undefined;
  // fc = f ⊙ c (or the two sums swapped).
  const [fcx, igx] = fcIn.some((q) => q.index === c.index) ? [fcIn, igIn] : [igIn, fcIn];
  if (!fcx.some((q) => q.index === c.index)) return undefined;
  const f = fcx.find((q) => q.index !== c.index);
  const tc = ot.find((q) => q.kind === 'gate' && q.inEdges.length === 1 && q.inEdges[0].source === cn.index && q.inEdges[0].weight === 'identity' && !q.bias);
  const o = ot.find((q) => q !== tc);
  if (!f || !tc || !o) return undefined;
  m.members.add(tc.index);
  // input_forget: f = 1 − i.
  let i: CNode | undefined;
  let g: CNode | undefined;
  let inputForget = false;
  const fOne = m.op(f, 'one_minus', 1);
  if (fOne) {
    inputForget = true;
    i = igx.find((q) => q.index === fOne[0].index);
    g = igx.find((q) => q !== i);
  } else {
    // i and g: g is the one whose activation differs from f's, else the one without peepholes.
    const cand = igx.filter((q) => q.kind === 'gate');
    if (cand.length !== 2 || !f.activation) return undefined;
    const byAct = cand.filter((q) => q.activation === f.activation);
    i = byAct.length === 1 ? byAct[0] : cand.find((q) => q.inEdges.some((e) => e.weight === 'diagonal')) ?? cand[0];
    g = cand.find((q) => q !== i);
  }
  const gi = m.gate(i, x, h, [c]);
  const gf = inputForget ? undefined : m.gate(f, x, h, [c]);
  const gg = m.gate(g, x, h);
  const go = m.gate(o, x, h, [cn]);
  if (!gi || !gg || !go || (!inputForget && !gf)) return undefined;
  if ((gf && gf.act !== gi.act) || go.act !== gi.act) return undefined;
  const a = acts(gi.act, gg.act, tc.activation!);
  if (!a) return undefined;
  const zeros = new Array<number>(H).fill(0);
  const fW = gf ? gf.W : new Array<number>(H * x.size).fill(0);
  const fR = gf ? gf.R : new Array<number>(H * H).fill(0);
  const fb = gf ? gf.b : zeros;
  const pI = gi.peep.get(c.index);
  const pF = gf?.peep.get(c.index);
  const pO = go.peep.get(cn.index);
  return {
    op: 'LSTM', x, h, c, out, activations: a, inputForget, linearBeforeReset: false, reverse: x.reverse === true,
    W: [...gi.W, ...go.W, ...fW, ...gg.W], R: [...gi.R, ...go.R, ...fR, ...gg.R],
    B: [...gi.b, ...go.b, ...fb, ...gg.b, ...new Array<number>(4 * H).fill(0)],
    P: pI || pF || pO ? [...(pI ?? zeros), ...(pO ?? zeros), ...(pF ?? zeros)] : undefined,
    members: new Set([...m.members, h.index, c.index]),
    gates: [i, gf ? f : undefined, g, o],
  };
}

/** One standard layer reading `x` built from some of `cells`. */
function matchOne(p: Program, theta: Arr, x: CNode, cells: CNode[]): Layer | undefined {
  for (const h of cells) {
    const l = matchRnn(p, theta, x, h) ?? matchGru(p, theta, x, h);
    if (l) return l;
    for (const c of cells) {
      if (c === h) continue;
      const m = matchLstm(p, theta, x, h, c);
      if (m) return m;
    }
  }
  return undefined;
}

/**
 * The stack of standard layers a program is, if it is one (readouts and
 * losses aside): the first reads the input, each next one the previous
 * layer's output, every cell belongs to one layer.
 */
export function matchStack(p: Program, theta: Arr): Layer[] | undefined {
  const x = input(p);
  if (!x) return undefined;
  let cells = p.cells.map((i) => p.nodes[i]);
  if (cells.length === 0 || cells.some((c) => c.zoneout)) return undefined;
  const stack: Layer[] = [];
  let src = x;
  while (cells.length > 0) {
    const l = matchOne(p, theta, src, cells);
    if (!l) return undefined;
    stack.push(l);
    cells = cells.filter((c) => !l.members.has(c.index));
    src = l.out;
  }
  return stack;
}

/** A readout: a gate reading the last layer's output through one full edge. */
function readout(p: Program, n: CNode, layer: Layer): boolean {
  return n.kind === 'gate' && n.inEdges.length === 1 && n.inEdges[0].source === layer.out.index && n.inEdges[0].weight === 'full'
    && (n.activation === 'identity' || ONNX_ACT[n.activation!] !== undefined);
}

/** True when the node is a gate reading one source through one full edge, with an activation ONNX has. */
export function isDenseHead(n: CNode): boolean {
  return n.kind === 'gate' && n.inEdges.length === 1 && n.inEdges[0].weight === 'full' && (n.activation === 'identity' || ONNX_ACT[n.activation!] !== undefined);
}

/**
 * A readout gate over whole sequences as torch writes nn.Linear: MatMul, Add,
 * activation, named `/<id>/<op>` (which the importer reads back as the head).
 */
export function denseHead(em: Emitter, n: CNode, src: string, srcSize: number, theta: Arr): string {
  const e = n.inEdges[0];
  const W = Array.from(theta.subarray(e.param!.offset, e.param!.offset + n.size * srcSize));
  const Wt = new Array<number>(W.length);
  for (let r = 0; r < n.size; r++) for (let k = 0; k < srcSize; k++) Wt[k * n.size + r] = W[r * srcSize + k];
  let z = em.node('MatMul', [src, em.const(`W_${n.id}`, [srcSize, n.size], Wt)], n.id, {}, undefined, `/${n.id}/MatMul`);
  if (n.bias) z = em.node('Add', [z, em.const(`b_${n.id}`, [n.size], theta.subarray(n.bias.offset, n.bias.offset + n.size))], n.id, {}, undefined, `/${n.id}/Add`);
  if (n.activation !== 'identity') z = em.node(ONNX_ACT[n.activation!]!, [z], n.id, {}, undefined, `/${n.id}/${ONNX_ACT[n.activation!]!}`);
  return z;
}

/**
 * The fused form of the program, or undefined. `outputs` undefined means the
 * default: the predictions and the cells the fused op gives at every step.
 */
export function fusedLayer(p: Program, theta: Arr, outputs: string[] | undefined, reportOriginal: boolean, initialInputs = false): { graph: OnnxGraph; outputs: string[] } | undefined {
  const stack = matchStack(p, theta);
  if (!stack) return undefined;
  const L = stack[stack.length - 1];
  // A reverse layer computes in the data's time order only in a graph that reports that way.
  if (stack.some((l) => l.reverse) && !reportOriginal) return undefined;
  const members = new Set(stack.flatMap((l) => [...l.members]));
  const heads = p.nodes.filter((n) => n.kind !== 'loss' && n.kind !== 'target' && !members.has(n.index) && n.index !== stack[0].x.index);
  if (!heads.every((n) => readout(p, n, L))) return undefined;
  const predictions = p.losses.flatMap((i) => p.nodes[i].inEdges.filter((e) => e.port === 'prediction').map((e) => p.nodes[e.source].id));
  const outs = outputs ?? [...new Set([...predictions, ...stack.map((l) => l.h.id)])];
  const value = new Map<string, string>();
  if (!outs.every((id) => stack.some((l) => id === l.h.id || id === l.out.id) || heads.some((n) => n.id === id))) return undefined;

  const em = new Emitter('');
  const X = stack[0].x.id;
  const shape = em.node('Shape', [X], 'shape');
  const B = em.node('Slice', [shape, em.const('one', [1], [1], DT.INT64), em.const('two', [1], [2], DT.INT64)], 'B');
  const initial = (cell: CNode): string => {
    // Zeros are ONNX's default: leave the input out, so the import reads them back as zeros.
    if (!initialInputs && !cell.init) return '';
    return initialState(em, cell, theta, initialInputs, B, 1);
  };
  let seq = X;
  for (const l of stack) {
    const H = l.h.size;
    const G = { LSTM: 4, GRU: 3, RNN: 1 }[l.op];
    const ins = [seq, em.const('W', [1, G * H, l.x.size], l.W), em.const('R', [1, G * H, H], l.R), em.const('B', [1, 2 * G * H], l.B), '', initial(l.h)];
    if (l.op === 'LSTM') {
      ins.push(initial(l.c!));
      if (l.P) ins.push(em.const('P', [1, 3 * H], l.P));
    }
    const attrs: Record<string, AttrValue> = {
      hidden_size: { type: 'int', i: H },
      activations: { type: 'strings', strings: l.activations },
      direction: { type: 'string', s: l.reverse ? 'reverse' : 'forward' },
    };
    if (l.op === 'LSTM' && l.inputForget) attrs.input_forget = { type: 'int', i: 1 };
    if (l.op === 'GRU') attrs.linear_before_reset = { type: 'int', i: l.linearBeforeReset ? 1 : 0 };
    while (ins[ins.length - 1] === '') ins.pop();
    const Y = em.tmp('Y');
    em.nodes.push({ name: `${l.op}:${l.h.id}`, opType: l.op, domain: '', inputs: ins, outputs: [Y], attributes: new Map(Object.entries(attrs)) });
    seq = em.node('Squeeze', [Y, em.const('axis1', [1], [1], DT.INT64)], l.h.id);
    value.set(l.h.id, seq);
    value.set(l.out.id, seq);
  }
  for (const n of heads) value.set(n.id, denseHead(em, n, seq, L.h.size, theta));
  for (const id of outs) em.node('Identity', [value.get(id)!], id, {}, id);
  const f32 = (name: string, dims2: (number | string)[]) => ({ name, elemType: DT.FLOAT, shape: dims2.map((d) => (typeof d === 'number' ? { value: d } : { param: d })) });
  const cells = stack.flatMap((l) => (l.c ? [l.h, l.c] : [l.h]));
  return {
    graph: {
      name: p.graph.name ?? 'cellwright',
      nodes: em.nodes,
      initializers: em.inits,
      inputs: [f32(X, ['T', 'B', stack[0].x.size]), ...(initialInputs ? cells.map((c) => f32(`${c.id}.initial`, ['B', c.size])) : [])],
      outputs: outs.map((id) => f32(id, ['T', 'B', p.nodes[p.byId.get(id)!].size])),
    },
    outputs: outs,
  };
}
