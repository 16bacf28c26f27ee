/**
 * Property tests: whatever loadGraph and validateGraph are given, they never
 * throw; every mutation that breaks a valid graph yields at least one error;
 * unknown fields never break one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, INIT_KINDS, LOSSES, NODE_KINDS, OPS, WEIGHT_KINDS } from '../meta.ts';
import { loadGraph, loadGraphText, serializeGraph } from './parse.ts';
import { PORTS } from './schema.ts';
import { hasErrors, inferSizes, validateGraph } from './validate.ts';
import type { Graph, Problem } from './types.ts';
import { smallElman } from '../testing/fixtures.ts';

type Obj = Record<string, unknown>;
interface Doc extends Obj { nodes: Obj[]; edges: Obj[] }

const elman = (): Doc => smallElman() as unknown as Doc;

const REQUIRED: Record<string, string[]> = {
  input: ['id', 'kind', 'size'],
  target: ['id', 'kind', 'size'],
  cell: ['id', 'kind', 'size'],
  gate: ['id', 'kind', 'size', 'activation'],
  loss: ['id', 'kind', 'loss'],
};
const ENUMS: Record<string, readonly string[]> = { kind: NODE_KINDS, activation: ACTIVATIONS, loss: LOSSES, op: OPS };
const EDGE_ENUMS: Record<string, readonly string[]> = { weight: WEIGHT_KINDS, init: INIT_KINDS, port: PORTS };

/** Values that are never valid for a string or size field. */
const notAStringOrSize = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ max: 0 }),
  fc.double({ noInteger: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
);

const nodeIndex = fc.integer({ min: 0, max: 5 });
const edgeIndex = fc.integer({ min: 0, max: 5 });

type Mutation = { what: string; apply: (g: Doc) => void };

const breaking: fc.Arbitrary<Mutation> = fc.oneof(
  // delete a required node field
  fc.tuple(nodeIndex, fc.nat()).map(([i, k]): Mutation => ({
    what: `delete a required field of node ${i}`,
    apply: (g) => {
      const fields = REQUIRED[g.nodes[i].kind as string];
      delete g.nodes[i][fields[k % fields.length]];
    },
  })),
  // delete a required edge field
  fc.tuple(edgeIndex, fc.constantFrom('id', 'source', 'target')).map(([i, f]): Mutation => ({
    what: `delete ${f} of edge ${i}`,
    apply: (g) => { delete g.edges[i][f]; },
  })),
  // wrong type of a required field
  fc.tuple(nodeIndex, fc.nat(), notAStringOrSize).map(([i, k, v]): Mutation => ({
    what: `node ${i}: a required field := ${fc.stringify(v)}`,
    apply: (g) => {
      const fields = REQUIRED[g.nodes[i].kind as string];
      g.nodes[i][fields[k % fields.length]] = v;
    },
  })),
  fc.tuple(edgeIndex, fc.constantFrom('id', 'source', 'target'), notAStringOrSize).map(([i, f, v]): Mutation => ({
    what: `edge ${i}: ${f} := ${fc.stringify(v)}`,
    apply: (g) => { g.edges[i][f] = v; },
  })),
  // random strings as kinds and enum values
  fc.tuple(nodeIndex, fc.constantFrom('kind', 'activation', 'loss', 'op'), fc.string()).map(([i, f, s]): Mutation => ({
    what: `node ${i}: ${f} := ${JSON.stringify(s)}`,
    apply: (g) => {
      const n = g.nodes[i];
      // activation only matters on a gate, loss on a loss: aim the field where it is read
      const field = f === 'kind' || (f === 'activation' && n.kind === 'gate') || (f === 'loss' && n.kind === 'loss') ? f : 'kind';
      n[field] = ENUMS[field].includes(s) ? `${s}?` : s;
    },
  })),
  fc.tuple(edgeIndex, fc.constantFrom('weight', 'init', 'port'), fc.string()).map(([i, f, s]): Mutation => ({
    what: `edge ${i}: ${f} := ${JSON.stringify(s)}`,
    apply: (g) => { g.edges[i][f] = EDGE_ENUMS[f].includes(s) ? `${s}?` : s; },
  })),
  // duplicate ids
  fc.tuple(nodeIndex, nodeIndex).filter(([a, b]) => a !== b).map(([a, b]): Mutation => ({
    what: `node ${b} takes the id of node ${a}`,
    apply: (g) => { g.nodes[b].id = g.nodes[a].id; },
  })),
  fc.tuple(edgeIndex, edgeIndex).filter(([a, b]) => a !== b).map(([a, b]): Mutation => ({
    what: `edge ${b} takes the id of edge ${a}`,
    apply: (g) => { g.edges[b].id = g.edges[a].id; },
  })),
  // dangling edges
  fc.tuple(edgeIndex, fc.constantFrom('source', 'target'), fc.string()).map(([i, f, s]): Mutation => ({
    what: `edge ${i}: ${f} := ${JSON.stringify(s)} (dangling)`,
    apply: (g) => { g.edges[i][f] = g.nodes.some((n) => n.id === s) ? `${s}#missing` : s; },
  })),
  // remove a node (its edges dangle) or an edge that a cell or loss needs
  nodeIndex.map((i): Mutation => ({ what: `remove node ${i}`, apply: (g) => { g.nodes.splice(i, 1); } })),
  fc.constantFrom(2, 4, 5).map((i): Mutation => ({ what: `remove edge ${i}`, apply: (g) => { g.edges.splice(i, 1); } })),
  // a loop around a non-cell
  fc.constant<Mutation>({ what: 'feedback y → h_new', apply: (g) => { g.edges.push({ id: 'e_back', source: 'y', target: 'h_new' }); } }),
);

/** Unknown fields: never an error. */
const unknownKey = fc.string({ minLength: 1 }).filter((k) => !['id', 'kind', 'size', 'activation', 'bias', 'op', 'loss', 'steps', 'initial', 'reverse', 'label', 'position',
  'source', 'target', 'weight', 'init', 'initScale', 'trainable', 'port', 'format', 'version', 'name', 'description', 'nodes', 'edges', 'parameters', 'task', 'training',
  '__proto__', 'constructor'].includes(k));
const harmless: fc.Arbitrary<Mutation> = fc.tuple(fc.constantFrom('top', 'node', 'edge'), fc.nat({ max: 5 }), unknownKey, fc.jsonValue()).map(([where, i, key, value]): Mutation => ({
  what: `${where}[${i}].${key} := ${JSON.stringify(value)}`,
  apply: (g) => {
    const target = where === 'top' ? g : where === 'node' ? g.nodes[i] : g.edges[i];
    target[key] = value;
  },
}));

function check(doc: unknown): Problem[] {
  const r = loadGraph(doc);
  if (!r.ok) return r.problems;
  return [...r.problems, ...validateGraph(r.graph)];
}

describe('loadGraph + validateGraph under fire', () => {
  it('the unmutated graph is valid', () => {
    expect(check(elman())).toEqual([]);
  });

  it('never throw on random values', () => {
    fc.assert(fc.property(fc.anything({ withNullPrototype: true, withMap: true, withSet: true, withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true }), (v) => {
      const problems = check(v);
      inferSizes(v as Graph);
      expect(problems.some((p) => p.code === 'CW099')).toBe(false);
    }), { numRuns: 300 });
  });

  it('never throw on graphs of random nodes, edges and parameters', () => {
    const item = fc.oneof(
      fc.anything(),
      fc.record({
        id: fc.oneof(fc.constantFrom('a', 'b', 'c', ''), fc.anything()),
        kind: fc.oneof(fc.constantFrom(...NODE_KINDS), fc.anything()),
        source: fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.anything()),
        target: fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.anything()),
        size: fc.oneof(fc.integer({ min: -2, max: 4 }), fc.anything()),
        op: fc.constantFrom(...OPS), loss: fc.constantFrom(...LOSSES), activation: fc.constantFrom(...ACTIVATIONS),
        weight: fc.constantFrom(...WEIGHT_KINDS), port: fc.constantFrom(...PORTS, 'x'),
      }, { requiredKeys: [] }),
    );
    const params = fc.dictionary(fc.oneof(fc.constantFrom('edge:a', 'bias:b', 'init:c', 'edge:e0'), fc.string()),
      fc.oneof(fc.anything(), fc.record({ shape: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }), data: fc.array(fc.oneof(fc.double(), fc.anything()), { maxLength: 8 }) })));
    fc.assert(fc.property(fc.array(item, { maxLength: 8 }), fc.array(item, { maxLength: 8 }), fc.option(params), (nodes, edges, parameters) => {
      const doc: Obj = { format: 'cellwright-graph', version: 1, nodes, edges };
      if (parameters !== null) doc.parameters = parameters;
      const problems = check(doc);
      inferSizes(doc as Graph);
      expect(problems.some((p) => p.code === 'CW099')).toBe(false);
      for (const p of problems) expect(typeof p.path).toBe('string');
    }), { numRuns: 400 });
  });

  it('report at least one error for every mutation that breaks a valid graph', () => {
    fc.assert(fc.property(breaking, fc.array(harmless, { maxLength: 3 }), (m, noise) => {
      const g = elman();
      for (const n of noise) n.apply(g);
      m.apply(g);
      const problems = check(g);
      expect(hasErrors(problems), `${m.what} gave ${JSON.stringify(problems.map((p) => p.code))}`).toBe(true);
      expect(problems.some((p) => p.code === 'CW099')).toBe(false);
    }), { numRuns: 500 });
  });

  it('keep a graph with unknown fields valid, and round-trip it', () => {
    fc.assert(fc.property(fc.array(harmless, { minLength: 1, maxLength: 5 }), (noise) => {
      const g = elman();
      for (const n of noise) n.apply(g);
      expect(check(g).filter((p) => p.severity === 'error')).toEqual([]);
      const text = serializeGraph(g as unknown as Graph);
      const again = loadGraphText(text);
      expect(again.ok).toBe(true);
      if (again.ok) expect(serializeGraph(again.graph)).toBe(text);
    }), { numRuns: 200 });
  });

  it('never throw on damaged JSON text', () => {
    const text = serializeGraph(elman() as unknown as Graph);
    fc.assert(fc.property(fc.nat({ max: text.length - 1 }), fc.nat({ max: 5 }), fc.string({ maxLength: 3 }), (at, cut, insert) => {
      const damaged = text.slice(0, at) + insert + text.slice(at + cut);
      const r = loadGraphText(damaged);
      if (!r.ok) {
        expect(r.problems.length).toBeGreaterThan(0);
        if (r.problems[0].code === 'CW001') expect(r.problems[0].message).toMatch(/line \d+, column \d+/);
      } else {
        validateGraph(r.graph);
      }
    }), { numRuns: 300 });
  });
});
