/**
 * Every problem Cellwright reports, in one table: code → severity, message and
 * hint builders. Loading, validation and data checks build their problems only
 * through `problem()`, so the wording lives here and nowhere else.
 *
 * Codes are stable (tests, docs and users refer to them). Ranges:
 * CW001–CW009 loading, CW010–CW029 nodes and generic field checks,
 * CW030–CW059 edges and graph structure, CW060–CW069 parameters,
 * CW070–CW079 warnings about the structure, CW080–CW089 data files,
 * CW099 internal, CW110–CW119 size limits (engine/limits.ts), CW140–CW169 the registry's primitives (slots, op fields,
 * ties, zoneout), CW170–CW189 layers (engine/layers), CW290–CW309 sweeps and presets (engine/experiments),
 * CW310–CW329 probing a run (connectivity, loss by step, fixed points), CW330–CW349 blocks (subgraph macros,
 * engine/blocks).
 * Add runtime codes from CW100 on.
 *
 * Example:
 *   problem('CW012', { id: 'f' }, { path: 'nodes[3].id', node: 'f' })
 *   // → { severity: 'error', code: 'CW012', message: 'duplicate node id "f"', … }
 */
import type { Problem, Severity } from './format/types.ts';

/** Where a problem is: JSON path and the elements involved. */
export interface Where {
  path: string;
  node?: string;
  edge?: string;
  nodes?: string[];
}

interface ProblemSpec<A> {
  severity: Severity;
  message: (a: A) => string;
  hint?: (a: A) => string;
}

function spec<A>(s: ProblemSpec<A>): ProblemSpec<A> {
  return s;
}

