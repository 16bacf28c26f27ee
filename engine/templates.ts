/**
 * The cell templates as graphs of primitives (spec v1), parametrized by size.
 * The example files in assets/examples are made from these (scripts/make-examples.ts),
 * and `cellwright bench` builds them at the benchmark's sizes.
 */
import type {
  Activation, Graph, GraphEdge, GraphNode, InitKind, LossKind, LossSteps, OpKind, WeightKind,
} from './format/types.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from './format/types.ts';

const COL = 200;
const ROW = 110;

export class Builder {
  nodes: GraphNode[] = [];
  edges: GraphEdge[] = [];
  private at(col: number, row: number): { x: number; y: number } {
    return { x: Math.round(col * COL), y: Math.round(row * ROW) };
  }
  input(id: string, size: number, col: number, row: number, label?: string): this {
    this.nodes.push({ id, kind: 'input', size, position: this.at(col, row), ...(label ? { label } : {}) });
    return this;
  }
  target(id: string, size: number, col: number, row: number, label?: string): this {
    this.nodes.push({ id, kind: 'target', size, position: this.at(col, row), ...(label ? { label } : {}) });
    return this;
  }
  cell(id: string, size: number, col: number, row: number, label?: string): this {
    this.nodes.push({ id, kind: 'cell', size, position: this.at(col, row), ...(label ? { label } : {}) });
    return this;
  }
  gate(id: string, size: number, activation: Activation, col: number, row: number, opts: { bias?: boolean; label?: string } = {}): this {
    const n: GraphNode = { id, kind: 'gate', size, activation, position: this.at(col, row) };
    if (opts.bias === false) n.bias = false;
    if (opts.label) n.label = opts.label;
    this.nodes.push(n);
    return this;
  }
  op(id: string, op: OpKind, col: number, row: number, label?: string, fields: Record<string, number | boolean> = {}): this {
    this.nodes.push({ id, kind: 'op', op, ...fields, position: this.at(col, row), ...(label ? { label } : {}) });
    return this;
  }
  loss(id: string, loss: LossKind, col: number, row: number, steps?: LossSteps): this {
    this.nodes.push({ id, kind: 'loss', loss, ...(steps ? { steps } : {}), position: this.at(col, row) });
    return this;
  }
  edge(source: string, target: string, opts: { weight?: WeightKind; init?: InitKind; initScale?: number; port?: 'prediction' | 'target'; id?: string; slot?: number; tie?: string } = {}): this {
    const e: GraphEdge = { id: opts.id ?? `${source}_${target}`, source, target };
    if (opts.weight) e.weight = opts.weight;
    if (opts.slot !== undefined) e.slot = opts.slot;
    if (opts.tie !== undefined) e.tie = opts.tie;
    if (opts.init) e.init = opts.init;
    if (opts.initScale !== undefined) e.initScale = opts.initScale;
    if (opts.port) e.port = opts.port;
    this.edges.push(e);
    return this;
  }
  build(name: string, description: string, extra: Partial<Graph> = {}): Graph {
    return { format: GRAPH_FORMAT, version: GRAPH_VERSION, name, description, nodes: this.nodes, edges: this.edges, ...extra };
  }
}

export interface Sizes {
  /** Input size X. */
  x: number;
  /** Hidden (cell) size H. */
  h: number;
  /** Readout size Y. */
  y: number;
  /** The loss on the readout (default mse). */
  loss?: LossKind;
  steps?: LossSteps;
  /** LSTM templates: the forget gate's bias, stored as the parameter bias:f (e.g. 1, so the cell remembers by default). */
  forgetBias?: number;
}

export function withForgetBias(g: Graph, s: Sizes): Graph {
  if (s.forgetBias === undefined) return g;
  return { ...g, parameters: { ...g.parameters, 'bias:f': { shape: [s.h], data: new Array<number>(s.h).fill(s.forgetBias) } } };
}

