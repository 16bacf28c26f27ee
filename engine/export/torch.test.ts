/**
 * The pure side of the PyTorch export: which files, which names, which
 * parameters, and refusing invalid graphs. The numbers are checked against
 * PyTorch itself in test/torch-export.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../compile.ts';
import type { Graph } from '../format/types.ts';
import { createParams, exportParams } from '../params.ts';
import { commentText, docText, NameTable, pyStr, sanitize, stepNames } from './names.ts';
import { exportTorch, TorchExportError } from './torch.ts';
import { hasLayers } from '../layers/types.ts';

const EXAMPLES = resolve(import.meta.dirname, '../../assets/examples');
const examples: [string, Graph][] = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.data.json'))
  .sort()
  .map((f): [string, Graph] => [f, JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as Graph])
  // Layered examples are not exported yet: exportTorch refuses them (engine/layers/layers.test.ts).
  .filter(([, g]) => !hasLayers(g));

function graph(nodes: Graph['nodes'], edges: Graph['edges'], extra: Partial<Graph> = {}): Graph {
  return { format: 'cellwright-graph', version: 1, nodes, edges, ...extra };
}

/** A minimal valid graph with ids that are not Python names. */
function oddIds(): Graph {
  return graph(
    [
      { id: 'in put', kind: 'input', size: 2 },
      { id: 'class', kind: 'cell', size: 2, initial: 'learned' },
      { id: '2nd-gate', kind: 'gate', size: 2, activation: 'tanh' },
      { id: 'self', kind: 'gate', size: 1, activation: 'identity' },
      { id: 'y', kind: 'target', size: 1 },
      { id: 'L', kind: 'loss', loss: 'mse' },
    ],
    [
      { id: 'a.b', source: 'in put', target: '2nd-gate' },
      { id: 'a-b', source: 'class', target: '2nd-gate', trainable: false },
      { id: 'w', source: '2nd-gate', target: 'class' },
      { id: 'out', source: '2nd-gate', target: 'self' },
      { id: 'p', source: 'self', target: 'L', port: 'prediction' },
      { id: 't', source: 'y', target: 'L', port: 'target' },
    ],
  );
}

describe('Python names', () => {
  it('sanitizes ids into identifiers', () => {
    expect(sanitize('c_new')).toBe('c_new');
    expect(sanitize('in put')).toBe('in_put');
    expect(sanitize('2nd-gate')).toBe('n_2nd_gate');
    expect(sanitize('C̃')).toBe('C_');
    expect(sanitize('')).toBe('n');
  });

  it('never hands out a keyword, a name step() uses, or the same name twice', () => {
    const t = stepNames();
    expect(t.take('class')).toBe('class_');
    expect(t.take('self')).toBe('self_');
    expect(t.take('state')).toBe('state_');
    expect(t.take('a')).toBe('a');
    expect(t.take('a')).toBe('a_2');
    const p = new NameTable();
    expect([p.take('edge_a_b'), p.take('edge_a_b')]).toEqual(['edge_a_b', 'edge_a_b_2']);
  });

  it('gives dunder ids and builtins names of their own', () => {
    expect(sanitize('__init__')).toBe('n__init__');
    expect(sanitize('__class__')).toBe('n__class__');
    const t = stepNames();
    expect([t.take('print'), t.take('open'), t.take(sanitize('__import__'))]).toEqual(['print_', 'open_', 'n__import__']);
  });
});

