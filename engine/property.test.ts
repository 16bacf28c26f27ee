/**
 * Property tests: random valid graphs (random gates, ops and cells, random
 * cycles through cells) compile and their BPTT gradients match finite
 * differences; random invalid graphs are rejected with an error, never a crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, GraphError } from './compile.ts';
import type { Graph } from './format/types.ts';
import { validateGraph } from './format/validate.ts';
import { randomBatch, randomParams } from './testing/build.ts';
import { gradcheck } from './testing/gradcheck.ts';
import { randomGraph } from './testing/random-graph.ts';

describe('random valid graphs', () => {
  it('validate without errors and have exact gradients', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const g = randomGraph(seed);
        const errors = validateGraph(g).filter((p) => p.severity === 'error');
        expect(errors, JSON.stringify(errors)).toEqual([]);
        const p = compile(g);
        const oneHot = g.nodes.some((n) => n.kind === 'loss' && n.loss === 'cross_entropy');
        const binary = g.nodes.some((n) => n.kind === 'loss' && n.loss === 'bce');
        const batch = randomBatch(p, 4, 2, seed + 1, { initialStates: seed % 2 === 0, oneHotTargets: oneHot && !binary });
        // BCE targets in [0, 1]; cross-entropy accepts any distribution-like target for gradients.
        for (const k of Object.keys(batch.targets)) batch.targets[k] = batch.targets[k].map((v) => Math.abs(v));
        const r = gradcheck(p, randomParams(p, seed + 2, 0.6), batch);
        expect(r.maxRelError, `seed ${seed}: ${JSON.stringify(r.worst)}`).toBeLessThan(1e-5);
      }),
      { numRuns: 80 },
    );
  });
});

/** Mutations that always make a valid graph invalid. */
const BREAKERS: ((g: Graph, k: number) => void)[] = [
  (g) => { g.edges.push({ id: 'dangling', source: 'nowhere', target: g.nodes[0].id }); },
  (g, k) => { const n = g.nodes[k % g.nodes.length]; g.nodes.push({ ...n }); },
  (g, k) => { const n = g.nodes.find((x) => x.kind === 'gate') ?? g.nodes[k % g.nodes.length]; (n as Record<string, unknown>).kind = 'gat'; },
  (g) => { const c = g.nodes.find((x) => x.kind === 'cell')!; g.edges = g.edges.filter((e) => e.target !== c.id); },
  (g) => { g.nodes = g.nodes.filter((n) => n.kind !== 'loss'); g.edges = g.edges.filter((e) => !e.id.startsWith('L') && !g.nodes.every((n) => n.id !== e.target)); },
  (g) => { const c = g.nodes.find((x) => x.kind === 'cell')!; (c as Record<string, unknown>).size = -1; },
  (g) => { const n = g.nodes.find((x) => x.kind === 'gate'); if (n) (n as Record<string, unknown>).activation = 'swish'; else g.nodes.push({ id: 'bad', kind: 'gate', size: 0, activation: 'identity' }); },
  (g) => {
    // An algebraic loop: two gates feeding each other in the same step.
    g.nodes.push({ id: 'la', kind: 'gate', size: 1, activation: 'tanh' }, { id: 'lb', kind: 'gate', size: 1, activation: 'tanh' });
    g.edges.push({ id: 'lab', source: 'la', target: 'lb' }, { id: 'lba', source: 'lb', target: 'la' });
  },
  (g) => { const t = g.nodes.find((n) => n.kind === 'input')!; g.edges.push({ id: 'into_input', source: g.nodes.find((n) => n.kind === 'cell')!.id, target: t.id }); },
];

describe('random invalid graphs', () => {
  it('are rejected with an error, never a crash', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: BREAKERS.length - 1 }), fc.nat(), (seed, which, k) => {
        const g = randomGraph(seed);
        BREAKERS[which](g, k);
        const errors = validateGraph(g).filter((p) => p.severity === 'error');
        expect(errors.length, `breaker ${which} on seed ${seed}`).toBeGreaterThan(0);
        expect(() => compile(g)).toThrow(GraphError);
      }),
      { numRuns: 200 },
    );
  });
  it('garbage of any shape is reported, never thrown', () => {
    fc.assert(
      fc.property(fc.anything(), (junk) => {
        const g = { format: 'cellwright-graph', version: 1, nodes: [junk], edges: [junk] } as unknown as Graph;
        expect(() => validateGraph(g)).not.toThrow();
        expect(() => compile(g)).toThrow(GraphError);
      }),
      { numRuns: 200 },
    );
  });
});