export function readout(b: Builder, from: string, s: Sizes, col: number, row = 1): void {
  b.gate('y', s.y, 'identity', col, row, { label: 'readout' })
    .edge(from, 'y')
    .target('y_t', s.y, col, row + 1.1, 'target')
    .loss('loss', s.loss ?? 'mse', col + 1.1, row + 0.55, s.steps)
    .edge('y', 'loss', { port: 'prediction' })
    .edge('y_t', 'loss', { port: 'target' });
}

/** Elman RNN: h_t = tanh(W_x x_t + W_h h_{t−1} + b), y_t = W_y h_t + b_y. PyTorch's nn.RNN. */
export function elman(s: Sizes, activation: Activation = 'tanh'): Graph {
  const b = new Builder()
    .input('x', s.x, 0, 0.6, 'x_t')
    .cell('h', s.h, 0, 2.2, 'h_{t−1}')
    .gate('h_new', s.h, activation, 1.3, 1.4, { label: 'h_t' })
    .edge('x', 'h_new')
    .edge('h', 'h_new', { init: 'orthogonal' })
    .edge('h_new', 'h');
  readout(b, 'h_new', s, 2.6, 0.6);
  return b.build('Elman RNN (tanh)', 'h_t = tanh(W_x·x_t + W_h·h_{t−1} + b); the plain recurrent network whose gradient vanishes over long distances.');
}

/** IRNN (Le, Jaitly & Hinton 2015): ReLU, recurrent weight initialized to the identity. */
export function irnn(s: Sizes): Graph {
  const b = new Builder()
    .input('x', s.x, 0, 0.6, 'x_t')
    .cell('h', s.h, 0, 2.2, 'h_{t−1}')
    .gate('h_new', s.h, 'relu', 1.3, 1.4, { label: 'h_t' })
    .edge('x', 'h_new', { init: 'normal', initScale: 0.001 })
    .edge('h', 'h_new', { init: 'identity' })
    .edge('h_new', 'h');
  readout(b, 'h_new', s, 2.6, 0.6);
  return b.build('IRNN (ReLU, identity init)', 'A ReLU RNN whose recurrent weight starts as the identity, so the step map neither shrinks nor grows the signal at first (Le, Jaitly & Hinton 2015).');
}

/** The four LSTM gates reading x_t and h_{t−1}, with peepholes if asked. */
function lstmCore(b: Builder, s: Sizes, rec: string, peep: boolean): void {
  const gates: [string, Activation, number, string][] = [
    ['f', 'sigmoid', 0, 'forget f_t'], ['i', 'sigmoid', 1, 'input i_t'], ['g', 'tanh', 2, 'candidate C̃_t'], ['o', 'sigmoid', 3, 'output o_t'],
  ];
  for (const [id, act, row, label] of gates) {
    b.gate(id, s.h, act, 1.15, row, { label });
    b.edge('x', id);
    b.edge(rec, id, { init: 'orthogonal' });
  }
  b.op('fc', 'mul', 2.3, 0.35, 'f ⊙ C_{t−1}')
    .op('ig', 'mul', 2.3, 1.4, 'i ⊙ C̃')
    .op('c_new', 'add', 2.95, 0.85, 'C_t')
    .gate('tc', s.h, 'tanh', 3.4, 1.9, { bias: false, label: 'tanh C_t' })
    .op('m', 'mul', 4.55, 3.05, peep ? 'm_t' : 'h_t')
    .edge('f', 'fc').edge('c', 'fc')
    .edge('i', 'ig').edge('g', 'ig')
    .edge('fc', 'c_new').edge('ig', 'c_new')
    .edge('c_new', 'c')
    .edge('c_new', 'tc', { weight: 'identity' })
    .edge('o', 'm').edge('tc', 'm');
  if (peep) {
    b.edge('c', 'f', { weight: 'diagonal', init: 'uniform', initScale: 0.1 })
      .edge('c', 'i', { weight: 'diagonal', init: 'uniform', initScale: 0.1 })
      .edge('c_new', 'o', { weight: 'diagonal', init: 'uniform', initScale: 0.1 });
  }
}

