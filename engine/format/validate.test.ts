import { describe, expect, it } from 'vitest';
import { PROBLEMS } from '../errors.ts';
import { ACTIVATIONS } from '../meta.ts';
import { hasErrors, inferSizes, validateGraph } from './validate.ts';
import type { Graph, Problem } from './types.ts';
import { smallElman } from '../testing/fixtures.ts';

/** The shared small Elman RNN, with a position and an explicit recurrent weight kind and initializer. */
function elman(): Graph {
  const g = smallElman();
  g.nodes[0].position = { x: 0, y: 0 };
  Object.assign(g.edges[1], { weight: 'full', init: 'orthogonal' });
  return g;
}

/** A mutable view for tests that break the graph on purpose. */
type Loose = Record<string, unknown> & { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] };
function broken(mutate: (g: Loose) => void): Graph {
  const g = elman() as unknown as Loose;
  mutate(g);
  return g as unknown as Graph;
}

function errors(problems: Problem[]): Problem[] {
  return problems.filter((p) => p.severity === 'error');
}

describe('validateGraph on valid graphs', () => {
  it('finds nothing wrong in the Elman RNN', () => {
    expect(validateGraph(elman())).toEqual([]);
  });

  it('accepts an LSTM-like step with peepholes, ops, a learned initial state and parameters', () => {
    const g = {
      format: 'cellwright-graph', version: 1, extra: { keep: true },
      nodes: [
        { id: 'x', kind: 'input', size: 2 },
        { id: 'c', kind: 'cell', size: 3, initial: 'learned' },
        { id: 'f', kind: 'gate', size: 3, activation: 'sigmoid' },
        { id: 'g', kind: 'gate', size: 3, activation: 'tanh', bias: false },
        { id: 'one_minus_f', kind: 'op', op: 'one_minus' },
        { id: 'keep', kind: 'op', op: 'mul' },
        { id: 'write', kind: 'op', op: 'mul', size: 3 },
        { id: 'c_new', kind: 'op', op: 'add' },
        { id: 's', kind: 'input', size: 1 },
        { id: 'L', kind: 'loss', loss: 'sum', steps: 'last' },
      ],
      edges: [
        { id: 'e_xf', source: 'x', target: 'f' },
        { id: 'e_cf', source: 'c', target: 'f', weight: 'diagonal' },
        { id: 'e_sf', source: 's', target: 'f', weight: 'scalar' },
        { id: 'e_xg', source: 'x', target: 'g', init: 'normal', initScale: 0.5, trainable: false },
        { id: 'e_f1', source: 'f', target: 'one_minus_f' },
        { id: 'e_k1', source: 'f', target: 'keep' },
        { id: 'e_k2', source: 'c', target: 'keep' },
        { id: 'e_w1', source: 'one_minus_f', target: 'write' },
        { id: 'e_w2', source: 'g', target: 'write', weight: 'identity' },
        { id: 'e_a1', source: 'keep', target: 'c_new' },
        { id: 'e_a2', source: 'write', target: 'c_new' },
        { id: 'e_cc', source: 'c_new', target: 'c' },
        { id: 'e_L', source: 'c_new', target: 'L', port: 'prediction' },
      ],
      parameters: {
        'edge:e_xf': { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] },
        'edge:e_cf': { shape: [3], data: [0, 0, 0] },
        'edge:e_sf': { shape: [1], data: [0.5] },
        'bias:f': { shape: [3], data: [1, 1, 1] },
        'init:c': { shape: [3], data: [0, 0, 0] },
      },
    } as unknown as Graph;
    expect(validateGraph(g)).toEqual([]);
  });

  it('infers the size of ops from their inputs and gives losses size 1', () => {
    const g = broken((g) => {
      g.nodes.push({ id: 'o', kind: 'op', op: 'one_minus' }, { id: 'o2', kind: 'op', op: 'add' });
      g.edges.push({ id: 'e_o', source: 'o2', target: 'o' }, { id: 'e_o2', source: 'h', target: 'o2' });
    });
    const sizes = inferSizes(g);
    expect(sizes.get('o')).toBe(3);
    expect(sizes.get('o2')).toBe(3);
    expect(sizes.get('L')).toBe(1);
    expect(sizes.get('x')).toBe(2);
  });

  it('inferSizes never throws on garbage', () => {
    for (const g of [null, 3, 'x', [], { nodes: 'a' }, { nodes: [null, { id: 1 }], edges: [7] }]) {
      expect(() => inferSizes(g as unknown as Graph)).not.toThrow();
    }
  });
});

