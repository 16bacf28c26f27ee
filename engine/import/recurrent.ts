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
  activations: ActSpec[];
  /** ONNX clip: the pre-activations (not h(C_t)) are clamped to [−clip, clip]. */
  clip?: number;
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
  /**
   * ONNX sequence_lens: an input node (size 1) that is 1 while t < the
   * sequence's length, else 0. Past its length a sequence keeps its state and
   * outputs zeros.
   */
  mask?: string;
}

/**
 * An ONNX activation with its alpha/beta (lower-case ONNX name: sigmoid, tanh,
 * relu, softplus, affine, leakyrelu, thresholdedrelu, scaledtanh, hardsigmoid,
 * elu, softsign).
 */
export interface ActSpec { name: string; alpha?: number; beta?: number }

/** The ONNX activations the builder can express with the graph's primitives. */
export const ONNX_ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'softplus', 'affine', 'leakyrelu', 'thresholdedrelu', 'scaledtanh', 'hardsigmoid', 'elu', 'softsign'];

/** ONNX's defaults for alpha and beta (onnxruntime's), undefined where the activation takes none. */
export const ACT_DEFAULTS: Record<string, [number | undefined, number | undefined]> = {
  affine: [1, 0], leakyrelu: [0.01, undefined], thresholdedrelu: [1, undefined], scaledtanh: [1, 1], hardsigmoid: [0.2, 0.5], elu: [1, undefined],
};

export interface LayerOut {
  /** The state cell (h, or r with a projection) and the LSTM memory cell. */
  h: string;
  c?: string;
  /** The node holding h_t at step t (what the layer's output Y reads). */
  out: string;
  outSize: number;
  /** The nodes writing h and c (differ from out / c_new when a mask holds the state). */
  hNext: string;
  cNext?: string;
}

/** Nodes, edges and parameters being assembled into one graph. */
export class GraphDraft {
  nodes: GraphNode[] = [];
  edges: GraphEdge[] = [];
  parameters: Record<string, TensorJSON> = {};
  private ids = new Set<string>();
  /** Gates built as a chain (clip, activations with alpha/beta): where edges into the gate go. */
  private entries = new Map<string, string>();

