/**
 * model.py for a graph with layers (docs/layers.md). One class per part:
 *
 *   Outer            the outer step graph (engine/export/torch-model.ts), each
 *                    layer an input stream named by the layer's id
 *   Layer_<id>       the nested step graph of one copy of a layer (and
 *   Layer_<id>_reverse  the backward copy of a bidirectional layer)
 *   Model            holds them as submodules: forward runs each layer's
 *                    copies over the sequence (a reverse copy on the
 *                    time-reversed sequence, its values flipped back), joins a
 *                    bidirectional layer's halves [forward ‖ reverse], then the
 *                    outer graph on the inputs and the layers' sequences.
 *
 * Model has the interface of a model.py without layers (from_json,
 * load_parameters, export_parameters, initial_state, forward → Output), so
 * train.py runs it unchanged; its parameters are the submodules' (attributes
 * `outer.edge_y`, `l1.edge_x_i`, keys `edge:y`, `layer:l1/edge:x_i`).
 * Values and states are keyed by the ids `cellwright run` reports (`l1`,
 * `l1/h`, `bi/reverse/h`), in data time order. Without per-step values
 * (`keep_values=False`, what train.py does) layers that are standard LSTMs or
 * GRUs run in PyTorch's own kernel: a run of stacked layers (forward, or all
 * bidirectional) in one call, as nn.LSTM(num_layers=k, bidirectional=…) would.
 */
import type { CNode, Program } from '../compile.ts';
import type { Graph } from '../format/types.ts';
import type { CompiledCopy, CompiledLayer, LayerModel } from '../layers/compile.ts';
import { layerModel } from '../layers/compile.ts';
import { analyzeLayers } from '../layers/validate.ts';
import type { ParamLayout } from '../params.ts';
import type { Arr } from '../tensor.ts';
import { commentText, docText, NameTable, pyStr, sanitize } from './names.ts';
import type { ModelNames, TorchDtype } from './torch-model.ts';
import { modelPyParts, TorchExportError, wholeSequenceLosses } from './torch-model.ts';

function indent(lines: string[], n: number): string {
  const pad = ' '.repeat(n);
  return lines.map((l) => (l === '' ? '' : pad + l)).join('\n');
}

/** A submodule of Model: the outer graph or one copy of a layer. */
interface Part {
  attr: string;
  className: string;
  keysName: string;
  /** Prefix of reported ids (`l1/`, `l1/reverse/`), '' for the outer graph. */
  prefix: string;
  /** Prefix of parameter keys (`layer:l1/`), '' for the outer graph. */
  keyPrefix: string;
  /** The standard cell PyTorch's kernel computes for this copy, if it is one: its op, size and cells. */
  kernel?: { op: 'LSTM' | 'GRU'; hidden: number; h: string; c?: string };
}

/**
 * The text of model.py for a graph with layers, compiled by compileAny into
 * `pub`, with the joint parameter vector `theta`.
 */