interface Case {
  name: string;
  mutate: (g: Loose) => void;
  code: string;
  path: string;
  node?: string;
  edge?: string;
  severity?: 'error' | 'warning';
}

const addOp = (g: Loose, op: Record<string, unknown>, inputs: string[]): void => {
  g.nodes.push({ id: 'o', kind: 'op', ...op });
  inputs.forEach((s, i) => g.edges.push({ id: `e_o${i}`, source: s, target: 'o' }));
  g.edges.push({ id: 'e_oy', source: 'o', target: 'y' });
};
const setParam = (g: Loose, key: string, value: unknown): void => {
  g.parameters = { ...(g.parameters as object | undefined), [key]: value };
};

const cases: Case[] = [
  // kinds and enum values
  { name: 'unknown node kind', mutate: (g) => { g.nodes[1].kind = 'blob'; }, code: 'CW013', path: 'nodes[1].kind', node: 'h_new' },
  { name: 'missing node kind', mutate: (g) => { delete g.nodes[1].kind; }, code: 'CW013', path: 'nodes[1].kind', node: 'h_new' },
  { name: 'unknown activation', mutate: (g) => { g.nodes[1].activation = 'swish'; }, code: 'CW015', path: 'nodes[1].activation', node: 'h_new' },
  { name: 'missing activation', mutate: (g) => { delete g.nodes[1].activation; }, code: 'CW015', path: 'nodes[1].activation', node: 'h_new' },
  { name: 'unknown loss', mutate: (g) => { g.nodes[5].loss = 'hinge'; }, code: 'CW015', path: 'nodes[5].loss', node: 'L' },
  { name: 'unknown steps', mutate: (g) => { g.nodes[5].steps = 'first'; }, code: 'CW015', path: 'nodes[5].steps', node: 'L' },
  { name: 'unknown cell initial', mutate: (g) => { g.nodes[2].initial = 'ones'; }, code: 'CW015', path: 'nodes[2].initial', node: 'h' },
  { name: 'unknown op', mutate: (g) => addOp(g, { op: 'pow' }, ['h']), code: 'CW015', path: 'nodes[6].op', node: 'o' },
  { name: 'unknown weight kind', mutate: (g) => { g.edges[0].weight = 'dense'; }, code: 'CW015', path: 'edges[0].weight', edge: 'e_xh' },
  { name: 'unknown init', mutate: (g) => { g.edges[0].init = 'he'; }, code: 'CW015', path: 'edges[0].init', edge: 'e_xh' },
  { name: 'unknown port', mutate: (g) => { g.edges[4].port = 'pred'; }, code: 'CW015', path: 'edges[4].port', edge: 'e_p' },
  { name: 'bias not a boolean', mutate: (g) => { g.nodes[1].bias = 'yes'; }, code: 'CW016', path: 'nodes[1].bias', node: 'h_new' },
  { name: 'trainable not a boolean', mutate: (g) => { g.edges[0].trainable = 1; }, code: 'CW016', path: 'edges[0].trainable', edge: 'e_xh' },
  { name: 'name not a string', mutate: (g) => { g.name = 42; }, code: 'CW016', path: 'name' },
  // sizes and numbers
  { name: 'missing size', mutate: (g) => { delete g.nodes[0].size; }, code: 'CW014', path: 'nodes[0].size', node: 'x' },
  { name: 'zero size', mutate: (g) => { g.nodes[1].size = 0; }, code: 'CW014', path: 'nodes[1].size', node: 'h_new' },
  { name: 'negative size', mutate: (g) => { g.nodes[2].size = -3; }, code: 'CW014', path: 'nodes[2].size', node: 'h' },
  { name: 'fractional size', mutate: (g) => { g.nodes[4].size = 2.5; }, code: 'CW014', path: 'nodes[4].size', node: 'y_t' },
  { name: 'size as a string', mutate: (g) => { g.nodes[3].size = '2'; }, code: 'CW014', path: 'nodes[3].size', node: 'y' },
  { name: 'non-finite size', mutate: (g) => { g.nodes[1].size = Number.NaN; }, code: 'CW017', path: 'nodes[1].size', node: 'h_new' },
  { name: 'non-finite position', mutate: (g) => { g.nodes[0].position = { x: 0, y: Infinity }; }, code: 'CW017', path: 'nodes[0].position.y', node: 'x' },
  { name: 'position not an object', mutate: (g) => { g.nodes[0].position = 'left'; }, code: 'CW018', path: 'nodes[0].position', node: 'x' },
  { name: 'non-finite initScale', mutate: (g) => { g.edges[0].initScale = -Infinity; }, code: 'CW017', path: 'edges[0].initScale', edge: 'e_xh' },
  // ids and references
  { name: 'node not an object', mutate: (g) => { g.nodes.push(null as unknown as Record<string, unknown>); }, code: 'CW010', path: 'nodes[6]' },
  { name: 'edge not an object', mutate: (g) => { g.edges.push(7 as unknown as Record<string, unknown>); }, code: 'CW010', path: 'edges[6]' },
  { name: 'nodes not an array', mutate: (g) => { (g as Record<string, unknown>).nodes = {}; }, code: 'CW006', path: 'nodes' },
  { name: 'duplicate node id', mutate: (g) => { g.nodes.push({ id: 'x', kind: 'input', size: 2 }); }, code: 'CW012', path: 'nodes[6].id', node: 'x' },
  { name: 'duplicate edge id', mutate: (g) => { g.edges[1].id = 'e_xh'; }, code: 'CW030', path: 'edges[1].id', edge: 'e_xh' },
  { name: 'empty node id', mutate: (g) => { g.nodes[3].id = ''; }, code: 'CW011', path: 'nodes[3].id' },
  { name: 'number as node id', mutate: (g) => { g.nodes[3].id = 3; }, code: 'CW011', path: 'nodes[3].id' },
  { name: 'empty edge id', mutate: (g) => { g.edges[0].id = ''; }, code: 'CW011', path: 'edges[0].id' },
  { name: 'edge to a missing node', mutate: (g) => { g.edges[0].target = 'nope'; }, code: 'CW031', path: 'edges[0].target', edge: 'e_xh' },
  { name: 'edge from a missing node', mutate: (g) => { g.edges[0].source = 'nope'; }, code: 'CW031', path: 'edges[0].source', edge: 'e_xh' },
  { name: 'edge without source', mutate: (g) => { delete g.edges[0].source; }, code: 'CW031', path: 'edges[0].source', edge: 'e_xh' },
  // weights and sizes on edges
  { name: 'full weight into a cell', mutate: (g) => { g.edges[2].weight = 'full'; }, code: 'CW032', path: 'edges[2].weight', edge: 'e_hc' },
  { name: 'scalar weight into a loss', mutate: (g) => { g.edges[4].weight = 'scalar'; }, code: 'CW032', path: 'edges[4].weight', edge: 'e_p' },
  { name: 'diagonal weight into an op', mutate: (g) => { addOp(g, { op: 'add' }, ['h']); g.edges[6].weight = 'diagonal'; }, code: 'CW032', path: 'edges[6].weight', edge: 'e_o0' },
  { name: 'identity edge between sizes 2 and 3', mutate: (g) => { g.edges[0].weight = 'identity'; }, code: 'CW033', path: 'edges[0]', edge: 'e_xh' },
  { name: 'diagonal edge between sizes 2 and 3', mutate: (g) => { g.edges[0].weight = 'diagonal'; }, code: 'CW033', path: 'edges[0]', edge: 'e_xh' },
  { name: 'scalar edge between sizes 2 and 3', mutate: (g) => { g.edges[0].weight = 'scalar'; }, code: 'CW033', path: 'edges[0]', edge: 'e_xh' },
  { name: 'identity edge into a cell of another size', mutate: (g) => { g.edges[2].source = 'x'; }, code: 'CW033', path: 'edges[2]', edge: 'e_hc' },
  // structure
  { name: 'cell without incoming edge', mutate: (g) => { g.edges.splice(2, 1); }, code: 'CW044', path: 'nodes[2]', node: 'h' },
  { name: 'cell with two incoming edges', mutate: (g) => { g.edges.push({ id: 'e_2', source: 'h_new', target: 'h' }); }, code: 'CW044', path: 'nodes[2]', node: 'h' },
  { name: 'edge into an input', mutate: (g) => { g.edges.push({ id: 'e_in', source: 'h_new', target: 'x', weight: 'full' }); }, code: 'CW034', path: 'edges[6].target', edge: 'e_in' },
  { name: 'edge into a target', mutate: (g) => { g.edges.push({ id: 'e_in', source: 'y', target: 'y_t' }); }, code: 'CW034', path: 'edges[6].target', edge: 'e_in' },
  { name: 'edge out of a loss', mutate: (g) => { g.edges.push({ id: 'e_out', source: 'L', target: 'h_new' }); }, code: 'CW035', path: 'edges[6].source', edge: 'e_out' },
  { name: 'target read by a gate', mutate: (g) => { g.edges.push({ id: 'e_cheat', source: 'y_t', target: 'y' }); }, code: 'CW036', path: 'edges[6].source', edge: 'e_cheat' },
  { name: 'target read by the prediction port', mutate: (g) => { g.edges[4].source = 'y_t'; }, code: 'CW036', path: 'edges[4].source', edge: 'e_p' },
  { name: 'port on an edge into a gate', mutate: (g) => { g.edges[0].port = 'prediction'; }, code: 'CW037', path: 'edges[0].port', edge: 'e_xh' },
  { name: 'edge into a loss without port', mutate: (g) => { delete g.edges[4].port; }, code: 'CW038', path: 'edges[4]', edge: 'e_p' },
  { name: 'loss without target', mutate: (g) => { g.edges.splice(5, 1); }, code: 'CW039', path: 'nodes[5]', node: 'L' },
  { name: 'loss without prediction', mutate: (g) => { g.edges.splice(4, 1); }, code: 'CW039', path: 'nodes[5]', node: 'L' },
  { name: 'loss with two predictions', mutate: (g) => { g.edges.push({ id: 'e_p2', source: 'y', target: 'L', port: 'prediction' }); }, code: 'CW040', path: 'edges[6]', edge: 'e_p2' },
  { name: 'sum loss with a target', mutate: (g) => { g.nodes[5].loss = 'sum'; }, code: 'CW041', path: 'edges[5].port', edge: 'e_t' },
  { name: 'prediction and target sizes differ', mutate: (g) => { g.nodes[4].size = 3; }, code: 'CW043', path: 'nodes[5]', node: 'L' },
  { name: 'op without inputs', mutate: (g) => addOp(g, { op: 'add' }, []), code: 'CW045', path: 'nodes[6]', node: 'o' },
  { name: 'one_minus with two inputs', mutate: (g) => addOp(g, { op: 'one_minus' }, ['h_new', 'h']), code: 'CW046', path: 'nodes[6]', node: 'o' },
  { name: 'op inputs of different sizes', mutate: (g) => addOp(g, { op: 'mul' }, ['h', 'x']), code: 'CW047', path: 'edges[7]', edge: 'e_o1' },
  { name: 'op size different from its inputs', mutate: (g) => addOp(g, { op: 'add', size: 4 }, ['h']), code: 'CW048', path: 'nodes[6].size', node: 'o' },
  { name: 'no loss', mutate: (g) => { g.nodes.splice(5, 1); g.edges.splice(4, 2); }, code: 'CW049', path: 'nodes' },
  { name: 'algebraic loop', mutate: (g) => { g.edges.push({ id: 'e_back', source: 'y', target: 'h_new' }); }, code: 'CW050', path: 'edges[3]', edge: 'e_hy' },
  { name: 'gate feeding itself', mutate: (g) => { g.edges.push({ id: 'e_self', source: 'h_new', target: 'h_new' }); }, code: 'CW050', path: 'edges[6]', edge: 'e_self' },
  // parameters
  { name: 'parameters not an object', mutate: (g) => { g.parameters = [1, 2]; }, code: 'CW060', path: 'parameters' },
  { name: 'parameter key of unknown form', mutate: (g) => setParam(g, 'weights', { shape: [1], data: [1] }), code: 'CW061', path: 'parameters.weights', severity: 'warning' },
  { name: 'parameter of an unknown edge', mutate: (g) => setParam(g, 'edge:nope', { shape: [1], data: [1] }), code: 'CW062', path: 'parameters["edge:nope"]', severity: 'warning' },
  { name: 'parameter of an identity edge', mutate: (g) => setParam(g, 'edge:e_hc', { shape: [1], data: [1] }), code: 'CW063', path: 'parameters["edge:e_hc"]', edge: 'e_hc', severity: 'warning' },
  { name: 'bias of a gate without bias', mutate: (g) => { g.nodes[1].bias = false; setParam(g, 'bias:h_new', { shape: [3], data: [1, 1, 1] }); }, code: 'CW063', path: 'parameters["bias:h_new"]', node: 'h_new', severity: 'warning' },
  { name: 'initial state of a zeros cell', mutate: (g) => setParam(g, 'init:h', { shape: [3], data: [1, 1, 1] }), code: 'CW063', path: 'parameters["init:h"]', node: 'h', severity: 'warning' },
  { name: 'full weight of the wrong shape', mutate: (g) => setParam(g, 'edge:e_xh', { shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }), code: 'CW065', path: 'parameters["edge:e_xh"].shape', edge: 'e_xh' },
  { name: 'bias of the wrong shape', mutate: (g) => setParam(g, 'bias:h_new', { shape: [2], data: [1, 2] }), code: 'CW065', path: 'parameters["bias:h_new"].shape', node: 'h_new' },
  { name: 'learned initial state of the wrong shape', mutate: (g) => { g.nodes[2].initial = 'learned'; setParam(g, 'init:h', { shape: [3, 1], data: [1, 2, 3] }); }, code: 'CW065', path: 'parameters["init:h"].shape', node: 'h' },
  { name: 'parameter not a tensor', mutate: (g) => setParam(g, 'bias:y', [1, 2]), code: 'CW064', path: 'parameters["bias:y"]', node: 'y' },
  { name: 'parameter data too short', mutate: (g) => setParam(g, 'edge:e_xh', { shape: [3, 2], data: [1, 2, 3, 4, 5] }), code: 'CW066', path: 'parameters["edge:e_xh"].data', edge: 'e_xh' },
  { name: 'non-finite parameter value', mutate: (g) => setParam(g, 'bias:y', { shape: [2], data: [1, Number.NaN] }), code: 'CW067', path: 'parameters["bias:y"].data[1]', node: 'y' },
  // warnings
  { name: 'node that feeds no loss', mutate: (g) => { g.nodes.push({ id: 'z', kind: 'gate', size: 2, activation: 'relu' }); g.edges.push({ id: 'e_z', source: 'x', target: 'z' }); }, code: 'CW070', path: 'nodes[6]', node: 'z', severity: 'warning' },
  { name: 'gate without inputs', mutate: (g) => { g.nodes.push({ id: 'k', kind: 'gate', size: 2, activation: 'identity' }); g.edges.push({ id: 'e_k', source: 'k', target: 'y' }); }, code: 'CW071', path: 'nodes[6]', node: 'k', severity: 'warning' },
];

