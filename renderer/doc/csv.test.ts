import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGraphText } from '../../engine/format/parse.ts';
import type { Graph } from '../../engine/format/types.ts';
import { validateGraph } from '../../engine/format/validate.ts';
import { csvPreview, defaultColumns, fitToColumns } from './csv.ts';

function example(key: string): Graph {
  const result = loadGraphText(readFileSync(new URL(`../../assets/examples/${key}.json`, import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(key);
  return result.graph;
}

describe('CSV columns for the Training tab', () => {
  it('lists the header, tells numbers from text, counts data rows', () => {
    const p = csvPreview('t,temp,note\n1,20.5,a\n2,21,b\n3,oops,c\n4,22,d\n5,22.5,e\n');
    expect(p.columns).toEqual(['t', 'temp', 'note']);
    // One bad value in five is still a numeric column (the engine names the bad row).
    expect(p.numeric).toEqual([true, true, false]);
    expect(p.rows).toBe(5);
    expect(csvPreview('1;2\n3;4\n', { delimiter: ';', header: false })).toEqual({ columns: ['0', '1'], numeric: [true, true], rows: 2 });
  });

  it('first choice: the last numeric column forecast from itself', () => {
    expect(defaultColumns(csvPreview('a,b,label\n1,2,x\n'))).toEqual({ inputs: ['b'], targets: ['b'] });
    expect(defaultColumns(csvPreview('label\nx\n'))).toBeNull();
  });

  it('fits the LSTM to two inputs and one target: sizes, MSE loss, stale weights dropped, still valid', () => {
    const lstm = example('lstm');
    const xEdges = lstm.edges.filter((e) => e.source === 'x').map((e) => `edge:${e.id}`);
    const params = Object.fromEntries(xEdges.map((k) => [k, { shape: [8, 1], data: new Array(8).fill(0.5) }]));
    const withParams: Graph = { ...lstm, parameters: { ...params, 'bias:f': { shape: [8], data: new Array(8).fill(1) } } };
    const { graph, changes } = fitToColumns(withParams, 2, 1);
    expect(graph.nodes.find((n) => n.id === 'x')).toMatchObject({ size: 2 });
    expect(graph.nodes.find((n) => n.kind === 'loss')).toMatchObject({ loss: 'mse' });
    expect(changes).toEqual(expect.arrayContaining(['x is 2 wide', 'loss is an MSE loss']));
    expect(Object.keys(graph.parameters ?? {})).toEqual(['bias:f']);
    expect(validateGraph(graph).filter((p) => p.severity === 'error')).toEqual([]);
    // Already fitting: nothing changes.
    expect(fitToColumns(graph, 2, 1).graph).toBe(graph);
  });
});