export function layeredModelPy(graph: Graph, pub: Program, dtype: TorchDtype, theta: Arr): { text: string; names: ModelNames } {
  const model = layerModel(pub) as LayerModel;
  const analysis = analyzeLayers(graph);
  const attrs = new NameTable(new Set(['outer', 'training', 'forward', 'step']));
  const classes = new NameTable(new Set(['Model', 'Outer', 'Output']));
  const helpers = new Map<string, string>();
  const names: ModelNames = { params: new Map(), nodes: new Map() };
  const classTexts: string[] = [];
  const keyTables: string[] = [];
  const keyLines: string[] = [];
  const paramDoc: string[] = [];
  const cellLines: string[] = [];
  const sizeLines: string[] = [];

  /** Adds a part's class and tables; `output` is the node a layer copy gives (its kernel must compute exactly that). */
  const addPart = (partGraph: Graph, program: Program, ptheta: Arr, part: Omit<Part, 'kernel'>, output?: number): Part => {
    const p = modelPyParts(partGraph, program, dtype, ptheta, { className: part.className, keysName: part.keysName, sequence: output !== undefined });
    for (const [k, v] of p.helpers) helpers.set(k, v);
    classTexts.push(p.classText);
    keyTables.push(`# ${part.prefix ? `layer copy ${commentText(part.prefix.slice(0, -1))}` : 'the outer graph'}: attribute of ${part.className} → parameter key without the layer's prefix`, `${part.keysName} = {`, ...p.tables.keys, '}');
    for (const [key, a] of p.names.params) {
      keyLines.push(`    ${pyStr(`${part.attr}.${a}`)}: ${pyStr(part.keyPrefix + key)},`);
      names.params.set(part.keyPrefix + key, `${part.attr}.${a}`);
    }
    for (const [id, v] of p.names.nodes) names.nodes.set(part.prefix + id, `${part.attr}:${v}`);
    for (const line of p.paramDoc) paramDoc.push(line.replace(/^ {4}(\S+) +/, (_m, a: string) => `    ${`${part.attr}.${a}`.padEnd(24)} `));
    // Cells and sizes under their reported ids (a layer's stand-in input is listed by the layer).
    cellLines.push(...program.cells.map((i) => {
      const n = program.nodes[i];
      const initial = n.init ? 'learned' : 'zeros';
      return `    ${pyStr(part.prefix + n.id)}: {"size": ${n.size}, "initial": ${pyStr(initial)}, "writer": ${pyStr(part.prefix + program.nodes[n.writer!].id)}},`;
    }));
    sizeLines.push(...program.nodes.filter((n) => n.kind !== 'loss').map((n) => `    ${pyStr(part.prefix + n.id)}: ${n.size},`));
    const k = p.kernel;
    const exact = k !== undefined && (output === k.out.index || output === k.h.index) && (k.op === 'LSTM' || k.op === 'GRU');
    return { ...part, kernel: exact ? { op: k.op as 'LSTM' | 'GRU', hidden: k.h.size, h: k.h.id, c: k.c?.id } : undefined };
  };

  // The outer graph first, as in the joint layout: its own parameters only (at the same offsets).
  const entries = model.outer.layout.entries.filter((e) => !e.key.startsWith('layer:'));
  const outerLayout: ParamLayout = { entries, byKey: new Map(entries.map((e) => [e.key, e])), size: entries.reduce((m, e) => Math.max(m, e.offset + e.length), 0) };
  const outerProgram: Program = { ...model.outer, layout: outerLayout };
  const outerPart: Part = addPart(analysis.flat, outerProgram, theta, { attr: 'outer', className: 'Outer', keysName: '_KEYS_OUTER', prefix: '', keyPrefix: '' });

  const copyParts = new Map<CompiledCopy, Part>();
  model.layers.forEach((L, li) => {
    L.copies.forEach((c, ci) => {
      const info = analysis.layers[li].copies[ci];
      // Sanitized as a whole: a leading '__' (Python's name mangling in a class) is caught on the final name.
      const base = sanitize(c.reverse && L.direction === 'bidirectional' ? `${L.id}_reverse` : L.id);
      const part = addPart(info.graph, c.program, theta.subarray(c.offset, c.offset + c.program.layout.size), {
        attr: attrs.take(base), className: classes.take(`Layer_${base}`), keysName: classes.take(`_KEYS_${base.toUpperCase()}`), prefix: c.prefix, keyPrefix: c.keyPrefix,
      }, c.output);
      copyParts.set(c, part);
    });
  });
  const layerIds = new Set(model.layers.map((l) => l.index));
  const outerCells = model.outer.cells.map((i) => model.outer.nodes[i]);
  const realInputs = pub.inputs.map((i) => pub.nodes[i]);
  for (const x of realInputs) {
    if (x.reverse && model.layers.some((L) => L.feeds.some((f) => f.source === x.index))) {
      throw new TorchExportError(`cannot export to PyTorch: input "${x.id}" says "reverse": true and feeds a layer; the export feeds layers in data order only (reverse the layer instead: "direction": "reverse")`);
    }
  }

  // ── Model.forward ──
  const seqOf = (source: number): string => {
    const n = model.outer.nodes[source];
    return layerIds.has(source) ? `seqs[${pyStr(n.id)}]` : `x[${pyStr(n.id)}]`;
  };
  /** A layer run copy by copy through its submodules' forward (every value at every step). */
  const generic = (L: CompiledLayer): string[] => {
    const lines = [`# layer ${commentText(L.id)} (${L.direction}): ${L.copies.length === 2 ? 'each copy' : 'its step'} over the sequence`];
    const halves: string[] = [];
    L.copies.forEach((c, ci) => {
      const part = copyParts.get(c)!;
      const flip = c.reverse ? '.flip(0)' : '';
      const ports = L.feeds.map((f) => `${pyStr(c.program.nodes[f.port].id)}: ${seqOf(f.source)}${flip}`);
      lines.push(
        `fed = {${ports.join(', ')}}${c.reverse ? '  # the reverse copy reads the sequence from its end' : ''}`,
        'st: Dict[str, Tensor] = {}',
        ...c.program.cells.map((i) => c.program.nodes[i].id).map((id) => `st[${pyStr(id)}] = state[${pyStr(c.prefix + id)}]`),
        `o = self.${part.attr}(fed, None, st)`,
        `seq_${ci} = o.values[${pyStr(c.program.nodes[c.output].id)}]${flip}`,
        'for k, v in o.values.items():',
        `    values[${pyStr(c.prefix)} + k] = v${flip}`,
        'for k, v in o.state.items():',
        `    final[${pyStr(c.prefix)} + k] = v`,
      );
      halves.push(`seq_${ci}`);
    });
    lines.push(`seqs[${pyStr(L.id)}] = ${halves.length === 1 ? halves[0] : `torch.cat([${halves.join(', ')}], -1)  # [forward ‖ reverse]`}`);
    return lines;
  };
  // Runs of layers PyTorch's kernel computes in one call (nn.LSTM(num_layers=k, bidirectional=…)): every copy a
  // standard cell of the same kind and size, forward or bidirectional, each layer reading only the one before,
  // which nothing else reads.
  const kernelOf = (L: CompiledLayer): Part['kernel'] | undefined => {
    const ks = L.copies.map((c) => copyParts.get(c)!.kernel);
    const [k] = ks;
    if (!k || L.direction === 'reverse' || L.feeds.length !== 1 || ks.some((q) => !q || q.op !== k.op || q.hidden !== k.hidden)) return undefined;
    return k;
  };
  const readers = (L: CompiledLayer): number => model.outer.nodes[L.index].outEdges.length + model.layers.filter((M) => M.feeds.some((f) => f.source === L.index)).length;
  const runs: CompiledLayer[][] = [];
  for (const L of model.layers) {
    const last = runs.at(-1);
    const prev = last?.at(-1);
    const k = kernelOf(L);
    const pk = prev && kernelOf(prev);
    if (k && pk && prev && pk.op === k.op && pk.hidden === k.hidden && prev.direction === L.direction && L.feeds[0].source === prev.index && readers(prev) === 1) last!.push(L);
    else runs.push([L]);
  }
  const fwd: string[] = [];
  for (const run of runs) {
    const k = kernelOf(run[0]);
    if (!k) {
      for (const L of run) fwd.push(...generic(L), '');
      continue;
    }
    const bi = run[0].direction === 'bidirectional';
    const copies = run.flatMap((L) => L.copies);
    const ids = run.map((L) => `"${L.id}"`).join(', ');
    const stack = (cell: string): string => `torch.stack([${copies.map((c) => `state[${pyStr(c.prefix + cell)}]`).join(', ')}])`;
    const hx = k.op === 'LSTM' ? `[${stack(k.h)}, ${stack(k.c!)}]` : stack(k.h);
    const outs = k.op === 'LSTM' ? 'seq, h_n, c_n' : 'seq, h_n';
    const last = run[run.length - 1];
    fwd.push(
      'if keep_values:',
      ...run.flatMap((L) => generic(L)).map((l) => `    ${l}`),
      `else:  # ${commentText(ids)}: one call of PyTorch's ${k.op} kernel, as nn.${k.op}(num_layers=${run.length}${bi ? ', bidirectional=True' : ''})`,
      `    weights: List[Tensor] = ${copies.map((c) => `self.${copyParts.get(c)!.attr}._nn_weights()`).join(' + ')}`,
      `    ${outs} = torch._VF.${k.op.toLowerCase()}(${seqOf(run[0].feeds[0].source)}, ${hx}, weights, True, ${run.length}, 0.0, self.training, ${bi ? 'True' : 'False'}, False)`,
      ...copies.flatMap((c, j) => [
        `    final[${pyStr(c.prefix + k.h)}] = h_n[${j}]`,
        ...(k.op === 'LSTM' ? [`    final[${pyStr(c.prefix + k.c!)}] = c_n[${j}]`] : []),
      ]),
      `    seqs[${pyStr(last.id)}] = seq`,
      // The outer step reads every input stream, also a layer it has no edge from: zeros stand in for the ones inside the call.
      ...run.slice(0, -1).map((L) => `    seqs[${pyStr(L.id)}] = seq.new_zeros(seq.shape[0], seq.shape[1], ${L.size})  # inside the kernel call; read by nothing`),
      '',
    );
  }

  // An outer graph without cells (readouts of the layers): without per-step values it runs all steps
  // in one call of its step (every gate and op acts on each row alone) and its losses over the whole sequence.
  const stateless = outerCells.length === 0 && !realInputs.some((x) => x.reverse);
  // The nodes the losses read, each reshaped once to [T, B, size] (read_<k>).
  const lossReads = [...new Set(model.outer.losses.flatMap((i) => model.outer.nodes[i].inEdges.map((e) => e.source)))]
    .map((i) => model.outer.nodes[i]).filter((n) => n.kind !== 'target');
  const outerNode = (n: CNode): string => `read_${lossReads.indexOf(n)}`;
  const statelessLines = [
    'if not keep_values:  # the outer graph has no state: all steps in one call of its step',
    '    T = like.shape[0]',
    '    norm_b = B if batch_size is None else batch_size',
    '    targets: Dict[str, Tensor] = {}',
    '    if y is not None:',
    '        targets = y',
    '    flat: Dict[str, Tensor] = {}',
    '    for k, v in outer_x.items():',
    '        flat[k] = v.reshape(T * B, v.shape[2])',
    '    outputs, _ = self.outer.step(flat, outer_state)',
    ...lossReads.map((n, k) => `    read_${k} = ${n.kind === 'input' ? `outer_x[${pyStr(n.id)}]` : `outputs[${pyStr(n.id)}].reshape(T, B, ${n.size})`}`),
    ...wholeSequenceLosses(outerProgram, outerNode).map((l) => `    ${l}`),
    '    loss: Optional[Tensor] = None',
    '    losses: Dict[str, Tensor] = {}',
    ...model.outer.losses.flatMap((i, k) => [
      `    if len(loss_${k}) == 2:`,
      `        losses[${pyStr(model.outer.nodes[i].id)}] = loss_${k}[1]`,
      `        loss = _add(loss, loss_${k}[0])`,
    ]),
    '    empty: List[Dict[str, Tensor]] = []',
    '    return Output(loss, losses, final, {}, empty)',
  ];

  const wrapper = `class Model(nn.Module):
    """${docText(graph.name ?? 'Cellwright graph')}: the outer graph and every layer copy as submodules (see the module docstring)."""

    def __init__(self, parameters=None, dtype=None):
        super().__init__()
        self.outer = Outer(dtype=dtype)
${indent([...copyParts.values()].map((p) => `self.${p.attr} = ${p.className}(dtype=dtype)  # ${commentText(p.prefix.slice(0, -1))}`), 8)}
        if parameters is not None:
            self.load_parameters(parameters)

    @classmethod
    def from_json(cls, path="params.json", dtype=None):
        """A model holding the parameters of a params.json or a Cellwright graph file (its "parameters")."""
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if doc.get("format") == "cellwright-graph":
            doc = doc.get("parameters") or {}
        return cls(doc, dtype=dtype)

    def load_parameters(self, parameters):
        """Copies {key: {"shape": [...], "data": [...]}} into the submodules (a missing key keeps its value)."""
        for attr, key in PARAMETER_KEYS.items():
            if key not in parameters:
                continue
            p = self.get_parameter(attr)
            t = parameters[key]
            if list(t["shape"]) != list(p.shape):
                raise ValueError(f"parameter {key}: expected shape {list(p.shape)}, found {t['shape']}")
            with torch.no_grad():
                p.copy_(torch.tensor(t["data"], dtype=torch.float64).reshape(p.shape))

    def export_parameters(self):
        """The parameters as a graph file's "parameters" object (float64 numbers)."""
        out = {}
        for attr, key in PARAMETER_KEYS.items():
            p = self.get_parameter(attr).detach().to("cpu", torch.float64)
            out[key] = {"shape": list(p.shape), "data": p.reshape(-1).tolist()}
        return out

    def initial_state(self, batch_size: int, like: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Every cell's state before step 1, nested cells under their reported ids (\`l1/h\`)."""
        state = self.outer.initial_state(batch_size, like)
${indent([...copyParts.values()].flatMap((p) => [`for k, v in self.${p.attr}.initial_state(batch_size, like).items():`, `    state[${pyStr(p.prefix)} + k] = v`]), 8)}
        return state

    def forward(self, x: Dict[str, Tensor], y: Optional[Dict[str, Tensor]] = None, state: Optional[Dict[str, Tensor]] = None,
                batch_size: Optional[int] = None, keep_values: bool = True) -> Output:
        """Runs the layers over the whole sequence, then the outer graph (as a model.py without layers).

        x: {input id: [T, B, size]}, y: {target id: [T, B, size]} or None, state: {cell id: [B, size]}
        with nested cells under their reported ids (default: initial_state). Returns an Output whose
        values and state hold the layers' nodes under \`<layer>/<node>\` (\`<layer>/reverse/<node>\`
        for a bidirectional layer's backward copy), in data time order, and each layer's output
        sequence under its id. steps holds the outer graph's per-step values.
        """
        like = _first_stream(x, y)
        B = like.shape[1]
        if state is None:
            state = self.initial_state(B, like)
        values: Dict[str, Tensor] = {}
        final: Dict[str, Tensor] = {}
        seqs: Dict[str, Tensor] = {}
${indent(fwd, 8)}
        outer_x: Dict[str, Tensor] = {}
        for k, v in x.items():
            outer_x[k] = v
        for k, v in seqs.items():
            outer_x[k] = v
        outer_state: Dict[str, Tensor] = {}
${indent(outerCells.map((n) => `outer_state[${pyStr(n.id)}] = state[${pyStr(n.id)}]`), 8)}
${stateless ? indent(statelessLines, 8) + '\n' : ''}        out = self.outer(outer_x, y, outer_state, batch_size, keep_values)
        for k, v in out.values.items():
            values[k] = v
        for k, v in out.state.items():
            final[k] = v
        if not keep_values:
            values = {}
        return Output(out.loss, out.losses, final, values, out.steps)
`;
  // The outer class again, now with the module header that carries every part's tables and helpers.
  const outer = modelPyParts(analysis.flat, outerProgram, dtype, theta, {
    className: outerPart.className, keysName: outerPart.keysName,
    header: {
      intro: `It has layers (stacked or bidirectional, docs/layers.md): \`Model.forward\` runs each
layer's nested step graph over the whole sequence (\`Layer_*\` classes, a reverse copy on the
reversed sequence), then the outer step graph (\`Outer\`) on the inputs and the layers'
sequences.`,
      inputs: realInputs.map((n) => `    ${pyStr(n.id)}: {"size": ${n.size}, "reverse": ${n.reverse ? 'True' : 'False'}},`),
      cells: cellLines,
      sizes: sizeLines,
      keys: keyLines,
      paramDoc,
      extra: `${keyTables.join('\n')}\n`,
      helpers,
    },
  });
  const text = `${outer.head}${classTexts.join('\n\n')}\n\n${wrapper}${outer.tail}`.replace(/\n{4,}/g, '\n\n\n');
  return { text, names };
}
