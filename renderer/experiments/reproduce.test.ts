/**
 * Reproduce in the app against `cellwright reproduce --quick`: the preset
 * opens as a document, its runs join the run history, and the test-set
 * numbers and the verdict are the CLI's, bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { reproduce } from '../../cli/commands/reproduce.ts';
import { PRESET_NAMES } from '../../engine/experiments/presets.ts';
import type { Graph } from '../../engine/format/types.ts';
import { runsStore } from '../runs/store.ts';
import { inProcessLane } from './lanes.ts';
import { presetDocument, reproduceStore, startReproduce } from './reproduce.ts';

describe('Reproduce in the app', () => {
  it('trains and judges a preset as cellwright reproduce --quick does, number for number', async () => {
    runsStore.setState({ runs: [], counter: 0 });
    const opened: Graph[] = [];
    const report = await startReproduce('temporal-order', { open: async (g) => { opened.push(g); return true; }, lanes: 1, lane: inProcessLane });
    const cli = await reproduce('temporal-order', 'quick', { jobs: 1 });
    expect(report).toEqual(cli.report);
    expect(report?.pass).toBe(true);
    const app = reproduceStore.getState().active!;
    expect(app.measures.map(({ seconds: _s, ...m }) => m)).toEqual(cli.measures.map(({ seconds: _s, ...m }) => m));
    // The document: the preset's first cell with its task and training settings.
    expect(opened[0].task).toMatchObject({ name: 'temporal-order', length: 20 });
    expect(opened[0].training).toMatchObject({ optimizer: 'adam', seed: 1 });
    // Every arm and seed is a run in the history.
    expect(runsStore.getState().runs.map((r) => r.name)).toEqual([expect.stringMatching(/^Run 1 · .* · reproduce temporal-order \(quick\)$/)]);
    expect(runsStore.getState().runs[0].status).toBe('done');
  }, 120_000);

  it('starts nothing when the user keeps their unsaved work, and knows no preset named __proto__', async () => {
    runsStore.setState({ runs: [], counter: 0 });
    reproduceStore.setState({ active: null });
    expect(await startReproduce('parity', { open: async () => false, lane: inProcessLane })).toBeNull();
    expect(reproduceStore.getState().active).toBeNull();
    expect(runsStore.getState().runs).toHaveLength(0);
    expect(await startReproduce('__proto__', { open: async () => true, lane: inProcessLane })).toBeNull();
    expect(presetDocument('__proto__')).toBeNull();
    for (const name of PRESET_NAMES) expect(presetDocument(name)?.nodes.length).toBeGreaterThan(3);
  });
});