describe('validateGraph reports each problem with code, path and id', () => {
  it.each(cases)('$name → $code at $path', (c) => {
    const problems = validateGraph(broken(c.mutate));
    const match = problems.find((p) => p.code === c.code && p.path === c.path);
    expect(match, `got:\n${problems.map((p) => `${p.code} ${p.path} ${p.message}`).join('\n')}`).toBeDefined();
    if (!match) return;
    expect(match.severity).toBe(c.severity ?? 'error');
    if (c.node !== undefined) expect(match.node).toBe(c.node);
    if (c.edge !== undefined) expect(match.edge).toBe(c.edge);
    expect(match.message.length).toBeGreaterThan(10);
    expect(match.hint?.length ?? 0).toBeGreaterThan(10);
    if ((c.severity ?? 'error') === 'error') expect(hasErrors(problems)).toBe(true);
  });

  it('covers every code of the graph table', () => {
    const graphCodes = Object.keys(PROBLEMS).filter((c) => c >= 'CW006' && c < 'CW080' && !['CW007', 'CW008'].includes(c));
    const tested = new Set(cases.map((c) => c.code));
    expect(graphCodes.filter((c) => !tested.has(c))).toEqual([]);
  });
});

const withSlots = (g: Loose, op: Record<string, unknown>, inputs: string[], slots: (number | undefined)[]): void => {
  addOp(g, op, inputs);
  slots.forEach((slot, i) => { if (slot !== undefined) g.edges[6 + i].slot = slot; });
};