/** An LSTM with memory cells h and c, with or without peepholes. */
function lstmGraph(s: Sizes, peep: boolean, name: string, description: string): Graph {
  const b = new Builder()
    .input('x', s.x, 0, 0.6, 'x_t')
    .cell('h', s.h, 0, 2.2, 'h_{t−1}')
    .cell('c', s.h, 0, 3.6, 'C_{t−1}');
  lstmCore(b, s, 'h', peep);
  b.edge('m', 'h', { id: 'm_h' });
  readout(b, 'm', s, 4.85, 3.9);
  return withForgetBias(b.build(name, description), s);
}

/**
 * LSTM (colah's equations): f, i, o = σ(W·[x_t, h_{t−1}] + b), C̃ = tanh(…),
 * C_t = f ⊙ C_{t−1} + i ⊙ C̃, h_t = o ⊙ tanh(C_t). Matches PyTorch's nn.LSTM.
 */
export function lstm(s: Sizes): Graph {
  return lstmGraph(s, false, 'LSTM (colah)', 'Long short-term memory: a memory cell C carried by addition and guarded by forget, input and output gates.');
}

/** LSTM with peepholes (Gers & Schmidhuber; Sak et al. 2014): diagonal weights from the cell into the gates. */
export function peepholeLstm(s: Sizes): Graph {
  return lstmGraph(s, true, 'Peephole LSTM', 'An LSTM whose gates also see the cell state through diagonal peephole weights: f and i see C_{t−1}, o sees C_t.');
}

/**
 * LSTMP (Sak, Senior & Beaufays 2014): peepholes plus a recurrent projection
 * layer r_t = W_rm·m_t that feeds back instead of the full cell output.
 */
export function lstmp(s: Sizes & { p: number }): Graph {
  const b = new Builder()
    .input('x', s.x, 0, 0.6, 'x_t')
    .cell('r', s.p, 0, 2.2, 'r_{t−1}')
    .cell('c', s.h, 0, 3.6, 'C_{t−1}');
  lstmCore(b, s, 'r', true);
  b.gate('r_new', s.p, 'identity', 5.1, 3.9, { bias: false, label: 'projection r_t' })
    .edge('m', 'r_new')
    .edge('r_new', 'r');
  readout(b, 'r_new', s, 5.45, 5.0);
  return withForgetBias(b.build('LSTMP (LSTM with projection)', 'Sak, Senior & Beaufays 2014: a peephole LSTM whose output m_t is projected to a smaller r_t = W_rm·m_t, which feeds back in place of h.'), s);
}

/**
 * GRU as PyTorch's nn.GRU computes it: r, z = σ(W x + U h + b),
 * n = tanh(W_n x + b_n + r ⊙ (U_n h + b_hn)), h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.
 */
