/**
 * Start-up and the background duties that follow the document: the default
 * example, the autosave offer, dirty tracking for the host, autosave writes,
 * shortcuts and host menu commands.
 */
import { loadLibrary } from '../store/blockLibrary.ts';
import { restoreLayout } from './layout.ts';
import type { Host, HostFile } from '../host/types.ts';
import { serializeGraph } from '../doc/engine.ts';
import { documentStore, isDirty } from '../store/document.ts';
import { uiStore, type Theme } from '../store/ui.ts';
import { DEFAULT_EXAMPLE_KEY, EXAMPLES } from '../examples.ts';
import type { MenuAction } from '../host/types.ts';
import { startTraining } from '../train/client.ts';
import { startRecording } from '../runs/recorder.ts';
import { graphForSave, runsStore, runsToSaveChanged } from '../runs/store.ts';
import { loadDocumentText, runMenuAction, setHost } from './commands.ts';
import { installShortcuts } from './shortcuts.ts';
import * as training from './training.ts';
import { openSweep } from '../experiments/SweepDialog.tsx';
import { openReproduce } from '../experiments/ReproduceDialog.tsx';
import { openOnnxExport } from '../panels/OnnxDialog.tsx';

/** The host's Train menu items (Train, Pause, Step, Reset, Re-initialize, Fit to task) go to the training commands, Sweep…, Reproduce… and Export ONNX… open their dialogs; the rest to the editor. */
function menuAction(action: MenuAction): void {
  switch (action) {
    case 'train': training.train(); break;
    case 'pause': training.pause(); break;
    case 'step': training.step(); break;
    case 'reset': training.reset(); break;
    case 'reinitWeights': training.reinitializeWeights(); break;
    case 'fitToTask': training.fitGraphToTaskNow(); break;
    case 'sweep': openSweep(); break;
    case 'reproduce': openReproduce(); break;
    case 'exportOnnx': openOnnxExport(); break;
    default: runMenuAction(action);
  }
}

const AUTOSAVE_DELAY_MS = 800;

interface AutosaveRecord {
  savedAt: string;
  name: string;
  text: string;
}

function parseAutosave(text: string | null): AutosaveRecord | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<AutosaveRecord>;
    if (typeof value.text === 'string' && typeof value.savedAt === 'string') {
      return { savedAt: value.savedAt, name: typeof value.name === 'string' ? value.name : 'Untitled', text: value.text };
    }
  } catch {
    // A corrupt autosave is not worth an error message: there is nothing to restore.
  }
  return null;
}

/**
 * A file the host hands over (command line, double-click, second instance).
 * One that cannot be opened leaves the document and its autosave as they
 * were and says why; nothing fails silently.
 */
export async function openFromHost(file: HostFile): Promise<void> {
  try {
    await loadDocumentText(file.text, { name: file.name, path: file.path, handle: file.handle });
  } catch (error) {
    uiStore.getState().notify('error', `${file.name} was not opened: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function startApp(host: Host): Promise<() => void> {
  setHost(host);
  const prefersDark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
  const theme = await host.getSetting<Theme>('theme', prefersDark ? 'dark' : 'light');
  uiStore.getState().setTheme(theme === 'dark' ? 'dark' : 'light');
  if (await host.getSetting('hintDismissed', false)) uiStore.getState().dismissHint();
  // Beside the file only where the host can write there (the desktop).
  runsStore.setState({ keepInFile: await host.getSetting('keepRunsInFile', true), beside: host.writeRunsBeside !== undefined && await host.getSetting('runsBeside', false) });
  await restoreLayout(host);
  await loadLibrary(host);

  // Read the autosave before anything can overwrite it.
  const offer = parseAutosave(await host.readAutosave());

  const params = new URLSearchParams(window.location.search);
  const wanted = params.get('example') ?? DEFAULT_EXAMPLE_KEY;
  const example = params.has('empty') ? null : EXAMPLES.find((entry) => entry.key === wanted) ?? EXAMPLES.find((entry) => entry.key === DEFAULT_EXAMPLE_KEY);
  if (example) await loadDocumentText(example.text, null);
  // An empty canvas has nothing to train yet: give the editor the full height (Charts brings them back).
  if (!example && uiStore.getState().dockOpen) uiStore.getState().toggleDock();
  if (offer) uiStore.getState().setRestoreOffer(offer);

  const cleanups: Array<() => void> = [];
  let timer: number | undefined;
  let lastDirty: boolean | null = null;
  let lastTitle = '';
  const sync = () => {
    const state = documentStore.getState();
    const dirty = isDirty(state);
    const title = state.file?.name ?? state.graph.name ?? 'Untitled';
    if (dirty !== lastDirty || title !== lastTitle) {
      host.setDirty(dirty, title);
      lastDirty = dirty;
      lastTitle = title;
    }
  };
  sync();
  const scheduleAutosave = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      const now = documentStore.getState();
      if (!isDirty(now)) return;
      // Do not overwrite an autosave still on offer until the user has answered.
      if (uiStore.getState().restoreOffer) return;
      // With the runs Save would write: a crash does not lose the run history either.
      const record: AutosaveRecord = { savedAt: new Date().toISOString(), name: now.file?.name ?? now.graph.name ?? 'Untitled', text: serializeGraph(graphForSave(now.graph)) };
      void host.writeAutosave(JSON.stringify(record));
    }, AUTOSAVE_DELAY_MS);
  };
  cleanups.push(documentStore.subscribe((state, previous) => {
    sync();
    if (state.graph !== previous.graph) scheduleAutosave();
  }));
  cleanups.push(uiStore.subscribe((state, previous) => {
    if (state.hintDismissed && !previous.hintDismissed) void host.setSetting('hintDismissed', true);
  }));
  cleanups.push(runsStore.subscribe((state, previous) => {
    if (state.keepInFile !== previous.keepInFile) void host.setSetting('keepRunsInFile', state.keepInFile);
    if (state.beside !== previous.beside) void host.setSetting('runsBeside', state.beside);
    if (runsToSaveChanged(state, previous)) scheduleAutosave();
  }));
  cleanups.push(installShortcuts());
  cleanups.push(host.onMenuAction(menuAction));
  // Training runs in a Web Worker that follows the document from here on.
  cleanups.push(startTraining(training.exampleDataFor));
  // Every run is kept in the document's run history (renderer/runs/).
  cleanups.push(startRecording());
  cleanups.push(host.onOpenFile((file) => void openFromHost(file)));
  return () => {
    window.clearTimeout(timer);
    cleanups.forEach((cleanup) => cleanup());
  };
}
