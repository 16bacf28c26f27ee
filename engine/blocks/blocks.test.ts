/**
 * Blocks (docs/blocks.md): expansion and namespacing, the same numbers as the
 * graph written out by hand, tied instances (one parameter, the gradient the
 * sum over both uses, checked against finite differences), nesting, save →
 * load round trips, and problems that name the block, the instance and the
 * inner node.
 */
import { describe, expect, it } from 'vitest';
import type { Program } from '../compile.ts';
import { compile, GraphError } from '../compile.ts';
import { PROBLEMS } from '../errors.ts';
import { createSession } from '../fast/index.ts';
import { loadGraphText, serializeGraph } from '../format/parse.ts';
import type { Graph, Problem } from '../format/types.ts';
import { exportTorch } from '../export/torch.ts';
import { gradReport } from '../grad.ts';
import { createParams } from '../params.ts';
import { Session } from '../runtime.ts';
import { createTrainer } from '../train/trainer.ts';
import { gradcheck } from '../testing/gradcheck.ts';
import { randomBatch } from '../testing/build.ts';
import { compileAny, expansionOf, inferSizesAny, validateAny } from './any.ts';
import { blockCell, myGateBlock } from './example.ts';
import { expandBlocks } from './expand.ts';
import type { BlockDef } from './types.ts';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const errors = (ps: Problem[]): Problem[] => ps.filter((p) => p.severity === 'error');
const codes = (ps: Problem[]): string[] => errors(ps).map((p) => p.code);

function data(program: Program, T = 5, B = 3, seed = 7) {
  const b = randomBatch(program, T, B, seed);
  const tj = (a: Float64Array, size: number) => ({ shape: [T, B, size], data: Array.from(a) });
  return {
    batch: b,
    file: {
      inputs: Object.fromEntries(program.inputs.map((i) => [program.nodes[i].id, tj(b.inputs[program.nodes[i].id] as Float64Array, program.nodes[i].size)])),
      targets: Object.fromEntries(program.targets.map((i) => [program.nodes[i].id, tj(b.targets[program.nodes[i].id] as Float64Array, program.nodes[i].size)])),
    },
  };
}

/** The block cell written out by hand, no blocks: gates "fg" and "ig" in place of the instances. */
function handWritten(x: number, h: number, y: number): Graph {
  const g = blockCell({ x, h, y });
  delete (g as Record<string, unknown>).blocks;
  g.nodes = g.nodes.map((n) => (n.id === 'f' || n.id === 'i' ? { id: `${n.id}g`, kind: 'gate', size: h, activation: 'sigmoid' } : n));
  g.edges = g.edges.map((e) => {
    if (e.target === 'f' || e.target === 'i') return { id: `${e.source}_${e.target}g`, source: e.source, target: `${e.target}g`, ...(e.source === 'h' ? { init: 'orthogonal' } : {}) };
    if (e.source === 'f' || e.source === 'i') return { ...e, source: `${e.source}g` };
    return e;
  });
  return g;
}

