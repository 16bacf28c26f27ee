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
import { commentText, docText, NameTable, pyStr, sanitize, stepNames } from './names.ts';

/** Thrown when a graph cannot be written as PyTorch code; the message says why. */
export class TorchExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TorchExportError';
  }
}

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
  for (const [name, text] of Object.entries(def.torchHelpers ?? {})) c.helpers.set(name, text);
  return def.torch(expr);
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

interface Ctx {
  program: Program;
  names: ModelNames;
  /** Python helpers the model needs, name → source, in first-use order. */
  helpers: Map<string, string>;
}

/** The expression one weighted edge adds to its gate's pre-activation (from the weight-kind registry). */
function edgeTerm(c: Ctx, e: CEdge, target: CNode): { expr: string; note: string } {
  const src = c.program.nodes[e.source];
  const v = c.names.nodes.get(src.id)!;
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
  return `torch.${e.init === 'ones' ? 'ones' : 'zeros'}(${e.shape.join(', ')}, dtype=torch.float64)`;
}

function describeParam(program: Program, edges: ReadonlyMap<string, CEdge>, tiedTo: ReadonlyMap<string, string[]>, e: ParamEntry): string {
  if (e.kind === 'bias') return `bias of gate ${e.owner}`;
  if (e.kind === 'init') return `learned initial state of cell ${e.owner}`;
  if (e.kind === 'gain' || e.kind === 'shift') return `${e.kind} of layer_norm op ${e.owner}`;
  const edge = edges.get(e.owner)!;
  const tied = tiedTo.get(e.owner) ?? [];
  return `${edge.weight} weight of edge ${e.owner}: ${program.nodes[edge.source].id} → ${program.nodes[edge.target].id}${tied.length ? ` (shared by ${tied.join(', ')})` : ''}`;
}

