/**
 * Size limits: a small file that asks for gigabytes is refused before
 * anything is allocated, with the estimate and where it comes from; the
 * limits can be raised; the estimate matches what the runtime allocates.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, GraphError } from './compile.ts';
import type { DataFile, Graph } from './format/types.ts';
import { validateGraph } from './format/validate.ts';
import { gradReport } from './grad.ts';
import { checkRun, DEFAULT_LIMITS, estimateRun, parseLimits } from './limits.ts';
import { Session } from './runtime.ts';
import { smallElman } from './testing/fixtures.ts';
import { createTrainer } from './train/trainer.ts';

function sized(n: number): Graph {
  const g = smallElman();
  for (const node of g.nodes) if (node.id === 'h_new' || node.id === 'h') (node as { size: number }).size = n;
  return g;
}

function data(T: number, B: number): DataFile {
  return {
    inputs: { x: { shape: [T, B, 2], data: new Array<number>(T * B * 2).fill(0.5) } },
    targets: { y_t: { shape: [T, B, 2], data: new Array<number>(T * B * 2).fill(0.1) } },
  };
}

describe('limits of the graph (validation)', () => {
  it('a node over maxNodeSize is refused naming the node and its size field', () => {
    const problems = validateGraph(sized(2_000_000)).filter((p) => p.code === 'CW110');
    expect(problems.map((p) => [p.node, p.path])).toEqual([['h_new', 'nodes[1].size'], ['h', 'nodes[2].size']]);
    expect(problems[0].message).toContain('2000000');
  });

  it('a weight over maxParameters names the edge, its shape and count; the total names the largest part', () => {
    const problems = validateGraph(sized(20_000));
    const edge = problems.find((p) => p.code === 'CW111');
    expect(edge).toMatchObject({ edge: 'e_hh', path: 'edges[1]' });
    expect(edge?.message).toContain('[20000, 20000]: 400000000 numbers');
    expect(problems.find((p) => p.code === 'CW112')?.message).toContain('the largest: "edge:e_hh" [20000, 20000]');
  });

  it('the limits can be raised, and then the graph is valid', () => {
    expect(validateGraph(sized(2_000_000), { limits: { maxNodeSize: 3_000_000, maxParameters: 1e13 } }).filter((p) => p.severity === 'error')).toEqual([]);
    expect(validateGraph(sized(20_000), { limits: { maxParameters: 1e9 } }).filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('too many nodes or edges is refused before the elements are checked', () => {
    const g = smallElman();
    const problems = validateGraph(g, { limits: { maxNodes: 3, maxEdges: 3 } });
    expect(problems.map((p) => [p.code, p.path])).toEqual([['CW113', 'nodes'], ['CW113', 'edges']]);
  });
});

describe('limits of a run', () => {
  it('the estimate is the runtime\'s buffers (values and gradients of every node) plus parameters with optimizer state', () => {
    const p = compile(smallElman());
    const est = estimateRun(p, { T: 7, B: 3, dtype: 'float64' });
    const s = new Session(p, { T: 7, B: 3, dtype: 'float64' });
    const valueBytes = s.vals.reduce((a, v) => a + v.byteLength, 0);
    expect(est.parts.values).toBeGreaterThanOrEqual(valueBytes);
    expect(est.parts.values).toBeLessThanOrEqual(valueBytes * 1.1);
    expect(est.parts.parameters).toBe(p.layout.size * 8 * 4);
  });

  it('gradReport refuses a run over the memory limit with the estimate and where T and B come from', () => {
    const g = sized(100_000);
    g.edges[1].weight = 'diagonal'; // the node values, not a 10¹⁰ matrix, are the largest part
    let error: unknown;
    try {
      gradReport(g, data(50, 4), { limits: { maxMemoryMB: 100 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphError);
    const p = (error as GraphError).problems[0];
    expect(p.code).toBe('CW116');
    expect(p.path).toBe('inputs.x.shape');
    expect(p.message).toMatch(/needs about [\d.]+ MB \(T = 50, B = 4 from inputs\.x\.shape, float64: values/);
    expect(p.message).toContain('the largest part is node "h" (size 100000) × (T + 1 = 51) × B = 4');
  });

  it('T and B over their limits are named', () => {
    const p = compile(smallElman());
    const problems = checkRun(p, { T: 2_000_000, B: 2_000_000, from: { T: 'task', B: 'training.batch' } }, { maxMemoryMB: 1e12 });
    expect(problems.map((x) => [x.code, x.path])).toEqual([['CW114', 'task'], ['CW115', 'training.batch']]);
  });

  it('the trainer refuses a task and batch over the memory limit before allocating', () => {
    const elman = JSON.parse(readFileSync(join(import.meta.dirname, '../assets/examples/elman.json'), 'utf8')) as Graph;
    const g: Graph = { ...elman, task: { name: 'adding', length: 1000 }, training: { batch: 4096 } };
    let error: unknown;
    try {
      createTrainer(g, { limits: { maxMemoryMB: 1024 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).problems[0]).toMatchObject({ code: 'CW116', path: 'task' });
  });

  it('parses --limits text and names a bad key', () => {
    expect(parseLimits('maxMemoryMB=8192, maxSteps=10')).toEqual({ maxMemoryMB: 8192, maxSteps: 10 });
    expect(() => parseLimits('maxMemory=1')).toThrow(/unknown limit "maxMemory": known limits are maxNodes/);
    expect(() => parseLimits('maxSteps=-1')).toThrow(/positive number/);
    expect(Object.keys(DEFAULT_LIMITS)).toContain('maxJsonDepth');
  });
});
