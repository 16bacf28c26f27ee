// @vitest-environment happy-dom
// Start-up with work a crash left behind: the editor offers it, and a file the
// host hands over that cannot be opened leaves both the document and the
// autosaved work as they were, and says why.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host, HostFile, MenuAction } from '../host/types.ts';
import { openExampleAction } from '../../common/ipc-contract.ts';
import gruText from '../../assets/examples/gru.json?raw';
import type * as TrainingClientModule from '../train/client.ts';

type TrainingClient = typeof TrainingClientModule;

// Training runs in a Web Worker, which this test does not need.
vi.mock('../train/client.ts', async (importOriginal) => ({
  ...(await importOriginal<TrainingClient>()),
  startTraining: () => () => undefined,
}));

const { startApp } = await import('./startup.ts');
const { documentStore } = await import('../store/document.ts');
const { uiStore } = await import('../store/ui.ts');
const { serializeGraph } = await import('../doc/engine.ts');
const { save } = await import('./commands.ts');

/** An in-memory Host whose autosave and file channel the test controls. */
function memoryHost(autosave: string | null) {
  const state = { autosave, writes: [] as string[], clears: 0 };
  const openListeners = new Set<(file: HostFile) => void>();
  const menuListeners = new Set<(action: MenuAction) => void>();
  const host: Host = {
    kind: 'browser',
    openFile: async () => null,
    saveFile: async (_text, name) => ({ name }),
    saveFileAs: async (_text, name) => ({ name }),
    exportFile: async () => null,
    recentFiles: async () => [],
    openRecent: async () => null,
    getSetting: async <T,>(_key: string, fallback: T) => fallback,
    setSetting: async () => undefined,
    writeAutosave: async (text) => {
      state.writes.push(text);
      state.autosave = text;
    },
    readAutosave: async () => state.autosave,
    clearAutosave: async () => {
      state.clears += 1;
      state.autosave = null;
    },
    setDirty: () => undefined,
    onMenuAction: (listener: (action: MenuAction) => void) => {
      menuListeners.add(listener);
      return () => menuListeners.delete(listener);
    },
    onOpenFile: (listener) => {
      openListeners.add(listener);
      return () => openListeners.delete(listener);
    },
    openExternal: async () => undefined,
  };
  return {
    host, state,
    deliver: (file: HostFile) => openListeners.forEach((listener) => listener(file)),
    menu: (action: MenuAction) => menuListeners.forEach((listener) => listener(action)),
  };
}

let stop: (() => void) | null = null;
afterEach(() => {
  stop?.();
  stop = null;
});

describe('start-up with crash-recovered work', () => {
  it('a file that cannot be opened keeps the document and the autosave, and says why', async () => {
    const recovered = JSON.stringify({ savedAt: '2026-12-01T10:00:00.000Z', name: 'my cell', text: '{"format":"cellwright-graph"}' });
    const { host, state, deliver } = memoryHost(recovered);
    stop = await startApp(host);
    expect(uiStore.getState().restoreOffer).toMatchObject({ name: 'my cell' });
    const before = serializeGraph(documentStore.getState().graph);

    for (const [file, reason] of [
      [{ name: 'broken.cellwright', text: '{"format": "cellwright-graph", "nodes": [' }, /broken\.cellwright was not opened: .+/],
      [{ name: 'notes.json', text: '["just", "a", "list"]' }, /notes\.json was not opened: .+/],
      [{ name: 'empty.json', text: '' }, /empty\.json was not opened: .+/],
    ] as const) {
      deliver({ ...file, path: `/d/${file.name}`, handle: `/d/${file.name}` });
      await vi.waitFor(() => expect(uiStore.getState().notice?.text).toMatch(reason));
      expect(uiStore.getState().notice?.kind).toBe('error');
      expect(serializeGraph(documentStore.getState().graph)).toBe(before);
    }
    // The crash-recovered work is still there, still on offer, untouched.
    expect(state.autosave).toBe(recovered);
    expect(state.writes).toEqual([]);
    expect(state.clears).toBe(0);
    expect(uiStore.getState().restoreOffer).toMatchObject({ name: 'my cell' });

    // Saving the document on screen (not the recovered one) leaves the recovered work alone.
    await save();
    expect(uiStore.getState().notice?.text).toMatch(/^Saved /);
    expect(state.clears).toBe(0);
    expect(state.autosave).toBe(recovered);
    // Discarding it, then saving, clears as before.
    uiStore.getState().setRestoreOffer(null);
    await save();
    expect(state.clears).toBe(1);
  });
});