  entry(id: string): string {
    return this.entries.get(id) ?? id;
  }
  setEntry(id: string, entry: string): void {
    this.entries.set(id, entry);
  }

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
  /** An edge into `target` (into its chain's entry node); a learned one gets its parameter (shape [target, source] for full). */
  edge(source: string, target: string, weight: WeightKind, value?: TensorJSON, extra: Partial<GraphEdge> = {}): string {
    return this.edgeRaw(source, this.entry(target), weight, value, extra);
  }
  /** A fixed scalar weight (not trained): the constants of a chain. Identity when v = 1. */
  fixed(source: string, target: string, v: number): void {
    if (v === 1) this.edgeRaw(source, target, 'identity');
    else this.edgeRaw(source, target, 'scalar', { shape: [1], data: [v] }, { trainable: false });
  }
  edgeRaw(source: string, target: string, weight: WeightKind, value?: TensorJSON, extra: Partial<GraphEdge> = {}): string {
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

/** The canvas's node footprints (renderer/styles.css: gates at least 176 px wide; ops are small circles with a caption). */
const FOOTPRINT = { box: { w: 190, h: 72 }, op: { w: 110, h: 64 }, layer: { w: 360, h: 100 } };

/**
 * Moves nodes down until no two footprints overlap, left to right, top to
 * bottom: the importers place nodes on the templates' grid, and the extra
 * nodes of a chain (clip, alpha/beta, masks) then find the nearest free place.
 */
export function spread(nodes: GraphNode[]): void {
  const placed: { x: number; y: number; w: number; h: number }[] = [];
  const order = [...nodes].sort((a, b) => (a.position?.x ?? 0) - (b.position?.x ?? 0) || (a.position?.y ?? 0) - (b.position?.y ?? 0));
  for (const n of order) {
    const f = n.kind === 'op' ? FOOTPRINT.op : (n.kind as string) === 'layer' ? FOOTPRINT.layer : FOOTPRINT.box;
    const p = n.position ?? { x: 0, y: 0 };
    // A long label widens its node (about 6.5 px a character in the node's title font).
    const w = n.kind === 'op' ? f.w : Math.max(f.w, 70 + 6.5 * (n.label ?? n.id).length);
    const box = { x: p.x, y: p.y, w, h: f.h };
    for (let guard = 0; guard < 1000; guard++) {
      const hit = placed.find((q) => box.x < q.x + q.w && q.x < box.x + box.w && box.y < q.y + q.h && q.y < box.y + box.h);
      if (!hit) break;
      box.y = hit.y + hit.h + 8;
    }
    placed.push(box);
    n.position = { ...p, x: box.x, y: box.y };
  }
}

const COL = 200;
const ROW = 110;
const at = (col: number, row: number): { x: number; y: number } => ({ x: Math.round(col * COL), y: Math.round(row * ROW) });

/** Whether some gate of the layer is a chain (clip, an activation with alpha/beta): its columns are then spread for the chain's nodes. */
function chained(spec: LayerSpec): boolean {
  return spec.clip !== undefined || spec.activations.some((a) => !SIMPLE[a.name]?.(a));
}

/** A position in the layer's grid: columns from spec.col, four times as wide when chains need the room. */
function place(spec: LayerSpec, col: number, row: number): Pos {
  return at(spec.col + (col - spec.col) * (chained(spec) ? 4 : 1), row);
}

/** How many grid columns the layer takes. */
export function layerWidth(spec: LayerSpec): number {
  return (spec.op === 'RNN' ? 2.6 : spec.proj ? 6.2 : 5.2) * (chained(spec) ? 4 : 1);
}

/** Number formatting for labels: float32 attributes print short (0.7, not 0.699999988). */
function num(v: number): string {
  return String(Number(v.toPrecision(6)));
}

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

const SIMPLE: Record<string, (a: ActSpec) => Activation | undefined> = {
  sigmoid: () => 'sigmoid', tanh: () => 'tanh', relu: () => 'relu', softplus: () => 'softplus',
  leakyrelu: (a) => ((a.alpha ?? 0.01) === 0.01 ? 'leaky_relu' : undefined),
  elu: (a) => ((a.alpha ?? 1) === 1 ? 'elu' : undefined),
};

type Pos = { x: number; y: number };

/**
 * A gate `id` computing act(clip(z)) where z is the sum of the edges into it.
 * Plain activations are one gate. Otherwise the edges (and the ONNX bias) go
 * into `<id>_pre` (identity), followed by fixed-weight primitives: clip as
 * c·hard_tanh(z/c), then the activation with its alpha/beta.
 */
export function activationGate(d: GraphDraft, id: string, H: number, a: ActSpec, clip: number | undefined, pos: Pos, label: string, bias: Float64Array | undefined): void {
  const simple = SIMPLE[a.name]?.(a);
  if (clip === undefined && simple) {
    d.add({ id, kind: 'gate', size: H, activation: simple, position: pos, label, ...(bias ? {} : { bias: false }) });
    if (bias) d.bias(id, bias);
    return;
  }
  const at2 = (dx: number, dy: number): Pos => ({ x: pos.x + dx, y: pos.y + dy });
  const gate = (gid: string, act: Activation, p: Pos, lbl: string, b?: number): string => {
    d.add({ id: gid, kind: 'gate', size: H, activation: act, position: p, label: lbl, ...(b === undefined ? { bias: false } : {}) });
    if (b !== undefined) d.bias(gid, new Array<number>(H).fill(b));
    return gid;
  };
  const pre = d.uid(`${id}_pre`);
  d.add({ id: pre, kind: 'gate', size: H, activation: 'identity', position: at2(-3 * COL, 0), label: `${label}: pre-activation`, ...(bias ? {} : { bias: false }) });
  if (bias) d.bias(pre, bias);
  d.setEntry(id, pre);
  let cur = pre;
  let m = 1;
  if (clip !== undefined) {
    cur = gate(d.uid(`${id}_clip`), 'hard_tanh', at2(-2 * COL, 0), `clip ±${num(clip)}`);
    d.fixed(pre, cur, 1 / clip);
    m = clip;
  }
  const A = a.alpha ?? ACT_DEFAULTS[a.name]?.[0] ?? 1;
  const B = a.beta ?? ACT_DEFAULTS[a.name]?.[1] ?? 0;
  if (simple) {
    gate(id, simple, pos, label);
    d.fixed(cur, id, m);
    return;
  }
  switch (a.name) {
    case 'affine':
      gate(id, 'identity', pos, `${label} (Affine ${num(A)}·z + ${num(B)})`, B);
      d.fixed(cur, id, A * m);
      return;
    case 'scaledtanh': {
      const t = gate(d.uid(`${id}_tanh`), 'tanh', at2(-COL, 0), `tanh(${num(B)}·z)`);
      d.fixed(cur, t, B * m);
      gate(id, 'identity', pos, `${label} (ScaledTanh ${num(A)}·tanh(${num(B)}·z))`);
      d.fixed(t, id, A);
      return;
    }
    case 'hardsigmoid':
      // clamp(αz + β, 0, 1) = hard_sigmoid(6αz + 6β − 3), PyTorch's Hardsigmoid being clamp(z/6 + 1/2, 0, 1).
      gate(id, 'hard_sigmoid', pos, `${label} (HardSigmoid ${num(A)}·z + ${num(B)})`, 6 * B - 3);
      d.fixed(cur, id, 6 * A * m);
      return;
    case 'thresholdedrelu': {
      let z = cur;
      if (m !== 1) {
        z = gate(d.uid(`${id}_z`), 'identity', at2(-COL, -0.4 * ROW), 'z');
        d.fixed(cur, z, m);
      }
      const st = gate(d.uid(`${id}_above`), 'step', at2(-COL, 0.4 * ROW), `z > ${num(A)}`, -A);
      d.fixed(z, st, 1);
      d.add({ id, kind: 'op', op: 'mul', position: pos, label: `${label} (ThresholdedRelu ${num(A)})` });
      d.edgeRaw(z, id, 'identity');
      d.edgeRaw(st, id, 'identity');
      return;
    }
    case 'leakyrelu': case 'elu': case 'softsign': {
      // From relu(z) and relu(−z): leaky = relu(z) − α·relu(−z); elu_α = (1 − α)·relu(z) + α·elu(z); softsign = z / (1 + relu(z) + relu(−z)).
      const pos1 = gate(d.uid(`${id}_pos`), a.name === 'elu' ? 'relu' : 'relu', at2(-COL, -0.4 * ROW), 'relu(z)');
      d.fixed(cur, pos1, m);
      if (a.name === 'elu') {
        const e = gate(d.uid(`${id}_elu`), 'elu', at2(-COL, 0.4 * ROW), 'elu(z)');
        d.fixed(cur, e, m);
        gate(id, 'identity', pos, `${label} (Elu ${num(A)})`);
        d.fixed(pos1, id, 1 - A);
        d.fixed(e, id, A);
        return;
      }
      const neg = gate(d.uid(`${id}_neg`), 'relu', at2(-COL, 0.4 * ROW), 'relu(−z)');
      d.fixed(cur, neg, -m);
      if (a.name === 'leakyrelu') {
        gate(id, 'identity', pos, `${label} (LeakyRelu ${num(A)})`);
        d.fixed(pos1, id, 1);
        d.fixed(neg, id, -A);
        return;
      }
      const den = gate(d.uid(`${id}_den`), 'identity', at2(-0.5 * COL, 0.8 * ROW), '1 + |z|', 1);
      d.fixed(pos1, den, 1);
      d.fixed(neg, den, 1);
      let z = cur;
      if (m !== 1) {
        z = gate(d.uid(`${id}_z`), 'identity', at2(-0.5 * COL, -0.8 * ROW), 'z');
        d.fixed(cur, z, m);
      }
      d.add({ id, kind: 'op', op: 'div', position: pos, label: `${label} (Softsign)` });
      d.edgeRaw(z, id, 'identity', undefined, { slot: 0 });
      d.edgeRaw(den, id, 'identity', undefined, { slot: 1 });
      return;
    }
    default:
      throw new Error(`activation ${a.name} is not supported`);
  }
}

/** A gate reading the layer's input and the recurrent state through rows of W and R. */
function gate(d: GraphDraft, spec: LayerSpec, id: string, g: number, act: ActSpec, hRead: string, col: number, row: number, label: string): void {
  activationGate(d, id, spec.hidden, act, spec.clip, place(spec, col, row), label, biasBlock(spec, g, true));
  d.edge(spec.source, id, 'full', block(spec.W, g, spec.hidden));
  d.edge(hRead, id, 'full', block(spec.R, g, spec.hidden));
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
  d.add({ id: h, kind: 'cell', size: stateSize, position: place(spec, c0, 2.2), label: spec.proj ? 'r_{t−1}' : 'h_{t−1}' });
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
      d.add({ id: hn, kind: 'gate', size: H, activation: 'identity', position: place(spec, c0 + 1.15, 2.1), label: 'R_h·h + b', ...(rb ? {} : { bias: false }) });
      d.edge(h, hn, 'full', block(spec.R, 2, H));
      if (rb) d.bias(hn, rb);
      const rhn = id('rhn');
      d.add({ id: rhn, kind: 'op', op: 'mul', position: place(spec, c0 + 2.3, 1.75), label: 'r ⊙ (R_h h)' });
      d.edge(r, rhn, 'identity');
      d.edge(hn, rhn, 'identity');
      activationGate(d, n, H, g, spec.clip, place(spec, c0 + 2.85, 0.85), 'candidate h̃_t', nb);
      d.edge(spec.source, n, 'full', block(spec.W, 2, H));
      d.edge(rhn, n, 'identity');
    } else {
      // n = g(W_h x + R_h (r ⊙ h) + Wb_h + Rb_h): ONNX's default.
      const rh = id('rh');
      d.add({ id: rh, kind: 'op', op: 'mul', position: place(spec, c0 + 2.3, 1.75), label: 'r ⊙ h_{t−1}' });
      d.edge(r, rh, 'identity');
      d.edge(h, rh, 'identity');
      activationGate(d, n, H, g, spec.clip, place(spec, c0 + 2.85, 0.85), 'candidate h̃_t', nb);
      d.edge(spec.source, n, 'full', block(spec.W, 2, H));
      d.edge(rh, n, 'full', block(spec.R, 2, H));
    }
    const omz = id('one_minus_z');
    d.add({ id: omz, kind: 'op', op: 'one_minus', position: place(spec, c0 + 2.3, 0), label: '1 − z' });
    d.edge(z, omz, 'identity');
    out = blend(d, [omz, n, id('zn'), place(spec, c0 + 4.0, 0.45), '(1−z) ⊙ h̃'], [z, h, id('zh'), place(spec, c0 + 4.0, 2.4), 'z ⊙ h_{t−1}'], [id('h_new'), place(spec, c0 + 4.6, 1.45), 'h_t']);
  } else {
    const [f, g, hAct] = spec.activations;
    const c = id('c');
    d.add({ id: c, kind: 'cell', size: H, position: place(spec, c0, 3.6), label: 'C_{t−1}' });
    const i = id('i');
    const fg = id('f');
    const gg = id('g');
    const o = id('o');
    gate(d, spec, i, 0, f, h, c0 + 1.15, 1, 'input i_t');
    gate(d, spec, o, 1, f, h, c0 + 1.15, 3, 'output o_t');
    if (spec.inputForget) {
      // Coupled gates: f_t = 1 − i_t (ONNX input_forget = 1).
      d.add({ id: fg, kind: 'op', op: 'one_minus', position: place(spec, c0 + 1.15, 0), label: 'forget f_t = 1 − i_t' });
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
    d.add({ id: fc, kind: 'op', op: 'mul', position: place(spec, c0 + 2.3, 0.35), label: 'f ⊙ C_{t−1}' });
    d.add({ id: ig, kind: 'op', op: 'mul', position: place(spec, c0 + 2.3, 1.4), label: 'i ⊙ C̃' });
    d.add({ id: cn, kind: 'op', op: 'add', position: place(spec, c0 + 2.95, 0.85), label: 'C_t' });
    activationGate(d, tc, H, hAct, undefined, place(spec, c0 + 3.4, 1.9), 'h(C_t)', undefined);
    d.add({ id: m, kind: 'op', op: 'mul', position: place(spec, c0 + 4.55, 3.05), label: spec.proj ? 'm_t' : 'h_t' });
    d.edge(fg, fc, 'identity');
    d.edge(c, fc, 'identity');
    d.edge(i, ig, 'identity');
    d.edge(gg, ig, 'identity');
    d.edge(fc, cn, 'identity');
    d.edge(ig, cn, 'identity');
    const cNext = hold(d, spec, c, cn, H, s);
    d.edge(cNext, c, 'identity');
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
      d.add({ id: rn, kind: 'gate', size: spec.proj.rows, activation: 'identity', bias: false, position: place(spec, c0 + 5.1, 3.9), label: 'projection r_t' });
      d.edge(m, rn, 'full', { shape: [spec.proj.rows, spec.proj.cols], data: Array.from(spec.proj.data) });
      out = rn;
    }
    const hNext = hold(d, spec, h, out, stateSize, s);
    d.edge(hNext, h, 'identity');
    learnedInitial(d, h, spec.initialH);
    return { h, c, out: masked(d, spec, out, stateSize, s), outSize: stateSize, hNext, cNext };
  }
  const hNext = hold(d, spec, h, out, stateSize, s);
  d.edge(hNext, h, 'identity');
  learnedInitial(d, h, spec.initialH);
  return { h, out: masked(d, spec, out, stateSize, s), outSize: stateSize, hNext };
}