export function gru(s: Sizes): Graph {
  const b = new Builder()
    .input('x', s.x, 0, 0.6, 'x_t')
    .cell('h', s.h, 0, 2.4, 'h_{t−1}')
    .gate('r', s.h, 'sigmoid', 1.15, 0, { label: 'reset r_t' })
    .gate('z', s.h, 'sigmoid', 1.15, 1, { label: 'update z_t' })
    .gate('hn', s.h, 'identity', 1.15, 2.1, { label: 'U_n·h + b' })
    .op('rhn', 'mul', 2.3, 1.75, 'r ⊙ (U_n h)')
    .gate('n', s.h, 'tanh', 2.85, 0.85, { label: 'candidate n_t' })
    .op('one_minus_z', 'one_minus', 2.3, 0.0, '1 − z')
    .op('zn', 'mul', 4.0, 0.45, '(1−z) ⊙ n')
    .op('zh', 'mul', 4.0, 2.4, 'z ⊙ h_{t−1}')
    .op('h_new', 'add', 4.6, 1.45, 'h_t')
    .edge('x', 'r').edge('h', 'r', { init: 'orthogonal' })
    .edge('x', 'z').edge('h', 'z', { init: 'orthogonal' })
    .edge('h', 'hn', { init: 'orthogonal' })
    .edge('r', 'rhn').edge('hn', 'rhn')
    .edge('x', 'n').edge('rhn', 'n', { weight: 'identity' })
    .edge('z', 'one_minus_z')
    .edge('one_minus_z', 'zn').edge('n', 'zn')
    .edge('z', 'zh').edge('h', 'zh')
    .edge('zn', 'h_new').edge('zh', 'h_new')
    .edge('h_new', 'h');
  readout(b, 'h_new', s, 4.9, 2.9);
  return b.build('GRU', 'Gated recurrent unit (as PyTorch computes it): the update gate z mixes the old state with a candidate; the reset gate r decides how much of the old state the candidate sees.');
}

/** Reference example 1: scalar linear RNN, w_x = w_h = w_y = 1; L = y_T. */
export function workedLinear(w = { x: 1, h: 1, y: 1 }): Graph {
  const b = new Builder()
    .input('x', 1, 0, 1, 'x_t')
    .cell('h', 1, 0, 2.5, 'h_{t−1}')
    .gate('z', 1, 'identity', 1.5, 1.5, { bias: false, label: 'h_t = w_x·x_t + w_h·h_{t−1}' })
    .gate('y', 1, 'identity', 3, 1.5, { bias: false, label: 'y_t = w_y·h_t' })
    .loss('loss', 'sum', 4.3, 1.5, 'last')
    .edge('x', 'z', { weight: 'scalar', id: 'w_x' })
    .edge('h', 'z', { weight: 'scalar', id: 'w_h' })
    .edge('z', 'h')
    .edge('z', 'y', { weight: 'scalar', id: 'w_y' })
    .edge('y', 'loss', { port: 'prediction' });
  return b.build('Worked example 1: scalar linear RNN', 'h_t = w_x·x_t + w_h·h_{t−1}, y_t = w_y·h_t with all weights 1: inputs 2, −0.5, 1, 1 give h = 2, 1.5, 2.5, 3.5. The loss is y_T, so the gradient at step t is w_h^(T−t).', {
    parameters: {
      'edge:w_x': { shape: [1], data: [w.x] },
      'edge:w_h': { shape: [1], data: [w.h] },
      'edge:w_y': { shape: [1], data: [w.y] },
    },
  });
}

/** Reference example 2: two inputs with weights 1 and −1, recurrent weight 1, y_t = σ(5·h_t). */
export function workedTwoInput(): Graph {
  const b = new Builder()
    .input('x', 2, 0, 1, 'x_t (2 inputs)')
    .cell('h', 1, 0, 2.5, 'h_{t−1}')
    .gate('z', 1, 'identity', 1.5, 1.5, { bias: false, label: 'h_t' })
    .gate('y', 1, 'sigmoid', 3, 1.5, { bias: false, label: 'y_t = σ(5·h_t)' })
    .target('y_t', 1, 3, 3, 'target')
    .loss('loss', 'mse', 4.3, 2)
    .edge('x', 'z', { id: 'w_x' })
    .edge('h', 'z', { weight: 'scalar', id: 'w_h' })
    .edge('z', 'h')
    .edge('z', 'y', { weight: 'scalar', id: 'w_y' })
    .edge('y', 'loss', { port: 'prediction' })
    .edge('y_t', 'loss', { port: 'target' });
  return b.build('Worked example 2: two-input RNN', 'Inputs weighted 1 and −1, recurrent weight 1, output σ(5·h_t): inputs (2, −2), (0, 3.5), (1, 2.2) give h = 4, 0.5, −0.7.', {
    parameters: {
      'edge:w_x': { shape: [1, 2], data: [1, -1] },
      'edge:w_h': { shape: [1], data: [1] },
      'edge:w_y': { shape: [1], data: [5] },
    },
  });
}