/** The registry's primitives (format 1 additions): slots, op fields, ties, zoneout. */
const registryCases: Case[] = [
  { name: 'sub with one input', mutate: (g) => withSlots(g, { op: 'sub' }, ['h'], [0]), code: 'CW140', path: 'nodes[6]', node: 'o' },
  { name: 'sub input without a slot', mutate: (g) => withSlots(g, { op: 'sub' }, ['h', 'h_new'], [0]), code: 'CW141', path: 'edges[7]', edge: 'e_o1', node: 'o' },
  { name: 'div input in slot 2', mutate: (g) => withSlots(g, { op: 'div' }, ['h', 'h_new'], [0, 2]), code: 'CW141', path: 'edges[7].slot', edge: 'e_o1' },
  { name: 'concat with a slot used twice', mutate: (g) => withSlots(g, { op: 'concat' }, ['h', 'h_new'], [0, 0]), code: 'CW142', path: 'edges[7].slot', edge: 'e_o1' },
  { name: 'slot on an edge into a gate', mutate: (g) => { g.edges[0].slot = 0; }, code: 'CW143', path: 'edges[0].slot', edge: 'e_xh' },
  { name: 'scale without factor', mutate: (g) => addOp(g, { op: 'scale' }, ['h']), code: 'CW144', path: 'nodes[6].factor', node: 'o' },
  { name: 'dropout with p = 1', mutate: (g) => addOp(g, { op: 'dropout', p: 1 }, ['h']), code: 'CW144', path: 'nodes[6].p', node: 'o' },
  { name: 'layer_norm with eps 0', mutate: (g) => addOp(g, { op: 'layer_norm', eps: 0 }, ['h']), code: 'CW144', path: 'nodes[6].eps', node: 'o' },
  { name: 'slice beyond its input', mutate: (g) => addOp(g, { op: 'slice', start: 2, size: 2 }, ['h']), code: 'CW145', path: 'nodes[6]', node: 'o' },
  { name: 'slice without size', mutate: (g) => addOp(g, { op: 'slice', start: 0 }, ['h']), code: 'CW145', path: 'nodes[6]', node: 'o' },
  { name: 'concat declaring the wrong size', mutate: (g) => withSlots(g, { op: 'concat', size: 5 }, ['h', 'h_new'], [0, 1]), code: 'CW146', path: 'nodes[6].size', node: 'o' },
  { name: 'tie to an unknown edge', mutate: (g) => { g.edges[0].tie = 'nope'; }, code: 'CW147', path: 'edges[0].tie', edge: 'e_xh' },
  { name: 'tie to an identity edge', mutate: (g) => { g.edges[0].tie = 'e_hc'; }, code: 'CW148', path: 'edges[0].tie', edge: 'e_xh' },
  { name: 'tie to itself', mutate: (g) => { g.edges[0].tie = 'e_xh'; }, code: 'CW148', path: 'edges[0].tie', edge: 'e_xh' },
  { name: 'tie chain', mutate: (g) => { g.edges[0].tie = 'e_hh'; g.edges[1].tie = 'e_hy'; }, code: 'CW148', path: 'edges[0].tie', edge: 'e_xh' },
  { name: 'tie between different shapes', mutate: (g) => { g.edges[0].tie = 'e_hh'; }, code: 'CW149', path: 'edges[0].tie', edge: 'e_xh' },
  { name: 'tie between weight kinds', mutate: (g) => { g.edges[1].weight = 'diagonal'; g.edges.push({ id: 'e_hh2', source: 'h', target: 'h_new', tie: 'e_hh' }); }, code: 'CW149', path: 'edges[6].tie', edge: 'e_hh2' },
  { name: 'parameter of a tied edge', mutate: (g) => { g.edges.push({ id: 'e_hh2', source: 'h', target: 'h_new', tie: 'e_hh' }); setParam(g, 'edge:e_hh2', { shape: [3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9] }); }, code: 'CW063', path: 'parameters["edge:e_hh2"]', edge: 'e_hh2', severity: 'warning' },
  { name: 'gain of a layer_norm without affine', mutate: (g) => { addOp(g, { op: 'layer_norm', affine: false }, ['h']); setParam(g, 'gain:o', { shape: [3], data: [1, 1, 1] }); }, code: 'CW063', path: 'parameters["gain:o"]', node: 'o', severity: 'warning' },
  { name: 'shift of the wrong shape', mutate: (g) => { addOp(g, { op: 'layer_norm' }, ['h']); setParam(g, 'shift:o', { shape: [2], data: [1, 1] }); }, code: 'CW065', path: 'parameters["shift:o"].shape', node: 'o' },
  { name: 'zoneout of 1.5', mutate: (g) => { g.nodes[2].zoneout = 1.5; }, code: 'CW150', path: 'nodes[2].zoneout', node: 'h' },
  { name: 'zoneout not a number', mutate: (g) => { g.nodes[2].zoneout = 'high'; }, code: 'CW016', path: 'nodes[2].zoneout', node: 'h' },
];

