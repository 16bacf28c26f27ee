/**
 * Checking a graph never initializes its parameters: an orthogonal init of a
 * large matrix is O(n³) and is paid once, when a run starts, never per check
 * (the editor checks on every edit).
 */
import { describe, expect, it, vi } from 'vitest';
import type * as InitModule from '../init.ts';

const initialize = vi.hoisted(() => vi.fn());
vi.mock('../init.ts', async (importOriginal) => {
  const real = await importOriginal<typeof InitModule>();
  initialize.mockImplementation(real.initialize);
  return { ...real, initialize };
});

const { compile } = await import('../compile.ts');
const { gradReport } = await import('../grad.ts');
const { smallElman } = await import('../testing/fixtures.ts');
const { loadGraphText, serializeGraph } = await import('./parse.ts');
const { validateGraph } = await import('./validate.ts');

describe('check never initializes', () => {
  const g = smallElman();
  for (const e of g.edges) if (e.id === 'e_hh') e.init = 'orthogonal';

  it('parse, validate and compile draw no parameter; a run draws each once', () => {
    const loaded = loadGraphText(serializeGraph(g));
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    validateGraph(loaded.graph);
    const program = compile(loaded.graph);
    expect(initialize).not.toHaveBeenCalled();
    gradReport(loaded.graph, {
      inputs: { x: { shape: [2, 1, 2], data: [1, 2, 3, 4] } },
      targets: { y_t: { shape: [2, 1, 2], data: [0, 1, 1, 0] } },
    });
    expect(initialize).toHaveBeenCalledTimes(program.layout.entries.length);
    expect(initialize.mock.calls.filter(([spec]) => spec.init === 'orthogonal')).toHaveLength(1);
  });
});
