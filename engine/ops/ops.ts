/**
 * The op registry: every `op` node kind defined once — arity and slots, size
 * rule, node fields (with their validation ranges and inspector labels),
 * parameters, forward and backward side by side over R rows (R = B for one
 * step, T·B for the fast runtime's all-steps passes), and the PyTorch
 * expression. The validator, compiler, both runtimes, the export, the palette,
 * the inspector and docs/primitives.md all read this table.
 *
 * Adding an op = one entry below plus its row in engine/ops/registry.test.ts.
 */
import type { Arr } from '../tensor.ts';
import { dropoutKeep } from './noise.ts';
import type { Noise } from './noise.ts';

/** A (buffer, offset) pair: where one input or output block lives. */
export interface Slot { buf: Arr; off: number }

/** A numeric or boolean field of an op node, with its range (validation) and inspector text. */
export interface OpField {
  name: string;
  label: string;
  type: 'number' | 'integer' | 'boolean';
  required: boolean;
  default?: number | boolean;
  /** Inclusive lower bound, or exclusive when minExclusive. */
  min?: number;
  minExclusive?: boolean;
  /** Exclusive upper bound. */
  maxExclusive?: number;
  /** The value a node made from the palette starts with (required fields). */
  initial?: number | boolean;
  help: string;
}

/** The values of an op node's fields, defaults applied. */
export type OpAttrs = Record<string, number | boolean>;

/** One op evaluation over R rows. */
export interface OpRun {
  /** Inputs in slot order (ops without slots: in edge order). */
  ins: Slot[];
  /** Units of each input. */
  sizes: number[];
  /** Units of the output. */
  N: number;
  R: number;
  /** The op's output block (written by forward, read by backward). */
  y: Arr;
  yo: number;
  attrs: OpAttrs;
  /** θ and the offsets of the op's own parameters (layer_norm: gain, shift), in `params` order. */
  theta: Arr;
  pofs: number[];
  /** Training noise (dropout), or null in evaluation. */
  noise: Noise | null;
  /** Global row of the first row (row = t·B + b), the batch size and the node index, for noise. */
  row0: number;
  B: number;
  node: number;
}

/** One op backward: ACCUMULATES into dins (null: no gradient wanted) and gtheta. */
export interface OpBack extends OpRun {
  dy: Arr;
  dyo: number;
  dins: (Slot | null)[];
  gtheta: Arr;
}

export interface OpParam {
  /** Key prefix: the key is `<prefix>:<nodeId>`. */
  prefix: string;
  init: 'ones' | 'zeros';
  help: string;
}

export interface OpDef {
  name: string;
  symbol: string;
  doc: string;
  /** Number of inputs. */
  arity: { min: number; max: number };
  /** Inputs are told apart by the edges' "slot": 'pair' = exactly slots 0 and 1, 'distinct' = distinct slots 0, 1, …. */
  slots?: 'pair' | 'distinct';
  /** Every input has the output's size (elementwise and per-row ops). */
  sameSize: boolean;
  fields: OpField[];
  /** The output size from the input sizes (undefined: unknown yet); elementwise ops: the inputs' size. */
  size?(sizes: number[], attrs: OpAttrs): number;
  /** A rule on sizes and fields; returns a message naming the problem, or null. */
  check?(sizes: number[], attrs: OpAttrs): string | null;
  /** Learned vectors of the output's size, when the op has any (given the node's fields). */
  params?(attrs: OpAttrs): OpParam[];
  /** Only active in training (dropout): evaluation passes the input through. */
  noisy?: boolean;
  forward(c: OpRun): void;
  backward(c: OpBack): void;
  /** The PyTorch expression; `ps` are the parameters' attributes (self.gain_x). */
  torch(ins: string[], attrs: OpAttrs, N: number, ps: string[]): string;
  /** The formula in the export's comment. */
  formula?(ins: string[], attrs: OpAttrs): string;
}

const one = { min: 1, max: 1 };

