/**
 * Fuzzing with hostile and damaged graph files (issue 12, "Done when"):
 * thousands of files made from the examples — fields deleted, duplicated or
 * given the wrong type, huge numbers, ids such as `__proto__` or
 * `"""; __import__('os')…`, truncated text, flipped and random bytes — go
 * through what a user's file meets: `check` (parse + validate + compile),
 * `grad` (on a small data file), the PyTorch export generator (the text only),
 * the ONNX export and the editor's loader (the renderer's loadGraphText, its problem index
 * and the canvas derivation). Nothing may throw but GraphError (or
 * TorchExportError from the exporter); no problem is an internal error
 * (CW099); every problem says where (a JSON path, a node or an edge, or a
 * line and column); no run allocates past the limits.
 *
 * Seeded: a failure prints its seed and path, and replays.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphError } from '../engine/compile.ts';
import { TorchExportError, exportTorch } from '../engine/export/torch.ts';
import { exportOnnx } from '../engine/export/onnx.ts';
import { ImportError } from '../engine/import/types.ts';
import type { DataFile, Graph, Problem, TensorJSON } from '../engine/format/types.ts';
import { hasErrors } from '../engine/format/validate.ts';
import { compileAny as compile, inferSizesAny as inferSizes, validateAny as validateGraph } from '../engine/layers/index.ts';
import { gradReport } from '../engine/grad.ts';
import type { Limits } from '../engine/limits.ts';
import { estimateRun } from '../engine/limits.ts';
import { HOSTILE_STRINGS } from './torch/graphs.ts';
import { blockCell } from '../engine/blocks/example.ts';
import { createEdgeDeriver, createNodeDeriver } from '../renderer/canvas/derive.ts';
import { loadGraphText as loadEditorText } from '../renderer/doc/engine.ts';
import { loadGraphText } from '../engine/format/parse.ts';
import { indexProblems } from '../renderer/store/validation.ts';

const EXAMPLES = resolve(import.meta.dirname, '../assets/examples');
const texts = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json') && !f.endsWith('.data.json')).sort()
  .map((f) => readFileSync(join(EXAMPLES, f), 'utf8'));
// … and graphs with blocks (docs/blocks.md): one used twice with tied weights, one with a trained parameter.
const docs = [...texts.map((t) => JSON.parse(t) as unknown), blockCell({ x: 1, h: 3, y: 1, tied: true }) as unknown,
  { ...blockCell({ x: 2, h: 2, y: 1 }), parameters: { 'bias:f/g': { shape: [2], data: [0.5, -0.5] } } } as unknown];

/** Small limits, so that no fuzzed run can allocate much (the refusals are what is tested). */
const LIMITS: Partial<Limits> = { maxMemoryMB: 32 };
const SEED = 20_261_201;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Segment = string | number;

/** Every path in a JSON value (containers included), in a stable order. */
function paths(value: Json, prefix: Segment[] = [], out: Segment[][] = []): Segment[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const k of Object.keys(value)) paths(value[k], [...prefix, k], out);
  return out;
}

function parentOf(root: Json, path: Segment[]): { parent: Json; key: Segment } | null {
  if (path.length === 0) return null;
  let cur: Json = root;
  for (const seg of path.slice(0, -1)) cur = (cur as Record<string, Json>)[seg as string];
  return { parent: cur, key: path[path.length - 1] };
}

/** Sets a key as an own property whatever it is (`__proto__` included). */
function put(target: Json, key: Segment, value: Json): void {
  Object.defineProperty(target as object, key, { value, enumerable: true, writable: true, configurable: true });
}