describe('expansion', () => {
  it('puts inner nodes and edges under the instance id, wires ports to what feeds them, and keeps other fields', () => {
    const g = blockCell({ x: 2, h: 3, y: 1 });
    (g as Record<string, unknown>).extra = { kept: true };
    const x = expandBlocks(g);
    expect(errors(x.problems)).toEqual([]);
    const ids = x.graph.nodes.map((n) => n.id);
    expect(ids).toContain('f/g');
    expect(ids).toContain('i/g');
    expect(ids).not.toContain('f');
    expect(ids).not.toContain('f/x'); // ports vanish
    expect(x.graph.edges.find((e) => e.id === 'f/x_g')).toMatchObject({ source: 'x', target: 'f/g' });
    expect(x.graph.edges.find((e) => e.id === 'i/h_g')).toMatchObject({ source: 'h', target: 'i/g', init: 'orthogonal' });
    expect(x.graph.edges.find((e) => e.id === 'f_keep')).toMatchObject({ source: 'f/g', target: 'keep' });
    expect((x.graph as Record<string, unknown>).blocks).toBeUndefined();
    expect((x.graph as Record<string, unknown>).extra).toEqual({ kept: true });
    expect(validateAny(g)).toEqual([]);
    expect(inferSizesAny(g).get('f')).toBe(3);
    expect(inferSizesAny(g).get('i/g')).toBe(3);
  });

  it('names parameters by instance (edge:f/x_g, bias:f/g) and computes what the hand-written graph computes', () => {
    const g = blockCell({ x: 2, h: 3, y: 1 });
    const program = compileAny(g);
    expect(program.layout.entries.map((e) => e.key)).toEqual(expect.arrayContaining(['edge:f/x_g', 'edge:f/h_g', 'bias:f/g', 'edge:i/x_g', 'edge:i/h_g', 'bias:i/g']));
    const hand = compile(handWritten(2, 3, 1));
    const rename = (k: string): string => k.replace(/^edge:([fi])\/([xh])_g$/, 'edge:$2_$1g').replace(/^bias:([fi])\/g$/, 'bias:$1g');
    const theta = createParams(program.layout, undefined, { seed: 3, dtype: 'float64' });
    const handTheta = new Float64Array(hand.layout.size);
    for (const e of program.layout.entries) handTheta.set(theta.subarray(e.offset, e.offset + e.length), hand.layout.byKey.get(rename(e.key))!.offset);
    const { batch } = data(program);
    const a = new Session(program, { T: batch.T, B: batch.B, dtype: 'float64' });
    const b = new Session(hand, { T: batch.T, B: batch.B, dtype: 'float64' });
    expect(a.forward(theta, batch)).toBeCloseTo(b.forward(handTheta, batch), 12);
    a.backward(theta);
    b.backward(handTheta);
    for (const e of program.layout.entries) {
      const h = hand.layout.byKey.get(rename(e.key))!;
      for (let k = 0; k < e.length; k++) expect(a.gparams[e.offset + k]).toBeCloseTo(b.gparams[h.offset + k], 12);
    }
  });

  it('reports inner nodes\' values and gradient norms under their namespaced ids', () => {
    const g = blockCell({ x: 1, h: 2, y: 1 });
    const program = compileAny(g);
    const r = gradReport(g, data(program, 4, 2).file);
    expect(r.values['f/g'].shape).toEqual([4, 2, 2]);
    expect(r.values['i/g'].data).not.toEqual(r.values['f/g'].data);
    expect(r.gradNorms['i/g']).toHaveLength(4);
    expect(Object.keys(r.gradients)).toContain('edge:i/h_g');
  });
});