/** An op y = f(x) of one input, elementwise; d(x) is dy/dx given x and y. */
function unary(name: string, symbol: string, doc: string, f: (x: number) => number, d: (x: number, y: number) => number, torch: (x: string) => string): OpDef {
  return {
    name, symbol, doc, arity: one, sameSize: true, fields: [],
    forward({ ins: [a], y, yo, R, N }) { for (let i = 0; i < R * N; i++) y[yo + i] = f(a.buf[a.off + i]); },
    backward({ ins: [a], y, yo, R, N, dy, dyo, dins: [da] }) {
      if (da) for (let i = 0; i < R * N; i++) da.buf[da.off + i] += dy[dyo + i] * d(a.buf[a.off + i], y[yo + i]);
    },
    torch: ([x]) => torch(x),
    formula: ([x]) => `${name}(${x})`,
  };
}

/** Python literal of a finite number. */
export function pyNumber(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

const add: OpDef = {
  name: 'add', symbol: '+', doc: 'Sum of all inputs (one or more, the same size).', arity: { min: 1, max: Infinity }, sameSize: true, fields: [],
  forward({ ins, y, yo, R, N }) {
    const n = R * N;
    for (let i = 0; i < n; i++) y[yo + i] = 0;
    for (const s of ins) for (let i = 0; i < n; i++) y[yo + i] += s.buf[s.off + i];
  },
  backward({ dins, dy, dyo, R, N }) {
    for (const d of dins) if (d) for (let i = 0; i < R * N; i++) d.buf[d.off + i] += dy[dyo + i];
  },
  torch: (ins) => ins.join(' + '),
  formula: (ins) => ins.join(' + '),
};

const mul: OpDef = {
  name: 'mul', symbol: '⊙', doc: 'Elementwise product of all inputs (one or more, the same size).', arity: { min: 1, max: Infinity }, sameSize: true, fields: [],
  forward({ ins, y, yo, R, N }) {
    const n = R * N;
    for (let i = 0; i < n; i++) y[yo + i] = 1;
    for (const s of ins) for (let i = 0; i < n; i++) y[yo + i] *= s.buf[s.off + i];
  },
  // d/dx_k = dy · Π_{j≠k} x_j, computed directly (no division, so zeros are safe).
  backward({ ins, dins, dy, dyo, R, N }) {
    for (let k = 0; k < ins.length; k++) {
      const d = dins[k];
      if (!d) continue;
      for (let i = 0; i < R * N; i++) {
        let p = dy[dyo + i];
        for (let j = 0; j < ins.length; j++) if (j !== k) p *= ins[j].buf[ins[j].off + i];
        d.buf[d.off + i] += p;
      }
    }
  },
  torch: (ins) => ins.join(' * '),
  formula: (ins) => ins.join(' ⊙ '),
};

const oneMinus = unary('one_minus', '1−x', '1 − x of exactly one input.', (x) => 1 - x, () => -1, (x) => `1 - ${x}`);
oneMinus.formula = ([x]) => `1 − ${x}`;

const sub: OpDef = {
  name: 'sub', symbol: '−', doc: 'in0 − in1 (edges with "slot": 0 and "slot": 1).', arity: { min: 2, max: 2 }, slots: 'pair', sameSize: true, fields: [],
  forward({ ins: [a, b], y, yo, R, N }) { for (let i = 0; i < R * N; i++) y[yo + i] = a.buf[a.off + i] - b.buf[b.off + i]; },
  backward({ dins: [da, db], dy, dyo, R, N }) {
    for (let i = 0; i < R * N; i++) {
      if (da) da.buf[da.off + i] += dy[dyo + i];
      if (db) db.buf[db.off + i] -= dy[dyo + i];
    }
  },
  torch: ([a, b]) => `${a} - ${b}`,
  formula: ([a, b]) => `${a} − ${b}`,
};

const div: OpDef = {
  name: 'div', symbol: '÷', doc: 'in0 / in1 (edges with "slot": 0 and "slot": 1).', arity: { min: 2, max: 2 }, slots: 'pair', sameSize: true, fields: [],
  forward({ ins: [a, b], y, yo, R, N }) { for (let i = 0; i < R * N; i++) y[yo + i] = a.buf[a.off + i] / b.buf[b.off + i]; },
  backward({ ins: [a, b], dins: [da, db], dy, dyo, R, N }) {
    for (let i = 0; i < R * N; i++) {
      const q = b.buf[b.off + i];
      const g = dy[dyo + i] / q;
      if (da) da.buf[da.off + i] += g;
      if (db) db.buf[db.off + i] -= (g * a.buf[a.off + i]) / q;
    }
  },
  torch: ([a, b]) => `${a} / ${b}`,
  formula: ([a, b]) => `${a} / ${b}`,
};

const scale: OpDef = {
  name: 'scale', symbol: '×k', doc: 'factor · x (node field "factor").', arity: one, sameSize: true,
  fields: [{ name: 'factor', label: 'Factor', type: 'number', required: true, initial: 0.5, help: 'The constant the input is multiplied by.' }],
  forward({ ins: [a], y, yo, R, N, attrs }) { const k = attrs.factor as number; for (let i = 0; i < R * N; i++) y[yo + i] = k * a.buf[a.off + i]; },
  backward({ dins: [da], dy, dyo, R, N, attrs }) { const k = attrs.factor as number; if (da) for (let i = 0; i < R * N; i++) da.buf[da.off + i] += k * dy[dyo + i]; },
  torch: ([a], attrs) => `${pyNumber(attrs.factor as number)} * ${a}`,
  formula: ([a], attrs) => `${attrs.factor as number}·${a}`,
};

const softmax: OpDef = {
  name: 'softmax', symbol: 'softmax', doc: 'Softmax over the node\'s units (per sequence).', arity: one, sameSize: true, fields: [],
  forward({ ins: [a], y, yo, R, N }) {
    for (let r = 0; r < R; r++) {
      const o = a.off + r * N;
      let m = -Infinity;
      for (let k = 0; k < N; k++) m = Math.max(m, a.buf[o + k]);
      let s = 0;
      for (let k = 0; k < N; k++) { const e = Math.exp(a.buf[o + k] - m); y[yo + r * N + k] = e; s += e; }
      for (let k = 0; k < N; k++) y[yo + r * N + k] /= s;
    }
  },
  backward({ dins: [da], y, yo, dy, dyo, R, N }) {
    if (!da) return;
    for (let r = 0; r < R; r++) {
      let dot = 0;
      for (let k = 0; k < N; k++) dot += dy[dyo + r * N + k] * y[yo + r * N + k];
      for (let k = 0; k < N; k++) da.buf[da.off + r * N + k] += y[yo + r * N + k] * (dy[dyo + r * N + k] - dot);
    }
  },
  torch: ([a]) => `torch.softmax(${a}, dim=-1)`,
};

/** Mean and 1/√(biased var + eps) of one row, written into MOMENTS (the layer_norm hot path allocates nothing). */
const MOMENTS = { mean: 0, inv: 0 };
function rowMoments(buf: Arr, o: number, N: number, eps: number): void {
  let m = 0;
  for (let k = 0; k < N; k++) m += buf[o + k];
  m /= N;
  let v = 0;
  for (let k = 0; k < N; k++) { const d = buf[o + k] - m; v += d * d; }
  MOMENTS.mean = m;
  MOMENTS.inv = 1 / Math.sqrt(v / N + eps);
}

const layerNorm: OpDef = {
  name: 'layer_norm', symbol: 'LN', doc: '(x − mean)/√(var + eps) · gain + shift over the units, biased variance (torch.nn.LayerNorm).',
  arity: one, sameSize: true,
  fields: [
    { name: 'eps', label: 'Epsilon', type: 'number', required: false, default: 1e-5, min: 0, minExclusive: true, help: 'Added to the variance before the square root.' },
    { name: 'affine', label: 'Affine', type: 'boolean', required: false, default: true, help: 'Learn a gain (init ones) and a shift (init zeros) per unit.' },
  ],
  params: (attrs) => (attrs.affine === false ? [] : [
    { prefix: 'gain', init: 'ones', help: 'gain of layer norm' },
    { prefix: 'shift', init: 'zeros', help: 'shift of layer norm' },
  ]),
  forward({ ins: [a], y, yo, R, N, attrs, theta, pofs }) {
    const eps = attrs.eps as number;
    const [go, so] = pofs;
    for (let r = 0; r < R; r++) {
      const o = a.off + r * N;
      rowMoments(a.buf, o, N, eps);
      const { mean: m, inv } = MOMENTS;
      for (let k = 0; k < N; k++) {
        const xh = (a.buf[o + k] - m) * inv;
        y[yo + r * N + k] = go === undefined ? xh : xh * theta[go + k] + theta[so + k];
      }
    }
  },
  backward({ ins: [a], dins: [da], dy, dyo, R, N, attrs, theta, gtheta, pofs }) {
    const eps = attrs.eps as number;
    const [go, so] = pofs;
    for (let r = 0; r < R; r++) {
      const o = a.off + r * N;
      rowMoments(a.buf, o, N, eps);
      const { mean: m, inv } = MOMENTS;
      // dx = inv · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂)), dx̂ = dy ⊙ gain.
      let s1 = 0;
      let s2 = 0;
      for (let k = 0; k < N; k++) {
        const xh = (a.buf[o + k] - m) * inv;
        const g = dy[dyo + r * N + k];
        if (go !== undefined) { gtheta[go + k] += g * xh; gtheta[so + k] += g; }
        const dxh = go === undefined ? g : g * theta[go + k];
        s1 += dxh;
        s2 += dxh * xh;
      }
      if (!da) continue;
      s1 /= N;
      s2 /= N;
      for (let k = 0; k < N; k++) {
        const xh = (a.buf[o + k] - m) * inv;
        const g = dy[dyo + r * N + k];
        const dxh = go === undefined ? g : g * theta[go + k];
        da.buf[da.off + r * N + k] += inv * (dxh - s1 - xh * s2);
      }
    }
  },
  torch: ([a], attrs, N, ps) => (ps.length === 2
    ? `F.layer_norm(${a}, (${N},), weight=${ps[0]}, bias=${ps[1]}, eps=${pyNumber(attrs.eps as number)})`
    : `F.layer_norm(${a}, (${N},), eps=${pyNumber(attrs.eps as number)})`),
};

const concat: OpDef = {
  name: 'concat', symbol: '⧺', doc: 'Concatenation of its inputs in slot order (distinct "slot" 0, 1, …); the size is the sum.',
  arity: { min: 1, max: Infinity }, slots: 'distinct', sameSize: false, fields: [],
  size: (sizes) => sizes.reduce((x, y) => x + y, 0),
  forward({ ins, sizes, y, yo, R, N }) {
    let col = 0;
    for (let k = 0; k < ins.length; k++) {
      const s = ins[k];
      const n = sizes[k];
      for (let r = 0; r < R; r++) for (let i = 0; i < n; i++) y[yo + r * N + col + i] = s.buf[s.off + r * n + i];
      col += n;
    }
  },
  backward({ dins, sizes, dy, dyo, R, N }) {
    let col = 0;
    for (let k = 0; k < dins.length; k++) {
      const d = dins[k];
      const n = sizes[k];
      if (d) for (let r = 0; r < R; r++) for (let i = 0; i < n; i++) d.buf[d.off + r * n + i] += dy[dyo + r * N + col + i];
      col += n;
    }
  },
  torch: (ins) => `torch.cat([${ins.join(', ')}], dim=-1)`,
  formula: (ins) => `[${ins.join(', ')}]`,
};

const slice: OpDef = {
  name: 'slice', symbol: '[:]', doc: 'Units start … start+size−1 of its input (fields "start" and "size").', arity: one, sameSize: false,
  fields: [
    { name: 'start', label: 'Start', type: 'integer', required: true, min: 0, initial: 0, help: 'The first unit taken (0-based).' },
  ],
  check: (sizes, attrs) => {
    const start = attrs.start as number;
    const size = attrs.size as number | undefined;
    if (size === undefined) return 'needs "size", the number of units taken (a positive integer)';
    return sizes[0] !== undefined && start + size > sizes[0] ? `takes units ${start} … ${start + size - 1} of an input of size ${sizes[0]}` : null;
  },
  size: (_sizes, attrs) => attrs.size as number,
  forward({ ins: [a], sizes, y, yo, R, N, attrs }) {
    const st = attrs.start as number;
    for (let r = 0; r < R; r++) for (let i = 0; i < N; i++) y[yo + r * N + i] = a.buf[a.off + r * sizes[0] + st + i];
  },
  backward({ dins: [da], sizes, dy, dyo, R, N, attrs }) {
    if (!da) return;
    const st = attrs.start as number;
    for (let r = 0; r < R; r++) for (let i = 0; i < N; i++) da.buf[da.off + r * sizes[0] + st + i] += dy[dyo + r * N + i];
  },
  torch: ([a], attrs, N) => `${a}[:, ${attrs.start as number}:${(attrs.start as number) + N}]`,
  formula: ([a], attrs) => `${a}[${attrs.start as number}:]`,
};

const dropout: OpDef = {
  name: 'dropout', symbol: 'drop', doc: 'Training: x · mask/(1 − p), a fresh Bernoulli mask per step and sequence; evaluation: x.', arity: one, sameSize: true, noisy: true,
  fields: [{ name: 'p', label: 'Drop probability', type: 'number', required: true, min: 0, maxExclusive: 1, initial: 0.1, help: 'The probability of zeroing a unit in training (0 ≤ p < 1).' }],
  forward(c) {
    const { ins: [a], y, yo, R, N } = c;
    if (!c.noise) { for (let i = 0; i < R * N; i++) y[yo + i] = a.buf[a.off + i]; return; }
    const p = c.attrs.p as number;
    const k = 1 / (1 - p);
    for (let r = 0; r < R; r++) {
      for (let i = 0; i < N; i++) y[yo + r * N + i] = dropoutKeep(c.noise, c.node, c.row0 + r, i, p) ? a.buf[a.off + r * N + i] * k : 0;
    }
  },
  backward(c) {
    const { dins: [da], dy, dyo, R, N } = c;
    if (!da) return;
    if (!c.noise) { for (let i = 0; i < R * N; i++) da.buf[da.off + i] += dy[dyo + i]; return; }
    const p = c.attrs.p as number;
    const k = 1 / (1 - p);
    for (let r = 0; r < R; r++) {
      for (let i = 0; i < N; i++) if (dropoutKeep(c.noise, c.node, c.row0 + r, i, p)) da.buf[da.off + r * N + i] += dy[dyo + r * N + i] * k;
    }
  },
  // The export is evaluation: dropout passes its input through.
  torch: ([a]) => a,
  formula: ([a]) => `dropout(${a}) (training only)`,
};

/** The built-in ops. Names are part of the file format. */
export const BUILTIN_OPS = {
  mul, add, one_minus: oneMinus, sub, div,
  exp: unary('exp', 'eˣ', 'e^x, elementwise.', Math.exp, (_x, y) => y, (x) => `torch.exp(${x})`),
  log: unary('log', 'log', 'Natural logarithm, elementwise (inputs must be positive).', Math.log, (x) => 1 / x, (x) => `torch.log(${x})`),
  square: unary('square', 'x²', 'x², elementwise.', (x) => x * x, (x) => 2 * x, (x) => `torch.square(${x})`),
  neg: unary('neg', '−x', '−x, elementwise.', (x) => -x, () => -1, (x) => `-${x}`),
  scale, softmax, layer_norm: layerNorm, concat, slice, dropout,
} satisfies Record<string, OpDef>;

export type BuiltinOp = keyof typeof BUILTIN_OPS;

const registry = new Map<string, OpDef>(Object.values(BUILTIN_OPS).map((d: OpDef) => [d.name, d]));

/** The op named `name`, or undefined (proto-safe). */
export function getOp(name: string): OpDef | undefined {
  return registry.get(name);
}

/** The op named `name`; throws naming it when unknown (validation rules this out for graphs). */
export function op(name: string): OpDef {
  const d = registry.get(name);
  if (!d) throw new Error(`unknown op "${name}"`);
  return d;
}

export function opNames(): string[] {
  return [...registry.keys()];
}

/** Adds an op (plugins and tests); returns a function that removes it. */
export function registerOp(def: OpDef): () => void {
  if (registry.has(def.name)) throw new Error(`op "${def.name}" is registered already`);
  registry.set(def.name, def);
  return () => { registry.delete(def.name); };
}

/** The node's field values with the op's defaults applied (a slice's "size" included). */
export function opAttrs(def: OpDef, node: Record<string, unknown>): OpAttrs {
  const out: OpAttrs = {};
  for (const f of def.fields) {
    const v = node[f.name];
    if (typeof v === 'number' || typeof v === 'boolean') out[f.name] = v;
    else if (f.default !== undefined) out[f.name] = f.default;
  }
  if (typeof node.size === 'number') out.size = node.size;
  return out;
}
