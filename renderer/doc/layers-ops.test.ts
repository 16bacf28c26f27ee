/** A layer's nested parameters (`layer:<id>/…`, docs/layers.md) follow it through rename, copy and paste. */
import { describe, expect, it } from 'vitest';
import { validateLayered } from '../../engine/layers/check.ts';
import { compileLayered } from '../../engine/layers/compile.ts';
import { bidirectionalGru } from '../../engine/layers/templates.ts';
import { createParams, exportParams } from '../../engine/params.ts';
import type { Graph } from '../../engine/format/types.ts';
import { extractFragment, fragmentFromGraph, pasteFragment, renameNode } from './ops.ts';

function trained(): Graph {
  const g = bidirectionalGru({ x: 1, h: 2, y: 1 });
  const p = compileLayered(g);
  return { ...g, parameters: exportParams(p.layout, createParams(p.layout, undefined, { seed: 3, dtype: 'float64' })) };
}

describe('layer parameters follow their layer', () => {
  it('renaming a layer renames its parameter keys, both copies', () => {
    const g = renameNode(trained(), 'bi', 'enc');
    expect(Object.keys(g.parameters!).filter((k) => k.startsWith('layer:bi/'))).toEqual([]);
    expect(g.parameters!['layer:enc/reverse/edge:x_r']).toEqual(trained().parameters!['layer:bi/reverse/edge:x_r']);
    expect(validateLayered(g)).toEqual([]);
  });

  it('pasting a layered graph next to itself renames the layer and carries its parameters', () => {
    const g = trained();
    const r = pasteFragment(g, fragmentFromGraph(g), { offset: { x: 0, y: 400 } });
    const copy = r.renamed.get('bi')!;
    expect(copy).not.toBe('bi');
    expect(r.graph.parameters![`layer:${copy}/edge:h_z`]).toEqual(g.parameters!['layer:bi/edge:h_z']);
    expect(r.graph.parameters![`layer:${copy}/reverse/bias:n`]).toEqual(g.parameters!['layer:bi/reverse/bias:n']);
  });

  it('copying a selection with the layer keeps its parameters; without it, drops them', () => {
    const g = trained();
    expect(Object.keys(extractFragment(g, ['bi']).parameters).length).toBe(20);
    expect(Object.keys(extractFragment(g, ['x', 'y']).parameters).some((k) => k.startsWith('layer:'))).toBe(false);
  });
});
