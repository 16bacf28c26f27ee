/**
 * Builds the graph of one recurrent layer (LSTM, GRU or Elman RNN) from
 * weights in ONNX's layout and gate order, as named gates wired from the
 * graph format's primitives — the same shapes as the templates in
 * engine/templates.ts, so an imported LSTM looks like the LSTM template.
 *
 * ONNX gate orders: LSTM i, o, f, c (peepholes i, o, f); GRU z, r, h. The
 * PyTorch importer reorders its i, f, g, o / r, z, n blocks into these first.
 */
import type { Activation, GraphEdge, GraphNode, TensorJSON, WeightKind } from '../format/types.ts';

export type RecurrentOp = 'LSTM' | 'GRU' | 'RNN';

/** A row-major matrix. */
export interface Mat { rows: number; cols: number; data: Float64Array }

export interface LayerSpec {
  op: RecurrentOp;
  /** Id suffix ('' for a single layer, `_l1` …). */
  suffix: string;
  /** The node the layer reads at each step, and its size. */
  source: string;
  inputSize: number;
  hidden: number;
  /** [gates·H, I] and [gates·H, H] in ONNX gate order. */
  W: Mat;
  R: Mat;
  /** [gates·H] each, or undefined for no bias. */
  Wb?: Float64Array;
  Rb?: Float64Array;
  /** LSTM peepholes [3H] in the order i, o, f. */
  P?: Float64Array;
  /** Activations by role: LSTM [f, g, h], GRU [f, g], RNN [f]. */
  activations: Activation[];
  inputForget?: boolean;
  /** GRU: apply R_h before the reset gate (PyTorch's way). */
  linearBeforeReset?: boolean;
  /** PyTorch proj_size: h_t = W_hr · m_t, [P, H]. */
  proj?: Mat;
  /** Learned initial states (else zeros or given in the data). */
  initialH?: Float64Array;
  initialC?: Float64Array;
  /** Column offset for the layout (layers stand side by side). */
  col: number;
}

export interface LayerOut {
  /** The state cell (h, or r with a projection) and the LSTM memory cell. */
  h: string;
  c?: string;
  /** The node holding h_t at step t (what the layer's output Y reads). */
  out: string;
  outSize: number;
}

/** Nodes, edges and parameters being assembled into one graph. */
export class GraphDraft {
  nodes: GraphNode[] = [];
  edges: GraphEdge[] = [];
  parameters: Record<string, TensorJSON> = {};
  private ids = new Set<string>();

  /** A fresh node id from a wish (made unique with a counter). */
  uid(wish: string): string {
    let id = wish.replace(/[^A-Za-z0-9_.:-]/g, '_') || 'n';
    if (this.ids.has(id)) {
      let k = 2;
      while (this.ids.has(`${id}_${k}`)) k++;
      id = `${id}_${k}`;
    }
    this.ids.add(id);
    return id;
  }
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(n: GraphNode): string {
    if (!this.ids.has(n.id)) this.ids.add(n.id);
    this.nodes.push(n);
    return n.id;
  }
  node(id: string): GraphNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }
  /** An edge; a learned one gets its parameter (shape [target, source] for full). */
  edge(source: string, target: string, weight: WeightKind, value?: TensorJSON, extra: Partial<GraphEdge> = {}): string {
    let id = `${source}_${target}`;
    for (let k = 2; this.edges.some((e) => e.id === id); k++) id = `${source}_${target}_${k}`;
    this.edges.push({ id, source, target, weight, ...extra });
    if (value) this.parameters[`edge:${id}`] = value;
    return id;
  }
  bias(node: string, data: Float64Array | number[]): void {
    this.parameters[`bias:${node}`] = { shape: [data.length], data: Array.from(data) };
  }
}

const COL = 200;
const ROW = 110;
const at = (col: number, row: number): { x: number; y: number } => ({ x: Math.round(col * COL), y: Math.round(row * ROW) });

/** Rows [g·H, (g+1)·H) of a matrix as a parameter tensor. */
function block(m: Mat, g: number, H: number): TensorJSON {
  return { shape: [H, m.cols], data: Array.from(m.data.subarray(g * H * m.cols, (g + 1) * H * m.cols)) };
}

function biasBlock(spec: LayerSpec, g: number, withR: boolean): Float64Array | undefined {
  const H = spec.hidden;
  if (!spec.Wb && !spec.Rb) return undefined;
  const b = new Float64Array(H);
  for (let k = 0; k < H; k++) b[k] = (spec.Wb?.[g * H + k] ?? 0) + (withR ? spec.Rb?.[g * H + k] ?? 0 : 0);
  return b;
}

