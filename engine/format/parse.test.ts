import { describe, expect, it } from 'vitest';
import { loadGraph, loadGraphText, locateJsonError, serializeGraph } from './parse.ts';
import { migrateDoc } from './migrate.ts';
import type { MigrationStep } from './migrate.ts';
import { validateGraph } from './validate.ts';
import { problem } from '../errors.ts';

/** A valid file with unknown fields everywhere, written with 2-space indentation. */
const FILE = `{
  "format": "cellwright-graph",
  "version": 1,
  "name": "Elman",
  "editor": {
    "zoom": 1.5,
    "theme": "dark"
  },
  "nodes": [
    {
      "id": "x",
      "kind": "input",
      "size": 2,
      "position": {
        "x": 0,
        "y": 40,
        "locked": true
      },
      "color": "#ff0000"
    },
    {
      "note": "the hidden state",
      "id": "h_new",
      "kind": "gate",
      "size": 3,
      "activation": "tanh"
    },
    {
      "id": "h",
      "kind": "cell",
      "size": 3
    },
    {
      "id": "y",
      "kind": "gate",
      "size": 2,
      "activation": "identity"
    },
    {
      "id": "y_t",
      "kind": "target",
      "size": 2
    },
    {
      "id": "L",
      "kind": "loss",
      "loss": "mse"
    }
  ],
  "edges": [
    {
      "id": "e_xh",
      "source": "x",
      "target": "h_new",
      "curve": "bezier",
      "waypoints": [
        {
          "x": 1,
          "y": 2
        }
      ]
    },
    {
      "id": "e_hh",
      "source": "h",
      "target": "h_new"
    },
    {
      "id": "e_hc",
      "source": "h_new",
      "target": "h"
    },
    {
      "id": "e_hy",
      "source": "h_new",
      "target": "y"
    },
    {
      "id": "e_p",
      "source": "y",
      "target": "L",
      "port": "prediction"
    },
    {
      "id": "e_t",
      "source": "y_t",
      "target": "L",
      "port": "target"
    }
  ],
  "parameters": {
    "bias:h_new": {
      "shape": [
        3
      ],
      "data": [
        0.5,
        -0.25,
        1e-7
      ],
      "note": "hand-set"
    }
  },
  "training": {
    "optimizer": "adam",
    "lr": 0.01
  },
  "zzz_last": null
}
`;

describe('load → serialize', () => {
  it('keeps every unknown field, byte for byte', () => {
    const r = loadGraphText(FILE);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.problems).toEqual([]);
    expect(validateGraph(r.graph)).toEqual([]);
    expect(serializeGraph(r.graph)).toBe(FILE);
  });

  it('for the editor (drawable), refuses nodes and edges it cannot draw, naming each', () => {
    const doc = { format: 'cellwright-graph', version: 1, nodes: [{ id: 'a', kind: 'blob' }, null, { kind: 'gate' }], edges: [{ id: 'e', source: 3, target: 'a' }] };
    const r = loadGraph(doc, { drawable: true });
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => [p.code, p.path])).toEqual([['CW010', 'nodes[1]'], ['CW011', 'nodes[2].id'], ['CW031', 'edges[0].source']]);
    // an unknown kind can be drawn (and is reported by validateGraph)
    expect(loadGraph({ ...doc, nodes: [doc.nodes[0]], edges: [] }, { drawable: true }).ok).toBe(true);
  });

  it('reads a file with a byte-order mark', () => {
    expect(loadGraphText(`\uFEFF${FILE}`).ok).toBe(true);
  });

  it('opens a graph with node errors, leaving them to validateGraph', () => {
    const r = loadGraph({ format: 'cellwright-graph', version: 1, nodes: [{ id: 'a', kind: 'blob' }, null], edges: [{ source: 3 }] });
    expect(r.ok).toBe(true);
    if (r.ok) expect(validateGraph(r.graph).map((p) => p.code)).toEqual(expect.arrayContaining(['CW013', 'CW010', 'CW011', 'CW031']));
  });
});