describe('Python literals, comments and docstrings', () => {
  const nasty = `"""''' \\ \n\r\u2028\u2029\u0085\u0000 σ→ \ud800 😀 #`;
  it('pyStr is pure ASCII on one line, every special character escaped', () => {
    expect(pyStr(nasty)).toBe(String.raw`"\"\"\"\'\'\' \\ \n\r\u2028\u2029\x85\x00 \u03c3\u2192 \ud800 \U0001f600 #"`);
  });
  it('a comment is one line that keeps readable characters', () => {
    const c = commentText(nasty);
    for (const ch of ['\n', '\r', '\u2028', '\u2029', '\u0085', '\u0000']) expect(c).not.toContain(ch);
    expect(c).toContain('σ→');
  });
  it('docstring text has no unescaped quote that could close it', () => {
    for (const multiline of [false, true]) {
      const d = docText(nasty, multiline);
      expect(d).not.toMatch(/(?<!\\)["']/);
      expect(d.includes('\n')).toBe(multiline);
    }
  });
});

describe('exportTorch', () => {
  it.each(examples)('%s: the six files, one nn.Parameter per parameter key, the engine\'s parameters', (_f, g) => {
    const { files, parameterNames } = exportTorch(g);
    expect(Object.keys(files).sort()).toEqual(['README.md', 'graph.json', 'model.py', 'params.json', 'tasks.py', 'train.py']);
    const program = compile(g);
    const keys = program.layout.entries.map((e) => e.key);
    expect(Object.keys(parameterNames).sort()).toEqual([...keys].sort());
    const model = files['model.py'];
    expect(model.match(/= nn\.Parameter\(/g) ?? []).toHaveLength(keys.length);
    for (const k of keys) expect(model).toContain(`"${parameterNames[k]}": ${JSON.stringify(k)},`);
    // Every gate, op and loss has its line in step(), introduced by a comment naming it.
    for (const n of program.nodes) {
      if (n.kind === 'gate' || n.kind === 'op' || n.kind === 'loss') expect(model).toContain(`# ${n.kind} ${n.id} = `);
    }
    const seed = typeof g.training?.seed === 'number' ? g.training.seed : 1;
    const expected = exportParams(program.layout, createParams(program.layout, g.parameters, { seed, dtype: 'float64' }));
    expect(JSON.parse(files['params.json'])).toEqual(expected);
    expect(JSON.parse(files['graph.json'])).toEqual(g);
  });

  it('names parameters and variables after the ids, made into Python names, and keeps the mapping', () => {
    const { files, parameterNames, nodeNames } = exportTorch(oddIds());
    expect(parameterNames).toEqual({
      'edge:a.b': 'edge_a_b', 'edge:a-b': 'edge_a_b_2', 'edge:out': 'edge_out', 'bias:2nd-gate': 'bias_n_2nd_gate', 'bias:self': 'bias_self', 'init:class': 'init_class',
    });
    expect(nodeNames).toMatchObject({ 'in put': 'in_put', class: 'class_', '2nd-gate': 'n_2nd_gate', self: 'self_' });
    const model = files['model.py'];
    expect(model).toContain('self.edge_a_b_2 = nn.Parameter(torch.zeros(2, 2, dtype=dtype), requires_grad=False)  # edge:a-b (trainable: false)');
    expect(model).toContain('n_2nd_gate = torch.tanh(F.linear(in_put, self.edge_a_b) + F.linear(class_, self.edge_a_b_2) + self.bias_n_2nd_gate)');
    expect(model).toContain('class_ = state["class"]');
    expect(model).toContain('"class": n_2nd_gate,  # cell class ← 2nd-gate (edge w)');
  });

  it('writes a reversed input, a learned initial state and each activation, op and loss as the spec defines them', () => {
    const g = graph(
      [
        { id: 'x', kind: 'input', size: 1, reverse: true },
        { id: 'h', kind: 'cell', size: 3, initial: 'learned' },
        { id: 'a', kind: 'gate', size: 3, activation: 'softplus' },
        { id: 'b', kind: 'gate', size: 3, activation: 'step', bias: false },
        { id: 'k', kind: 'gate', size: 3, activation: 'relu' },
        { id: 'om', kind: 'op', op: 'one_minus' },
        { id: 'mix', kind: 'op', op: 'mul' },
        { id: 'y', kind: 'target', size: 3 },
        { id: 'ce', kind: 'loss', loss: 'cross_entropy', steps: 'last' },
        { id: 's', kind: 'loss', loss: 'sum' },
      ],
      [
        { id: 'xa', source: 'x', target: 'a', weight: 'scalar' },
        { id: 'ha', source: 'h', target: 'a', weight: 'diagonal' },
        { id: 'ab', source: 'a', target: 'b', weight: 'identity' },
        { id: 'om_in', source: 'b', target: 'om' },
        { id: 'm1', source: 'om', target: 'mix' },
        { id: 'm2', source: 'a', target: 'mix' },
        { id: 'next', source: 'mix', target: 'h' },
        { id: 'ck', source: 'h', target: 'k' },
        { id: 'p', source: 'k', target: 'ce', port: 'prediction' },
        { id: 't', source: 'y', target: 'ce', port: 'target' },
        { id: 'sp', source: 'a', target: 's', port: 'prediction' },
      ],
    );
    const model = exportTorch(g).files['model.py'];
    expect(model).toContain('"x": {"size": 1, "reverse": True},');
    expect(model).toContain('if "x" in fed:  # input reversal\n            fed["x"] = fed["x"].flip(0)');
    expect(model).toContain('a = _softplus((self.edge_xa * x).expand(-1, 3) + self.edge_ha * h + self.bias_a)');
    expect(model).toContain('b = _step(a)');
    expect(model).toContain('om = 1 - b');
    expect(model).toContain('mix = om * a');
    expect(model).toContain('k = torch.relu(F.linear(h, self.edge_ck) + self.bias_k)');
    expect(model).toContain('outputs["ce"] = _cross_entropy(k, y_t["y"])');
    expect(model).toContain('"ce": {"loss": "cross_entropy", "steps": "last", "prediction": "k", "target": "y", "units": 3},');
    expect(model).toContain('outputs["s"] = _sum(a)');
    expect(model).toContain('"h": {"size": 3, "initial": "learned", "writer": "mix"},');
    expect(model).toContain('class _Step(torch.autograd.Function):');
    expect(model).not.toContain('def _mse(');
  });

  it('refuses an invalid graph, naming every problem', () => {
    const bad = graph(
      [{ id: 'x', kind: 'input', size: 2 }, { id: 'g', kind: 'gate', size: 0, activation: 'tanh' }],
      [{ id: 'e', source: 'x', target: 'nowhere' }],
    );
    expect(() => exportTorch(bad)).toThrow(TorchExportError);
    try {
      exportTorch(bad);
    } catch (e) {
      const m = (e as Error).message;
      expect(m).toMatch(/^cannot export to PyTorch: the graph has \d+ problems; fix them first:/);
      expect(m).toContain('nowhere');
      expect(m).toMatch(/no loss/i);
    }
  });

  it('is deterministic: the same graph gives the same files', () => {
    const g = examples.find(([f]) => f === 'lstm.json')![1];
    expect(exportTorch(g).files).toEqual(exportTorch(g).files);
  });

  it('draws absent parameters with the given seed, as the engine does', () => {
    const g = { ...examples.find(([f]) => f === 'elman.json')![1], parameters: undefined };
    const program = compile(g);
    const p7 = JSON.parse(exportTorch(g, { seed: 7 }).files['params.json']) as unknown;
    expect(p7).toEqual(exportParams(program.layout, createParams(program.layout, undefined, { seed: 7, dtype: 'float64' })));
    expect(p7).not.toEqual(JSON.parse(exportTorch(g, { seed: 8 }).files['params.json']));
  });
});