describe('tied instances', () => {
  it('share one set of parameters, and the gradient is the sum over both uses', () => {
    const untied = compileAny(blockCell({ x: 2, h: 3, y: 1 }));
    const tied = compileAny(blockCell({ x: 2, h: 3, y: 1, tied: true }));
    const keys = tied.layout.entries.map((e) => e.key);
    expect(keys).toContain('edge:f/x_g');
    expect(keys.some((k) => k.includes(':i/'))).toBe(false);
    expect(untied.layout.size - tied.layout.size).toBe(2 * 3 + 3 * 3 + 3);
    // Untied with i's parameters set equal to f's computes the same loss; its two gradients add up to the tied one.
    const thetaT = createParams(tied.layout, undefined, { seed: 5, dtype: 'float64' });
    const thetaU = new Float64Array(untied.layout.size);
    for (const e of untied.layout.entries) {
      const src = tied.layout.byKey.get(e.key.replace(':i/', ':f/'))!;
      thetaU.set(thetaT.subarray(src.offset, src.offset + src.length), e.offset);
    }
    const { batch } = data(untied);
    const su = new Session(untied, { T: batch.T, B: batch.B, dtype: 'float64' });
    const st = new Session(tied, { T: batch.T, B: batch.B, dtype: 'float64' });
    expect(st.forward(thetaT, batch)).toBeCloseTo(su.forward(thetaU, batch), 12);
    su.backward(thetaU);
    st.backward(thetaT);
    for (const e of tied.layout.entries) {
      const f = untied.layout.byKey.get(e.key)!;
      const i = untied.layout.byKey.get(e.key.replace(':f/', ':i/'));
      for (let k = 0; k < e.length; k++) {
        const sum = su.gparams[f.offset + k] + (i && i !== f ? su.gparams[i.offset + k] : 0);
        expect(st.gparams[e.offset + k]).toBeCloseTo(sum, 12);
      }
    }
    // The i-gradient is not zero: the sum really has two terms.
    const ig = untied.layout.byKey.get('edge:i/h_g')!;
    expect(Math.max(...Array.from(su.gparams.subarray(ig.offset, ig.offset + ig.length), Math.abs))).toBeGreaterThan(1e-6);
  });

  it('matches central finite differences (float64), and the fast engine matches the reference', () => {
    const tied = compileAny(blockCell({ x: 2, h: 3, y: 2, tied: true }));
    const theta = createParams(tied.layout, undefined, { seed: 9, dtype: 'float64' }) as Float64Array;
    const { batch } = data(tied, 6, 2, 11);
    expect(gradcheck(tied, theta, batch).maxRelError).toBeLessThan(1e-6);
    const ref = new Session(tied, { T: 6, B: 2, dtype: 'float64' });
    const fast = createSession(tied, { T: 6, B: 2, dtype: 'float64' });
    expect(fast.forward(theta, batch)).toBeCloseTo(ref.forward(theta, batch), 12);
    fast.backward(theta);
    ref.backward(theta);
    for (let k = 0; k < theta.length; k++) expect(fast.gparams[k]).toBeCloseTo(ref.gparams[k], 10);
  });

  it('refuses a parameter for a tied instance, naming the owner', () => {
    const g = blockCell({ x: 1, h: 2, y: 1, tied: true });
    g.parameters = { 'bias:i/g': { shape: [2], data: [0, 0] } };
    const p = validateAny(g).find((q) => q.code === 'CW342');
    expect(p?.message).toContain('"i"');
    expect(p?.message).toContain('"f"');
    expect(p?.path).toBe('parameters["bias:i/g"]');
  });

  it('refuses ties to itself, to a non-instance, to another block and chains', () => {
    const cases: [string, (g: Graph) => void, string][] = [
      ['itself', (g) => { inst(g, 'i').tie = 'i'; }, 'itself'],
      ['a gate', (g) => { inst(g, 'i').tie = 'cand'; }, 'not a block instance'],
      ['a chain', (g) => { inst(g, 'f').tie = 'i'; inst(g, 'i').tie = 'f'; }, 'tied to another instance itself'],
      ['another block', (g) => {
        (g.blocks as Record<string, BlockDef>).other = myGateBlock(1, 2);
        inst(g, 'f').block = 'other';
        inst(g, 'i').tie = 'f';
      }, 'not of "my gate"'],
    ];
    for (const [what, change, why] of cases) {
      const g = blockCell({ x: 1, h: 2, y: 1 });
      change(g);
      const p = validateAny(g).find((q) => q.code === 'CW339');
      expect(p?.message, what).toContain(why);
    }
  });
});

function inst(g: Graph, id: string): Record<string, unknown> {
  return g.nodes.find((n) => n.id === id) as Record<string, unknown>;
}