describe('validateGraph on the registry\'s primitives', () => {
  it.each(registryCases)('$name → $code at $path', (c) => {
    const problems = validateGraph(broken(c.mutate));
    const match = problems.find((p) => p.code === c.code && p.path === c.path);
    expect(match, `got:\n${problems.map((p) => `${p.code} ${p.path} ${p.message}`).join('\n')}`).toBeDefined();
    if (!match) return;
    expect(match.severity).toBe(c.severity ?? 'error');
    if (c.node !== undefined) expect(match.node).toBe(c.node);
    if (c.edge !== undefined) expect(match.edge).toBe(c.edge);
    expect(match.hint?.length ?? 0).toBeGreaterThan(10);
  });

  it('covers every code of the range CW140–CW169 that exists', () => {
    const codes = Object.keys(PROBLEMS).filter((c) => c >= 'CW140' && c <= 'CW169');
    const tested = new Set(registryCases.map((c) => c.code));
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((c) => !tested.has(c))).toEqual([]);
  });

  it('an unknown op or activation is refused naming the node and the name', () => {
    const p = validateGraph(broken((g) => addOp(g, { op: 'pow' }, ['h']))).find((x) => x.code === 'CW015');
    expect(p?.node).toBe('o');
    expect(p?.message).toContain('"pow"');
    for (const op of ['sub', 'div', 'layer_norm', 'concat', 'dropout']) expect(p?.hint).toContain(op);
  });

  it('accepts a target port reading a node, tied edges, zoneout and every new op', () => {
    const ok = broken((g) => {
      g.nodes[2].zoneout = 0.2;
      g.edges.push({ id: 'e_hh2', source: 'h', target: 'h_new', tie: 'e_hh' });
      g.nodes.push({ id: 'c', kind: 'op', op: 'concat' }, { id: 's', kind: 'op', op: 'slice', start: 1, size: 2 }, { id: 'y2', kind: 'gate', size: 2, activation: 'gelu' }, { id: 'L2', kind: 'loss', loss: 'mse' });
      g.edges.push(
        { id: 'e_c0', source: 'h', target: 'c', slot: 1 }, { id: 'e_c1', source: 'x', target: 'c', slot: 0 },
        { id: 'e_cs', source: 'c', target: 's' }, { id: 'e_sy', source: 's', target: 'y2' },
        { id: 'e_p2', source: 'y2', target: 'L2', port: 'prediction' }, { id: 'e_t2', source: 'y', target: 'L2', port: 'target' },
      );
    });
    expect(validateGraph(ok).filter((p) => p.severity === 'error')).toEqual([]);
    expect(inferSizes(ok).get('c')).toBe(5);
    expect(inferSizes(ok).get('s')).toBe(2);
  });
});