/** The mask broadcast to `size` units (one per layer and size). */
function maskOf(d: GraphDraft, spec: LayerSpec, size: number, s: string): { m: string; notM: string } {
  const m = `mask_${size}${s}`;
  const notM = `not_mask_${size}${s}`;
  if (!d.has(m)) {
    d.add({ id: d.uid(m), kind: 'gate', size, activation: 'identity', bias: false, position: place(spec, spec.col + 0.4, 4.6), label: 'step < length' });
    d.edgeRaw(spec.mask!, m, 'full', { shape: [size, 1], data: new Array<number>(size).fill(1) }, { trainable: false });
    d.add({ id: d.uid(notM), kind: 'op', op: 'one_minus', position: place(spec, spec.col + 1.2, 4.6), label: 'step ≥ length' });
    d.edgeRaw(m, notM, 'identity');
  }
  return { m, notM };
}

/** With a mask: next = m ⊙ new + (1 − m) ⊙ previous (a finished sequence keeps its state). */
function hold(d: GraphDraft, spec: LayerSpec, cell: string, next: string, size: number, s: string): string {
  if (!spec.mask) return next;
  const { m, notM } = maskOf(d, spec, size, s);
  const node = d.node(next)!;
  const p = node.position ?? { x: 0, y: 0 };
  return blend(d,
    [m, next, d.uid(`${cell}_keep`), { x: p.x + 90, y: p.y + 60 }, 'm ⊙ new'],
    [notM, cell, d.uid(`${cell}_hold`), { x: p.x + 90, y: p.y + 130 }, '(1 − m) ⊙ previous'],
    [d.uid(`${cell}_next`), { x: p.x + 180, y: p.y + 90 }, `${cell}_t (held past the length)`]);
}