describe('desktop menu actions', () => {
  const node = (id: string) => documentStore.getState().graph.nodes.find((n) => n.id === id);

  it('Open Example, Import Model, Re-initialize Weights and Fit Graph to Task each run their command', async () => {
    const { host, menu } = memoryHost(null);
    stop = await startApp(host);

    // File › Open Example › GRU opens the bundled GRU, with its stored weights.
    menu(openExampleAction('gru'));
    expect(documentStore.getState().graph.name).toBe((JSON.parse(gruText) as { name: string }).name);
    expect(uiStore.getState().notice?.text).toMatch(/^Opened GRU/);
    expect(Object.keys(documentStore.getState().graph.parameters ?? {})).toContain('edge:x_r');
    // An example the renderer does not have is refused, saying which.
    menu(openExampleAction('no-such-example'));
    expect(uiStore.getState().notice).toMatchObject({ kind: 'error', text: 'The example "no-such-example" is not available.' });

    // Train › Re-initialize Weights drops every stored weight, as one undo step.
    menu('reinitWeights');
    expect(documentStore.getState().graph.parameters ?? {}).toEqual({});
    expect(uiStore.getState().notice?.text).toMatch(/^Re-initialized /);
    documentStore.getState().undo();
    expect(Object.keys(documentStore.getState().graph.parameters ?? {})).toContain('edge:x_r');

    // Train › Fit Graph to Task: the GRU (1 input) on the adding task (2 inputs) gets its input resized.
    const graph = documentStore.getState().graph;
    documentStore.getState().load({ ...graph, task: { name: 'adding', length: 10 } }, null);
    expect(node('x')?.size).toBe(1);
    menu('fitToTask');
    expect(node('x')?.size).toBe(2);
    expect(uiStore.getState().notice?.text).toMatch(/^Fitted to the adding task/);

    // File › Import Model… opens a chooser for model files.
    const click = vi.spyOn(HTMLInputElement.prototype, 'click').mockImplementation(function (this: HTMLInputElement) {
      chosen.push(this.accept);
    });
    const chosen: string[] = [];
    menu('importModel');
    expect(chosen).toEqual(['.onnx,.pt,.pth,.safetensors']);
    click.mockRestore();

    // On the desktop (a host with its own model dialog) the chosen file is imported as the new document.
    const name = 'gru_lbr0.onnx';
    host.openModelFile = async () => ({ name, bytes: new Uint8Array(readFileSync(join(process.cwd(), 'test/fixtures/models', name))) });
    // The fitted graph is unsaved: importing over it asks first.
    const asked: string[] = [];
    Object.assign(window, { confirm: (message: string) => asked.push(message) > 0 });
    menu('importModel');
    await vi.waitFor(() => expect(uiStore.getState().notice?.text).toMatch(/^Imported gru_lbr0\.onnx: /));
    expect(documentStore.getState().graph.nodes.some((n) => n.kind === 'cell')).toBe(true);
    expect(chosen).toHaveLength(1); // no file input this time
    expect(asked).toEqual([expect.stringMatching(/unsaved changes\. Import gru_lbr0\.onnx anyway/)]);
  });

  it('Group as Block, Sweep…, Reproduce… and Export ONNX… each run their command', async () => {
    const { sweepStore } = await import('../experiments/runner.ts');
    const { reproduceStore } = await import('../experiments/reproduce.ts');
    const { onnxDialogStore } = await import('../panels/OnnxDialog.tsx');
    const { host, menu: run } = memoryHost(null);
    stop = await startApp(host);
    run(openExampleAction('gru'));

    // Edit › Group as Block: the selected gates become one block instance, one undo step.
    uiStore.getState().select(['r', 'z']);
    run('groupAsBlock');
    const instance = documentStore.getState().graph.nodes.find((n) => (n.kind as string) === 'block');
    expect(instance).toBeDefined();
    expect(node('r')).toBeUndefined();
    expect([...uiStore.getState().selectedNodes]).toEqual([instance!.id]);
    documentStore.getState().undo();
    expect(node('r')?.kind).toBe('gate');

    // Train › Sweep… and Reproduce… open their dialogs; File › Export › ONNX Model… its options.
    expect(sweepStore.getState().open).toBe(false);
    run('sweep');
    expect(sweepStore.getState().open).toBe(true);
    expect(reproduceStore.getState().open).toBe(false);
    run('reproduce');
    expect(reproduceStore.getState().open).toBe(true);
    expect(onnxDialogStore.getState().open).toBe(false);
    run('exportOnnx');
    expect(onnxDialogStore.getState().open).toBe(true);
  });
});