/**
 * Reference example 3: running parity, exactly, with step units: one hidden
 * unit computes OR(x_t, p_{t−1}), one AND, and the output OR − AND.
 */
export function workedParity(): Graph {
  const b = new Builder()
    .input('x', 1, 0, 1, 'x_t (bit)')
    .cell('p', 1, 0, 2.6, 'p_{t−1}')
    .gate('hid', 2, 'step', 1.5, 1.6, { label: 'OR, AND' })
    .gate('out', 1, 'step', 3, 1.6, { label: 'p_t = OR − AND' })
    .target('p_t', 1, 3, 3, 'parity')
    .loss('loss', 'mse', 4.3, 2.2)
    .edge('x', 'hid', { id: 'w_x' })
    .edge('p', 'hid', { id: 'w_p' })
    .edge('hid', 'out', { id: 'w_out' })
    .edge('out', 'p')
    .edge('out', 'loss', { port: 'prediction' })
    .edge('p_t', 'loss', { port: 'target' });
  return b.build('Worked example 3: running parity', 'Parity is XOR of the input and the previous parity: a step unit for OR (x + p > 0.5), one for AND (x + p > 1.5), and the output OR − AND > 0.5. Input 0,1,0,1,1,0,1,0,1,1 gives 0,1,1,0,1,1,0,0,1,0.', {
    parameters: {
      'edge:w_x': { shape: [2, 1], data: [1, 1] },
      'edge:w_p': { shape: [2, 1], data: [1, 1] },
      'bias:hid': { shape: [2], data: [-0.5, -1.5] },
      'edge:w_out': { shape: [1, 2], data: [1, -1] },
      'bias:out': { shape: [1], data: [-0.5] },
    },
  });
}

/**
 * The reference text's iterated map x ↦ x² + 0.15 as a cell of size 1 (a sink
 * at (1 − √0.4)/2 ≈ 0.1838, a source at ≈ 0.8162; the text says 0.1775 and 0.8225). The loss reads the last state.
 */
export function quadraticMap(): Graph {
  const b = new Builder()
    .input('x', 1, 0, 1, 'x_t (unused: 0)')
    .cell('h', 1, 0, 2.5, 'h_{t−1}')
    .op('sq', 'mul', 1.5, 2.5, 'h²')
    .gate('h_new', 1, 'identity', 3, 2, { label: 'h² + 0.15' })
    .loss('loss', 'sum', 4.3, 2, 'last')
    .edge('h', 'sq', { id: 'h_sq_a' })
    .edge('h', 'sq', { id: 'h_sq_b' })
    .edge('sq', 'h_new', { weight: 'identity' })
    .edge('x', 'h_new', { weight: 'scalar', init: 'zeros', id: 'w_x' })
    .edge('h_new', 'h')
    .edge('h_new', 'loss', { port: 'prediction' });
  return b.build('Iterated map x ↦ x² + 0.15', 'A one-unit cell iterating f(h) = h² + 0.15 (the reference text\'s example): fixed points at (1 ± √0.4)/2 ≈ 0.1838, a sink (|f′| < 1), and ≈ 0.8162, a source (|f′| > 1) (the text gives 0.1775 and 0.8225).', {
    parameters: { 'edge:w_x': { shape: [1], data: [0] }, 'bias:h_new': { shape: [1], data: [0.15] } },
  });
}

/**
 * Layer-normalized LSTM (Ba, Kiros & Hinton 2016): each gate's pre-activation
 * W_x·x_t + W_h·h_{t−1} is layer-normalized on its own (the norm's shift plays
 * the bias), and so is the cell before its tanh:
 * f, i, o = σ(LN(·)), g = tanh(LN(·)), C_t = f ⊙ C_{t−1} + i ⊙ g,
 * h_t = o ⊙ tanh(LN(C_t)). (Ba et al. normalize W_x·x and W_h·h separately;
 * one norm of their sum per gate is the common variant, and what this builds.)
 */
