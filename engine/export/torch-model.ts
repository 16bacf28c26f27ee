/**
 * model.py for a compiled graph: a torch.nn.Module whose `step` is the graph's
 * one time step written out line by line (one line per gate, op and loss, in
 * the compiler's schedule, each with a comment naming its node and edges), and
 * whose `forward` unrolls it over T with the spec's input reversal, loss steps
 * and normalization. The numbers equal the engine's (tested to 1e-9 in float64).
 */
import type { CEdge, CNode, Program } from '../compile.ts';
import type { Activation, CellNode, Graph } from '../format/types.ts';
import { activation } from '../ops/activations.ts';
import { LOSS_DEFS } from '../ops/losses.ts';
import { pyNumber } from '../ops/ops.ts';
import type { ParamEntry } from '../params.ts';
import type { Arr } from '../tensor.ts';
import { commentText, docText, NameTable, pyStr, sanitize, stepNames } from './names.ts';
import { type Layer, matchStack } from './onnx-fused.ts';

/** Thrown when a graph cannot be written as PyTorch code; the message says why. */
export class TorchExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TorchExportError';
  }
}

/** The dtype of the exported parameters: float32 (PyTorch's default), float64 for the engine's exact numbers. */
export type TorchDtype = 'float32' | 'float64';

export interface ModelNames {
  /** parameter key (`edge:e`, `bias:n`, `init:c`) → attribute of the module */
  params: Map<string, string>;
  /** node id → local variable in `step` */
  nodes: Map<string, string>;
}

/** Attribute names for the parameters: `edge_<id>`, `bias_<id>`, `init_<id>`. */
export function parameterNames(program: Program): Map<string, string> {
  const table = new NameTable(new Set(['training', 'forward', 'step']));
  const out = new Map<string, string>();
  for (const e of program.layout.entries) out.set(e.key, table.take(`${e.kind}_${sanitize(e.owner)}`));
  return out;
}

function activationCall(c: Ctx, act: Activation, expr: string): string {
  const def = activation(act).def;
  for (const [name, text] of Object.entries(def.torchHelpers ?? {})) c.helpers.set(name, scriptable(name, text));
  return def.torch(expr);
}


/**
 * A registry helper that TorchScript cannot compile (a torch.autograd.Function) is
 * called through Python from a scripted module: its entry function gets
 * @torch.jit.ignore (torch.jit.script works and runs; torch.jit.save needs Python for it).
 */
function scriptable(name: string, text: string): string {
  if (!text.includes('torch.autograd.Function')) return text;
  return text.replace(new RegExp(`^def ${name}\\(`, 'm'), `@torch.jit.ignore\ndef ${name}(`);
}

/**
 * A node that only passes its input on (an identity gate with one identity edge
 * and no bias, a one-input add or mul) gets a copy, so that it is a tensor of its
 * own: its gradient (retain_grad, hooks) is then its own, as in the engine.
 */
function ownTensor(expr: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(expr) ? `${expr}.clone()  # a node of its own, not an alias of ${expr}` : expr;
}

/** 4-space indented block. */
function indent(lines: string[], n: number): string[] {
  const pad = ' '.repeat(n);
  return lines.map((l) => (l === '' ? '' : pad + l));
}

/** Full edges from one source into several gates: one matmul of the source, split after. */
interface Fused {
  /** key in the dict of fused weights ("0", "1", …: never an id) */
  key: string;
  source: CNode;
  /** the local variable holding the source's projection in step */
  v: string;
  edges: CEdge[];
  /** edge → its columns [from, to) of the projection */
  cols: Map<CEdge, [number, number]>;
  /** the node before which step computes the projection (the first consumer in schedule order) */
  at: number;
}

/** Sources with two or more full edges into gates (the gates of a template: LSTM's x and h feed four). */
function fusedSources(program: Program, table: NameTable, names: Map<string, string>): Fused[] {
  const groups = new Map<number, CEdge[]>();
  const first = new Map<number, number>();
  for (const i of program.order) {
    const n = program.nodes[i];
    if (n.kind !== 'gate') continue;
    for (const e of n.inEdges) {
      if (e.weight !== 'full') continue;
      if (!groups.has(e.source)) {
        groups.set(e.source, []);
        first.set(e.source, i);
      }
      groups.get(e.source)!.push(e);
    }
  }
  const out: Fused[] = [];
  for (const [src, edges] of groups) {
    if (edges.length < 2) continue;
    const source = program.nodes[src];
    const cols = new Map<CEdge, [number, number]>();
    let at = 0;
    for (const e of edges) {
      const size = program.nodes[e.target].size;
      cols.set(e, [at, at + size]);
      at += size;
    }
    out.push({ key: String(out.length), source, v: table.take(`${names.get(source.id)!}_proj`), edges, cols, at: first.get(src)! });
  }
  return out;
}

/**
 * The graph is one standard LSTM or GRU layer (the ONNX exporter's matcher: the numbers of
 * nn.LSTM, of nn.GRU) plus readout gates of full edges: then forward without per-step values
 * runs the recurrence in PyTorch's own kernel (torch._VF.lstm / gru) and the readouts over all
 * steps at once.
 */
