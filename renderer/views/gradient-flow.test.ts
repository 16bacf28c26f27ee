/**
 * The gradient-flow chart's model for graphs whose cells sit in layers: a
 * training step's snapshot, applied as the client applies it, gives the chart
 * every nested cell named by its layer, each curve relative to the step
 * nearest the losses in that copy's own time order.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/format/types.ts';
import { createTrainer } from '../../engine/train/trainer.ts';
import type { CompiledInfo, LiveSnapshot } from '../train/protocol.ts';
import type { TelemetryData } from '../train/snapshot.ts';
import { emptyTelemetry } from '../store/telemetry.ts';
import { applySnapshot } from '../train/snapshot.ts';
import { flowCell, flowModel, relativeNorms, selectionOf } from './gradient-flow.ts';

function example(name: string): Graph {
  return JSON.parse(readFileSync(new URL(`../../assets/examples/${name}.json`, import.meta.url), 'utf8')) as Graph;
}

function telemetry(): TelemetryData {
  return emptyTelemetry();
}

/** Trains `steps` steps and applies the trainer's snapshot to fresh telemetry, as the app's client does. */
function trained(graph: Graph, steps: number): { tel: TelemetryData; norms: Record<string, Float64Array> } {
  const t = createTrainer(graph, { training: { steps: 10, validateEvery: 100 } });
  t.step(steps);
  const s = t.snapshot();
  const live: LiveSnapshot = { ...s, flags: s.diagnostics?.flags ?? [], probe: null };
  const info = { metricNames: t.metricNames() } as unknown as CompiledInfo;
  const out = applySnapshot({ kind: 'idle' }, telemetry(), live, { info, graph, pendingCompile: false, awaitingReset: false });
  if (out.ignored) throw new Error('snapshot ignored');
  return { tel: { ...telemetry(), ...out.telemetry }, norms: s.gradNorms };
}

describe('gradient-flow chart model', () => {
  it('a 2-layer LSTM: the chart lists the four nested cells by layer, their curves relative to the last step', () => {
    const graph = example('lstm-2-layer');
    const { tel, norms } = trained(graph, 2);
    const model = flowModel(graph, tel.gradNorms);
    expect(model.cells.map((c) => c.label).sort()).toEqual(['l1 › c', 'l1 › h', 'l2 › c', 'l2 › h']);
    expect(model.cells.every((c) => !c.reverse)).toBe(true);
    expect(model.T).toBe(20);
    model.cells.forEach((c, k) => {
      const n = norms[c.id];
      expect(n.some((v) => v > 0)).toBe(true);
      const curve = model.curves[k];
      expect(curve[model.T - 1]).toBe(1);
      expect(curve[0]).toBeCloseTo(n[0] / n[model.T - 1], 12);
    });
    // A chart point selects the nested node the inspector edits.
    expect(selectionOf(flowCell(graph, 'l2/c'))).toBe('l2/c');
  });

  it('a bidirectional GRU: both copies are listed, the backward one marked and scaled to t = 1 (its last step)', () => {
    const graph = example('gru-bidirectional');
    const { tel, norms } = trained(graph, 1);
    const model = flowModel(graph, tel.gradNorms);
    const byId = new Map(model.cells.map((c, k) => [c.id, { c, curve: model.curves[k] }]));
    const fwd = byId.get('bi/h')!;
    const rev = byId.get('bi/reverse/h')!;
    expect(fwd.c).toMatchObject({ label: 'bi → › h', layer: 'bi', node: 'h', reverse: false });
    expect(rev.c).toMatchObject({ label: 'bi ← › h', layer: 'bi', node: 'h', reverse: true });
    expect(selectionOf(rev.c)).toBe('bi/h');
    const T = model.T;
    expect(rev.curve[0]).toBe(1);
    expect(rev.curve[T - 1]).toBeCloseTo(norms['bi/reverse/h'][T - 1] / norms['bi/reverse/h'][0], 12);
    expect(fwd.curve[T - 1]).toBe(1);
  });

  it('a reverse layer reads time backwards; an outer cell keeps its name; hostile ids stay apart', () => {
    const graph = {
      format: 'cellwright-graph', version: 1,
      nodes: [
        { id: 'h', kind: 'cell', size: 1, label: 'state h_t' },
        { id: '__proto__', kind: 'layer', direction: 'reverse', output: 'h', graph: { nodes: [], edges: [] } },
        { id: '__proto__/x', kind: 'layer', output: 'h', graph: { nodes: [], edges: [] } },
      ],
      edges: [],
    } as unknown as Graph;
    expect(flowCell(graph, 'h')).toMatchObject({ label: 'state hₜ', layer: null, reverse: false });
    expect(flowCell(graph, '__proto__/h')).toMatchObject({ label: '__proto__ ← › h', reverse: true });
    // The longest layer id that prefixes the cell's id is its layer.
    expect(flowCell(graph, '__proto__/x/h')).toMatchObject({ label: '__proto__/x › h', layer: '__proto__/x', reverse: false });
    expect(relativeNorms(Float64Array.of(2, 4, 0))).toEqual([0.5, 1, null]);
    expect(relativeNorms(Float64Array.of(0, 4, 2), true)).toEqual([null, 1, 0.5]);
    expect(relativeNorms(Float64Array.of(NaN, Infinity))).toEqual([null, null]);
  });
});
