import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGraphText } from '../../engine/format/parse.ts';
import { validateGraph } from '../../engine/format/validate.ts';
import type { Graph } from '../../engine/format/types.ts';
import { complementGates, forgetGates, recurrentCore, switchCore, withForgetBias, withIdentityRelu, withNormClipping, withShorterSequence, withSwitchedTraining } from './fixes.ts';

function example(key: string): Graph {
  const result = loadGraphText(readFileSync(new URL(`../../assets/examples/${key}.json`, import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(key);
  return result.graph;
}

describe('one-click fixes', () => {
  it('finds the recurrent core of an Elman RNN and of an LSTM', () => {
    expect([...recurrentCore(example('elman'), 'h')].sort()).toEqual(['h', 'h_new']);
    expect(recurrentCore(example('lstm'), 'c').size).toBe(11);
  });

  it('switching an Elman RNN to an LSTM keeps input, readout, loss, task and size, with forget bias 1', () => {
    const elman = { ...example('elman'), task: { name: 'adding', length: 100 } };
    const { graph, added } = switchCore(elman, 'h', example('lstm'), 'LSTM');
    expect(added).toContain('f');
    expect(graph.task).toEqual({ name: 'adding', length: 100 });
    // Named after what it now is; the task stays.
    expect(elman.name).toMatch(/Elman/);
    expect(graph.name).toBe(example('lstm').name);
    expect(graph.description).toBe(example('lstm').description);
    expect(graph.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['x', 'y', 'y_t', 'loss', 'h', 'c', 'f', 'm']));
    expect(graph.nodes.filter((n) => n.kind === 'cell').map((n) => (n as { size: number }).size)).toEqual([16, 16]);
    expect(graph.parameters?.['bias:f']?.data).toEqual(new Array(16).fill(1));
    // The input now feeds the gates, the readout reads h_t.
    expect(graph.edges.some((e) => e.source === 'x' && e.target === 'f')).toBe(true);
    expect(graph.edges.some((e) => e.source === 'm' && e.target === 'y')).toBe(true);
    expect(validateGraph(graph).filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('IRNN fix: identity recurrent init, ReLU writer, old recurrent weights dropped', () => {
    const g = withIdentityRelu(example('elman'), 'h');
    expect(g.edges.find((e) => e.id === 'h_h_new')?.init).toBe('identity');
    expect(g.nodes.find((n) => n.id === 'h_new')).toMatchObject({ activation: 'relu' });
    expect(g.parameters?.['edge:h_h_new']).toBeUndefined();
    expect(g.parameters?.['edge:x_h_new']).toBeDefined();
  });

  it('clipping, forget bias and a shorter sequence edit the blocks the trainer reads', () => {
    expect(withNormClipping({ ...example('elman'), training: { clipValue: 5 } }).training).toEqual({ clipNorm: 1 });
    expect(forgetGates(example('lstm')).map((n) => n.id)).toEqual(['f']);
    expect(withForgetBias({ ...example('lstm'), parameters: {} }).parameters?.['bias:f']?.data).toEqual(new Array(8).fill(1));
    expect(withShorterSequence({ ...example('elman'), task: { name: 'adding', length: 100 } }).task).toEqual({ name: 'adding', length: 50 });
  });

  it('a switched-in gated core trains as measured: Adam, lr ≥ 0.02, ≥ 1500 steps, clipping; nothing lowered', () => {
    const elman = example('elman');
    const { graph, changes } = withSwitchedTraining(elman);
    expect(graph.training).toMatchObject({ optimizer: 'adam', lr: 0.02, steps: 1500, clipNorm: 1, batch: elman.training!.batch, seed: elman.training!.seed });
    expect(changes).toEqual(['learning rate 0.02', '1500 steps']);
    const faster = { ...elman, training: { ...elman.training, lr: 0.05, steps: 3000 } };
    expect(withSwitchedTraining(faster).graph).toBe(faster);
  });

  it('an MGU keeps its memory through 1 − f: f is no forget gate (f ⊙ h feeds the candidate), its keep bias is −1', () => {
    const gate = (id: string, activation: string, size = 4) => ({ id, kind: 'gate' as const, size, activation });
    const op = (id: string, o: string) => ({ id, kind: 'op' as const, op: o });
    const e = (source: string, target: string) => ({ id: `${source}_${target}`, source, target });
    const mgu = {
      format: 'cellwright-graph', version: 1,
      nodes: [{ id: 'x', kind: 'input', size: 2 }, { id: 'h', kind: 'cell', size: 4 }, gate('f', 'sigmoid'), op('fh', 'mul'), gate('cand', 'tanh'),
        op('omf', 'one_minus'), op('keep', 'mul'), op('upd', 'mul'), op('h_new', 'add'), gate('y', 'identity', 1), { id: 'y_t', kind: 'target', size: 1 }, { id: 'loss', kind: 'loss', loss: 'mse' }],
      edges: [e('x', 'f'), e('h', 'f'), e('f', 'fh'), e('h', 'fh'), e('fh', 'cand'), e('x', 'cand'), e('f', 'omf'), e('omf', 'keep'), e('h', 'keep'),
        e('f', 'upd'), e('cand', 'upd'), e('keep', 'h_new'), e('upd', 'h_new'), e('h_new', 'h'), e('h_new', 'y'), { ...e('y', 'loss'), port: 'prediction' }, { ...e('y_t', 'loss'), port: 'target' }],
    } as Graph;
    expect(validateGraph(mgu).filter((p) => p.severity === 'error')).toEqual([]);
    expect(forgetGates(mgu)).toEqual([]);
    expect(complementGates(mgu).map((g) => g.id)).toEqual(['f']);
    expect(withForgetBias(mgu).parameters?.['bias:f']).toEqual({ shape: [4], data: [-1, -1, -1, -1] });
    // The LSTM's forget gate is still found.
    expect(forgetGates(example('lstm')).map((g) => g.id)).toEqual(['f']);
  });
});