export function layerNormLstm(s: Sizes): Graph {
  const b = new Builder()
    .input('x', s.x, 0, 0.6, 'x_t')
    .cell('h', s.h, 0, 2.2, 'h_{t−1}')
    .cell('c', s.h, 0, 3.6, 'C_{t−1}');
  const gates: [string, Activation, string][] = [['f', 'sigmoid', 'forget'], ['i', 'sigmoid', 'input'], ['g', 'tanh', 'candidate'], ['o', 'sigmoid', 'output']];
  gates.forEach(([id, act, label], row) => {
    b.gate(`${id}_pre`, s.h, 'identity', 1.1, row, { bias: false, label: `W·[x, h] (${label})` })
      .edge('x', `${id}_pre`)
      .edge('h', `${id}_pre`, { init: 'orthogonal' })
      .op(`${id}_ln`, 'layer_norm', 2.0, row, `LN (${label})`)
      .edge(`${id}_pre`, `${id}_ln`)
      .gate(id, s.h, act, 2.9, row, { bias: false, label: `${label} ${id}_t` })
      .edge(`${id}_ln`, id, { weight: 'identity' });
  });
  b.op('fc', 'mul', 3.8, 0.3, 'f ⊙ C_{t−1}')
    .op('ig', 'mul', 3.8, 1.5, 'i ⊙ g')
    .op('c_new', 'add', 4.5, 0.9, 'C_t')
    .op('c_ln', 'layer_norm', 5.2, 1.9, 'LN(C_t)')
    .gate('tc', s.h, 'tanh', 5.9, 2.4, { bias: false, label: 'tanh LN(C_t)' })
    .op('m', 'mul', 6.4, 3.3, 'h_t')
    .edge('f', 'fc').edge('c', 'fc')
    .edge('i', 'ig').edge('g', 'ig')
    .edge('fc', 'c_new').edge('ig', 'c_new')
    .edge('c_new', 'c')
    .edge('c_new', 'c_ln')
    .edge('c_ln', 'tc', { weight: 'identity' })
    .edge('o', 'm').edge('tc', 'm')
    .edge('m', 'h', { id: 'm_h' });
  readout(b, 'm', s, 6.9, 4.2);
  return b.build('LayerNorm LSTM', 'An LSTM whose gate pre-activations and cell are layer-normalized (Ba, Kiros & Hinton 2016): each gate sees a normalized W·[x_t, h_{t−1}], and h_t = o ⊙ tanh(LN(C_t)).');
}

/**
 * sLSTM-style cell (Beck et al. 2024, xLSTM), in the simple (unstabilized)
 * form: an exponential input gate i = exp(ĩ), a sigmoid forget gate f = σ(f̃)
 * (the paper allows either for f), and a normalizer state n:
 * C_t = f ⊙ C_{t−1} + i ⊙ z, n_t = f ⊙ n_{t−1} + i, h_t = o ⊙ C_t / n_t with
 * z = tanh(·), o = σ(·). Without the paper's stabilizer state m_t the exp can
 * overflow for large pre-activations; n_t > 0 always since exp(ĩ) > 0.
 * The normalizer starts from a learned state n_0, initialized to ones: from
 * n_0 = 0 a constant shift of ĩ would scale C and n alike and cancel in C/n,
 * leaving the input gate's bias without a gradient.
 */