describe('messages say what is allowed and what was found', () => {
  it('lists the allowed activations for an unknown one', () => {
    const p = validateGraph(broken((g) => { g.nodes[1].activation = 'swish'; })).find((x) => x.code === 'CW015');
    expect(p?.message).toContain('"swish"');
    for (const a of ACTIVATIONS) expect(p?.hint).toContain(a);
  });

  it('names the key, the expected and the found shape of a misshapen parameter', () => {
    const p = validateGraph(broken((g) => setParam(g, 'edge:e_xh', { shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }))).find((x) => x.code === 'CW065');
    expect(p?.message).toBe('parameter "edge:e_xh" has shape [2, 3], expected [3, 2]');
  });

  it('names the sizes of an identity edge between different sizes', () => {
    const p = validateGraph(broken((g) => { g.edges[0].weight = 'identity'; })).find((x) => x.code === 'CW033');
    expect(p?.message).toContain('"x" (size 2)');
    expect(p?.message).toContain('"h_new" (size 3)');
  });
});

describe('algebraic loops', () => {
  const chain = (): Loose => broken((g) => {
    g.nodes.push(
      { id: 'a', kind: 'gate', size: 3, activation: 'tanh' },
      { id: 'b', kind: 'op', op: 'add' },
      { id: 'c', kind: 'gate', size: 3, activation: 'relu' },
    );
    g.edges.push(
      { id: 'e_ab', source: 'a', target: 'b' },
      { id: 'e_bc', source: 'b', target: 'c', weight: 'full' },
      { id: 'e_ca', source: 'c', target: 'a' },
      { id: 'e_ay', source: 'a', target: 'y' },
    );
  }) as unknown as Loose;

  it('names the nodes of the cycle in order, once', () => {
    const loops = validateGraph(chain() as unknown as Graph).filter((p) => p.code === 'CW050');
    expect(loops).toHaveLength(1);
    expect(loops[0].nodes).toEqual(['a', 'b', 'c']);
    expect(loops[0].message).toContain('a → b → c → a');
    expect(loops[0].path).toBe('edges[6]');
    expect(loops[0].edge).toBe('e_ab');
  });

  it('reports two separate loops separately', () => {
    const g = chain();
    g.edges.push({ id: 'e_back', source: 'y', target: 'h_new' });
    const loops = validateGraph(g as unknown as Graph).filter((p) => p.code === 'CW050');
    expect(loops.map((p) => p.nodes)).toEqual([['h_new', 'y'], ['a', 'b', 'c']]);
  });

  it('accepts a cycle through a cell', () => {
    const g = chain();
    g.nodes.push({ id: 'm', kind: 'cell', size: 3 });
    const ca = g.edges.find((e) => e.id === 'e_ca');
    if (ca) ca.target = 'm';
    g.edges.push({ id: 'e_ma', source: 'm', target: 'a' });
    expect(validateGraph(g as unknown as Graph).filter((p) => p.severity === 'error')).toEqual([]);
  });
});