describe('nesting', () => {
  it('expands a block that uses another block, namespacing twice; ties inside a block hold in every instance', () => {
    const g = blockCell({ x: 1, h: 2, y: 1 });
    const blocks = g.blocks as Record<string, BlockDef>;
    // "pair": two "my gate"s, the second tied to the first, multiplied.
    blocks.pair = {
      nodes: [
        { id: 'x', kind: 'input', size: 1 },
        { id: 'h', kind: 'input', size: 2 },
        { id: 'a', kind: 'block', block: 'my gate' } as never,
        { id: 'b', kind: 'block', block: 'my gate', tie: 'a' } as never,
        { id: 'ab', kind: 'op', op: 'mul' },
      ],
      edges: [
        { id: 'xa', source: 'x', target: 'a', port: 'x' as never }, { id: 'ha', source: 'h', target: 'a', port: 'h' as never },
        { id: 'xb', source: 'x', target: 'b', port: 'x' as never }, { id: 'hb', source: 'h', target: 'b', port: 'h' as never },
        { id: 'a_ab', source: 'a', target: 'ab' }, { id: 'b_ab', source: 'b', target: 'ab' },
      ],
      outputs: ['ab'],
    };
    inst(g, 'f').block = 'pair';
    const x = expandBlocks(g);
    expect(errors(x.problems)).toEqual([]);
    expect(x.graph.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['f/a/g', 'f/b/g', 'f/ab']));
    expect(x.graph.edges.find((e) => e.id === 'f/b/h_g')).toMatchObject({ source: 'h', target: 'f/b/g', tie: 'f/a/h_g' });
    expect(x.nodeTies.get('f/b/g')).toBe('f/a/g');
    const program = compileAny(g);
    expect(program.layout.entries.map((e) => e.key).filter((k) => k.startsWith('edge:f/') || k.startsWith('bias:f/')).sort()).toEqual(['bias:f/a/g', 'edge:f/a/h_g', 'edge:f/a/x_g']);
    const theta = createParams(program.layout, undefined, { seed: 2, dtype: 'float64' }) as Float64Array;
    expect(gradcheck(program, theta, data(program, 4, 2).batch).maxRelError).toBeLessThan(1e-6);
  });
});

describe('save and load', () => {
  it('a trained graph with blocks round-trips through its file with the same numbers', () => {
    const g = blockCell({ x: 1, h: 3, y: 1, tied: true });
    g.task = { name: 'parity', T: 6, B: 4 } as never;
    g.training = { steps: 5, optimizer: 'adam', lr: 0.05, seed: 3 };
    const t = createTrainer(g, {});
    for (let k = 0; k < 5; k++) t.step();
    const saved = serializeGraph(t.graphWithParameters());
    const loaded = loadGraphText(saved);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.graph.blocks).toEqual(g.blocks);
    expect(inst(loaded.graph, 'i').tie).toBe('f');
    expect(Object.keys(loaded.graph.parameters ?? {})).toContain('edge:f/h_g');
    expect(validateAny(loaded.graph)).toEqual([]);
    const program = compileAny(loaded.graph);
    const { file } = data(program, 6, 2, 4);
    const before = gradReport(t.graphWithParameters(), file);
    const after = gradReport(loaded.graph, file);
    expect(after.loss).toBe(before.loss);
    expect(after.gradients['edge:f/h_g'].data).toEqual(before.gradients['edge:f/h_g'].data);
  });

  it('a graph without blocks loads and compiles unchanged (no blocks machinery involved)', () => {
    const g = handWritten(1, 2, 1);
    const program = compileAny(g);
    expect(expansionOf(program)).toBeUndefined();
    expect(program.graph).toBe(g);
  });

  it('the PyTorch export writes the expanded cell, tied parameters once', () => {
    const out = exportTorch(blockCell({ x: 1, h: 2, y: 1, tied: true }));
    expect(Object.keys(out.parameterNames)).toContain('edge:f/h_g');
    expect(Object.keys(out.parameterNames).some((k) => k.includes(':i/'))).toBe(false);
    expect(out.files['model.py']).toContain('i/g');
  });
});