export function sLstm(s: Sizes): Graph {
  const b = new Builder()
    .input('x', s.x, 0, 0.6, 'x_t')
    .cell('h', s.h, 0, 2.2, 'h_{t−1}')
    .cell('c', s.h, 0, 3.6, 'C_{t−1}')
    .cell('n', s.h, 0, 4.8, 'n_{t−1} (normalizer)');
  Object.assign(b.nodes[b.nodes.length - 1], { initial: 'learned' });
  const gates: [string, Activation, string][] = [['i', 'exp', 'input i_t = exp(ĩ)'], ['f', 'sigmoid', 'forget f_t'], ['z', 'tanh', 'cell input z_t'], ['o', 'sigmoid', 'output o_t']];
  gates.forEach(([id, act, label], row) => {
    b.gate(id, s.h, act, 1.15, row, { label }).edge('x', id, { ...(id === 'i' ? { initScale: 0.5 } : {}) }).edge('h', id, { init: 'orthogonal', ...(id === 'i' ? { initScale: 0.5 } : {}) });
  });
  b.op('fc', 'mul', 2.3, 0.4, 'f ⊙ C_{t−1}')
    .op('iz', 'mul', 2.3, 1.5, 'i ⊙ z')
    .op('c_new', 'add', 3.0, 1.0, 'C_t')
    .op('fn', 'mul', 2.3, 4.2, 'f ⊙ n_{t−1}')
    .op('n_new', 'add', 3.0, 4.5, 'n_t = f ⊙ n + i')
    .op('c_norm', 'div', 3.8, 2.4, 'C_t / n_t')
    .op('h_new', 'mul', 4.5, 3.0, 'h_t = o ⊙ C_t / n_t')
    .edge('f', 'fc').edge('c', 'fc')
    .edge('i', 'iz').edge('z', 'iz')
    .edge('fc', 'c_new').edge('iz', 'c_new')
    .edge('c_new', 'c')
    .edge('f', 'fn').edge('n', 'fn')
    .edge('fn', 'n_new').edge('i', 'n_new')
    .edge('n_new', 'n')
    .edge('c_new', 'c_norm', { slot: 0 }).edge('n_new', 'c_norm', { slot: 1 })
    .edge('o', 'h_new').edge('c_norm', 'h_new')
    .edge('h_new', 'h');
  readout(b, 'h_new', s, 5.2, 3.6);
  return b.build('sLSTM (exponential gating)', 'An sLSTM-style cell (Beck et al. 2024, xLSTM), simple form: an exponential input gate, a sigmoid forget gate and a normalizer state n (learned start, ones); h_t = o ⊙ C_t / n_t.', {
    parameters: { 'init:n': { shape: [s.h], data: new Array<number>(s.h).fill(1) } },
  });
}

/**
 * Deep-transition RNN with a tied transition (Pascanu et al. 2014): two tanh
 * layers between h_{t−1} and h_t that share one recurrent matrix U:
 * u_t = tanh(U·h_{t−1} + b_u), h_t = tanh(W·x_t + U·u_t + b_h). The second
 * use of U is an edge with "tie": its gradient adds to U's.
 */
export function tiedTransitionRnn(s: Sizes): Graph {
  const b = new Builder()
    .input('x', s.x, 0, 0.6, 'x_t')
    .cell('h', s.h, 0, 2.2, 'h_{t−1}')
    .gate('u', s.h, 'tanh', 1.2, 2.2, { label: 'u_t = tanh(U·h_{t−1} + b)' })
    .gate('h_new', s.h, 'tanh', 2.4, 1.4, { label: 'h_t = tanh(W·x_t + U·u_t + b)' })
    .edge('h', 'u', { id: 'U', init: 'orthogonal' })
    .edge('u', 'h_new', { id: 'U_again', tie: 'U' })
    .edge('x', 'h_new')
    .edge('h_new', 'h');
  readout(b, 'h_new', s, 3.6, 0.6);
  return b.build('Deep-transition RNN (tied U)', 'Two tanh layers per step that share one recurrent matrix U (a tied edge): u_t = tanh(U·h_{t−1} + b_u), h_t = tanh(W·x_t + U·u_t + b_h).');
}