type Term = [weight: string, value: string, id: string, pos: Pos, label: string];

/** a ⊙ x + b ⊙ y as two mul ops and an add (GRU's update, a held state). */
function blend(d: GraphDraft, [a, x, ax, pa, la]: Term, [b, y, by, pb, lb]: Term, [sum, ps, ls]: [string, Pos, string]): string {
  d.add({ id: ax, kind: 'op', op: 'mul', position: pa, label: la });
  d.add({ id: by, kind: 'op', op: 'mul', position: pb, label: lb });
  d.add({ id: sum, kind: 'op', op: 'add', position: ps, label: ls });
  for (const [src, dst] of [[a, ax], [x, ax], [b, by], [y, by], [ax, sum], [by, sum]]) d.edgeRaw(src, dst, 'identity');
  return sum;
}

/** With a mask, the output Y is zero past a sequence's length. */
function masked(d: GraphDraft, spec: LayerSpec, out: string, size: number, s: string): string {
  if (!spec.mask) return out;
  const { m } = maskOf(d, spec, size, s);
  const y = d.uid(`y${s}`);
  const p = d.node(out)?.position ?? { x: 0, y: 0 };
  d.add({ id: y, kind: 'op', op: 'mul', position: { x: p.x + 180, y: p.y - 60 }, label: 'Y_t (0 past the length)' });
  d.edgeRaw(m, y, 'identity');
  d.edgeRaw(out, y, 'identity');
  return y;
}