function nnKernel(program: Program, theta: Arr): { layer: Layer; gates: CNode[]; readouts: CNode[] } | undefined {
  const stack = matchStack(program, theta);
  const l = stack?.length === 1 ? stack[0] : undefined;
  if (!l || l.inputForget || l.P || l.reverse || !l.gates) return undefined;
  const lstm = l.op === 'LSTM' && l.c !== undefined && l.activations.join() === 'Sigmoid,Tanh,Tanh';
  const gru = l.op === 'GRU' && l.linearBeforeReset && l.activations.join() === 'Sigmoid,Tanh';
  if (!lstm && !gru) return undefined;
  const gates = l.gates.filter((g): g is CNode => g !== undefined);
  if (gates.length !== 4) return undefined;
  const readouts: CNode[] = [];
  const available = new Set([l.out.index]);
  for (const i of program.order) {
    const n = program.nodes[i];
    if (l.members.has(i) || n.kind === 'input' || n.kind === 'target' || n.kind === 'loss') continue;
    if (n.kind !== 'gate' || n.inEdges.length === 0 || n.inEdges.some((e) => e.weight !== 'full' || !available.has(e.source))) return undefined;
    available.add(i);
    readouts.push(n);
  }
  for (const i of program.losses) {
    if (program.nodes[i].inEdges.some((e) => program.nodes[e.source].kind !== 'target' && !available.has(e.source))) return undefined;
  }
  return { layer: l, gates, readouts };
}

/**
 * Python lines computing each loss of the program over the whole sequence at once: `loss_<k>` is
 * [its total (with its gradient), its series over the steps (without)], or empty when its target
 * was not given. `valueOf(node)` is the expression of a node's value at every step [T, B, size];
 * the lines read `targets`, `T` and `norm_b`.
 */
export function wholeSequenceLosses(program: Program, valueOf: (n: CNode) => string): string[] {
  const losses = program.losses.map((i) => program.nodes[i]);
  const lines = losses.map((_n, k) => `loss_${k}: List[Tensor] = []`);
  losses.forEach((n, k) => {
    const pred = program.nodes[n.inEdges[0].source];
    const pv = valueOf(pred);
    const def = LOSS_DEFS[n.loss!];
    const last = n.steps === 'last';
    const scale = `loss_scale(${pyStr(n.loss!)}, ${last ? '1' : 'T'}, norm_b, ${pred.size})`;
    const tgt = n.inEdges[1] ? program.nodes[n.inEdges[1].source] : undefined;
    const tv = !tgt ? undefined : tgt.kind === 'target' ? `targets[${pyStr(tgt.id)}]` : valueOf(tgt);
    const at = (i: string): string => (tv ? `${pv}[${i}], ${tv}[${i}]` : `${pv}[${i}]`);
    const body = last
      ? [`total = ${def.torchName}(${at('T - 1')}) * ${scale}`, `loss_${k} = [total, torch.cat([total.detach().new_zeros(T - 1), total.detach().reshape(1)])]`]
      : [`total = ${def.torchName}(${tv ? `${pv}, ${tv}` : pv}) * ${scale}`,
        'with torch.no_grad():',
        `    series = torch.stack([${def.torchName}(${at('t')}) for t in range(T)]) * ${scale}`,
        `loss_${k} = [total, series]`];
    const cond = tgt?.kind === 'target' ? `${pyStr(tgt.id)} in targets and T > 0` : 'T > 0';
    lines.push(`if ${cond}:  # loss ${commentText(n.id)}: [its total, its series over the steps]`, ...body.map((b) => `    ${b}`));
  });
  return lines;
}

interface Ctx {
  program: Program;
  names: ModelNames;
  /** fused edge → its group */
  fusedBy: Map<CEdge, Fused>;
  /** Python helpers the model needs, name → source, in first-use order. */
  helpers: Map<string, string>;
}

/** The expression one weighted edge adds to its gate's pre-activation (from the weight-kind registry). */
function edgeTerm(c: Ctx, e: CEdge, target: CNode): { expr: string; note: string } {
  const src = c.program.nodes[e.source];
  const v = c.names.nodes.get(src.id)!;
  const f = c.fusedBy.get(e);
  if (f) {
    const [a, b] = f.cols.get(e)!;
    return { expr: `${f.v}[:, ${a}:${b}]`, note: e.kind.note(e.tie ?? e.id, src.id) };
  }
  // A tied edge reads its owner's parameter (e.param is the owner's entry).
  const p = e.param ? `self.${c.names.params.get(e.param.key)!}` : '';
  return { expr: e.kind.torch(v, p, src.size, target.size), note: e.kind.note(e.tie ?? e.id, src.id) };
}

function gateLines(c: Ctx, n: CNode): string[] {
  const terms = n.inEdges.map((e) => edgeTerm(c, e, n));
  const parts = terms.map((t) => t.expr);
  const notes = terms.map((t) => t.note);
  if (n.bias) {
    parts.push(`self.${c.names.params.get(n.bias.key)!}`);
    notes.push(`b_${n.id}`);
  }
  let pre: string;
  if (n.inEdges.length === 0) {
    // A gate with no inputs outputs the constant act(bias) for every sequence.
    pre = n.bias ? `self.${c.names.params.get(n.bias.key)!}.expand(ref.shape[0], ${n.size})` : `ref.new_zeros(ref.shape[0], ${n.size})`;
  } else {
    pre = parts.join(' + ');
  }
  const act = n.activation!;
  const v = c.names.nodes.get(n.id)!;
  const edges = n.inEdges.map((e) => `${e.id} (${e.weight}${e.tie !== undefined ? `, tied to ${e.tie}` : ''})`).join(', ');
  const formula = act === 'identity' ? notes.join(' + ') || '0' : `${act}(${notes.join(' + ') || '0'})`;
  return [
    `# gate ${commentText(n.id)} = ${commentText(formula)}${edges ? `    [edges ${commentText(edges)}]` : ''}`,
    `${v} = ${ownTensor(activationCall(c, act, pre))}`,
  ];
}