const hostileValues: Json[] = [
  null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53, 1e9, 1e7, 4096, '', 'x', '__proto__', [], {}, [[[]]], { __proto__: null } as Json,
  ...HOSTILE_STRINGS,
];

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'set'; at: number; value: Json }
  | { kind: 'duplicate'; at: number }
  | { kind: 'size'; at: number; value: number }
  | { kind: 'rename'; at: number; to: string }
  | { kind: 'element'; list: 'nodes' | 'edges'; at: number; field: string | null; value: Json | undefined };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(...hostileValues) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('size' as const), at: fc.nat(), value: fc.constantFrom(0, -3, 1.5, 1e3, 1e6, 2e6, 1e9, 1e300) }),
  fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), to: fc.constantFrom(...HOSTILE_STRINGS, 'hasOwnProperty', 'valueOf') }),
  // a node or an edge replaced by something that is not one, or (undefined) deleted
  fc.record({
    kind: fc.constant('element' as const), list: fc.constantFrom('nodes' as const, 'edges' as const), at: fc.nat(),
    field: fc.constant(null), value: fc.constantFrom<Json | undefined>(undefined, null, 0, 'x', [], {}, true),
  }),
  // one field of a node or an edge replaced or (undefined) deleted
  fc.record({
    kind: fc.constant('element' as const), list: fc.constantFrom('nodes' as const, 'edges' as const), at: fc.nat(),
    field: fc.constantFrom('id', 'kind', 'size', 'source', 'target', 'position', 'label', 'weight', 'port', 'activation', 'op', 'loss', 'init', 'initial'),
    value: fc.constantFrom(undefined, ...hostileValues),
  }),
);

/** Renames a node id everywhere it is used (edges, parameter keys), so the graph stays valid with a hostile id. */
function renameNode(doc: Record<string, Json>, from: string, to: string): void {
  const isObject = (x: unknown): x is Record<string, Json> => x !== null && typeof x === 'object' && !Array.isArray(x);
  const nodes = (doc.nodes as Json[]).filter(isObject);
  if (nodes.some((n) => n.id === to)) return;
  for (const n of nodes) if (n.id === from) n.id = to;
  for (const e of (doc.edges as Json[]).filter(isObject)) {
    if (e.source === from) e.source = to;
    if (e.target === from) e.target = to;
  }
  // A block instance tied to the renamed one (docs/blocks.md).
  for (const n of nodes) if (n.kind === 'block' && n.tie === from) n.tie = to;
  const params = doc.parameters as Record<string, Json> | undefined;
  if (params) {
    const renamed: Record<string, Json> = {};
    const rename = (k: string): string => {
      if (k === `bias:${from}`) return `bias:${to}`;
      if (k === `init:${from}`) return `init:${to}`;
      // A layer's nested parameters are keyed under its id (docs/layers.md).
      if (k.startsWith(`layer:${from}/`)) return `layer:${to}/${k.slice(`layer:${from}/`.length)}`;
      // A block instance's inner parameters too (docs/blocks.md): edge:<instance>/<edge>, bias:<instance>/<node>.
      const colon = k.indexOf(':');
      if (k.startsWith(`${from}/`, colon + 1)) return `${k.slice(0, colon + 1)}${to}/${k.slice(colon + 2 + from.length)}`;
      return k;
    };
    for (const [k, v] of Object.entries(params)) put(renamed, rename(k), v);
    doc.parameters = renamed;
  }
}

