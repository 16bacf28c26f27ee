/**
 * A trained 3-bit flip-flop network (test/fixtures/dynamics/flipflop-3bit.json,
 * made by make-flipflop.ts beside it) has, under zero input, one stable fixed
 * point per stored pattern: eight, whose readouts are the eight sign patterns
 * (Sussillo & Barak 2013); the rest of what the search finds are saddles.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../compile.ts';
import type { Graph } from '../format/types.ts';
import { runGraph } from '../grad.ts';
import { createParams } from '../params.ts';
import { findFixedPoints } from './dynamics.ts';

const FIXTURE = join(resolve(import.meta.dirname, '../..'), 'test/fixtures/dynamics/flipflop-3bit.json');

describe('a trained 3-bit flip-flop', () => {
  it('has eight stable fixed points under zero input, one per sign pattern of its three outputs', () => {
    const g = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Graph;
    const program = compile(g);
    const theta = createParams(program.layout, g.parameters, { seed: 1, dtype: 'float64' });
    const r = findFixedPoints(program, theta);
    const stable = r.points.filter((p) => p.kind === 'stable');
    expect(stable).toHaveLength(8);
    expect(r.points.filter((p) => p.kind !== 'stable' && p.kind !== 'saddle')).toEqual([]);
    // The readout at each stable point: start a step there with zero input; y reads the state it writes (the same point).
    const cell = program.nodes[program.cells[0]];
    const input = program.nodes[program.inputs[0]];
    const out = runGraph(g, {
      inputs: { [input.id]: { shape: [1, 8, input.size], data: new Array(8 * input.size).fill(0) } },
      initialStates: { [cell.id]: { shape: [8, cell.size], data: stable.flatMap((p) => p.state[cell.id]) } },
    });
    const y = out.values.y.data;
    const patterns = new Set<string>();
    for (let b = 0; b < 8; b++) {
      const row = y.slice(b * 3, b * 3 + 3);
      for (const v of row) expect(Math.abs(v)).toBeGreaterThan(0.5);
      patterns.add(row.map((v) => (v > 0 ? '+' : '-')).join(''));
    }
    expect(patterns.size).toBe(8);
  });
});