/** One op node, from the op registry's PyTorch expression. */
function opLines(c: Ctx, n: CNode): string[] {
  const def = n.opDef!;
  const ins = n.inEdges.map((e) => c.names.nodes.get(c.program.nodes[e.source].id)!);
  const srcIds = n.inEdges.map((e) => c.program.nodes[e.source].id);
  const ps = (n.opParams ?? []).map((e) => `self.${c.names.params.get(e.key)!}`);
  const formula = def.formula ? def.formula(srcIds, n.attrs!) : `${def.name}(${srcIds.join(', ')})`;
  return [
    `# op ${commentText(n.id)} = ${commentText(formula)}    [${n.op}]`,
    `${c.names.nodes.get(n.id)!} = ${ownTensor(def.torch(ins, n.attrs!, n.size, ps))}`,
  ];
}

function lossLines(c: Ctx, n: CNode): string[] {
  const pred = c.program.nodes[n.inEdges[0].source];
  const p = c.names.nodes.get(pred.id)!;
  const kind = n.loss!;
  const def = LOSS_DEFS[kind];
  c.helpers.set(def.torchName, def.torchHelper);
  const steps = n.steps === 'last' ? 'last step only' : 'every step';
  if (!def.target) {
    return [
      `# loss ${commentText(n.id)} = ${kind}(${commentText(pred.id)})    [${steps}]`,
      `if y_t is not None:`,
      `    outputs[${pyStr(n.id)}] = ${def.torchName}(${p})`,
    ];
  }
  const tgt = c.program.nodes[n.inEdges[1].source];
  if (tgt.kind !== 'target') {
    // The target port reads a node of the graph: gradients flow into both ports.
    return [
      `# loss ${commentText(n.id)} = ${kind}(prediction ${commentText(pred.id)}, target ${commentText(tgt.id)} (a node))    [${steps}]`,
      `if y_t is not None:`,
      `    outputs[${pyStr(n.id)}] = ${def.torchName}(${p}, ${c.names.nodes.get(tgt.id)!})`,
    ];
  }
  return [
    `# loss ${commentText(n.id)} = ${kind}(prediction ${commentText(pred.id)}, target ${commentText(tgt.id)})    [${steps}]`,
    `if y_t is not None and ${pyStr(tgt.id)} in y_t:`,
    `    outputs[${pyStr(n.id)}] = ${def.torchName}(${p}, y_t[${pyStr(tgt.id)}])`,
  ];
}

function paramInit(e: ParamEntry): string {
  return `torch.${e.init === 'ones' ? 'ones' : 'zeros'}(${e.shape.join(', ')}, dtype=dtype)`;
}

function describeParam(program: Program, edges: ReadonlyMap<string, CEdge>, tiedTo: ReadonlyMap<string, string[]>, e: ParamEntry): string {
  if (e.kind === 'bias') return `bias of gate ${e.owner}`;
  if (e.kind === 'init') return `learned initial state of cell ${e.owner}`;
  if (e.kind === 'gain' || e.kind === 'shift') return `${e.kind} of layer_norm op ${e.owner}`;
  const edge = edges.get(e.owner)!;
  const tied = tiedTo.get(e.owner) ?? [];
  return `${edge.weight} weight of edge ${e.owner}: ${program.nodes[edge.source].id} → ${program.nodes[edge.target].id}${tied.length ? ` (shared by ${tied.join(', ')})` : ''}`;
}

/** How a graph's module is named inside a model.py holding several (a graph with layers: engine/export/torch-layers.ts). */
export interface ModelPyOptions {
  /** Name of the class (default Model). */
  className?: string;
  /** Module-level table attribute → parameter key the class loads by (default PARAMETER_KEYS). */
  keysName?: string;
  /** Also write `_nn_weights()`: the weights PyTorch's kernel takes (a layer's copy that is a standard LSTM or GRU). */
  sequence?: boolean;
  /** The module text before the class, where it describes more than this class (a graph with layers). */
  header?: {
    /** The docstring's paragraph after the description. */
    intro: string;
    /** Lines of the INPUTS, CELLS, SIZES and PARAMETER_KEYS tables and of the docstring's parameter list. */
    inputs: string[];
    cells: string[];
    sizes: string[];
    keys: string[];
    paramDoc: string[];
    /** More module-level tables, after PARAMETER_KEYS. */
    extra: string;
    /** Helpers the other classes of the module call. */
    helpers: Map<string, string>;
  };
}

/** model.py in parts: the text before the class, the class, the text after it, and the helpers the class calls. */
export interface ModelPyParts {
  head: string;
  classText: string;
  tail: string;
  /** Python helper functions by name (activations, losses), in first-use order. */
  helpers: Map<string, string>;
  names: ModelNames;
  /** The standard layer whose kernel the class calls without per-step values, if any. */
  kernel?: Layer;
  /** Lines of the module docstring listing the parameters. */
  paramDoc: string[];
  /** Lines of the module tables for this class alone. */
  tables: { inputs: string[]; cells: string[]; sizes: string[]; keys: string[] };
}