describe('the envelope', () => {
  it('refuses a file from a newer Cellwright', () => {
    const r = loadGraph({ format: 'cellwright-graph', version: 2, nodes: [], edges: [] });
    expect(r.ok).toBe(false);
    expect(r.problems[0].code).toBe('CW004');
    expect(r.problems[0].path).toBe('version');
    expect(r.problems[0].message).toContain('written by a newer Cellwright');
  });

  it('reads the version before anything else', () => {
    // nodes is broken too, but the version decides first
    const r = loadGraph({ format: 'cellwright-graph', version: 7, nodes: 'no' });
    expect(r.problems.map((p) => p.code)).toEqual(['CW004']);
  });

  it.each([
    ['missing version', { format: 'cellwright-graph', nodes: [], edges: [] }, 'CW003', 'version'],
    ['version as a string', { format: 'cellwright-graph', version: '1', nodes: [], edges: [] }, 'CW005', 'version'],
    ['version 0', { format: 'cellwright-graph', version: 0, nodes: [], edges: [] }, 'CW005', 'version'],
    ['version 1.5', { format: 'cellwright-graph', version: 1.5, nodes: [], edges: [] }, 'CW005', 'version'],
    ['another format', { format: 'onnx', version: 1, nodes: [], edges: [] }, 'CW002', 'format'],
    ['no format and no nodes', { version: 1, layers: [] }, 'CW002', 'format'],
    ['an array', [1, 2], 'CW002', ''],
    ['null', null, 'CW002', ''],
    ['nodes not an array', { format: 'cellwright-graph', version: 1, nodes: {}, edges: [] }, 'CW006', 'nodes'],
    ['edges missing', { format: 'cellwright-graph', version: 1, nodes: [] }, 'CW006', 'edges'],
  ])('refuses %s', (_name, json, code, path) => {
    const r = loadGraph(json);
    expect(r.ok).toBe(false);
    expect(r.problems.some((p) => p.code === code && p.path === path && p.severity === 'error')).toBe(true);
  });

  it('tolerates a missing format when nodes and edges are there, with a warning, and writes it first', () => {
    const r = loadGraph({ version: 1, nodes: [], edges: [], x: 1 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.problems.map((p) => [p.code, p.severity])).toEqual([['CW007', 'warning']]);
    expect(Object.keys(r.graph)).toEqual(['format', 'version', 'nodes', 'edges', 'x']);
    expect(r.graph.format).toBe('cellwright-graph');
  });
});

describe('bad JSON', () => {
  it.each([
    ['a missing comma', '{\n  "format": "cellwright-graph"\n  "version": 1\n}', 3, 3],
    ['a trailing comma', '{\n  "nodes": [1, 2,],\n  "edges": []\n}', 2, 18],
    ['a single-quoted key', "{\n  'format': 1\n}", 2, 3],
    ['an unterminated string', '{\n  "name": "abc\n}', 2, 15],
    ['an unclosed object', '{\n  "a": [1, 2]\n', 3, 1],
    ['garbage after the value', '{}\n\n  x', 3, 3],
    ['empty text', '', 1, 1],
    ['a bare word', '{"a": tru}', 1, 7],
  ])('reports line and column for %s', (_name, text, line, column) => {
    const r = loadGraphText(text);
    expect(r.ok).toBe(false);
    const p = r.problems[0];
    expect(p.code).toBe('CW001');
    expect(p.message).toContain(`line ${line}, column ${column}`);
  });

  it.each([
    ['a NaN in a parameter', '{"format": "cellwright-graph", "version": 1, "nodes": [], "edges": [],\n "parameters": {"edge:e_hf": {"shape": [4], "data": [0.1, 0.2, 0.3, NaN]}}}', 'parameters["edge:e_hf"].data[3]', 'NaN is not a JSON number', 2, 69],
    ['-Infinity in a size', '{"nodes": [{"id": "h", "size": -Infinity}]}', 'nodes[0].size', '-Infinity is not a JSON number', 1, 32],
    ['a missing comma between nodes', '{"nodes": [{"id": "a"} {"id": "b"}]}', 'nodes[0]', 'unexpected "{", expected "," or "]"', 1, 24],
    ['a file cut inside a node', '{"format": "cellwright-graph", "nodes": [{"id": "a"}, {"id": "b", "kind": "ga', 'nodes[1].kind', 'unterminated string (the file is truncated?)', 1, 78],
    ['a file cut after a key', '{"edges": [{"id": "e", "source":', 'edges[0].source', 'unexpected end of file (the file is truncated?), expected a value', 1, 33],
  ])('names the JSON path for %s', (_name, text, path, detail, line, column) => {
    const r = loadGraphText(text);
    expect(r.ok).toBe(false);
    const p = r.problems[0];
    expect(p).toMatchObject({ code: 'CW001', path });
    expect(p.message).toBe(`not valid JSON at line ${line}, column ${column}: ${detail}`);
  });

  it('refuses nesting deeper than the limit before parsing, with line and column', () => {
    const deep = `{"nodes": ${'['.repeat(100_000)}`;
    const r = loadGraphText(deep);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: 'CW117' });
    expect(r.problems[0].message).toContain('deeper than 256 levels (at line 1, column 266)');
    // the limit is an option
    expect(loadGraphText(`{"format": "cellwright-graph", "version": 1, "nodes": [], "edges": [], "x": ${'['.repeat(300)}${']'.repeat(300)}}`, { limits: { maxJsonDepth: 400 } }).ok).toBe(true);
  });

  it('survives very deep nesting', () => {
    const deep = `${'['.repeat(100_000)}x`;
    expect(locateJsonError(deep).offset).toBe(100_000);
  });
});

describe('migrations', () => {
  // a pretend future: 1 → 2 renames "edges" to "links", 2 → 3 adds a field
  const steps: MigrationStep[] = [
    { from: 2, to: 3, migrate: (doc) => ({ doc: { ...doc, three: Array.isArray(doc.links) }, problems: [] }) },
    {
      from: 1,
      to: 2,
      migrate: ({ edges, ...rest }) => ({
        doc: { ...rest, links: edges },
        problems: [problem('CW008', { from: 1, to: 2, note: '"edges" renamed to "links"' }, { path: 'edges' })],
      }),
    },
  ];

  it('runs the steps in version order, keeping unknown fields', () => {
    const out = migrateDoc({ format: 'cellwright-graph', version: 1, keep: 'me', edges: [] }, 1, steps, 3);
    expect(out.doc).toEqual({ format: 'cellwright-graph', version: 3, keep: 'me', links: [], three: true });
    expect(out.problems.map((p) => [p.code, p.severity])).toEqual([['CW008', 'warning']]);
  });

  it('leaves a current document alone', () => {
    const doc = { version: 1, keep: 'me' };
    expect(migrateDoc(doc, 1).doc).toBe(doc);
  });
});
