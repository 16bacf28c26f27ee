import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../engine/compile.ts';
import { loadGraphText } from '../../engine/format/parse.ts';
import type { Graph } from '../../engine/format/types.ts';
import { validateGraph } from '../../engine/format/validate.ts';
import { bindTask, createTask } from '../../engine/tasks/index.ts';
import { TASK_NAMES } from '../../engine/tasks/types.ts';
import { fitGraphToTask, taskMismatches } from './taskfit.ts';

function example(name: string): Graph {
  const result = loadGraphText(readFileSync(new URL(`../../assets/examples/${name}.json`, import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(`${name}.json does not load`);
  return result.graph;
}

const CSV = `t,temp,wind\n${Array.from({ length: 60 }, (_, i) => `${i},${(20 + Math.sin(i / 3)).toFixed(3)},${(5 + Math.cos(i / 5)).toFixed(3)}`).join('\n')}\n`;

function blockFor(name: string): Record<string, unknown> {
  return name === 'csv' ? { name, inputs: ['temp', 'wind'], targets: ['temp'], window: 10 } : { name, ...(name === 'text' ? { length: 16 } : {}) };
}

/** Does the engine accept this graph for this task (the same check the trainer makes)? */
function engineAccepts(graph: Graph): true | string {
  try {
    const task = createTask(graph.task!, { csv: CSV });
    bindTask(compile(graph), task, graph.task!);
    return true;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('fit graph to task', () => {
  for (const file of ['elman', 'lstm', 'gru', 'worked-2-two-input']) {
    for (const name of TASK_NAMES) {
      it(`${file} on ${name}: every mismatch listed, one edit fits it, the engine then accepts it`, () => {
        const graph: Graph = { ...example(file), task: blockFor(name) };
        const meta = createTask(graph.task!, { csv: CSV }).meta;
        const problems = taskMismatches(graph, meta);
        const accepted = engineAccepts(graph);
        // Whatever the engine refuses is listed (the list may say more: a loss reading only the last step of an every-step task).
        if (accepted !== true) expect(problems.length).toBeGreaterThan(0);
        const fitted = fitGraphToTask(graph, meta);
        expect(engineAccepts(fitted.graph)).toBe(true);
        expect(taskMismatches(fitted.graph, meta)).toEqual([]);
        expect(validateGraph(fitted.graph).filter((p) => p.severity === 'error')).toEqual([]);
        expect(fitted.changes.length > 0).toBe(problems.length > 0);
      });
    }
  }

  it('names nodes by their labels and lists every problem at once (LSTM on adding)', () => {
    const graph: Graph = { ...example('lstm'), task: { name: 'adding' } };
    const problems = taskMismatches(graph, createTask(graph.task!).meta);
    const text = problems.map((p) => p.message);
    expect(text).toEqual([
      expect.stringMatching(/feeds 2 numbers per step \(value, marker\), but input “x_t” \(x\) has size 1/),
      expect.stringMatching(/needs an MSE loss, but .*loss.* is a binary cross-entropy \(BCE\) loss/),
      expect.stringMatching(/target only at the last step, but .* reads every step/),
    ]);
    expect(problems.map((p) => p.path)).toEqual(['nodes.x.size', 'nodes.loss.loss', 'nodes.loss.steps']);
  });

  it('cannot fit what needs a new node: says so and changes nothing it cannot', () => {
    const graph: Graph = { ...example('lstm'), task: { name: 'parity' } };
    const noTarget: Graph = { ...graph, nodes: graph.nodes.filter((n) => n.kind !== 'target'), edges: graph.edges.filter((e) => e.port !== 'target') };
    const problems = taskMismatches(noTarget, createTask(graph.task!).meta);
    expect(problems).toEqual([expect.objectContaining({ fixable: false, message: expect.stringContaining('needs a target node') })]);
  });
});