describe('robustness', () => {
  it('never throws on garbage and says what is wrong', () => {
    const garbage: unknown[] = [
      null, undefined, 0, 'graph', [], [1, 2], { nodes: null, edges: 5 },
      { format: 'cellwright-graph', version: 1, nodes: [null, 1, 'a', [], { id: null, kind: 3 }], edges: [{ id: 1, source: 2, target: {} }] },
      { format: 'cellwright-graph', version: 1, nodes: [{ id: 'a', kind: 'op', op: 'add' }], edges: [{ id: 'e', source: 'a', target: 'a' }], parameters: { 'edge:e': null, 'bias:a': { shape: 'x', data: 2 } } },
    ];
    for (const g of garbage) {
      let problems: Problem[] = [];
      expect(() => { problems = validateGraph(g as Graph); }).not.toThrow();
      expect(errors(problems).length).toBeGreaterThan(0);
      expect(problems.filter((p) => p.code === 'CW099')).toEqual([]);
    }
  });

  it('reports every problem, not just the first', () => {
    const g = broken((g) => {
      g.nodes[0].size = 0;
      g.nodes[1].activation = 'swish';
      g.edges[0].target = 'nope';
    });
    const codes = validateGraph(g).map((p) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['CW014', 'CW015', 'CW031']));
  });
});
