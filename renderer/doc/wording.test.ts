import { describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/format/types.ts';
import { validateGraph } from '../../engine/format/validate.ts';
import { problemDetail, userMessage } from './wording.ts';

const graph: Graph = {
  format: 'cellwright-graph', version: 1,
  nodes: [
    { id: 'x', kind: 'input', size: 2, label: 'x_t' },
    { id: 'f', kind: 'gate', size: 4, activation: 'sigmoid', label: 'forget f' },
    { id: 'h', kind: 'cell', size: 4 },
  ],
  edges: [],
};

describe('problems in the user\'s terms', () => {
  it('a gate without inputs "needs an input", named by its label; the JSON path is the detail line', () => {
    const problems = validateGraph(graph);
    const gate = problems.find((p) => p.node === 'f' && /no inputs/.test(p.message));
    expect(gate).toBeDefined();
    expect(userMessage(gate!, graph)).toBe('Gate “forget f” (f) needs an input.');
    expect(problemDetail(gate!)).toMatch(/^CW\d+ at nodes\[1\]/);
    const cell = problems.find((p) => p.node === 'h' && /incoming/.test(p.message));
    expect(userMessage(cell!, graph)).toBe('Cell “h” needs its next state: connect the node that computes it into the cell.');
  });

  it('leaves quoted words that are not node ids alone', () => {
    const problem = { severity: 'error' as const, code: 'CW039', message: 'loss "nope" (mse) has no "target" input', path: 'nodes[3]' };
    expect(userMessage(problem, graph)).toBe('Loss "nope" (mse) has no "target" input.');
  });
});