/** A gate reading the layer's input and the recurrent state through rows of W and R. */
function gate(d: GraphDraft, spec: LayerSpec, id: string, g: number, act: Activation, hRead: string, col: number, row: number, label: string): void {
  const b = biasBlock(spec, g, true);
  const n: GraphNode = { id, kind: 'gate', size: spec.hidden, activation: act, position: at(col, row), label };
  if (!b) n.bias = false;
  d.add(n);
  d.edge(spec.source, id, 'full', block(spec.W, g, spec.hidden));
  d.edge(hRead, id, 'full', block(spec.R, g, spec.hidden));
  if (b) d.bias(id, b);
}

function learnedInitial(d: GraphDraft, cell: string, v: Float64Array | undefined): void {
  if (!v) return;
  const n = d.node(cell);
  if (n) n.initial = 'learned';
  d.parameters[`init:${cell}`] = { shape: [v.length], data: Array.from(v) };
}

/** Adds one recurrent layer to the draft. */
export function buildLayer(d: GraphDraft, spec: LayerSpec): LayerOut {
  const s = spec.suffix;
  const H = spec.hidden;
  const c0 = spec.col;
  const id = (base: string): string => d.uid(base + s);
  const stateSize = spec.proj ? spec.proj.rows : H;
  const h = id(spec.proj ? 'r' : 'h');
  d.add({ id: h, kind: 'cell', size: stateSize, position: at(c0, 2.2), label: spec.proj ? 'r_{t−1}' : 'h_{t−1}' });
  let out: string;
  if (spec.op === 'RNN') {
    const hn = id('h_new');
    gate(d, spec, hn, 0, spec.activations[0], h, c0 + 1.3, 1.4, 'h_t');
    out = hn;
  } else if (spec.op === 'GRU') {
    const [f, g] = spec.activations;
    const z = id('z');
    const r = id('r');
    gate(d, spec, z, 0, f, h, c0 + 1.15, 1, 'update z_t');
    gate(d, spec, r, 1, f, h, c0 + 1.15, 0, 'reset r_t');
    const n = id('n');
    const nb = biasBlock(spec, 2, !spec.linearBeforeReset);
    if (spec.linearBeforeReset) {
      // n = g(W_h x + Wb_h + r ⊙ (R_h h + Rb_h)): PyTorch's GRU.
      const hn = id('hn');
      const rb = spec.Rb ? spec.Rb.subarray(2 * H, 3 * H) : undefined;
      d.add({ id: hn, kind: 'gate', size: H, activation: 'identity', position: at(c0 + 1.15, 2.1), label: 'R_h·h + b', ...(rb ? {} : { bias: false }) });
      d.edge(h, hn, 'full', block(spec.R, 2, H));
      if (rb) d.bias(hn, rb);
      const rhn = id('rhn');
      d.add({ id: rhn, kind: 'op', op: 'mul', position: at(c0 + 2.3, 1.75), label: 'r ⊙ (R_h h)' });
      d.edge(r, rhn, 'identity');
      d.edge(hn, rhn, 'identity');
      d.add({ id: n, kind: 'gate', size: H, activation: g, position: at(c0 + 2.85, 0.85), label: 'candidate h̃_t', ...(nb ? {} : { bias: false }) });
      d.edge(spec.source, n, 'full', block(spec.W, 2, H));
      d.edge(rhn, n, 'identity');
    } else {
      // n = g(W_h x + R_h (r ⊙ h) + Wb_h + Rb_h): ONNX's default.
      const rh = id('rh');
      d.add({ id: rh, kind: 'op', op: 'mul', position: at(c0 + 2.3, 1.75), label: 'r ⊙ h_{t−1}' });
      d.edge(r, rh, 'identity');
      d.edge(h, rh, 'identity');
      d.add({ id: n, kind: 'gate', size: H, activation: g, position: at(c0 + 2.85, 0.85), label: 'candidate h̃_t', ...(nb ? {} : { bias: false }) });
      d.edge(spec.source, n, 'full', block(spec.W, 2, H));
      d.edge(rh, n, 'full', block(spec.R, 2, H));
    }
    if (nb) d.bias(n, nb);
    const omz = id('one_minus_z');
    const zn = id('zn');
    const zh = id('zh');
    const hn = id('h_new');
    d.add({ id: omz, kind: 'op', op: 'one_minus', position: at(c0 + 2.3, 0), label: '1 − z' });
    d.add({ id: zn, kind: 'op', op: 'mul', position: at(c0 + 4.0, 0.45), label: '(1−z) ⊙ h̃' });
    d.add({ id: zh, kind: 'op', op: 'mul', position: at(c0 + 4.0, 2.4), label: 'z ⊙ h_{t−1}' });
    d.add({ id: hn, kind: 'op', op: 'add', position: at(c0 + 4.6, 1.45), label: 'h_t' });
    d.edge(z, omz, 'identity');
    d.edge(omz, zn, 'identity');
    d.edge(n, zn, 'identity');
    d.edge(z, zh, 'identity');
    d.edge(h, zh, 'identity');
    d.edge(zn, hn, 'identity');
    d.edge(zh, hn, 'identity');
    out = hn;
  } else {
    const [f, g, hAct] = spec.activations;
    const c = id('c');
    d.add({ id: c, kind: 'cell', size: H, position: at(c0, 3.6), label: 'C_{t−1}' });
    const i = id('i');
    const fg = id('f');
    const gg = id('g');
    const o = id('o');
    gate(d, spec, i, 0, f, h, c0 + 1.15, 1, 'input i_t');
    gate(d, spec, o, 1, f, h, c0 + 1.15, 3, 'output o_t');
    if (spec.inputForget) {
      // Coupled gates: f_t = 1 − i_t (ONNX input_forget = 1).
      d.add({ id: fg, kind: 'op', op: 'one_minus', position: at(c0 + 1.15, 0), label: 'forget f_t = 1 − i_t' });
      d.edge(i, fg, 'identity');
    } else {
      gate(d, spec, fg, 2, f, h, c0 + 1.15, 0, 'forget f_t');
    }
    gate(d, spec, gg, 3, g, h, c0 + 1.15, 2, 'candidate C̃_t');
    const fc = id('fc');
    const ig = id('ig');
    const cn = id('c_new');
    const tc = id('tc');
    const m = id(spec.proj ? 'm' : 'h_new');
    d.add({ id: fc, kind: 'op', op: 'mul', position: at(c0 + 2.3, 0.35), label: 'f ⊙ C_{t−1}' });
    d.add({ id: ig, kind: 'op', op: 'mul', position: at(c0 + 2.3, 1.4), label: 'i ⊙ C̃' });
    d.add({ id: cn, kind: 'op', op: 'add', position: at(c0 + 2.95, 0.85), label: 'C_t' });
    d.add({ id: tc, kind: 'gate', size: H, activation: hAct, bias: false, position: at(c0 + 3.4, 1.9), label: 'h(C_t)' });
    d.add({ id: m, kind: 'op', op: 'mul', position: at(c0 + 4.55, 3.05), label: spec.proj ? 'm_t' : 'h_t' });
    d.edge(fg, fc, 'identity');
    d.edge(c, fc, 'identity');
    d.edge(i, ig, 'identity');
    d.edge(gg, ig, 'identity');
    d.edge(fc, cn, 'identity');
    d.edge(ig, cn, 'identity');
    d.edge(cn, c, 'identity');
    d.edge(cn, tc, 'identity');
    d.edge(o, m, 'identity');
    d.edge(tc, m, 'identity');
    if (spec.P) {
      const P = spec.P;
      const diag = (k: number): TensorJSON => ({ shape: [H], data: Array.from(P.subarray(k * H, (k + 1) * H)) });
      d.edge(c, i, 'diagonal', diag(0));
      if (!spec.inputForget) d.edge(c, fg, 'diagonal', diag(2));
      d.edge(cn, o, 'diagonal', diag(1));
    }
    learnedInitial(d, c, spec.initialC);
    out = m;
    if (spec.proj) {
      const rn = id('r_new');
      d.add({ id: rn, kind: 'gate', size: spec.proj.rows, activation: 'identity', bias: false, position: at(c0 + 5.1, 3.9), label: 'projection r_t' });
      d.edge(m, rn, 'full', { shape: [spec.proj.rows, spec.proj.cols], data: Array.from(spec.proj.data) });
      out = rn;
    }
    d.edge(out, h, 'identity');
    learnedInitial(d, h, spec.initialH);
    return { h, c, out, outSize: stateSize };
  }
  d.edge(out, h, 'identity');
  learnedInitial(d, h, spec.initialH);
  return { h, out, outSize: stateSize };
}
