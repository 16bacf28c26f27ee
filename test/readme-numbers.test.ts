/**
 * The numbers the README quotes about the bundled examples are what the
 * engine computes: the test reads README.md itself, so a wrong number in the
 * text fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../engine/compile.ts';
import { FixedPointFinder } from '../engine/diagnostics/fixedpoints.ts';
import { loadGraphText } from '../engine/format/parse.ts';
import type { Graph } from '../engine/format/types.ts';
import { createParams } from '../engine/params.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function example(name: string): Graph {
  const result = loadGraphText(readFileSync(new URL(`../assets/examples/${name}.json`, import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(`${name}.json does not load`);
  return result.graph;
}

/** The README's table row about one example file. */
function row(file: string): string {
  const line = readme.split('\n').find((l) => l.startsWith(`| \`${file}\``));
  if (!line) throw new Error(`README.md has no row for ${file}`);
  return line;
}

describe('README numbers', () => {
  it('quotes the fixed points of x ↦ x² + 0.15 that the engine finds in quadratic-map.json', () => {
    const text = row('quadratic-map.json');
    const sink = Number(/sink near (-?[0-9.]+)/.exec(text)?.[1]);
    const source = Number(/source near (-?[0-9.]+)/.exec(text)?.[1]);
    const graph = example('quadratic-map');
    const program = compile(graph);
    const theta = createParams(program.layout, graph.parameters, { seed: 0, dtype: 'float64' });
    const [found] = new FixedPointFinder(program).find(theta);
    const byKind = (kind: string) => found.points.filter((p) => p.kind === kind).map((p) => p.h);
    expect(byKind('sink')).toHaveLength(1);
    expect(byKind('source')).toHaveLength(1);
    // The README rounds to four decimals.
    expect(sink).toBeCloseTo(byKind('sink')[0], 4);
    expect(source).toBeCloseTo(byKind('source')[0], 4);
  });
});
