/**
 * Graphs with layers and data for them, shared by the PyTorch cross-checks and
 * the export tests: random streams, initial states for every nested cell, and
 * layered graphs that are not standard cells (so the exports take their
 * generic form).
 */
import type { DataFile, Graph } from '../../engine/format/types.ts';
import { compileAny, nestedCells } from '../../engine/layers/index.ts';
import { bidirectionalGru, stackedLstm } from '../../engine/layers/templates.ts';
import type { LayerNode } from '../../engine/layers/types.ts';
import { Rng } from '../../engine/rng.ts';
import { HOSTILE_STRINGS, hostileCase } from './graphs.ts';

function stream(rng: Rng, T: number, B: number, n: number): { shape: number[]; data: number[] } {
  return { shape: [T, B, n], data: Array.from({ length: T * B * n }, () => rng.range(-1, 1)) };
}

/** Random inputs and targets, and (if asked) initial states for every cell, nested ones under their reported ids. */
export function dataFor(graph: Graph, T: number, B: number, seed: number, states: boolean): DataFile {
  const rng = new Rng(seed);
  const p = compileAny(graph);
  const data: DataFile = { inputs: {}, targets: {} };
  for (const i of p.inputs) data.inputs[p.nodes[i].id] = stream(rng, T, B, p.nodes[i].size);
  for (const i of p.targets) data.targets![p.nodes[i].id] = stream(rng, T, B, p.nodes[i].size);
  if (states) {
    data.initialStates = {};
    for (const i of [...p.cells, ...nestedCells(p)]) {
      const n = p.nodes[i];
      data.initialStates[n.id] = { shape: [B, n.size], data: Array.from({ length: B * n.size }, () => rng.range(-0.9, 0.9)) };
    }
  }
  return data;
}

/** A bidirectional GRU whose nested state has zoneout: no fused op or kernel computes it. */
export function zoneoutBiGru(): Graph {
  const g = bidirectionalGru({ x: 2, h: 3, y: 2 });
  const bi = g.nodes.find((n) => n.id === 'bi') as unknown as LayerNode;
  bi.graph.nodes = bi.graph.nodes.map((n) => (n.id === 'h' ? { ...n, zoneout: 0.25 } : n));
  return { ...g, name: 'bidirectional GRU with zoneout' };
}

/** Two stacked LSTM layers, the second reverse, read by an outer Elman cell (a recurrence after the layers). */
export function outerCellOnLayers(): Graph {
  const g = stackedLstm({ x: 2, h: 3, y: 1 });
  const l2 = g.nodes.find((n) => n.id === 'l2') as unknown as LayerNode;
  l2.direction = 'reverse';
  g.nodes.push({ id: 'acc', kind: 'cell', size: 2, initial: 'learned' } as Graph['nodes'][number], { id: 'acc_new', kind: 'gate', size: 2, activation: 'tanh' } as Graph['nodes'][number]);
  g.edges.push(
    { id: 'l2_acc', source: 'l2', target: 'acc_new', weight: 'full' },
    { id: 'acc_acc', source: 'acc', target: 'acc_new', weight: 'full' },
    { id: 'acc_w', source: 'acc_new', target: 'acc' },
    { id: 'acc_y', source: 'acc_new', target: 'y', weight: 'full' },
  );
  return { ...g, name: 'reverse second layer and an outer cell' };
}

/**
 * The layered graph with hostile ids everywhere: outer nodes and edges (hostileCase), and
 * every nested node and edge of every layer (quotes, backslashes, line breaks,
 * `__import__(…)` calls, `__proto__`).
 */
export function hostileLayered(base: Graph, data: DataFile, opts: { nul?: boolean } = {}): { graph: Graph; data: DataFile } {
  // No lone surrogate (TorchScript cannot hold one); NUL unless told (ONNX runtimes cut names there).
  const strings = HOSTILE_STRINGS.filter((s) => !/[\ud800-\udfff]/.test(s) && (opts.nul !== false || !s.includes('\u0000')));
  const g = structuredClone(base);
  for (const n of g.nodes) {
    if ((n.kind as string) !== 'layer') continue;
    const layer = n as unknown as LayerNode;
    const ids = new Map(layer.graph.nodes.map((m, i) => [m.id, `${strings[(i + 7) % strings.length]}${i >= strings.length ? `#${i}` : ''}`]));
    layer.graph.nodes = layer.graph.nodes.map((m) => ({ ...m, id: ids.get(m.id)! }));
    layer.graph.edges = layer.graph.edges.map((e, i) => ({ ...e, id: `${strings[(i + 3) % strings.length]}"${i}`, source: ids.get(e.source)!, target: ids.get(e.target)! }));
    layer.output = ids.get(layer.output)!;
  }
  const out = hostileCase(g, data);
  // The outer ids come from every hostile string: NUL becomes a backslash and 0, everywhere alike.
  return opts.nul !== false ? out : JSON.parse(JSON.stringify(out).replaceAll('\\u0000', '\\\\0')) as { graph: Graph; data: DataFile };
}