function mutate(original: unknown, muts: Mutation[]): Json {
  const doc = structuredClone(original) as Json;
  for (const m of muts) {
    const all = paths(doc);
    const path = all[m.at % all.length];
    const place = parentOf(doc, path);
    switch (m.kind) {
      case 'delete':
        if (place && Array.isArray(place.parent)) place.parent.splice(place.key as number, 1);
        else if (place) delete (place.parent as Record<string, Json>)[place.key as string];
        break;
      case 'set':
        if (place) put(place.parent, place.key, structuredClone(m.value));
        break;
      case 'duplicate':
        if (place && Array.isArray(place.parent)) place.parent.push(structuredClone(place.parent[place.key as number]));
        break;
      case 'size': {
        const nodes = (doc as Record<string, Json>).nodes;
        if (Array.isArray(nodes) && nodes.length > 0) {
          const n = nodes[m.at % nodes.length];
          if (n !== null && typeof n === 'object' && !Array.isArray(n)) n.size = m.value;
        }
        break;
      }
      case 'rename': {
        const d = doc as Record<string, Json>;
        if (Array.isArray(d.nodes) && Array.isArray(d.edges) && d.nodes.length > 0) {
          const n = d.nodes[m.at % d.nodes.length] as Record<string, Json> | null;
          if (n && typeof n === 'object' && typeof n.id === 'string') renameNode(d, n.id, m.to);
        }
        break;
      }
      case 'element': {
        const list = (doc as Record<string, Json>)[m.list];
        if (!Array.isArray(list) || list.length === 0) break;
        const i = m.at % list.length;
        const el = list[i];
        if (m.field === null) {
          if (m.value === undefined) list.splice(i, 1);
          else list[i] = structuredClone(m.value);
        } else if (el !== null && typeof el === 'object' && !Array.isArray(el)) {
          if (m.value === undefined) delete el[m.field];
          else put(el, m.field, structuredClone(m.value));
        }
        break;
      }
      default: {
        const never: never = m;
        void never;
      }
    }
  }
  return doc;
}

const textDamage = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }), ch: fc.constantFrom('"', '\\', '{', ']', ',', '\n', 'N', '\u0000', '\u2028', '9') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('none' as const) }) },
);

type Damage = { kind: 'truncate'; at: number } | { kind: 'flip'; at: number[]; ch: string } | { kind: 'none' };

function damage(text: string, d: Damage): string {
  switch (d.kind) {
    case 'truncate': return text.slice(0, Math.floor(d.at * text.length));
    case 'flip': {
      const chars = [...text];
      for (const a of d.at) chars[Math.floor(a * (chars.length - 1))] = d.ch;
      return chars.join('');
    }
    case 'none': return text;
  }
}

/** Problems whose place is the whole file may have no path; they give a line and column or describe the file. */
const WHOLE_FILE = new Set(['CW001', 'CW002', 'CW117']);

function expectWellFormed(problems: Problem[], context: string): void {
  for (const p of problems) {
    expect(p.code, `${context}: internal error ${p.message}`).not.toBe('CW099');
    expect(typeof p.message).toBe('string');
    expect(p.message.length).toBeGreaterThan(0);
    const where = p.path !== '' || p.node !== undefined || p.edge !== undefined || WHOLE_FILE.has(p.code);
    expect(where, `${context}: ${p.code} "${p.message}" says nowhere`).toBe(true);
  }
}

/** A small data file for a compiled graph: T = 3, B = 2, values from a fixed pattern. */
function smallData(graph: Graph): DataFile {
  const p = compile(graph, { limits: LIMITS });
  const T = 3;
  const B = 2;
  const stream = (size: number, k: number): TensorJSON => ({ shape: [T, B, size], data: Array.from({ length: T * B * size }, (_, i) => ((i * 7 + k) % 10) / 10) });
  const inputs: Record<string, TensorJSON> = {};
  const targets: Record<string, TensorJSON> = {};
  p.inputs.forEach((i, k) => put(inputs as Json, p.nodes[i].id, stream(p.nodes[i].size, k) as unknown as Json));
  p.targets.forEach((i, k) => put(targets as Json, p.nodes[i].id, stream(p.nodes[i].size, k + 3) as unknown as Json));
  return { inputs, targets };
}

