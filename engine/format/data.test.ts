import { describe, expect, it } from 'vitest';
import { formatProblem, validateData } from './data.ts';
import { validateGraph } from './validate.ts';
import { smallElman } from '../testing/fixtures.ts';

const elman = smallElman;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i / 10);
const stream = (T: number, B: number, size: number): { shape: number[]; data: number[] } => ({ shape: [T, B, size], data: range(T * B * size) });

type Data = { inputs: Record<string, unknown>; targets?: Record<string, unknown>; initialStates?: Record<string, unknown> } & Record<string, unknown>;
function data(): Data {
  return { inputs: { x: stream(4, 2, 2) }, targets: { y_t: stream(4, 2, 2) }, initialStates: { h: { shape: [2, 3], data: range(6) } } };
}

describe('validateData', () => {
  it('accepts matching streams and initial states', () => {
    expect(validateGraph(elman())).toEqual([]);
    expect(validateData(elman(), data())).toEqual([]);
    const { initialStates: _unused, ...withoutStates } = data();
    expect(validateData(elman(), withoutStates)).toEqual([]);
  });

  it.each<[string, (d: Data) => void, string, string]>([
    ['inputs not an object', (d) => { (d as Record<string, unknown>).inputs = 3; }, 'CW080', 'inputs'],
    ['initialStates not an object', (d) => { (d as Record<string, unknown>).initialStates = [1]; }, 'CW080', 'initialStates'],
    ['no stream for an input', (d) => { delete d.inputs.x; }, 'CW081', 'inputs'],
    ['no stream for a target the loss reads', (d) => { delete d.targets; }, 'CW081', 'targets'],
    ['a stream of rank 2', (d) => { d.inputs.x = { shape: [4, 4], data: range(16) }; }, 'CW082', 'inputs.x.shape'],
    ['a stream of the wrong size', (d) => { d.inputs.x = stream(4, 2, 3); }, 'CW082', 'inputs.x.shape'],
    ['a different T', (d) => { d.targets = { y_t: stream(5, 2, 2) }; }, 'CW083', 'targets.y_t.shape'],
    ['a different B', (d) => { d.targets = { y_t: stream(4, 1, 2) }; }, 'CW083', 'targets.y_t.shape'],
    ['T = 0', (d) => { d.inputs.x = stream(0, 2, 2); }, 'CW084', 'inputs.x.shape'],
    ['data length not the product of the shape', (d) => { d.inputs.x = { shape: [4, 2, 2], data: range(15) }; }, 'CW066', 'inputs.x.data'],
    ['a non-finite value', (d) => { const s = stream(4, 2, 2); s.data[3] = Number.POSITIVE_INFINITY; d.inputs.x = s; }, 'CW067', 'inputs.x.data[3]'],
    ['a stream that is no tensor', (d) => { d.inputs.x = [[1, 2]]; }, 'CW064', 'inputs.x'],
    ['an input stream for an unknown node', (d) => { d.inputs.z = stream(4, 2, 2); }, 'CW085', 'inputs.z'],
    ['an input stream for a target node', (d) => { d.inputs.y_t = stream(4, 2, 2); }, 'CW085', 'inputs.y_t'],
    ['a target stream for an unknown node', (d) => { (d.targets as Record<string, unknown>)['y 2'] = stream(4, 2, 2); }, 'CW085', 'targets["y 2"]'],
    ['an initial state for a gate', (d) => { d.initialStates = { h_new: { shape: [2, 3], data: range(6) } }; }, 'CW085', 'initialStates.h_new'],
    ['an initial state of the wrong batch', (d) => { d.initialStates = { h: { shape: [3, 3], data: range(9) } }; }, 'CW082', 'initialStates.h.shape'],
    ['an initial state with time steps', (d) => { d.initialStates = { h: { shape: [4, 2, 3], data: range(24) } }; }, 'CW082', 'initialStates.h.shape'],
  ])('reports %s', (_name, mutate, code, path) => {
    const d = data();
    mutate(d);
    const problems = validateData(elman(), d);
    expect(problems.find((p) => p.code === code && p.path === path), JSON.stringify(problems, null, 1)).toBeDefined();
    expect(problems.every((p) => p.severity === 'error')).toBe(true);
  });

  it('names the shapes in the message', () => {
    const d = data();
    d.inputs.x = stream(4, 2, 3);
    expect(validateData(elman(), d)[0].message).toBe('input stream "x" has shape [4, 2, 3], expected [T, B, 2]');
  });

  it('does not require a target stream that no loss reads', () => {
    const g = elman();
    g.nodes.push({ id: 'unused_t', kind: 'target', size: 5 });
    expect(validateData(g, data())).toEqual([]);
  });

  it('never throws on garbage', () => {
    for (const d of [null, 1, 'x', [], { inputs: [] }, { inputs: { x: null } }, { inputs: { x: { shape: [1], data: 'a' } }, initialStates: 4 }]) {
      expect(() => validateData(elman(), d)).not.toThrow();
      expect(validateData(elman(), d).length).toBeGreaterThan(0);
    }
  });
});

describe('formatProblem', () => {
  it('writes one line with severity, code, path, id, message and hint', () => {
    const g = elman();
    g.nodes.push({ id: 'x', kind: 'input', size: 2 });
    const dup = validateGraph(g).find((p) => p.code === 'CW012');
    expect(dup).toBeDefined();
    if (!dup) return;
    expect(formatProblem(dup)).toBe('error CW012 nodes[6].id (node "x"): duplicate node id "x" (first used at nodes[0]) — Node ids must be unique: rename one of the nodes.');
  });

  it('leaves out what a problem does not have', () => {
    expect(formatProblem({ severity: 'warning', code: 'CW999', message: 'something', path: '' })).toBe('warning CW999: something');
    expect(formatProblem({ severity: 'error', code: 'CW031', message: 'm', path: 'edges[0].target', edge: 'e' })).toBe('error CW031 edges[0].target (edge "e"): m');
  });
});
