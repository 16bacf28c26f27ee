import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../engine/experiments/compare.ts';
import type { Graph } from '../../engine/format/types.ts';
import { uiStore } from '../store/ui.ts';
import { canKeepBeside, readRunsBeside, writeRunsBeside } from './beside.ts';
import { graphForSave, loadRunsFrom, markRunsSaved, runsStore, runsUnsaved, setStorage, storageOf } from './store.ts';

const graph = { format: 'cellwright-graph', version: 1, name: 'LSTM', nodes: [], edges: [] } as unknown as Graph;
const run = (id: string): RunRecord => ({
  id, name: `Run 1 · LSTM · adam 0.01 · seed 1`, started: '2026-01-01T00:00:00Z', graphName: 'LSTM', graph, settings: { 'training.lr': 0.01 }, seed: 1, steps: 3,
  metricName: 'mse', curves: { step: [1, 2, 3], loss: [3, 2, 1], valStep: [3], valLoss: [1], valMetric: [1] }, final: { loss: 1, valLoss: 1, metric: 1 }, gradFlow: {}, status: 'done',
});

/** A desktop host's files, in memory. */
function desktop() {
  const files = new Map<string, string>();
  return {
    files,
    async readRunsBeside(path: string) { return files.get(`${path}.runs.json`) ?? null; },
    async writeRunsBeside(path: string, text: string | null) { if (text === null) files.delete(`${path}.runs.json`); else files.set(`${path}.runs.json`, text); },
  };
}

afterEach(() => setStorage('file'));

describe('runs beside the file', () => {
  it('Save puts them beside the graph (not in it), Open brings them back, and moving them back inside removes the file beside', async () => {
    const host = desktop();
    loadRunsFrom(graph);
    runsStore.setState({ runs: [run('a')] });
    setStorage('beside');
    expect(storageOf(runsStore.getState())).toBe('beside');
    const saved = graphForSave(graph);
    expect(saved).not.toHaveProperty('runs');
    expect(await writeRunsBeside(host, saved, '/docs/lstm.cellwright')).toBe(true);
    markRunsSaved(saved);
    expect(runsUnsaved(runsStore.getState())).toBe(false);
    const beside = JSON.parse(host.files.get('/docs/lstm.cellwright.runs.json')!) as { format: string; runs: Array<{ id: string }> };
    expect(beside.format).toBe('cellwright-runs');
    expect(beside.runs.map((r) => r.id)).toEqual(['a']);

    // Reopen: the file has no runs; the ones beside it come back, saved.
    loadRunsFrom(JSON.parse(JSON.stringify(saved)) as Graph);
    expect(runsStore.getState().runs).toHaveLength(0);
    await readRunsBeside(host, '/docs/lstm.cellwright');
    expect(runsStore.getState().runs.map((r) => r.id)).toEqual(['a']);
    expect(runsUnsaved(runsStore.getState())).toBe(false);

    // Back inside the file: that is a change to save; Save writes them in and removes the file beside.
    setStorage('file');
    expect(runsUnsaved(runsStore.getState())).toBe(true);
    const inside = graphForSave(graph) as Graph & { runs?: unknown[] };
    expect(inside.runs).toHaveLength(1);
    expect(await writeRunsBeside(host, inside, '/docs/lstm.cellwright')).toBe(true);
    expect(host.files.size).toBe(0);
  });

  it('the browser has no file beside: runs kept there are not saved, and it says so', async () => {
    expect(canKeepBeside({})).toBe(false);
    expect(canKeepBeside(desktop())).toBe(true);
    loadRunsFrom(graph);
    runsStore.setState({ runs: [run('b')] });
    setStorage('beside');
    expect(await writeRunsBeside({}, graphForSave(graph), undefined)).toBe(false);
    setStorage('file');
    expect(await writeRunsBeside({}, graphForSave(graph), undefined)).toBe(true);
  });

  it('a file beside that is not a runs file is reported, not loaded', async () => {
    const host = desktop();
    let said = '';
    const notify = uiStore.getState().notify;
    uiStore.setState({ notify: (_kind: string, text: string) => { said = text; } } as never);
    try {
      for (const text of ['{"format": "cellwright-runs", "runs": [{"id": "__proto__"}, 7]}', 'not json', '{"runs": []}', '[]']) {
        host.files.set('/d/x.cellwright.runs.json', text);
        loadRunsFrom(graph);
        said = '';
        await readRunsBeside(host, '/d/x.cellwright');
        expect(runsStore.getState().runs).toHaveLength(0);
        if (text.startsWith('{"format"')) expect(said).toBe('');
        else expect(said).toMatch(/^x\.cellwright\.runs\.json was not read: /);
      }
    } finally {
      uiStore.setState({ notify } as never);
    }
  });
});