/** What a user's file goes through; returns what happened, for the coverage check. */
function throughEverything(text: string, context: string): 'refused' | 'invalid' | 'valid' {
  // The editor's loader: a document it can draw, or why not; then its problem index and canvas derivation.
  const opened = loadEditorText(text, { limits: LIMITS, drawable: true });
  expectWellFormed(opened.problems, context);
  if (opened.ok) {
    const problems = validateGraph(opened.graph, { limits: LIMITS });
    const index = indexProblems(opened.graph, problems);
    createNodeDeriver()({ graph: opened.graph, problems: index, sizes: inferSizes(opened.graph), selected: new Set(), measured: new Map(), dragging: null });
    createEdgeDeriver()({ graph: opened.graph, problems: index, selected: new Set() });
  }

  // check: parse, validate, compile.
  const loaded = loadGraphText(text, { limits: LIMITS });
  expectWellFormed(loaded.problems, context);
  if (!loaded.ok) return 'refused';
  const graph = loaded.graph;
  const problems = validateGraph(graph, { limits: LIMITS });
  expectWellFormed(problems, context);

  if (hasErrors(problems)) {
    expect(() => compile(graph, { limits: LIMITS }), context).toThrow(GraphError);
    return 'invalid';
  }
  // grad on small shapes: a result or a GraphError (a run over the limits), nothing else.
  try {
    const data = smallData(graph);
    const est = estimateRun(compile(graph, { limits: LIMITS }), { T: 3, B: 2 });
    if (est.bytes > 32 * 1024 * 1024) expect(() => gradReport(graph, data, { limits: LIMITS }), context).toThrow(GraphError);
    else expect(typeof gradReport(graph, data, { limits: LIMITS }).loss).toBe('number');
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    expectWellFormed(e.problems, context);
  }
  // The export generator: text, or TorchExportError; the text has no raw line break of another kind and no NUL.
  try {
    const { files } = exportTorch(graph);
    for (const ch of ['\r', '\u2028', '\u2029', '\u0085', '\u0000']) expect(files['model.py'].includes(ch), context).toBe(false);
  } catch (e) {
    if (!(e instanceof TorchExportError)) throw e;
  }
  // The ONNX export (layers included): bytes, or a CW220 refusal that says what and where.
  try {
    expect(exportOnnx(graph).bytes.length, context).toBeGreaterThan(0);
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    expect(e.problem.code, context).toBe('CW220');
  }
  return 'valid';
}

describe('hostile and damaged graph files', () => {
  it('mutated examples (fields deleted, duplicated, wrong types, huge sizes, hostile ids) then damaged text', () => {
    const seen = { refused: 0, invalid: 0, valid: 0 };
    fc.assert(
      fc.property(fc.nat({ max: docs.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), textDamage, (which, muts, dmg) => {
        const text = damage(JSON.stringify(mutate(docs[which], muts), null, 1), dmg);
        seen[throughEverything(text, `example ${which}, ${JSON.stringify(muts)}, ${JSON.stringify(dmg)}`)]++;
      }),
      { seed: SEED, numRuns: 1200 },
    );
    // The fuzzing reached every stage, not only the parser.
    expect(seen.refused).toBeGreaterThan(50);
    expect(seen.invalid).toBeGreaterThan(50);
    expect(seen.valid).toBeGreaterThan(50);
  });

  it('examples whose node ids are all hostile still check, run, export and load in the editor', () => {
    fc.assert(
      fc.property(fc.nat({ max: docs.length - 1 }), fc.array(fc.record({ at: fc.nat(), to: fc.constantFrom(...HOSTILE_STRINGS) }), { minLength: 1, maxLength: 8 }), (which, renames) => {
        const doc = structuredClone(docs[which]) as Record<string, Json>;
        for (const r of renames) {
          const nodes = doc.nodes as Record<string, Json>[];
          renameNode(doc, nodes[r.at % nodes.length].id as string, r.to);
        }
        expect(throughEverything(JSON.stringify(doc), `example ${which} renamed ${JSON.stringify(renames)}`)).toBe('valid');
      }),
      { seed: SEED + 1, numRuns: 200 },
    );
  });

  it('random text, random JSON and deep nesting are refused with a place', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 }), fc.nat({ max: 5000 }).map((n) => '['.repeat(n) + ']'.repeat(n % 3))), (text) => {
        throughEverything(text, `text ${JSON.stringify(text.slice(0, 80))}`);
      }),
      { seed: SEED + 2, numRuns: 1000 },
    );
  });
});