/** The text of model.py for a compiled graph. */
export function modelPy(graph: Graph, program: Program): { text: string; names: ModelNames } {
  const names: ModelNames = { params: parameterNames(program), nodes: new Map() };
  const table = stepNames();
  for (const n of program.nodes) if (n.kind !== 'loss' && n.kind !== 'target') names.nodes.set(n.id, table.take(sanitize(n.id)));
  const c: Ctx = { program, names, helpers: new Map() };

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
  body.push('');
  for (const i of program.order) {
    const n = program.nodes[i];
    if (n.kind === 'gate') for (const l of gateLines(c, n)) body.push(l);
    else if (n.kind === 'op') for (const l of opLines(c, n)) body.push(l);
  }
  body.push('');
  const outs = program.order.map((i) => program.nodes[i]).filter((n) => n.kind === 'gate' || n.kind === 'op');
  body.push('outputs = {');
  for (const n of outs) body.push(`    ${pyStr(n.id)}: ${names.nodes.get(n.id)!},`);
  body.push('}');
  // (loops, not push(...): a graph may have more lines than a call has room for arguments)
  for (const n of losses) for (const l of lossLines(c, n)) body.push(l);
  body.push('new_state = {');
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
    c.helpers.set('_any_tensor', `def _any_tensor(*dicts):
    for d in dicts:
        for v in (d or {}).values():
            return v
    raise ValueError("step() needs at least one input, state or target to know the batch size")
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

  const helperText = [...c.helpers.values()];

  const title = graph.name ?? 'Cellwright graph';
  const text = `"""${docText(title)} — a recurrent cell exported from Cellwright.
${graph.description ? `\n${docText(graph.description, true)}\n` : ''}
\`Model.step\` is one time step of the graph, line by line; \`Model.forward\`
unrolls it over T. Streams are time-major [T, B, size]; states are [B, size].
The numbers are the Cellwright engine's (loss, gradients and every node's
value at every step agree to 1e-9 in float64).

Parameters (attribute, Cellwright key, shape):
${paramDoc.join('\n')}

Load the engine's parameters with \`Model.from_json("params.json")\`; write
them back with \`model.export_parameters()\` (keys as in a graph file).
Needs nothing but torch.
"""
import json

import torch
from torch import nn
import torch.nn.functional as F

GRAPH_NAME = ${pyStr(title)}

# input id → size, and whether the sequence is fed in reverse (input reversal)
INPUTS = {
${inputTable.join('\n')}
}
# target id → size (target streams are never reversed)
TARGETS = {
${targetTable.join('\n')}
}
# cell id → size, initial state ("zeros" or "learned"), and the node whose value becomes the next state
CELLS = {
${cellTable.join('\n')}
}
# loss id → kind, steps, prediction and target node, prediction size
LOSSES = {
${lossTable.join('\n')}
}
# every node id → its size (losses excluded)
SIZES = {
${nodeTable.join('\n')}
}
# module attribute → Cellwright parameter key
PARAMETER_KEYS = {
${paramTable.join('\n')}
}


def loss_scale(kind, steps, batch, units):
    """The spec's normalization: mse and bce average over S·B·N, cross_entropy over S·B, sum adds."""
    if kind in ("mse", "bce"):
        return 1.0 / (steps * batch * units)
    if kind == "cross_entropy":
        return 1.0 / (steps * batch)
    return 1.0


${helperText.join('\n\n')}

class Model(nn.Module):
    """${docText(title)}: one nn.Parameter per learned edge, bias and initial state."""

    def __init__(self, parameters=None):
        super().__init__()
${indent(paramDecl, 8).join('\n') || '        pass'}
        if parameters is not None:
            self.load_parameters(parameters)

    @classmethod
    def from_json(cls, path="params.json"):
        """A model holding the parameters of a params.json or a Cellwright graph file (its "parameters")."""
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if doc.get("format") == "cellwright-graph":
            doc = doc.get("parameters") or {}
        return cls(doc)

    def load_parameters(self, parameters):
        """Copies {key: {"shape": [...], "data": [...]}} into the module (a missing key keeps its value)."""
        for attr, key in PARAMETER_KEYS.items():
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
        for attr, key in PARAMETER_KEYS.items():
            p = getattr(self, attr).detach().to("cpu", torch.float64)
            out[key] = {"shape": list(p.shape), "data": p.reshape(-1).tolist()}
        return out

    def initial_state(self, batch_size, like=None):
        """Each cell's state before step 1: zeros, or its learned initial state for every sequence.

        Zeros take the dtype and device of the module's parameters, or of \`like\` (a tensor) when
        the module has none.
        """
        p = next(iter(self.parameters()), like)
        kw = {"dtype": p.dtype, "device": p.device} if p is not None else {"dtype": torch.get_default_dtype()}
        state = {}
        for cell, spec in CELLS.items():
            if spec["initial"] == "learned":
                state[cell] = getattr(self, PARAMETER_KEYS_BY_KEY["init:" + cell]).unsqueeze(0).expand(batch_size, -1)
            else:
                state[cell] = torch.zeros(batch_size, spec["size"], **kw)
        return state

    def step(self, x_t, state, y_t=None):
        """One time step of the graph.

        x_t: {input id: [B, size]}, state: {cell id: [B, size]} (the states written at step t − 1),
        y_t: {target id: [B, size]} or None. Returns (outputs, new_state): outputs maps every gate and
        op to its value at this step and, when y_t is given, every loss to its sum over batch and
        units at this step (forward() normalizes); new_state maps every cell to its next state.
        """
${indent(body, 8).join('\n')}

    def forward(self, x, y=None, state=None, batch_size=None, keep_values=True):
        """Unrolls step() over the T steps of x.

        x: {input id: [T, B, size]}, y: {target id: [T, B, size]} or None, state: {cell id: [B, size]}
        to start from (default: initial_state). batch_size: the B of the loss normalization (default:
        this batch's B; data-parallel training passes the global batch so that the shards' losses add
        up to the loss of the whole batch). Returns a dict:
          "loss":   the total loss (sum of the loss nodes), or None when no loss could be computed;
          "losses": {loss id: [T] its contribution at each step};
          "state":  the final state {cell id: [B, size]};
          "values": {node id: [T, B, size]} what every node computed at every step (a cell: the
                    state written at that step; an input: the sequence as fed) when keep_values;
          "steps":  the same values as a list of per-step dicts of the tensors step() used.
        """
        T, B, like = _length_and_batch(x, y)
        x = {k: (v.flip(0) if INPUTS[k]["reverse"] else v) for k, v in x.items()}
        if state is None:
            state = self.initial_state(B, like)
        norm_b = B if batch_size is None else batch_size
        y = y or {}
        per_step = {name: [] for name in LOSSES}
        trace = []
        for t in range(T):
            x_t = {k: v[t] for k, v in x.items()}
            y_t = {k: v[t] for k, v in y.items()}
            outputs, state = self.step(x_t, state, y_t)
            for name, spec in LOSSES.items():
                if name not in outputs:
                    continue
                if spec["steps"] == "last" and t != T - 1:
                    per_step[name].append(None)
                    continue
                S = 1 if spec["steps"] == "last" else T
                per_step[name].append(outputs[name] * loss_scale(spec["loss"], S, norm_b, spec["units"]))
            if keep_values:
                trace.append({**x_t, **{k: v for k, v in outputs.items() if k not in LOSSES}, **state, **y_t})
        loss = None
        losses = {}
        for name, contribs in per_step.items():
            if len(contribs) != T:
                continue  # its target stream was not given
            zero = next(c for c in contribs if c is not None).new_zeros(())
            series = torch.stack([zero if c is None else c for c in contribs])
            losses[name] = series
            total = sum(c for c in contribs if c is not None)
            loss = total if loss is None else loss + total
        out = {"loss": loss, "losses": losses, "state": state}
        if keep_values:
            out["steps"] = trace
            out["values"] = {k: torch.stack([s[k] for s in trace]) for k in (trace[0] if trace else {})}
        return out


PARAMETER_KEYS_BY_KEY = {key: attr for attr, key in PARAMETER_KEYS.items()}


def _length_and_batch(x, y):
    for d in (x, y or {}):
        for v in d.values():
            return v.shape[0], v.shape[1], v
    raise ValueError("forward() needs at least one input or target stream [T, B, size]")
`;
  return { text: text.replace(/\n{4,}/g, '\n\n\n'), names };
}
