/**
 * Hostile layered files: whatever a file holds (fields removed or replaced by
 * odd values, prototype-named ids, huge sizes, nested garbage), validation
 * never throws and compiling either works or throws a GraphError listing
 * problems — never a crash inside the engine.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphError } from '../compile.ts';
import type { Graph } from '../format/types.ts';
import { compileLayered } from './compile.ts';
import { validateLayered, validateDataLayered } from './check.ts';
import { sessionFor } from './session.ts';
import { bidirectionalGru, stackedLstm } from './templates.ts';

const ODD: unknown[] = [undefined, null, 0, -1, 1.5, 1e9, '', '__proto__', 'constructor', 'l1', 'x', 'reverse', 'bidirectional', [], {}, { nodes: 3 }, { nodes: [], edges: [] }, true, 'h_new\n"'];

type Json = Record<string, unknown> | unknown[];

/** Every object or array inside a value, with the keys it can be changed at. */
function places(v: unknown, out: { holder: Json; key: string | number }[] = []): { holder: Json; key: string | number }[] {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push({ holder: v, key: i }); places(x, out); });
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push({ holder: v as Record<string, unknown>, key: k }); places(x, out); }
  return out;
}

function mutate(g: Graph, picks: [number, number, boolean][]): Graph {
  const copy = JSON.parse(JSON.stringify(g)) as Graph;
  for (const [where, what, remove] of picks) {
    const all = places(copy);
    const p = all[where % all.length];
    if (remove && !Array.isArray(p.holder)) delete (p.holder as Record<string, unknown>)[p.key as string];
    else (p.holder as Record<string | number, unknown>)[p.key] = ODD[what % ODD.length];
  }
  return copy;
}

describe('hostile layered graphs', () => {
  const bases: Graph[] = [stackedLstm({ x: 2, h: 2, y: 1 }), bidirectionalGru({ x: 1, h: 2, y: 1 })];
  it('validation never throws; compile works or throws GraphError; a compiled graph runs', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 1 }),
      fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { minLength: 1, maxLength: 4 }),
      (b, picks) => {
        const g = mutate(bases[b], picks);
        const problems = validateLayered(g);
        expect(Array.isArray(problems)).toBe(true);
        expect(problems.every((p) => typeof p.message === 'string' && typeof p.path === 'string')).toBe(true);
        expect(problems.some((p) => p.code === 'CW099'), JSON.stringify(problems.find((p) => p.code === 'CW099'))).toBe(false);
        expect(Array.isArray(validateDataLayered(g, { inputs: { x: { shape: [2, 1, 2], data: [0, 0, 0, 0] } } }))).toBe(true);
        let program;
        try {
          program = compileLayered(g);
        } catch (e) {
          expect(e).toBeInstanceOf(GraphError);
          return;
        }
        const s = sessionFor(program, { T: 2, B: 1 });
        const inputs = Object.fromEntries(program.inputs.map((i) => [program.nodes[i].id, new Float64Array(2 * program.nodes[i].size)]));
        const targets = Object.fromEntries(program.targets.map((i) => [program.nodes[i].id, new Float64Array(2 * program.nodes[i].size)]));
        s.forward(new Float64Array(program.layout.size), { T: 2, B: 1, inputs, targets });
        s.backward(new Float64Array(program.layout.size));
      },
    ), { numRuns: 150, seed: 7 });
  });
});