describe('problems', () => {
  it('a problem inside a block names the block, the instance and the inner node, and points into the definition', () => {
    const g = blockCell({ x: 1, h: 2, y: 1 });
    (g.blocks as Record<string, BlockDef>)['my gate'].edges[1].target = 'nowhere';
    const ps = errors(validateAny(g));
    const p = ps.find((q) => q.code === 'CW031');
    expect(p?.message).toMatch(/^block "my gate", instance "f": /);
    expect(p?.path).toBe('blocks["my gate"].edges[1].target');
    expect(p?.node).toBe('f');
    // once per definition, not once per instance
    expect(ps.filter((q) => q.code === 'CW031')).toHaveLength(1);
    expect(() => compileAny(g)).toThrow(GraphError);
  });

  it('an inner gate with no input (its port fed nothing inside) is reported on the instance', () => {
    const g = blockCell({ x: 1, h: 2, y: 1 });
    const def = (g.blocks as Record<string, BlockDef>)['my gate'];
    def.nodes.push({ id: 'lonely', kind: 'op', op: 'one_minus' });
    def.outputs.push('lonely');
    const ps = validateAny(g);
    const p = ps.find((q) => q.path.startsWith('blocks["my gate"].nodes[3]'));
    expect(p?.message).toContain('instance "f"');
    expect(p?.message).toContain('f/lonely');
  });

  it('an instance with an unfed port says so once, without follow-on problems about its inside in internal ids', () => {
    const g = blockCell({ x: 1, h: 2, y: 1 });
    g.nodes.push({ id: 'spare', kind: 'block', block: 'my gate' } as never);
    const ps = validateAny(g).filter((p) => p.node === 'spare');
    expect(ps.map((p) => p.code)).toEqual(['CW336', 'CW336']);
    expect(ps[0].message).toMatch(/^block "my gate" instance "spare": input port "\w+" is fed by 0 edges/);
    expect(() => compileAny(g)).toThrow(/is fed by 0 edges/);
    expect(() => compileAny(g)).not.toThrow(/is not a node of the graph/);
  });

  it('quotes a block name with quotes in messages as JSON does', () => {
    const g = blockCell({ x: 1, h: 2, y: 1 });
    const blocks = g.blocks as Record<string, BlockDef>;
    blocks['my "gate"'] = blocks['my gate'];
    delete blocks['my gate'];
    for (const n of g.nodes as { kind: string; block?: string }[]) if (n.kind === 'block') n.block = 'my "gate"';
    g.nodes.push({ id: 'spare', kind: 'block', block: 'my "gate"' } as never);
    const p = validateAny(g).find((q) => q.node === 'spare');
    expect(p?.message).toContain('block "my \\"gate\\"" instance "spare"');
  });

  const broken: [string, (g: Graph) => void, string, string][] = [
    ['unknown block', (g) => { inst(g, 'f').block = 'nope'; }, 'CW331', 'nodes[2].block'],
    ['a block holding itself', (g) => {
      const def = (g.blocks as Record<string, BlockDef>)['my gate'];
      def.nodes.push({ id: 'again', kind: 'block', block: 'my gate' } as never);
    }, 'CW332', 'blocks["my gate"].nodes[3].block'],
    ['blocks holding each other', (g) => {
      const blocks = g.blocks as Record<string, BlockDef>;
      blocks.a = { nodes: [{ id: 'x', kind: 'input', size: 1 }, { id: 'b', kind: 'block', block: 'b' } as never], edges: [{ id: 'e', source: 'x', target: 'b' }], outputs: ['b'] };
      blocks.b = { nodes: [{ id: 'x', kind: 'input', size: 1 }, { id: 'a', kind: 'block', block: 'a' } as never], edges: [{ id: 'e', source: 'x', target: 'a' }], outputs: ['a'] };
    }, 'CW332', 'blocks.b.nodes[1].block'],
    ['an unfed port', (g) => { g.edges = g.edges.filter((e) => e.id !== 'h_f'); }, 'CW336', 'nodes[2]'],
    ['a port fed twice', (g) => { g.edges.push({ id: 'again', source: 'x', target: 'f', port: 'x' as never }); }, 'CW336', 'nodes[2]'],
    ['no such port', (g) => { g.edges.find((e) => e.id === 'x_f')!.port = 'y' as never; }, 'CW335', 'edges[0].port'],
    ['no such output', (g) => { g.edges.find((e) => e.id === 'f_keep')!.sourcePort = 'zz'; }, 'CW337', 'edges[6].sourcePort'],
    ['sourcePort out of a gate', (g) => { g.edges.find((e) => e.id === 'x_cand')!.sourcePort = 'g'; }, 'CW344', 'edges[4].sourcePort'],
    ['a learned weight into a block', (g) => { g.edges.find((e) => e.id === 'x_f')!.weight = 'full'; }, 'CW338', 'edges[0].weight'],
    ['outputs naming nothing', (g) => { (g.blocks as Record<string, BlockDef>)['my gate'].outputs = ['q']; }, 'CW333', 'blocks["my gate"].outputs'],
    ['outputs naming a port', (g) => { (g.blocks as Record<string, BlockDef>)['my gate'].outputs = ['x']; }, 'CW333', 'blocks["my gate"].outputs'],
    ['a loss inside', (g) => { (g.blocks as Record<string, BlockDef>)['my gate'].nodes.push({ id: 'l', kind: 'loss', loss: 'sum' }); }, 'CW334', 'blocks["my gate"].nodes[3].kind'],
    ['an edge into a port', (g) => { (g.blocks as Record<string, BlockDef>)['my gate'].edges.push({ id: 'back', source: 'g', target: 'h' }); }, 'CW343', 'blocks["my gate"].edges[2].target'],
    ['a port of the wrong size', (g) => { (g.blocks as Record<string, BlockDef>)['my gate'].nodes[0] = { id: 'x', kind: 'input', size: 5 }; }, 'CW346', 'edges[0].source'],
    ['an id taken by an inner node', (g) => { g.nodes.push({ id: 'f/g', kind: 'input', size: 1 }); }, 'CW340', 'nodes[11].id'],
    ['blocks not a table', (g) => { (g as Record<string, unknown>).blocks = [1]; }, 'CW330', 'blocks'],
    ['a definition without nodes', (g) => { (g.blocks as Record<string, unknown>)['my gate'] = { edges: [] }; }, 'CW330', 'blocks["my gate"]'],
  ];
  it('every block problem code (CW330–CW349) has a case here', () => {
    const all = Object.keys(PROBLEMS).filter((c) => c >= 'CW330' && c <= 'CW349');
    const tested = new Set([...broken.map((b) => b[2]), 'CW339', 'CW341', 'CW342', 'CW345']);
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter((c) => !tested.has(c))).toEqual([]);
  });

  for (const [what, change, code, path] of broken) {
    it(`${what}: ${code}${path ? ` at ${path}` : ''}`, () => {
      const g = blockCell({ x: 1, h: 2, y: 1 });
      change(g);
      const ps = errors(validateAny(g));
      const p = ps.find((q) => q.code === code);
      expect(p, JSON.stringify(ps.map((q) => [q.code, q.path, q.message]))).toBeDefined();
      if (path) expect(p!.path).toBe(path);
      expect(p!.message.length).toBeGreaterThan(20);
      expect(() => compileAny(g)).toThrow(GraphError);
    });
  }
});

