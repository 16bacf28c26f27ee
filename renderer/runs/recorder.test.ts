import { afterEach, describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/format/types.ts';
import { documentStore, isDirty } from '../store/document.ts';
import { emptyCurves, telemetryStore } from '../store/telemetry.ts';
import { trainingStore, type RunState } from '../store/training.ts';
import { curvesSince, startRecording } from './recorder.ts';
import { deleteRun, graphForSave, markRunsSaved, runsStore } from './store.ts';

const graph = (lr: number): Graph => ({ version: 1, name: 'LSTM', nodes: [{ id: 'h', kind: 'cell', size: 2 }], edges: [], training: { optimizer: 'adam', lr, seed: 3 } } as unknown as Graph);

/** What the training client does: curves grow while training, the run state follows. */
function trainSteps(from: number, to: number): void {
  trainingStore.getState().set({ run: { kind: 'training' } });
  telemetryStore.setState({ curvesVersion: telemetryStore.getState().curvesVersion + 1 });
  const c = telemetryStore.getState().curves;
  for (let s = from + 1; s <= to; s++) {
    c.step.push(s);
    c.loss.push(1 / s);
    c.metric.push(NaN);
    if (s % 5 === 0) { c.valStep.push(s); c.valLoss.push(2 / s); c.valMetric.push(0.5); }
  }
  telemetryStore.setState({ curvesVersion: telemetryStore.getState().curvesVersion + 1, gradNorms: { h: new Float64Array([0.01, 0.1, 1]) } });
  trainingStore.getState().set({ step: to });
}
/** The recorder captures a stopped run once the snapshot that stopped it is applied (a microtask later). */
const setRun = async (run: RunState) => {
  trainingStore.getState().set({ run });
  await Promise.resolve();
};

let stop: () => void = () => undefined;
afterEach(() => {
  stop();
  telemetryStore.getState().clear();
  trainingStore.getState().set({ run: { kind: 'idle' }, step: 0 });
});

describe('the run recorder', () => {
  it('keeps every run: a pause continues it, reset ends it, and the next Train starts another', async () => {
    documentStore.getState().load(graph(0.01), null);
    await setRun({ kind: 'idle' });
    stop = startRecording();
    // Train, then a stale idle snapshot before the first step: no run is kept.
    await setRun({ kind: 'training' });
    await setRun({ kind: 'idle' });
    expect(runsStore.getState().runs).toHaveLength(0);
    trainSteps(0, 10);
    await setRun({ kind: 'paused', reason: 'user' });
    expect(runsStore.getState().runs).toHaveLength(1);
    expect(runsStore.getState().runs[0].status).toBe('stopped');
    trainSteps(10, 20);
    // Reset: the client clears the telemetry before the run state says idle.
    telemetryStore.getState().clear();
    await setRun({ kind: 'idle' });
    let [first] = runsStore.getState().runs;
    expect(runsStore.getState().runs).toHaveLength(1);
    expect(first.name).toBe('Run 1 · LSTM · adam 0.01 · seed 3');
    expect(first.curves.step).toHaveLength(20);
    expect(first.final.loss).toBeCloseTo(1 / 20);
    expect(first.final.valLoss).toBeCloseTo(2 / 20);
    expect(first.gradFlow.h).toEqual([0.01, 0.1, 1]);
    expect(first.settings['training.lr']).toBe(0.01);

    documentStore.getState().commit('lr', graph(0.003));
    trainingStore.getState().set({ step: 0 });
    trainSteps(0, 15);
    await setRun({ kind: 'paused', reason: 'done' });
    // Train after a finished run continues the weights: a third run, from step 15.
    trainSteps(15, 30);
    await setRun({ kind: 'paused', reason: 'done' });
    const runs = runsStore.getState().runs;
    expect(runs.map((r) => r.status)).toEqual(['stopped', 'done', 'done']);
    expect(runs[1].settings['training.lr']).toBe(0.003);
    expect(runs[2].name).toBe('Run 3 · LSTM · adam 0.003 · seed 3 · from step 15');
    expect(runs[2].curves.step[0]).toBe(16);
    expect(runs[2].steps).toBe(30);

    // Saved into the file, and read back when that file opens.
    const saved = graphForSave(documentStore.getState().graph) as Graph & { runs: unknown[] };
    expect(saved.runs).toHaveLength(3);
    deleteRun(runs[0].id);
    documentStore.getState().load(JSON.parse(JSON.stringify(saved)) as Graph, null);
    [first] = runsStore.getState().runs;
    expect(runsStore.getState().runs).toHaveLength(3);
    expect(first.final.loss).toBeCloseTo(1 / 20);
    // Off: Save writes no runs.
    runsStore.setState({ keepInFile: false });
    expect(graphForSave(saved)).not.toHaveProperty('runs');
    runsStore.setState({ keepInFile: true });
  });

  it('marks the document unsaved when a run ends, and saved again when Save wrote it', async () => {
    documentStore.getState().load(graph(0.01), null);
    await setRun({ kind: 'idle' });
    stop = startRecording();
    expect(isDirty(documentStore.getState())).toBe(false);
    trainSteps(0, 10);
    // Still training: Save would not write it yet.
    expect(isDirty(documentStore.getState())).toBe(false);
    await setRun({ kind: 'paused', reason: 'done' });
    expect(isDirty(documentStore.getState())).toBe(true);
    // A save written before a background run finished leaves the document unsaved.
    const saved = graphForSave(documentStore.getState().graph);
    runsStore.setState((s) => ({ runs: [...s.runs, { ...s.runs[0], id: 'late', status: 'done' }] }));
    markRunsSaved(saved);
    documentStore.getState().markSaved(null);
    expect(isDirty(documentStore.getState())).toBe(true);
    markRunsSaved(graphForSave(documentStore.getState().graph));
    expect(isDirty(documentStore.getState())).toBe(false);
    // Deleting a saved run, or no longer keeping runs in the file, changes what Save writes.
    deleteRun('late');
    expect(isDirty(documentStore.getState())).toBe(true);
    markRunsSaved(graphForSave(documentStore.getState().graph));
    runsStore.setState({ keepInFile: false });
    expect(isDirty(documentStore.getState())).toBe(true);
    runsStore.setState({ keepInFile: true });
    expect(isDirty(documentStore.getState())).toBe(false);
    // Opening a file with runs: nothing unsaved.
    documentStore.getState().load(JSON.parse(JSON.stringify(graphForSave(graph(0.01)))) as Graph, null);
    expect(isDirty(documentStore.getState())).toBe(false);
  });

  it('takes a run\'s curves from the step it started at', () => {
    const c = { ...emptyCurves(), step: [1, 2, 3], loss: [3, 2, 1], valStep: [2], valLoss: [5], valMetric: [1] };
    expect(curvesSince(c, 2)).toEqual({ step: [3], loss: [1], valStep: [], valLoss: [], valMetric: [] });
    expect(curvesSince(c, 0).step).toEqual([1, 2, 3]);
    expect(curvesSince(null, 0).step).toEqual([]);
  });
});