/** The text of model.py for a compiled graph. */
export function modelPy(graph: Graph, program: Program, dtype: TorchDtype = 'float32', theta?: Arr): { text: string; names: ModelNames } {
  const p = modelPyParts(graph, program, dtype, theta);
  return { text: `${p.head}${p.classText}${p.tail}`.replace(/\n{4,}/g, '\n\n\n'), names: p.names };
}

/** The parts of model.py for a compiled graph (see modelPy). */
export function modelPyParts(graph: Graph, program: Program, dtype: TorchDtype = 'float32', theta?: Arr, opts: ModelPyOptions = {}): ModelPyParts {
  const className = opts.className ?? 'Model';
  const keysName = opts.keysName ?? 'PARAMETER_KEYS';
  const names: ModelNames = { params: parameterNames(program), nodes: new Map() };
  const table = stepNames();
  // Names step() and forward() use besides the nodes (typing, TorchScript helpers).
  for (const r of ['w', 'pre', 'Tensor', 'Dict', 'List', 'Optional', 'Tuple', 'NamedTuple', 'Output', 'DTYPE', '_first_stream', '_add', '_sum_list',
    'fed', 'targets', 'T', 'norm_b', 'w_ih', 'w_hh', 'b_ih', 'b_hh', 'seq', 'total', 'series', 'h_n', 'c_n', 't', ...program.losses.map((_l, k) => `loss_${k}`)]) table.take(r);
  for (const n of program.nodes) if (n.kind !== 'loss' && n.kind !== 'target') names.nodes.set(n.id, table.take(sanitize(n.id)));
  const fused = fusedSources(program, table, names.nodes);
  const fusedBy = new Map<CEdge, Fused>();
  for (const f of fused) for (const e of f.edges) fusedBy.set(e, f);
  const c: Ctx = { program, names, fusedBy, helpers: new Map() };

  const inputs = program.inputs.map((i) => program.nodes[i]);
  const targets = program.targets.map((i) => program.nodes[i]);
  const cells = program.cells.map((i) => program.nodes[i]);
  const losses = program.losses.map((i) => program.nodes[i]);

  // ── step body ──
  const body: string[] = [];
  const needB = program.order.some((i) => program.nodes[i].kind === 'gate' && program.nodes[i].inEdges.length === 0);
  if (needB) body.push('ref = _any_tensor(x_t, state, y_t)  # gives the batch size to gates without inputs', '');
  for (const n of inputs) body.push(`${names.nodes.get(n.id)!} = x_t[${pyStr(n.id)}]  # input ${commentText(n.id)} at step t${n.reverse ? ' (fed in reverse order by forward)' : ''}`);
  for (const n of cells) body.push(`${names.nodes.get(n.id)!} = state[${pyStr(n.id)}]  # cell ${commentText(n.id)}: the state written at step t − 1`);
  if (fused.length) body.push('if w is None:', '    w = self.fused_weights()');
  body.push('');
  for (const i of program.order) {
    const n = program.nodes[i];
    for (const f of fused) {
      if (f.at !== i) continue;
      const src = names.nodes.get(f.source.id)!;
      body.push(`# one matmul for the ${f.edges.length} full edges from ${commentText(f.source.id)} (${commentText(f.edges.map((e) => e.id).join(', '))}), split by gate`);
      if (f.source.kind === 'input') {
        body.push(`if pre is not None and ${pyStr(f.key)} in pre:`, `    ${f.v} = pre[${pyStr(f.key)}]  # projected for every step at once by forward`, 'else:', `    ${f.v} = F.linear(${src}, w[${pyStr(f.key)}])`);
      } else {
        body.push(`${f.v} = F.linear(${src}, w[${pyStr(f.key)}])`);
      }
    }
    if (n.kind === 'gate') for (const l of gateLines(c, n)) body.push(l);
    else if (n.kind === 'op') for (const l of opLines(c, n)) body.push(l);
  }
  body.push('');
  const outs = program.order.map((i) => program.nodes[i]).filter((n) => n.kind === 'gate' || n.kind === 'op');
  body.push('outputs: Dict[str, Tensor] = {');
  for (const n of outs) body.push(`    ${pyStr(n.id)}: ${names.nodes.get(n.id)!},`);
  body.push('}');
  // (loops, not push(...): a graph may have more lines than a call has room for arguments)
  for (const n of losses) for (const l of lossLines(c, n)) body.push(l);
  body.push('new_state: Dict[str, Tensor] = {');
  for (const n of cells) {
    const w = program.nodes[n.writer!];
    const next = names.nodes.get(w.id)!;
    const p = n.zoneout ?? 0;
    // Zoneout in evaluation: p · previous + (1 − p) · new (the export is evaluation).
    const expr = p > 0 ? `${pyNumber(p)} * ${names.nodes.get(n.id)!} + ${pyNumber(1 - p)} * ${next}` : next;
    body.push(`    ${pyStr(n.id)}: ${expr},  # cell ${commentText(n.id)} ← ${commentText(w.id)} (edge ${commentText(n.inEdges[0].id)})${p > 0 ? `, zoneout ${p}` : ''}`);
  }
  body.push('}');
  body.push('return outputs, new_state');
  if (needB) {
    c.helpers.set('_any_tensor', `def _any_tensor(x_t: Dict[str, Tensor], state: Dict[str, Tensor], y_t: Optional[Dict[str, Tensor]]) -> Tensor:
    found = list(x_t.values()) + list(state.values())
    if y_t is not None:
        found = found + list(y_t.values())
    if len(found) == 0:
        raise ValueError("step() needs at least one input, state or target to know the batch size")
    return found[0]
`);
  }

  // ── tables ──
  const inputTable = inputs.map((n) => `    ${pyStr(n.id)}: {"size": ${n.size}, "reverse": ${n.reverse ? 'True' : 'False'}},`);
  const targetTable = targets.map((n) => `    ${pyStr(n.id)}: {"size": ${n.size}},`);
  const cellTable = cells.map((n) => {
    const initial = (graph.nodes[n.index] as CellNode).initial === 'learned' ? 'learned' : 'zeros';
    return `    ${pyStr(n.id)}: {"size": ${n.size}, "initial": ${pyStr(initial)}, "writer": ${pyStr(program.nodes[n.writer!].id)}},`;
  });
  const lossTable = losses.map((n) => {
    const pred = program.nodes[n.inEdges[0].source];
    const tgt = n.inEdges[1] ? pyStr(program.nodes[n.inEdges[1].source].id) : 'None';
    return `    ${pyStr(n.id)}: {"loss": ${pyStr(n.loss!)}, "steps": ${pyStr(n.steps ?? 'all')}, "prediction": ${pyStr(pred.id)}, "target": ${tgt}, "units": ${pred.size}},`;
  });
  const nodeTable = program.nodes.filter((n) => n.kind !== 'loss').map((n) => `    ${pyStr(n.id)}: ${n.size},`);
  const paramTable = program.layout.entries.map((e) => `    ${pyStr(names.params.get(e.key)!)}: ${pyStr(e.key)},`);

  // Edge id → edge, and owner → the edges tied to it (maps, not a search per parameter: big graphs stay linear).
  const edgeById = new Map(program.edges.map((e) => [e.id, e]));
  const tiedTo = new Map<string, string[]>();
  for (const e of program.edges) if (e.tie !== undefined) tiedTo.set(e.tie, [...(tiedTo.get(e.tie) ?? []), e.id]);
  const paramDoc = program.layout.entries.map((e) => `    ${names.params.get(e.key)!.padEnd(18)} ${docText(e.key).padEnd(20)} [${e.shape.join(', ')}]  ${docText(describeParam(program, edgeById, tiedTo, e))}${e.trainable ? '' : ' (not trainable)'}`);
  const paramDecl = program.layout.entries.map((e) => {
    const attr = names.params.get(e.key)!;
    return `self.${attr} = nn.Parameter(${paramInit(e)}${e.trainable ? '' : ', requires_grad=False'})  # ${commentText(e.key)}${e.trainable ? '' : ' (trainable: false)'}`;
  });

  const helperText = [...new Map([...(opts.header?.helpers ?? []), ...c.helpers]).values()];
  const h = opts.header;

  // ── initial_state, input reversal and losses of forward (written out per node: TorchScript) ──
  const first = program.layout.entries[0];
  const initLines = [
    ...(first ? [`ref = self.${names.params.get(first.key)!}`] : ['ref = torch.zeros(1)', 'if like is not None:', '    ref = like']),
    'state: Dict[str, Tensor] = {}',
    ...cells.map((n) => ((graph.nodes[n.index] as CellNode).initial === 'learned'
      ? `state[${pyStr(n.id)}] = self.${names.params.get(n.init!.key)!}.unsqueeze(0).expand(batch_size, -1)`
      : `state[${pyStr(n.id)}] = ref.new_zeros([batch_size, ${n.size}])`)),
    'return state',
  ];
  const reverseLines = inputs.filter((n) => n.reverse).flatMap((n) => [`if ${pyStr(n.id)} in fed:  # input reversal`, `    fed[${pyStr(n.id)}] = fed[${pyStr(n.id)}].flip(0)`]);
  const fusedDecl = fused.map((f) => `w[${pyStr(f.key)}] = torch.cat([${f.edges.map((e) => `self.${names.params.get(e.param!.key)!}`).join(', ')}], 0)  # from ${commentText(f.source.id)}`);
  const fusedForward = [
    'w = self.fused_weights()',
    ...fused.filter((f) => f.source.kind === 'input').flatMap((f) => [`if ${pyStr(f.source.id)} in fed:`, `    projected[${pyStr(f.key)}] = F.linear(fed[${pyStr(f.source.id)}], w[${pyStr(f.key)}])`]),
  ];
  const matched = theta ? nnKernel(program, theta) : undefined;
  // (a readout source feeding two or more readouts is fused: that projection lives in step only)
  const kernel = matched?.readouts.some((n) => n.inEdges.some((e) => fusedBy.has(e))) ? undefined : matched;
  const kernelMethod: string[] = [];
  const sequenceMethod: string[] = [];
  if (kernel) {
    const { layer: l, gates } = kernel;
    const p = (e: CEdge | undefined): string => `self.${names.params.get(e!.param!.key)!}`;
    const edgeFrom = (g: CNode, src: CNode): CEdge | undefined => g.inEdges.find((e) => e.source === src.index);
    const H = l.h.size;
    const bias = (g: CNode | undefined): string => (g?.bias ? `self.${names.params.get(g.bias.key)!}` : `w_ih.new_zeros(${H})`);
    if (l.op === 'LSTM') {
      kernelMethod.push(
        `w_ih = torch.cat([${gates.map((g) => p(edgeFrom(g, l.x))).join(', ')}], 0)  # gates ${commentText(gates.map((g) => g.id).join(', '))} (nn.LSTM's i, f, g, o) of ${commentText(l.x.id)}`,
        `w_hh = torch.cat([${gates.map((g) => p(edgeFrom(g, l.h))).join(', ')}], 0)  # … of ${commentText(l.h.id)}`,
        `b_ih = torch.cat([${gates.map(bias).join(', ')}], 0)`,
        `seq, h_n, c_n = torch._VF.lstm(fed[${pyStr(l.x.id)}], [state[${pyStr(l.h.id)}].unsqueeze(0), state[${pyStr(l.c!.id)}].unsqueeze(0)],`,
        `                               [w_ih, w_hh, b_ih, torch.zeros_like(b_ih)], True, 1, 0.0, self.training, False, False)`,
      );
    } else {
      // GRU: r, z, n read x and h; n reads r ⊙ hn, hn = W·h + b (nn.GRU's b_hn): PyTorch's GRU exactly.
      const [r, z, n, hn] = gates;
      kernelMethod.push(
        `w_ih = torch.cat([${[r, z, n].map((g) => p(edgeFrom(g, l.x))).join(', ')}], 0)  # gates ${commentText([r, z, n].map((g) => g.id).join(', '))} (nn.GRU's r, z, n) of ${commentText(l.x.id)}`,
        `w_hh = torch.cat([${[r, z, hn].map((g) => p(edgeFrom(g, l.h))).join(', ')}], 0)  # … of ${commentText(l.h.id)} (n's through ${commentText(hn.id)})`,
        `b_ih = torch.cat([${[r, z, n].map(bias).join(', ')}], 0)`,
        `b_hh = torch.cat([w_ih.new_zeros(${2 * H}), ${bias(hn)}], 0)`,
        `seq, h_n = torch._VF.gru(fed[${pyStr(l.x.id)}], state[${pyStr(l.h.id)}].unsqueeze(0), [w_ih, w_hh, b_ih, b_hh], True, 1, 0.0,`,
        `                         self.training, False, False)`,
      );
    }
    // The kernel's weights [w_ih, w_hh, b_ih, b_hh] (the lines above before the call).
    sequenceMethod.push(...kernelMethod.slice(0, l.op === 'LSTM' ? 3 : 4), `return [w_ih, w_hh, b_ih, ${l.op === 'LSTM' ? 'torch.zeros_like(b_ih)' : 'b_hh'}]`);
    kernelMethod.push(`${names.nodes.get(l.out.id)!} = seq  # node ${commentText(l.out.id)} at every step [T, B, ${H}]`);
    for (const n of kernel.readouts) for (const line of gateLines(c, n)) kernelMethod.push(line);
    kernelMethod.push(...wholeSequenceLosses(program, (n) => names.nodes.get(n.id)!));
    const final = l.op === 'LSTM' ? `{${pyStr(l.h.id)}: h_n[0], ${pyStr(l.c!.id)}: c_n[0]}` : `{${pyStr(l.h.id)}: h_n[0]}`;
    kernelMethod.push(`return [${losses.map((_n, k) => `loss_${k}`).join(', ')}], ${final}`);
  }
  const lossLists = losses.map((_n, k) => `loss_${k}: List[Tensor] = []`);
  const lossAppend = losses.flatMap((n, k) => {
    const pred = program.nodes[n.inEdges[0].source];
    const last = n.steps === 'last';
    return [`if ${last ? 't == T - 1 and ' : ''}${pyStr(n.id)} in outputs:`, `    loss_${k}.append(outputs[${pyStr(n.id)}] * loss_scale(${pyStr(n.loss!)}, ${last ? '1' : 'T'}, norm_b, ${pred.size}))`];
  });
  const lossTotal = losses.flatMap((n, k) => (n.steps === 'last'
    ? [`if len(loss_${k}) == 1:  # loss ${commentText(n.id)}, last step only`, `    losses[${pyStr(n.id)}] = torch.cat([loss_${k}[0].new_zeros(T - 1), loss_${k}[0].reshape(1)])`, `    loss = _add(loss, loss_${k}[0])`]
    : [`if T > 0 and len(loss_${k}) == T:  # loss ${commentText(n.id)}`, `    losses[${pyStr(n.id)}] = torch.stack(loss_${k})`, `    loss = _add(loss, _sum_list(loss_${k}))`]));

  const title = graph.name ?? 'Cellwright graph';
  const text = `"""${docText(title)} — a recurrent cell exported from Cellwright.
${graph.description ? `\n${docText(graph.description, true)}\n` : ''}
${h ? h.intro : `\`Model.step\` is one time step of the graph, line by line; \`Model.forward\`
unrolls it over T.`} Streams are time-major [T, B, size]; states are [B, size].
The parameters are ${dtype} (\`DTYPE\`; \`Model.from_json(path, dtype=torch.float64)\`
or \`model.double()\` for another). The numbers are the Cellwright engine's (loss,
gradients and every node's value at every step agree to 1e-9 in float64, to
about 1e-5 in float32).

Parameters (attribute, Cellwright key, shape):
${(h?.paramDoc ?? paramDoc).join('\n')}

Load the engine's parameters with \`Model.from_json("params.json")\`; write
them back with \`model.export_parameters()\` (keys as in a graph file).
Needs nothing but torch.
"""
import json
from typing import Dict, List, NamedTuple, Optional, Tuple

import torch
from torch import nn, Tensor
import torch.nn.functional as F

GRAPH_NAME = ${pyStr(title)}
# dtype of the parameters (cellwright export torch --dtype float32 | float64)
DTYPE = torch.${dtype}

# input id → size, and whether the sequence is fed in reverse (input reversal)
INPUTS = {
${(h?.inputs ?? inputTable).join('\n')}
}
# target id → size (target streams are never reversed)
TARGETS = {
${targetTable.join('\n')}
}
# cell id → size, initial state ("zeros" or "learned"), and the node whose value becomes the next state
CELLS = {
${(h?.cells ?? cellTable).join('\n')}
}
# loss id → kind, steps, prediction and target node, prediction size
LOSSES = {
${lossTable.join('\n')}
}
# every node id → its size (losses excluded)
SIZES = {
${(h?.sizes ?? nodeTable).join('\n')}
}
# module attribute → Cellwright parameter key
PARAMETER_KEYS = {
${(h?.keys ?? paramTable).join('\n')}
}
${h?.extra ?? ''}

class Output(NamedTuple):
    # what Model.forward returns (see its docstring)
    loss: Optional[Tensor]
    losses: Dict[str, Tensor]
    state: Dict[str, Tensor]
    values: Dict[str, Tensor]
    steps: List[Dict[str, Tensor]]


def loss_scale(kind: str, steps: int, batch: int, units: int) -> float:
    """The spec's normalization: mse and bce average over S·B·N, cross_entropy over S·B, sum adds."""
    if kind in ("mse", "bce"):
        return 1.0 / (steps * batch * units)
    if kind == "cross_entropy":
        return 1.0 / (steps * batch)
    return 1.0


${helperText.join('\n\n')}

`;
  const classText = `class ${className}(nn.Module):
    """${docText(title)}: one nn.Parameter per learned edge, bias and initial state."""

    def __init__(self, parameters=None, dtype=None):
        super().__init__()
        dtype = DTYPE if dtype is None else dtype
${indent(paramDecl, 8).join('\n') || '        pass'}
        if parameters is not None:
            self.load_parameters(parameters)

    @classmethod
    def from_json(cls, path="params.json", dtype=None):
        """A model holding the parameters of a params.json or a Cellwright graph file (its "parameters").

        dtype: of the parameters (default DTYPE); the numbers are read in float64 and rounded once.
        """
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if doc.get("format") == "cellwright-graph":
            doc = doc.get("parameters") or {}
        return cls(doc, dtype=dtype)

    def load_parameters(self, parameters):
        """Copies {key: {"shape": [...], "data": [...]}} into the module (a missing key keeps its value)."""
        for attr, key in ${keysName}.items():
            if key not in parameters:
                continue
            p = getattr(self, attr)
            t = parameters[key]
            if list(t["shape"]) != list(p.shape):
                raise ValueError(f"parameter {key}: expected shape {list(p.shape)}, found {t['shape']}")
            with torch.no_grad():
                p.copy_(torch.tensor(t["data"], dtype=torch.float64).reshape(p.shape))

    def export_parameters(self):
        """The parameters as a graph file's "parameters" object (float64 numbers)."""
        out = {}
        for attr, key in ${keysName}.items():
            p = getattr(self, attr).detach().to("cpu", torch.float64)
            out[key] = {"shape": list(p.shape), "data": p.reshape(-1).tolist()}
        return out

    def initial_state(self, batch_size: int, like: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Each cell's state before step 1: zeros, or its learned initial state for every sequence.

        Zeros take the dtype and device of the module's parameters, or of \`like\` (a tensor) when
        the module has none.
        """
${indent(initLines, 8).join('\n')}

    def fused_weights(self) -> Dict[str, Tensor]:
        """Each source's full edges into gates as one weight [Σ gate sizes, source size]: one matmul per source."""
        w: Dict[str, Tensor] = {}
${indent(fusedDecl, 8).join('\n')}
        return w

${kernel && opts.sequence ? `    def _nn_weights(self) -> List[Tensor]:
        """This layer's weights as PyTorch's ${kernel.layer.op} kernel takes them: w_ih, w_hh, b_ih, b_hh (nn.${kernel.layer.op}'s gate order)."""
${indent(sequenceMethod, 8).join('\n')}

` : ''}${kernel ? `    def _nn_kernel(self, fed: Dict[str, Tensor], state: Dict[str, Tensor], targets: Dict[str, Tensor], T: int,
                     norm_b: int) -> Tuple[List[List[Tensor]], Dict[str, Tensor]]:
        """forward without per-step values: the recurrence in PyTorch's own kernel, readouts and losses over all steps."""
${indent(kernelMethod, 8).join('\n')}

` : ''}    def step(self, x_t: Dict[str, Tensor], state: Dict[str, Tensor], y_t: Optional[Dict[str, Tensor]] = None,
             w: Optional[Dict[str, Tensor]] = None, pre: Optional[Dict[str, Tensor]] = None) -> Tuple[Dict[str, Tensor], Dict[str, Tensor]]:
        """One time step of the graph.

        x_t: {input id: [B, size]}, state: {cell id: [B, size]} (the states written at step t − 1),
        y_t: {target id: [B, size]} or None. Returns (outputs, new_state): outputs maps every gate and
        op to its value at this step and, when y_t is given, every loss to its sum over batch and
        units at this step (forward() normalizes); new_state maps every cell to its next state.
        w: fused_weights() (computed when not given); pre: {fused weight key: an input's projection at
        this step} (forward computes them for all steps at once).
        """
${indent(body, 8).join('\n')}

    def forward(self, x: Dict[str, Tensor], y: Optional[Dict[str, Tensor]] = None, state: Optional[Dict[str, Tensor]] = None,
                batch_size: Optional[int] = None, keep_values: bool = True) -> Output:
        """Unrolls step() over the T steps of x (any T).

        x: {input id: [T, B, size]}, y: {target id: [T, B, size]} or None, state: {cell id: [B, size]}
        to start from (default: initial_state). batch_size: the B of the loss normalization (default:
        this batch's B; data-parallel training passes the global batch so that the shards' losses add
        up to the loss of the whole batch). Returns an Output (a NamedTuple):
          loss:   the total loss (sum of the loss nodes), or None when no loss could be computed;
          losses: {loss id: [T] its contribution at each step};
          state:  the final state {cell id: [B, size]};
          values: {node id: [T, B, size]} what every node computed at every step (a cell: the
                  state written at that step; an input: the sequence as fed) when keep_values;
          steps:  the same values as a list of per-step dicts of the tensors step() used.
        Written for TorchScript: torch.jit.script(Model.from_json("params.json")) runs it.
        """
        like = _first_stream(x, y)
        T = like.shape[0]
        B = like.shape[1]
        fed: Dict[str, Tensor] = {}
        for k, v in x.items():
            fed[k] = v
${indent(reverseLines, 8).join('\n')}
        use_kernel = ${kernel ? `not keep_values  # the graph is a standard ${kernel.layer.op}: nn.${kernel.layer.op}'s kernel (_nn_kernel)` : 'False'}
        w: Dict[str, Tensor] = {}
        projected: Dict[str, Tensor] = {}  # inputs' projections for every step, one matmul each
        if not use_kernel:
${indent(fusedForward, 12).join('\n') || '            pass'}
        if state is None:
            state = self.initial_state(B, like)
        norm_b = B if batch_size is None else batch_size
        targets: Dict[str, Tensor] = {}
        if y is not None:
            targets = y
        loss: Optional[Tensor] = None
        losses: Dict[str, Tensor] = {}
        loss_ids: List[str] = [${losses.map((n) => pyStr(n.id)).join(', ')}]
${indent(lossLists, 8).join('\n')}
${kernel ? indent([
    'if use_kernel:',
    `    contribs, state = self._nn_kernel(fed, state, targets, T, norm_b)`,
    ...losses.flatMap((n, k) => [`    if len(contribs[${k}]) == 2:`, `        losses[${pyStr(n.id)}] = contribs[${k}][1]`, `        loss = _add(loss, contribs[${k}][0])`]),
  ], 8).join('\n') : ''}
        trace: List[Dict[str, Tensor]] = []
        for t in range(0 if use_kernel else T):
            x_t: Dict[str, Tensor] = {}
            for k, v in fed.items():
                x_t[k] = v[t]
            y_t: Dict[str, Tensor] = {}
            for k, v in targets.items():
                y_t[k] = v[t]
            pre_t: Dict[str, Tensor] = {}
            for k, v in projected.items():
                pre_t[k] = v[t]
            outputs, state = self.step(x_t, state, y_t, w, pre_t)
${indent(lossAppend, 12).join('\n')}
            if keep_values:
                row: Dict[str, Tensor] = {}
                for k, v in x_t.items():
                    row[k] = v
                for k, v in outputs.items():
                    if k not in loss_ids:
                        row[k] = v
                for k, v in state.items():
                    row[k] = v
                for k, v in y_t.items():
                    row[k] = v
                trace.append(row)
${indent(lossTotal, 8).join('\n')}
        values: Dict[str, Tensor] = {}
        if len(trace) > 0:
            for k in trace[0].keys():
                values[k] = torch.stack([s[k] for s in trace])
        return Output(loss, losses, state, values, trace)
`;
  const tail = `

PARAMETER_KEYS_BY_KEY = {key: attr for attr, key in PARAMETER_KEYS.items()}


def _first_stream(x: Dict[str, Tensor], y: Optional[Dict[str, Tensor]]) -> Tensor:
    """The first input (else target) stream: it gives T, B, dtype and device."""
    found = list(x.values())
    if y is not None:
        found = found + list(y.values())
    if len(found) == 0:
        raise ValueError("forward() needs at least one input or target stream [T, B, size]")
    return found[0]


def _add(total: Optional[Tensor], value: Tensor) -> Tensor:
    if total is None:
        return value
    return total + value


def _sum_list(xs: List[Tensor]) -> Tensor:
    total = xs[0]
    for i in range(1, len(xs)):
        total = total + xs[i]
    return total
`;
  return { head: text, classText, tail, helpers: c.helpers, names, kernel: kernel?.layer, paramDoc, tables: { inputs: inputTable, cells: cellTable, sizes: nodeTable, keys: paramTable } };
}