describe('hostile input', () => {
  it('ids and block names like __proto__ and constructor are plain names', () => {
    const g = blockCell({ x: 1, h: 2, y: 1, tied: true });
    const blocks: Record<string, unknown> = {};
    Object.defineProperty(blocks, '__proto__', { value: myGateBlock(1, 2), enumerable: true, writable: true, configurable: true });
    (g as Record<string, unknown>).blocks = blocks;
    inst(g, 'f').block = '__proto__';
    inst(g, 'i').block = '__proto__';
    const text = serializeGraph(g).replaceAll('"f"', '"constructor"').replaceAll('"f_keep"', '"toString"');
    const loaded = loadGraphText(text);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(validateAny(loaded.graph)).toEqual([]);
    const program = compileAny(loaded.graph);
    expect(program.layout.byKey.has('edge:constructor/h_g')).toBe(true);
    const unknown = clone(loaded.graph);
    inst(unknown, 'i').block = 'toString';
    expect(codes(validateAny(unknown))).toContain('CW331');
  });

  it('instances of instances that would explode in size are refused before anything is copied', () => {
    // 12 levels of 10 instances each: 10^12 gates if expanded.
    const blocks: Record<string, BlockDef> = { b0: { nodes: [{ id: 'x', kind: 'input', size: 1 }, { id: 'g', kind: 'gate', size: 1, activation: 'tanh' }], edges: [{ id: 'e', source: 'x', target: 'g' }], outputs: ['g'] } };
    for (let l = 1; l <= 12; l++) {
      const nodes: BlockDef['nodes'] = [{ id: 'x', kind: 'input', size: 1 }, { id: 's', kind: 'op', op: 'add' }];
      const edges: BlockDef['edges'] = [];
      for (let k = 0; k < 10; k++) {
        nodes.push({ id: `c${k}`, kind: 'block', block: `b${l - 1}` } as never);
        edges.push({ id: `in${k}`, source: 'x', target: `c${k}` }, { id: `out${k}`, source: `c${k}`, target: 's' });
      }
      blocks[`b${l}`] = { nodes, edges, outputs: ['s'] };
    }
    const g = blockCell({ x: 1, h: 2, y: 1 });
    (g as Record<string, unknown>).blocks = { ...blocks, 'my gate': myGateBlock(1, 2) };
    g.nodes.push({ id: 'huge', kind: 'block', block: 'b12' } as never);
    g.edges.push({ id: 'x_huge', source: 'x', target: 'huge' });
    const ps = validateAny(g);
    const p = ps.find((q) => q.code === 'CW341');
    expect(p?.message).toMatch(/over the limit of 100000/);
    expect(() => compileAny(g)).toThrow(GraphError);
  });

  it('blocks nested deeper than the limit are refused', () => {
    const blocks: Record<string, BlockDef> = { b0: { nodes: [{ id: 'x', kind: 'input', size: 1 }, { id: 'g', kind: 'gate', size: 1, activation: 'tanh' }], edges: [{ id: 'e', source: 'x', target: 'g' }], outputs: ['g'] } };
    for (let l = 1; l <= 40; l++) {
      blocks[`b${l}`] = { nodes: [{ id: 'x', kind: 'input', size: 1 }, { id: 'c', kind: 'block', block: `b${l - 1}` } as never], edges: [{ id: 'e', source: 'x', target: 'c' }], outputs: ['c'] };
    }
    const g = blockCell({ x: 1, h: 2, y: 1 });
    (g as Record<string, unknown>).blocks = { ...blocks, 'my gate': myGateBlock(1, 2) };
    expect(codes(validateAny(g))).toContain('CW345');
  });

  it('whatever a file holds in its blocks, validation never throws and compile works or throws GraphError', () => {
    const ODD: unknown[] = [undefined, null, 0, -1, 1e9, '', '__proto__', 'constructor', 'f', 'g', 'x', 'my gate', [], {}, { nodes: [], edges: [] }, true, 'g\n"'];
    const base = blockCell({ x: 1, h: 2, y: 1, tied: true });
    const places = (v: unknown, out: { holder: Record<string | number, unknown>; key: string | number }[] = []) => {
      if (Array.isArray(v)) v.forEach((x, i) => { out.push({ holder: v as never, key: i }); places(x, out); });
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push({ holder: v as never, key: k }); places(x, out); }
      return out;
    };
    let seed = 1;
    const rnd = (n: number) => { seed = (seed * 48271) % 2147483647; return seed % n; };
    for (let trial = 0; trial < 300; trial++) {
      const g = clone(base);
      for (let m = 0; m < 1 + rnd(3); m++) {
        const all = places(g.blocks).concat(places(g.nodes.filter((n) => n.kind === ('block' as never))));
        const p = all[rnd(all.length)];
        p.holder[p.key] = ODD[rnd(ODD.length)];
      }
      expect(() => validateAny(g)).not.toThrow();
      try {
        compileAny(g);
      } catch (e) {
        expect(e).toBeInstanceOf(GraphError);
      }
    }
  });
});
