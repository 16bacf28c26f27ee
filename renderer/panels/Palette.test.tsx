// @vitest-environment happy-dom
/**
 * The palette comes from the registries: every built-in activation and op has
 * an entry, and an activation or op registered at run time (here a test-only
 * one) appears without any edit to the renderer; dropping it adds a gate with
 * that activation (an op with its required fields).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { activationNames, registerActivation } from '../../engine/ops/activations.ts';
import { opNames, registerOp, op as opDef } from '../../engine/ops/ops.ts';
import { nodeFields, paletteModel } from '../../engine/meta.ts';
import { validateGraph } from '../../engine/format/validate.ts';
import { documentStore } from '../store/document.ts';
import { Palette } from './Palette.tsx';

afterEach(cleanup);

describe('palette from the registry', () => {
  it('lists every registered activation and op, with its docs line as the tooltip', () => {
    render(<Palette />);
    const acts = within(screen.getByRole('list', { name: 'Activations' })).getAllByRole('button');
    expect(acts.map((b) => b.getAttribute('aria-label'))).toEqual(activationNames().map((a) => `${a} gate`));
    const ops = within(screen.getByRole('list', { name: 'Ops' })).getAllByRole('button');
    expect(ops.map((b) => b.getAttribute('aria-label'))).toEqual(opNames().map((o) => `${o} op`));
    expect(screen.getByRole('button', { name: 'gelu gate' }).getAttribute('title')).toContain('Φ(z)');
    expect(screen.getByRole('button', { name: 'layer_norm op' }).getAttribute('title')).toContain('LayerNorm');
  });

  it('a test-only activation registered at run time appears, and Enter adds a gate using it', () => {
    const undo = registerActivation({ name: 'cube_test', symbol: 'x³', doc: 'y = z³ (a test-only activation)', f: (z) => z ** 3, df: (z) => 3 * z * z, usesInput: true, torch: (x) => `${x} ** 3` });
    try {
      render(<Palette />);
      const item = screen.getByRole('button', { name: 'cube_test gate' });
      expect(item.textContent).toContain('x³');
      // A symbol too long for a chip is replaced by the kind's glyph; the name stays.
      expect(screen.getByRole('button', { name: 'softplus gate' }).textContent).toBe('ƒsoftplus');
      expect(item.getAttribute('title')).toContain('test-only');
      const before = documentStore.getState().graph.nodes.length;
      fireEvent.keyDown(item, { key: 'Enter' });
      const nodes = documentStore.getState().graph.nodes;
      expect(nodes.length).toBe(before + 1);
      const added = nodes[nodes.length - 1] as { kind: string; activation?: string };
      expect(added.kind).toBe('gate');
      expect(added.activation).toBe('cube_test');
      // The validator accepts it too: the activation field's allowed values are the registry's.
      const problems = validateGraph(documentStore.getState().graph).filter((p) => p.node === (added as { id?: string }).id && p.code === 'CW015');
      expect(problems).toEqual([]);
    } finally {
      undo();
    }
    expect(paletteModel().find((s) => s.title === 'Activations')!.entries.some((e) => e.label === 'cube_test')).toBe(false);
  });

  it('a test-only op appears; ops with required fields start with a valid value; the inspector fields come from the op', () => {
    const undo = registerOp({ ...opDef('neg'), name: 'flip_test', symbol: '↕', doc: 'test-only op' });
    try {
      render(<Palette />);
      expect(screen.getByRole('button', { name: 'flip_test op' })).toBeTruthy();
    } finally {
      undo();
    }
    const ops = paletteModel().find((s) => s.title === 'Ops')!.entries;
    expect(ops.find((e) => e.label === 'scale')!.preset).toEqual({ op: 'scale', factor: 0.5 });
    expect(ops.find((e) => e.label === 'dropout')!.preset).toEqual({ op: 'dropout', p: 0.1 });
    expect(nodeFields({ kind: 'op', op: 'layer_norm' }).map((f) => f.name)).toEqual(['op', 'eps', 'affine']);
    expect(nodeFields({ kind: 'op', op: 'slice' }).map((f) => f.name)).toEqual(['op', 'start', 'size']);
    expect(nodeFields({ kind: 'cell' }).map((f) => f.name)).toContain('zoneout');
  });
});
