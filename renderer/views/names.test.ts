import { describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/format/types.ts';
import { cleanLayout, DEFAULT_LAYOUT } from '../store/ui.ts';
import { edgeName, nodeName, nodeNames, plainMath } from './names.ts';

const graph = (nodes: Array<{ id: string; label?: string }>, edges: Array<{ id: string; source: string; target: string }> = []): Graph => ({
  format: 'cellwright-graph', version: 1,
  nodes: nodes.map((n) => ({ kind: 'gate', size: 1, activation: 'tanh', ...n })) as Graph['nodes'],
  edges,
});

describe('names in the views', () => {
  it('writes the reference notation with real subscripts where Unicode has them', () => {
    expect(plainMath('h_{t−1}')).toBe('hₜ₋₁');
    expect(plainMath('forget f_t')).toBe('forget fₜ');
    expect(plainMath('y_t = w_y·h_t')).toBe('yₜ = w_y·hₜ');
    expect(plainMath('c_{ab}')).toBe('c_ab');
  });

  it('uses the label, the id when there is none, and adds the id when two nodes share a label', () => {
    const g = graph([{ id: 'f', label: 'gate' }, { id: 'i', label: 'gate' }, { id: 'o' }, { id: '__proto__', label: 'x_t' }], [{ id: 'e', source: '__proto__', target: 'f' }]);
    expect([...nodeNames(g).values()]).toEqual(['gate (f)', 'gate (i)', 'o', 'xₜ']);
    expect(nodeName(g, '__proto__')).toBe('xₜ');
    expect(nodeName(g, 'constructor')).toBe('constructor');
    expect(edgeName(g, 'e')).toBe('xₜ → gate (f)');
    expect(edgeName(g, 'missing')).toBe('missing');
  });
});

describe('pane layout from settings', () => {
  it('keeps what is valid, clamps sizes, and falls back on anything else', () => {
    expect(cleanLayout(null)).toEqual(DEFAULT_LAYOUT);
    expect(cleanLayout({ palette: 10, side: 9999, dock: 300.4, paletteOpen: false, sideOpen: 'yes' })).toEqual({ palette: 160, side: 560, dock: 300, paletteOpen: false, sideOpen: true });
    expect(cleanLayout({ dock: Number.NaN, ['__proto__']: { palette: 1 } })).toEqual(DEFAULT_LAYOUT);
  });
});