/** `"a"`, or a short rendering of a non-string value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return typeof value;
  try {
    const s = JSON.stringify(value);
    if (s === undefined) return typeof value;
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return typeof value;
  }
}

function list(values: readonly string[]): string {
  return values.join(', ');
}

function shape(s: readonly number[] | undefined): string {
  return s === undefined ? '?' : `[${s.join(', ')}]`;
}

type Kind = 'node' | 'edge';

export const PROBLEMS = {
  // ── loading ────────────────────────────────────────────────────────────
  CW001: spec<{ detail: string; line: number; column: number }>({
    severity: 'error',
    message: (a) => `not valid JSON at line ${a.line}, column ${a.column}: ${a.detail}`,
    hint: () => 'Fix the JSON syntax there (a missing comma, quote or bracket is the usual cause).',
  }),
  CW002: spec<{ found: unknown }>({
    severity: 'error',
    message: (a) => `not a Cellwright graph: "format" is ${show(a.found)}, expected "cellwright-graph"`,
    hint: () => 'A graph file is a JSON object with "format": "cellwright-graph", "version": 1, "nodes" and "edges".',
  }),
  CW003: spec<Record<string, never>>({
    severity: 'error',
    message: () => 'the graph has no "version"',
    hint: () => 'Add "version": 1 at the top level.',
  }),
  CW004: spec<{ version: number; supported: number }>({
    severity: 'error',
    message: (a) => `the file has version ${a.version}: it was written by a newer Cellwright (this one reads up to version ${a.supported})`,
    hint: () => 'Update Cellwright to open it.',
  }),
  CW005: spec<{ found: unknown }>({
    severity: 'error',
    message: (a) => `unsupported "version" ${show(a.found)}: expected a positive integer`,
    hint: () => 'Use "version": 1.',
  }),
  CW006: spec<{ field: 'nodes' | 'edges'; found: unknown }>({
    severity: 'error',
    message: (a) => `"${a.field}" must be an array, found ${show(a.found)}`,
    hint: (a) => `Write "${a.field}": [ ... ] (an empty array is allowed).`,
  }),
  CW007: spec<Record<string, never>>({
    severity: 'warning',
    message: () => 'the file has no "format" field; read as a Cellwright graph because it has "nodes" and "edges"',
    hint: () => 'Add "format": "cellwright-graph"; it is written when the graph is saved.',
  }),
  CW008: spec<{ from: number; to: number; note: string }>({
    severity: 'warning',
    message: (a) => `converted from version ${a.from} to ${a.to}: ${a.note}`,
    hint: () => 'Save the graph to keep the converted form.',
  }),

  // ── nodes and generic fields ───────────────────────────────────────────
  CW010: spec<{ what: Kind; found: unknown }>({
    severity: 'error',
    message: (a) => `${a.what} is not an object: ${show(a.found)}`,
    hint: (a) => (a.what === 'node'
      ? 'A node looks like {"id": "h", "kind": "gate", "size": 4, "activation": "tanh"}.'
      : 'An edge looks like {"id": "e1", "source": "x", "target": "h"}.'),
  }),
  CW011: spec<{ what: Kind; found: unknown }>({
    severity: 'error',
    message: (a) => (a.found === undefined ? `${a.what} has no "id"` : `${a.what} id must be a non-empty string, found ${show(a.found)}`),
    hint: (a) => `Give every ${a.what} a unique, non-empty string id.`,
  }),
  CW012: spec<{ id: string; first: string }>({
    severity: 'error',
    message: (a) => `duplicate node id "${a.id}" (first used at ${a.first})`,
    hint: () => 'Node ids must be unique: rename one of the nodes.',
  }),
  CW013: spec<{ found: unknown; allowed: readonly string[] }>({
    severity: 'error',
    message: (a) => (a.found === undefined ? 'node has no "kind"' : `unknown node kind ${show(a.found)}`),
    hint: (a) => `Use one of: ${list(a.allowed)}.`,
  }),
  CW014: spec<{ kind: string; found: unknown; optional?: boolean }>({
    severity: 'error',
    message: (a) => (a.found === undefined
      ? `${a.kind} node has no "size"`
      : `"size" must be a positive integer, found ${show(a.found)}`),
    hint: (a) => (a.optional ? 'Remove "size" (an op takes the size of its inputs) or set it to a positive integer.' : 'Set "size" to the number of units, a positive integer such as 4.'),
  }),
  CW015: spec<{ field: string; kind: string; found: unknown; allowed: readonly string[] }>({
    severity: 'error',
    message: (a) => (a.found === undefined
      ? `${a.kind} node has no "${a.field}"`
      : `unknown ${a.field} ${show(a.found)}`),
    hint: (a) => `"${a.field}" must be one of: ${list(a.allowed)}.`,
  }),
  CW016: spec<{ field: string; found: unknown; expected: string }>({
    severity: 'error',
    message: (a) => `"${a.field}" must be ${a.expected}, found ${show(a.found)}`,
    hint: (a) => `Set "${a.field}" to ${a.expected} or remove it.`,
  }),
  CW017: spec<{ field: string; found: unknown }>({
    severity: 'error',
    message: (a) => `"${a.field}" is not a finite number (${show(a.found)})`,
    hint: () => 'Numbers in a graph must be finite: replace NaN or Infinity with a real value.',
  }),
  CW018: spec<{ found: unknown }>({
    severity: 'error',
    message: (a) => `"position" must be {"x": number, "y": number}, found ${show(a.found)}`,
    hint: () => 'Fix or remove "position"; the engine ignores it, the editor uses it to draw the node.',
  }),

  // ── edges and structure ────────────────────────────────────────────────
  CW030: spec<{ id: string; first: string }>({
    severity: 'error',
    message: (a) => `duplicate edge id "${a.id}" (first used at ${a.first})`,
    hint: () => 'Edge ids must be unique: rename one of the edges.',
  }),
  CW031: spec<{ end: 'source' | 'target'; found: unknown }>({
    severity: 'error',
    message: (a) => (a.found === undefined
      ? `edge has no "${a.end}"`
      : typeof a.found === 'string'
        ? `edge ${a.end} "${a.found}" is not a node of the graph`
        : `edge ${a.end} must be a node id (a string), found ${show(a.found)}`),
    hint: (a) => `Point "${a.end}" at the id of an existing node, or delete the edge.`,
  }),
  CW032: spec<{ weight: string; targetKind: string; target: string }>({
    severity: 'error',
    message: (a) => `weight "${a.weight}" is not allowed on an edge into ${a.targetKind} node "${a.target}": edges into ${a.targetKind} nodes are "identity"`,
    hint: () => 'Remove "weight" (or set it to "identity"); put a gate with identity activation in between to learn a weight.',
  }),
  CW033: spec<{ weight: string; source: string; sourceSize: number; target: string; targetSize: number }>({
    severity: 'error',
    message: (a) => `${a.weight} edge connects "${a.source}" (size ${a.sourceSize}) to "${a.target}" (size ${a.targetSize}): sizes must be equal`,
    hint: (a) => (a.weight === 'scalar'
      ? 'A scalar edge needs equal sizes or a source of size 1; use a "full" weight to connect different sizes.'
      : 'Make the sizes equal, or use a "full" weight (into a gate) to connect different sizes.'),
  }),
  CW034: spec<{ target: string; targetKind: string }>({
    severity: 'error',
    message: (a) => `edge into ${a.targetKind} node "${a.target}": ${a.targetKind} nodes read the data file and take no inputs`,
    hint: () => 'Delete the edge, or point it at a gate, op, cell or loss.',
  }),
  CW035: spec<{ source: string }>({
    severity: 'error',
    message: (a) => `edge out of loss node "${a.source}": a loss is a final scalar and feeds nothing`,
    hint: () => 'Delete the edge; to reuse the prediction, connect from the node that feeds the loss.',
  }),
  CW036: spec<{ source: string; target: string }>({
    severity: 'error',
    message: (a) => `target node "${a.source}" is read by "${a.target}": only a loss's "target" port may read a target`,
    hint: () => 'Connect the target node only to a loss, with "port": "target"; feed the network from an input node.',
  }),
  CW037: spec<{ target: string }>({
    severity: 'error',
    message: (a) => `edge has a "port" but "${a.target}" is not a loss node`,
    hint: () => 'Remove "port": only edges into a loss carry a port.',
  }),
  CW038: spec<{ target: string; allowed: readonly string[] }>({
    severity: 'error',
    message: (a) => `edge into loss "${a.target}" has no "port"`,
    hint: (a) => `Set "port" to one of: ${list(a.allowed)}.`,
  }),
  CW039: spec<{ loss: string; lossKind: string; port: string }>({
    severity: 'error',
    message: (a) => `loss "${a.loss}" (${a.lossKind}) has no "${a.port}" input`,
    hint: (a) => `Connect an edge with "port": "${a.port}" into "${a.loss}"${a.port === 'target' ? ' from a target node' : ''}.`,
  }),
  CW040: spec<{ loss: string; port: string; count: number }>({
    severity: 'error',
    message: (a) => `loss "${a.loss}" has ${a.count} "${a.port}" inputs; it needs exactly one`,
    hint: () => 'Delete the extra edges; to combine several predictions, add them with an op node first.',
  }),
  CW041: spec<{ loss: string }>({
    severity: 'error',
    message: (a) => `loss "${a.loss}" is a "sum" loss and takes no "target" input`,
    hint: () => 'Delete the target edge, or change the loss to mse, cross_entropy or bce.',
  }),
  // CW042 (a loss's target port read a node that is not a target) is retired: the target port may read any node.
  CW043: spec<{ loss: string; prediction: string; predictionSize: number; target: string; targetSize: number }>({
    severity: 'error',
    message: (a) => `loss "${a.loss}" compares "${a.prediction}" (size ${a.predictionSize}) with "${a.target}" (size ${a.targetSize}): sizes must match`,
    hint: () => 'Make the prediction the same size as the target (e.g. an output gate of the target\'s size).',
  }),
  CW044: spec<{ cell: string; count: number }>({
    severity: 'error',
    message: (a) => (a.count === 0
      ? `cell "${a.cell}" has no incoming edge: nothing writes its next state`
      : `cell "${a.cell}" has ${a.count} incoming edges; it needs exactly one (its next state)`),
    hint: (a) => (a.count === 0
      ? 'Connect the node that computes the next state into the cell (an identity edge).'
      : 'Combine the candidates with an op (add) or a gate, and connect that one node into the cell.'),
  }),
  CW045: spec<{ op: string }>({
    severity: 'error',
    message: (a) => `op "${a.op}" has no inputs`,
    hint: () => 'Connect at least one node into the op, or delete it.',
  }),
  CW046: spec<{ op: string; count: number }>({
    severity: 'error',
    message: (a) => `op "${a.op}" is one_minus and has ${a.count} inputs; it needs exactly one`,
    hint: () => 'one_minus computes 1 − x of a single input: keep one edge into it.',
  }),
  CW047: spec<{ op: string; sizes: string }>({
    severity: 'error',
    message: (a) => `inputs of op "${a.op}" have different sizes (${a.sizes})`,
    hint: () => 'Ops work elementwise: every input must have the same size.',
  }),
  CW048: spec<{ op: string; size: number; inputSize: number }>({
    severity: 'error',
    message: (a) => `op "${a.op}" declares size ${a.size} but its inputs have size ${a.inputSize}`,
    hint: () => 'Remove "size" from the op (it takes the size of its inputs) or make it match.',
  }),
  CW049: spec<Record<string, never>>({
    severity: 'error',
    message: () => 'the graph has no loss node: there is nothing to train',
    hint: () => 'Add a loss node (mse, cross_entropy, bce or sum) and connect a prediction into it.',
  }),
  CW050: spec<{ cycle: readonly string[]; more: number }>({
    severity: 'error',
    message: (a) => `algebraic loop: ${[...a.cycle, a.cycle[0]].join(' → ')}${a.more > 0 ? ` (and ${a.more} more node${a.more === 1 ? '' : 's'} entangled with it)` : ''}: ${a.cycle.length === 1 ? 'the node needs its own value' : 'each node needs the value of the one before it'} at the same step`,
    hint: () => 'Break the cycle with a cell node: route the feedback through a cell so it reads the previous step.',
  }),

  // ── parameters ─────────────────────────────────────────────────────────
  CW060: spec<{ found: unknown }>({
    severity: 'error',
    message: (a) => `"parameters" must be an object of tensors, found ${show(a.found)}`,
    hint: () => 'Write "parameters": {"edge:<id>": {"shape": [..], "data": [..]}, ...} or remove it.',
  }),
  CW061: spec<{ key: string }>({
    severity: 'warning',
    message: (a) => `parameter key "${a.key}" is not of the form edge:<edgeId>, bias:<nodeId>, init:<cellId>, gain:<nodeId> or shift:<nodeId>; it is ignored`,
    hint: () => 'Rename or remove the key.',
  }),
  CW062: spec<{ key: string; what: string; id: string }>({
    severity: 'warning',
    message: (a) => `parameter "${a.key}" names ${a.what} "${a.id}", which is not in the graph; it is ignored`,
    hint: () => 'Remove the key, or rename it after the element it belongs to.',
  }),
  CW063: spec<{ key: string; why: string }>({
    severity: 'warning',
    message: (a) => `parameter "${a.key}" is not used: ${a.why}`,
    hint: () => 'Remove the key, or change the graph so the parameter exists.',
  }),
  CW064: spec<{ what: string; found: unknown }>({
    severity: 'error',
    message: (a) => `${a.what} is not a tensor {"shape": [..], "data": [..]}: ${show(a.found)}`,
    hint: () => '"shape" is an array of non-negative integers and "data" a flat array of numbers in row-major order.',
  }),
  CW065: spec<{ key: string; expected: readonly number[]; found: readonly number[] }>({
    severity: 'error',
    message: (a) => `parameter "${a.key}" has shape ${shape(a.found)}, expected ${shape(a.expected)}`,
    hint: (a) => `Give "${a.key}" shape ${shape(a.expected)} with matching data, or remove it to initialize it afresh.`,
  }),
  CW066: spec<{ what: string; shape: readonly number[]; expected: number; found: number }>({
    severity: 'error',
    message: (a) => `${a.what} has shape ${shape(a.shape)} (${a.expected} numbers) but ${a.found} data values`,
    hint: () => 'The length of "data" must be the product of "shape" (flat, row-major).',
  }),
  CW067: spec<{ what: string; index: number; found: unknown }>({
    severity: 'error',
    message: (a) => `${a.what} holds a non-finite or non-number value ${show(a.found)} at data[${a.index}]`,
    hint: () => 'Every value must be a finite number.',
  }),

  // ── structural warnings ────────────────────────────────────────────────
  CW070: spec<{ id: string }>({
    severity: 'warning',
    message: (a) => `node "${a.id}" does not contribute to any loss`,
    hint: () => 'Connect it (through any path) into a loss, or delete it; it gets no gradient and is computed for nothing.',
  }),
  CW071: spec<{ id: string }>({
    severity: 'warning',
    message: (a) => `gate "${a.id}" has no inputs: it outputs a constant act(bias)`,
    hint: () => 'Connect inputs into the gate, or ignore this if a learned constant is intended.',
  }),

  // ── data files ─────────────────────────────────────────────────────────
  CW080: spec<{ field: string; found: unknown }>({
    severity: 'error',
    message: (a) => `data ${a.field === '' ? 'file' : `"${a.field}"`} must be an object, found ${show(a.found)}`,
    hint: () => 'A data file is {"inputs": {"<inputId>": {"shape": [T, B, size], "data": [..]}}, "targets": {..}}.',
  }),
  CW081: spec<{ section: 'inputs' | 'targets'; id: string }>({
    severity: 'error',
    message: (a) => `no stream for ${a.section === 'inputs' ? 'input' : 'target'} node "${a.id}" in "${a.section}"`,
    hint: (a) => `Add "${a.section}": {"${a.id}": {"shape": [T, B, size], "data": [..]}}.`,
  }),
  CW082: spec<{ what: string; expected: string; found: readonly number[] }>({
    severity: 'error',
    message: (a) => `${a.what} has shape ${shape(a.found)}, expected ${a.expected}`,
    hint: () => 'Streams are time-major [T, B, size]; initial states are [B, size].',
  }),
  CW083: spec<{ what: string; dim: 'T' | 'B'; value: number; expected: number; from: string }>({
    severity: 'error',
    message: (a) => `${a.what} has ${a.dim} = ${a.value} but ${a.from} has ${a.dim} = ${a.expected}: all streams share T and B`,
    hint: () => 'Give every stream the same sequence length T and batch size B.',
  }),
  CW084: spec<{ what: string; dim: 'T' | 'B' }>({
    severity: 'error',
    message: (a) => `${a.what} has ${a.dim} = 0: there must be at least one ${a.dim === 'T' ? 'time step' : 'sequence'}`,
    hint: () => 'T ≥ 1 and B ≥ 1.',
  }),
  CW085: spec<{ section: string; id: string; expected: string }>({
    severity: 'error',
    message: (a) => `"${a.section}" has a stream "${a.id}", but the graph has no ${a.expected} with that id`,
    hint: (a) => `Remove "${a.id}" from "${a.section}" or rename it after a ${a.expected} of the graph.`,
  }),

  // ── layers (engine/layers, docs/layers.md) ─────────────────────────────
  CW170: spec<{ layer: string; found: unknown }>({
    severity: 'error',
    message: (a) => `layer "${a.layer}" has no nested step graph: "graph" is ${show(a.found)}`,
    hint: () => 'Give the layer "graph": {"nodes": [...], "edges": [...]}, one time step of the layer in the graph format (its input nodes are the layer\'s inputs).',
  }),
  CW171: spec<{ layer: string; found: unknown }>({
    severity: 'error',
    message: (a) => `layer "${a.layer}": direction ${show(a.found)} is not forward, reverse or bidirectional`,
    hint: () => 'Set "direction" to "forward" (the default), "reverse" (runs from the last step to the first) or "bidirectional" (both, outputs concatenated forward ‖ reverse).',
  }),
  CW172: spec<{ layer: string; found: unknown; nodes: readonly string[] }>({
    severity: 'error',
    message: (a) => `layer "${a.layer}": output ${show(a.found)} is not a node of its nested graph`,
    hint: (a) => `Set "output" to the id of the nested node whose value the layer emits at every step${a.nodes.length ? ` (one of ${list(a.nodes.slice(0, 12))})` : ''}.`,
  }),
  CW173: spec<{ layer: string; node: string; kind: string }>({
    severity: 'error',
    message: (a) => `layer "${a.layer}": its nested graph has a ${a.kind} node "${a.node}", which a layer's step graph cannot hold`,
    hint: (a) => (a.kind === 'layer'
      ? 'Layers do not nest: put the inner layer next to this one in the outer graph and connect them.'
      : 'Targets and losses belong to the outer graph: read the layer\'s output there and put the loss on it.'),
  }),
  CW174: spec<{ edge: string; layer: string; source: string; kind: string }>({
    severity: 'error',
    message: (a) => `edge "${a.edge}" feeds layer "${a.layer}" from ${a.kind} "${a.source}", which is computed inside the outer step (it can depend on the outer recurrence), not known for the whole sequence in advance`,
    hint: () => 'A layer runs over the whole sequence before the outer step graph: feed it from an input node or another layer, and move the gate or op into the layer\'s nested graph.',
  }),
  CW175: spec<{ edge: string; layer: string; found: unknown; ports: readonly string[] }>({
    severity: 'error',
    message: (a) => `edge "${a.edge}" into layer "${a.layer}": port ${show(a.found)} is not an input node of the nested graph`,
    hint: (a) => (a.ports.length ? `Set "port" to one of its input nodes: ${list(a.ports)} (optional when there is only one).` : 'Add an input node to the nested graph: it is the layer\'s input port.'),
  }),
  CW176: spec<{ layer: string; port: string; count: number }>({
    severity: 'error',
    message: (a) => `layer "${a.layer}": nested input "${a.port}" is fed by ${a.count} edges; every nested input needs exactly one`,
    hint: () => 'Connect one edge into the layer for each of its nested input nodes, naming it with "port" when there are several.',
  }),
  CW177: spec<{ edge: string; layer: string; port: string; source: string; size: number; portSize: number }>({
    severity: 'error',
    message: (a) => `edge "${a.edge}": "${a.source}" has size ${a.size}, but nested input "${a.port}" of layer "${a.layer}" has size ${a.portSize}`,
    hint: () => 'Make the sizes equal (a bidirectional layer emits twice the size of its output node).',
  }),
  CW178: spec<{ edge: string; layer: string; weight: unknown }>({
    severity: 'error',
    message: (a) => `edge "${a.edge}" into layer "${a.layer}" has weight ${show(a.weight)}; edges into a layer carry values unchanged`,
    hint: () => 'Remove "weight" (or use "identity"): learned weights go on edges inside the nested graph.',
  }),
  CW179: spec<{ cycle: readonly string[] }>({
    severity: 'error',
    message: (a) => `layers feed each other in a cycle: ${list([...a.cycle, a.cycle[0]].map((x) => `"${x}"`)).replace(/, /g, ' → ')}`,
    hint: () => 'Each layer needs its input sequences complete before it runs: break the cycle (use a cell inside one nested graph for recurrence).',
  }),
  CW180: spec<{ id: string; layer: string; node: string }>({
    severity: 'error',
    message: (a) => `node id "${a.id}" is also the reported id of node "${a.node}" of layer "${a.layer}"`,
    hint: () => 'Rename the node: values of nested nodes are reported as <layer id>/<node id> (and <layer id>/reverse/<node id>).',
  }),
  CW181: spec<{ layer: string; node: string }>({
    severity: 'error',
    message: (a) => `layer "${a.layer}": nested input "${a.node}" has "reverse": true`,
    hint: () => 'Reverse the whole layer instead: set the layer\'s "direction" to "reverse" or "bidirectional".',
  }),
  CW182: spec<{ layer: string }>({
    severity: 'error',
    message: (a) => `layer "${a.layer}": its nested graph has its own "parameters"`,
    hint: (a) => `Move them into the file's "parameters" under "layer:${a.layer}/<key>" (and "layer:${a.layer}/reverse/<key>" for the backward copy of a bidirectional layer).`,
  }),
  CW183: spec<{ key: string; layer: string }>({
    severity: 'error',
    message: (a) => `parameter "${a.key}" names layer "${a.layer}", which is not a layer of the graph`,
    hint: () => 'Rename the key after a layer node id, or delete it.',
  }),
  CW184: spec<{ layer: string }>({
    severity: 'error',
    message: (a) => `layer "${a.layer}": its nested graph has no input node, so the layer reads nothing`,
    hint: () => 'Add an input node to the nested graph (it is the layer\'s input port) and connect an edge into the layer.',
  }),
  CW185: spec<{ key: string; layer: string; direction: string }>({
    severity: 'warning',
    message: (a) => `parameter "${a.key}" is for the backward copy of layer "${a.layer}", which is ${a.direction}, not bidirectional: it is ignored`,
    hint: (a) => `Delete it, or set the layer's direction to bidirectional${a.direction === 'reverse' ? ' (a reverse layer\'s own parameters have no "reverse/" in their keys)' : ''}.`,
  }),

  // ── blocks: subgraph macros (engine/blocks, docs/blocks.md) ─────────────
  CW330: spec<{ what: string; found: unknown }>({
    severity: 'error',
    message: (a) => `${a.what} is ${show(a.found)}, not what a block table holds`,
    hint: () => 'Write "blocks": {"<name>": {"nodes": [...], "edges": [...], "outputs": ["<inner node id>"]}}: each block a step graph whose input nodes are its input ports (docs/blocks.md).',
  }),
  CW331: spec<{ instance: string; block: unknown; known: readonly string[] }>({
    severity: 'error',
    message: (a) => (typeof a.block === 'string'
      ? `block instance ${show(a.instance)} uses block ${show(a.block)}, which the file's "blocks" does not define`
      : `block instance ${show(a.instance)} must name its block in "block", found ${show(a.block)}`),
    hint: (a) => (a.known.length ? `Set "block" to one of ${list(a.known.slice(0, 12).map((k) => `"${k}"`))}, or add the definition to "blocks".` : 'Add the block definition to the "blocks" table of the file (saving from the editor does this).'),
  }),
  CW332: spec<{ chain: readonly string[] }>({
    severity: 'error',
    message: (a) => `blocks use each other in a cycle: ${a.chain.map((x) => `"${x}"`).join(' → ')}; a block cannot contain itself`,
    hint: () => 'Remove the instance that closes the cycle: a block may use other blocks, but never (through them) itself.',
  }),
  CW333: spec<{ block: string; found: unknown; why: string; nodes: readonly string[] }>({
    severity: 'error',
    message: (a) => `block ${show(a.block)}: outputs ${show(a.found)} ${a.why}`,
    hint: (a) => `Set "outputs" to the ids of the inner nodes whose values leave the block${a.nodes.length ? ` (gates, ops or cells among ${list(a.nodes.slice(0, 12))})` : ''}.`,
  }),
  CW334: spec<{ block: string; node: string; kind: string }>({
    severity: 'error',
    message: (a) => `block ${show(a.block)}: inner node "${a.node}" is a ${a.kind}, which a block cannot hold`,
    hint: (a) => (a.kind === 'layer'
      ? 'Put the layer in the graph itself and feed the block from it.'
      : 'Targets and losses belong to the graph: read the output of the block there and put the loss on it.'),
  }),
  CW335: spec<{ edge: string; instance: string; block: string; found: unknown; ports: readonly string[] }>({
    severity: 'error',
    message: (a) => `edge "${a.edge}" into block instance ${show(a.instance)} (block ${show(a.block)}): port ${show(a.found)} is not an input port of the block`,
    hint: (a) => (a.ports.length ? `Set "port" to one of its input ports: ${list(a.ports)} (optional when there is only one).` : `Block ${show(a.block)} has no input port: add an input node to its definition.`),
  }),
  CW336: spec<{ instance: string; block: string; port: string; count: number }>({
    severity: 'error',
    message: (a) => `block ${show(a.block)} instance ${show(a.instance)}: input port "${a.port}" is fed by ${a.count} edges; every input port needs exactly one`,
    hint: () => 'Connect one edge into the instance for each of its input ports, naming it with "port" when the block has several.',
  }),
  CW337: spec<{ edge: string; instance: string; block: string; found: unknown; ports: readonly string[] }>({
    severity: 'error',
    message: (a) => `edge "${a.edge}" out of block instance ${show(a.instance)} (block ${show(a.block)}): "sourcePort" ${show(a.found)} is not an output port of the block`,
    hint: (a) => `Set "sourcePort" to one of its outputs: ${list(a.ports)} (optional when there is only one).`,
  }),
  CW338: spec<{ edge: string; instance: string; weight: unknown }>({
    severity: 'error',
    message: (a) => `edge "${a.edge}" into block instance ${show(a.instance)} has weight ${show(a.weight)}; edges into a block carry values unchanged`,
    hint: () => 'Remove "weight" (or use "identity"): learned weights go on the edges inside the block.',
  }),
  CW339: spec<{ instance: string; tie: unknown; why: string }>({
    severity: 'error',
    message: (a) => `block instance ${show(a.instance)} cannot tie its weights to ${show(a.tie)}: ${a.why}`,
    hint: () => 'Set "tie" to the id of another instance of the same block that has weights of its own (not tied itself), or remove it for separate weights.',
  }),
  CW340: spec<{ id: string; instance: string; node: string }>({
    severity: 'error',
    message: (a) => `node id "${a.id}" is also the id block instance ${show(a.instance)} gives its inner node "${a.node}"`,
    hint: () => 'Rename the node or the instance: the inner nodes of a block instance are named <instance id>/<inner id>.',
  }),
  CW341: spec<{ what: 'nodes' | 'edges'; count: number; limit: number; largest: string }>({
    severity: 'error',
    message: (a) => `expanding the block instances would make ${a.count} ${a.what}, over the limit of ${a.limit} (the largest: ${a.largest})`,
    hint: (a) => `Use fewer instances or smaller blocks, or raise the limit (--limits ${a.what === 'nodes' ? 'maxNodes' : 'maxEdges'}=N).`,
  }),
  CW342: spec<{ key: string; instance: string; owner: string }>({
    severity: 'error',
    message: (a) => `parameter "${a.key}" belongs to block instance ${show(a.instance)}, which is tied to "${a.owner}" and uses its parameters`,
    hint: (a) => `Delete the key (the values are "${a.owner}"'s), or remove "tie" from ${show(a.instance)} to give it weights of its own.`,
  }),
  CW343: spec<{ block: string; edge: string; port: string }>({
    severity: 'error',
    message: (a) => `block ${show(a.block)}: inner edge "${a.edge}" goes into input port "${a.port}"; an input port only receives the edge into the instance`,
    hint: () => 'Remove the edge, or make its target a gate, op or cell inside the block.',
  }),
  CW344: spec<{ edge: string; source: string }>({
    severity: 'error',
    message: (a) => `edge "${a.edge}" has "sourcePort", but its source "${a.source}" is not a block instance`,
    hint: () => 'Remove "sourcePort": only an edge out of a block instance names one of its outputs.',
  }),
  CW345: spec<{ chain: readonly string[]; limit: number }>({
    severity: 'error',
    message: (a) => `blocks nest ${a.chain.length} deep (${a.chain.slice(0, 4).map((x) => `"${x}"`).join(' → ')} → …), over the limit of ${a.limit}`,
    hint: () => 'Flatten the nesting: a block can hold the inner nodes directly instead of another block that holds them.',
  }),
  CW346: spec<{ edge: string; instance: string; block: string; port: string; source: string; size: number; portSize: number }>({
    severity: 'error',
    message: (a) => `edge "${a.edge}": "${a.source}" has size ${a.size}, but input port "${a.port}" of block instance ${show(a.instance)} (block ${show(a.block)}) has size ${a.portSize}`,
    hint: () => 'Feed the port from a node of its size, or change the size of the input node in the block (every instance of the block changes with it).',
  }),

  // ── limits (engine/limits.ts): sizes refused before anything is allocated ──
  CW110: spec<{ node: string; size: number; limit: number }>({
    severity: 'error',
    message: (a) => `node "${a.node}" has size ${a.size}, over the limit of ${a.limit} units`,
    hint: () => 'Use a smaller size, or raise the limit (cellwright --limits maxNodeSize=N; the limits option in code).',
  }),
  CW111: spec<{ key: string; shape: readonly number[]; count: number; limit: number }>({
    severity: 'error',
    message: (a) => `parameter "${a.key}" would have shape ${shape(a.shape)}: ${a.count} numbers, over the limit of ${a.limit}`,
    hint: () => 'Make the nodes it connects smaller, use a diagonal or scalar weight, or raise the limit (--limits maxParameters=N).',
  }),
  CW112: spec<{ count: number; limit: number; largest: string }>({
    severity: 'error',
    message: (a) => `the graph has ${a.count} learned numbers, over the limit of ${a.limit} (the largest: ${a.largest})`,
    hint: () => 'Make nodes smaller, or raise the limit (--limits maxParameters=N).',
  }),
  CW113: spec<{ what: 'nodes' | 'edges'; count: number; limit: number }>({
    severity: 'error',
    message: (a) => `the graph has ${a.count} ${a.what}, over the limit of ${a.limit}`,
    hint: (a) => `Split the graph, or raise the limit (--limits ${a.what === 'nodes' ? 'maxNodes' : 'maxEdges'}=N).`,
  }),
  CW114: spec<{ dim: 'T'; value: number; limit: number; from: string }>({
    severity: 'error',
    message: (a) => `sequence length T = ${a.value}${a.from ? ` (from ${a.from})` : ''} is over the limit of ${a.limit} steps`,
    hint: () => 'Use shorter sequences (split long ones and carry the state with "initialStates"), or raise the limit (--limits maxSteps=N).',
  }),
  CW115: spec<{ dim: 'B'; value: number; limit: number; from: string }>({
    severity: 'error',
    message: (a) => `batch size B = ${a.value}${a.from ? ` (from ${a.from})` : ''} is over the limit of ${a.limit} sequences`,
    hint: () => 'Use a smaller batch, or raise the limit (--limits maxBatch=N).',
  }),
  CW116: spec<{ need: string; limitMB: number; T: number; B: number; from: string; dtype: string; parts: string; largest: string }>({
    severity: 'error',
    message: (a) => `this run needs about ${a.need} (T = ${a.T}, B = ${a.B}${a.from ? ` from ${a.from}` : ''}, ${a.dtype}: ${a.parts}), over the memory limit of ${a.limitMB} MB; the largest part is ${a.largest}`,
    hint: () => 'Reduce T, B or that node\'s size, use float32, or raise the limit (--max-memory MB).',
  }),
  CW118: spec<{ need: string; T: number; B: number; detail: string }>({
    severity: 'error',
    message: (a) => `could not allocate the ${a.need} this run needs (T = ${a.T}, B = ${a.B}): ${a.detail}`,
    hint: () => 'The machine (or the JavaScript engine\'s largest array) cannot hold it: reduce T, B or the node sizes, or use float32.',
  }),
  CW117: spec<{ line: number; column: number; limit: number }>({
    severity: 'error',
    message: (a) => `the JSON nests arrays and objects deeper than ${a.limit} levels (at line ${a.line}, column ${a.column})`,
    hint: () => 'A graph or data file needs only a few levels; the file is probably damaged or not a Cellwright file.',
  }),
  // ── primitives of the registry: ops with slots and fields, ties, zoneout (CW140–CW169) ──
  CW140: spec<{ op: string; opKind: string; expected: string; count: number }>({
    severity: 'error',
    message: (a) => `op "${a.op}" is ${a.opKind} and has ${a.count} input${a.count === 1 ? '' : 's'}; it takes ${a.expected}`,
    hint: (a) => `Connect ${a.expected} into "${a.op}", or choose another op.`,
  }),
  CW141: spec<{ op: string; opKind: string; found: unknown }>({
    severity: 'error',
    message: (a) => (a.found === undefined
      ? `edge into op "${a.op}" (${a.opKind}) has no "slot": the op tells its inputs apart by slot`
      : `edge into op "${a.op}" (${a.opKind}) has "slot" ${show(a.found)}; ${a.opKind === 'concat' ? 'slots are integers 0, 1, …' : 'it takes slots 0 and 1'}`),
    hint: (a) => (a.opKind === 'concat'
      ? 'Give each edge into the concat a distinct "slot": 0, 1, 2, … (the order of the pieces).'
      : `Give the edges into "${a.op}" "slot": 0 (the first operand) and "slot": 1 (the second).`),
  }),
  CW142: spec<{ op: string; slot: number; first: string }>({
    severity: 'error',
    message: (a) => `two edges into op "${a.op}" use slot ${a.slot} (the first is ${a.first})`,
    hint: () => 'Each input of the op needs its own slot: renumber one of the edges.',
  }),
  CW143: spec<{ target: string }>({
    severity: 'error',
    message: (a) => `edge has a "slot" but "${a.target}" is not an op that takes slots (sub, div, concat)`,
    hint: () => 'Remove "slot" from the edge.',
  }),
  CW144: spec<{ op: string; opKind: string; field: string; found: unknown; expected: string }>({
    severity: 'error',
    message: (a) => (a.found === undefined
      ? `op "${a.op}" (${a.opKind}) has no "${a.field}"`
      : `"${a.field}" of op "${a.op}" (${a.opKind}) is ${show(a.found)}; it must be ${a.expected}`),
    hint: (a) => `Set "${a.field}" to ${a.expected}.`,
  }),
  CW145: spec<{ op: string; opKind: string; why: string }>({
    severity: 'error',
    message: (a) => `op "${a.op}" (${a.opKind}) ${a.why}`,
    hint: (a) => (a.opKind === 'slice' ? 'Make start + size at most the size of the input.' : 'Fix the op\'s fields or inputs.'),
  }),
  CW146: spec<{ op: string; size: number; sum: number }>({
    severity: 'error',
    message: (a) => `concat op "${a.op}" declares size ${a.size} but its inputs add up to ${a.sum}`,
    hint: () => 'Remove "size" (a concat takes the sum of its inputs\' sizes) or make it match.',
  }),
  CW147: spec<{ edge: string; tie: unknown }>({
    severity: 'error',
    message: (a) => (typeof a.tie === 'string'
      ? `edge "${a.edge}" is tied to "${a.tie}", which is not an edge of the graph`
      : `"tie" of edge "${a.edge}" must be the id of another edge, found ${show(a.tie)}`),
    hint: () => 'Point "tie" at the id of the learned edge whose weight this edge shares, or remove it.',
  }),
  CW148: spec<{ edge: string; owner: string; why: string }>({
    severity: 'error',
    message: (a) => `edge "${a.edge}" cannot be tied to "${a.owner}": ${a.why}`,
    hint: () => 'Tie to an edge that owns a learned weight (full, diagonal or scalar into a gate) and is not tied itself.',
  }),
  CW149: spec<{ edge: string; owner: string; mine: string; theirs: string }>({
    severity: 'error',
    message: (a) => `edge "${a.edge}" is tied to "${a.owner}" but their weights differ: ${a.mine} here, ${a.theirs} there`,
    hint: () => 'Tied edges share one parameter: give them the same weight kind and the same source and target sizes.',
  }),
  CW150: spec<{ cell: string; found: unknown }>({
    severity: 'error',
    message: (a) => `"zoneout" of cell "${a.cell}" is ${show(a.found)}; it must be a probability p with 0 ≤ p < 1`,
    hint: () => 'Set "zoneout" to a number such as 0.1, or remove it.',
  }),

  // ── model import and export (ONNX, PyTorch) ───────────────────────────
  CW200: spec<{ file: string; detail: string; offset?: number }>({
    severity: 'error',
    message: (a) => `${a.file}: cannot read the model${a.offset !== undefined ? ` (at byte ${a.offset})` : ''}: ${a.detail}`,
    hint: () => 'Check that the file is a complete .onnx, .pt/.pth (torch.save) or .safetensors file; re-export it if it was cut short.',
  }),
  CW201: spec<{ node: string; op: string; why: string }>({
    severity: 'error',
    message: (a) => `ONNX node "${a.node}" (${a.op}): ${a.why}`,
    hint: () => 'Cellwright imports recurrent models (LSTM, GRU, RNN) and the ops torch.onnx.export writes around them; simplify the model or export only its recurrent part.',
  }),
  CW202: spec<{ node: string; op: string; attribute: string; value: string; why: string }>({
    severity: 'error',
    message: (a) => `ONNX node "${a.node}" (${a.op}): attribute ${a.attribute} = ${a.value} is not supported: ${a.why}`,
    hint: () => 'Export the model without this attribute, or with the value named as supported.',
  }),
  CW203: spec<{ node: string; op: string; input: string; why: string }>({
    severity: 'error',
    message: (a) => `ONNX node "${a.node}" (${a.op}): input ${a.input}: ${a.why}`,
    hint: () => 'Make this input a constant (an initializer) of the model, or leave it out.',
  }),
  CW210: spec<{ file: string; what: string; where: string }>({
    severity: 'error',
    message: (a) => `${a.file}: refused ${a.what} in ${a.where}: a state_dict holds only tensors, and loading anything else could run code`,
    hint: () => 'Save only the state_dict: torch.save(model.state_dict(), path), or use safetensors.',
  }),
  CW211: spec<{ file: string; detail: string }>({
    severity: 'error',
    message: (a) => `${a.file}: ${a.detail}`,
    hint: () => 'Cellwright recognizes nn.LSTM / nn.GRU / nn.RNN keys (weight_ih_l0, weight_hh_l0, bias_ih_l0, …, weight_hr_l0) and nn.Linear heads (*.weight, *.bias); pass --arch lstm|gru|rnn_tanh|rnn_relu when it cannot tell.',
  }),
  CW220: spec<{ what: string; where: string }>({
    severity: 'error',
    message: (a) => `cannot export to ONNX: ${a.what} (${a.where})`,
    hint: () => 'Outputs are node ids of inputs, gates, ops or cells (of a layer: `l1`, `l1/h`, `bi/reverse/h`). A node kind, op or activation without an ONNX translation can still be exported with `cellwright export torch`.',
  }),

  // ── probing a run: connectivity, loss by step, fixed points (CW310–CW329) ──
  CW310: spec<{ spec: string; ambiguous: boolean }>({
    severity: 'error',
    message: (a) => (a.ambiguous
      ? `"${a.spec}" can be split into OUT:IN node ids in more than one way`
      : `"${a.spec}" does not name two nodes as OUT:IN`),
    hint: (a) => (a.ambiguous
      ? 'Rename one of the nodes whose ids contain ":" so that the pair reads one way only.'
      : 'Write --connectivity OUT:IN with the ids of two nodes of the graph, e.g. --connectivity y:x.'),
  }),
  CW311: spec<{ spec: string; node: string; kind: string }>({
    severity: 'error',
    message: (a) => `"${a.spec}": IN must be an input or a cell node, but "${a.node}" is a ${a.kind} node`,
    hint: () => 'Measure connectivity from an input (what the data feeds in) or a cell (the state it carries); OUT may be any node.',
  }),
  CW312: spec<{ sweeps: number; work: number; max: number; T: number }>({
    severity: 'error',
    message: (a) => `refused: ${a.sweeps} backward sweeps over T = ${a.T} steps, about ${a.work.toExponential(2)} multiply-adds (the limit is ${a.max.toExponential(2)})`,
    hint: () => 'Ask for fewer pairs, a smaller OUT node, or shorter sequences; or raise the limit with --max-work N.',
  }),
  CW313: spec<{ detail: string }>({
    severity: 'error',
    message: (a) => `--input: ${a.detail}`,
    hint: () => 'Give --input zeros, a JSON vector with one number per unit of the input (an object {"<input id>": [...]} when there are several inputs), or a data file with --at t.',
  }),
  CW314: spec<{ at: number; T: number }>({
    severity: 'error',
    message: (a) => `--at ${a.at} is not a step of the data (1 … ${a.T})`,
    hint: () => 'Steps are counted from 1; pick one within the data\'s length.',
  }),
  CW315: spec<Record<string, never>>({
    severity: 'error',
    message: () => 'the graph has no cell: it has no state, so no fixed points',
    hint: () => 'Fixed points are states h with F(h) = h of the step map; add a cell node.',
  }),
  CW316: spec<{ dims: number; max: number }>({
    severity: 'error',
    message: (a) => `the joint state has ${a.dims} units; fixed-point search is limited to ${a.max}`,
    hint: () => 'Search a smaller cell, or raise the limit with --max-dims (each solve costs O(dims³)).',
  }),
  CW318: spec<{ node: string; kind: string | null }>({
    severity: 'error',
    message: (a) => (a.kind === null
      ? `no node "${a.node}" to explain the gradient of`
      : `the gradient through time is explained for cell nodes, but "${a.node}" is a ${a.kind} node`),
    hint: () => 'Pick a cell (memory) node: its gradient ‖∂L/∂h_t‖ is what the gradient-flow chart and the vanishing/exploding badges show.',
  }),
  CW319: spec<{ step: number; T: number }>({
    severity: 'error',
    message: (a) => `step ${a.step} is not a step of the sequence (1 … ${a.T})`,
    hint: () => 'Steps are counted from 1; pick one within the sequence\'s length.',
  }),
  CW320: spec<{ spec: string; node: string; layer: string }>({
    severity: 'error',
    message: (a) => `"${a.spec}": OUT "${a.node}" is inside layer "${a.layer}"; connectivity is measured to a node of the outer graph`,
    hint: (a) => `Pick as OUT the layer itself ("${a.layer}", its output at each step) or a node it feeds; IN may be a cell inside the layer, e.g. --connectivity ${a.layer}:${a.node}.`,
  }),

  // ── sweeps and presets (engine/experiments) ────────────────────────────
  CW290: spec<{ detail: string }>({
    severity: 'error',
    message: (a) => a.detail,
    hint: () => 'A SPEC is {"graphs": [...], "task": {...}, "training": {...}, "seeds": [...], "grid": {"training.NAME": [...], "task.NAME": [...]}, "steps": N, "hidden": H}; see docs/sweeps.md.',
  }),
  CW291: spec<{ name: string; known: string }>({
    severity: 'error',
    message: (a) => `unknown template ${show(a.name)}`,
    hint: (a) => `Use one of ${a.known}, or a graph file path.`,
  }),
  CW292: spec<Record<string, never>>({
    severity: 'error',
    message: () => 'a template has no task of its own, and the SPEC gives none',
    hint: () => 'Add "task": {"name": …} to the SPEC (or a "task.name" grid): templates are sized to their task.',
  }),

  // ── internal ───────────────────────────────────────────────────────────
  CW099: spec<{ detail: string }>({
    severity: 'error',
    message: (a) => `internal error while checking: ${a.detail}`,
    hint: () => 'This is a bug in Cellwright; please report it with the file.',
  }),
} as const;

export type ProblemCode = keyof typeof PROBLEMS;
export type ProblemArgs<C extends ProblemCode> = (typeof PROBLEMS)[C] extends ProblemSpec<infer A> ? A : never;

/** Builds a Problem from the table: the only way problems are made. */
export function problem<C extends ProblemCode>(code: C, args: ProblemArgs<C>, where: Where): Problem {
  const s = PROBLEMS[code] as ProblemSpec<ProblemArgs<C>>;
  const p: Problem = { severity: s.severity, code, message: s.message(args), path: where.path };
  if (where.node !== undefined) p.node = where.node;
  if (where.edge !== undefined) p.edge = where.edge;
  if (where.nodes !== undefined) p.nodes = where.nodes;
  if (s.hint) p.hint = s.hint(args);
  return p;
}
