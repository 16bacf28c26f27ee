/**
 * Keyboard shortcuts: one table drives both the key handling and the `?`
 * help dialog, so they cannot disagree.
 */
import * as commands from './commands.ts';
import * as training from './training.ts';
import { trainingStore } from '../store/training.ts';
import { uiStore } from '../store/ui.ts';
import { blockViewStore } from '../store/blockView.ts';

export interface Shortcut {
  keys: string;
  label: string;
  /** Matches a keydown; `mod` is Ctrl, or ⌘ on a Mac. */
  match: (event: KeyboardEvent, mod: boolean) => boolean;
  run: () => void;
}

const key = (event: KeyboardEvent) => event.key.toLowerCase();

export const SHORTCUTS: Shortcut[] = [
  { keys: 'Ctrl+Z', label: 'Undo', match: (e, mod) => mod && !e.shiftKey && key(e) === 'z', run: commands.undo },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', label: 'Redo', match: (e, mod) => mod && ((e.shiftKey && key(e) === 'z') || key(e) === 'y'), run: commands.redo },
  { keys: 'Ctrl+C', label: 'Copy', match: (e, mod) => mod && key(e) === 'c', run: () => void commands.copySelection() },
  { keys: 'Ctrl+X', label: 'Cut', match: (e, mod) => mod && key(e) === 'x', run: commands.cutSelection },
  { keys: 'Ctrl+V', label: 'Paste', match: (e, mod) => mod && key(e) === 'v', run: commands.paste },
  { keys: 'Ctrl+D', label: 'Duplicate', match: (e, mod) => mod && key(e) === 'd', run: commands.duplicateSelection },
  { keys: 'Ctrl+G', label: 'Group the selected gates, ops and cells as a block', match: (e, mod) => mod && !e.shiftKey && key(e) === 'g', run: () => void commands.groupSelectionAsNewBlock() },
  { keys: 'Ctrl+A', label: 'Select all', match: (e, mod) => mod && key(e) === 'a', run: commands.selectAll },
  { keys: 'Delete / Backspace', label: 'Delete the selection', match: (e, mod) => !mod && (e.key === 'Delete' || e.key === 'Backspace'), run: commands.deleteSelection },
  { keys: 'Ctrl+O', label: 'Open a graph file', match: (e, mod) => mod && !e.shiftKey && key(e) === 'o', run: () => void commands.openDocument() },
  { keys: 'Ctrl+S', label: 'Save', match: (e, mod) => mod && !e.shiftKey && key(e) === 's', run: () => void commands.save() },
  { keys: 'Ctrl+Shift+S', label: 'Save as', match: (e, mod) => mod && e.shiftKey && key(e) === 's', run: () => void commands.saveAs() },
  { keys: 'Ctrl+E', label: 'Export JSON', match: (e, mod) => mod && !e.shiftKey && key(e) === 'e', run: () => void commands.exportJson() },
  { keys: 'Ctrl+I', label: 'Import a graph into this one', match: (e, mod) => mod && key(e) === 'i', run: () => void commands.importDocument() },
  { keys: 'Ctrl+Enter', label: 'Train / pause', match: (e, mod) => mod && !e.shiftKey && e.key === 'Enter', run: () => (trainingStore.getState().run.kind === 'training' ? training.pause() : training.train()) },
  { keys: 'Ctrl+Shift+Enter', label: 'One training step', match: (e, mod) => mod && e.shiftKey && e.key === 'Enter', run: training.step },
  { keys: 'Shift+R', label: 'Re-initialize weights (the selected node or edge, else all)', match: (e, mod) => !mod && e.shiftKey && key(e) === 'r', run: () => training.reinitializeWeights() },
  { keys: 'Shift+L', label: 'Auto layout', match: (e, mod) => !mod && e.shiftKey && key(e) === 'l', run: () => void commands.layoutGraph() },
  { keys: 'Shift+1', label: 'Fit the graph in view', match: (e, mod) => !mod && e.shiftKey && (e.key === '!' || e.code === 'Digit1'), run: commands.fitView },
  { keys: '+ / −', label: 'Zoom in / out', match: (e, mod) => !mod && (e.key === '+' || e.key === '='), run: () => commands.runMenuAction('zoomIn') },
  { keys: '', label: '', match: (e, mod) => !mod && (e.key === '-' || e.key === '_'), run: () => commands.runMenuAction('zoomOut') },
  { keys: 'Shift+T', label: 'Light / dark theme', match: (e, mod) => !mod && e.shiftKey && key(e) === 't', run: commands.toggleTheme },
  { keys: 'Shift+M', label: 'Show / hide the minimap', match: (e, mod) => !mod && e.shiftKey && key(e) === 'm', run: () => uiStore.getState().toggleMinimap() },
  { keys: '?', label: 'This list of shortcuts', match: (e) => e.key === '?', run: () => uiStore.getState().setHelpOpen(true) },
  { keys: 'Escape', label: 'Clear the selection / close a dialog / leave a block (Edit block)', match: (e) => e.key === 'Escape', run: () => {
    const ui = uiStore.getState();
    if (ui.helpOpen) ui.setHelpOpen(false);
    else if (blockViewStore.getState().block !== null) commands.finishBlockEdit();
    else ui.select([]);
  } },
];

/** Mouse gestures shown in the help dialog next to the keys. */
export const GESTURES: Array<[string, string]> = [
  ['Drag a block from the palette', 'Add a node (or press Enter on it)'],
  ['Click a template', 'Open it as a new document, with its task (Shift+Enter or drag: insert it here)'],
  ['Drag from a right dot to a left dot', 'Connect an output to an input'],
  ['Drag the background', 'Pan'],
  ['Wheel / pinch', 'Zoom'],
  ['Shift+drag the background', 'Select with a box'],
  ['Shift+click', 'Add to the selection'],
];

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function installShortcuts(): () => void {
  const mac = /Mac|iPhone|iPad/.test(navigator.platform);
  const onKeyDown = (event: KeyboardEvent) => {
    if (isEditable(event.target)) return;
    // A modal dialog is open: its own keys only (Escape closes it natively; a canvas shortcut must not act behind it).
    if (document.querySelector('dialog:modal')) return;
    const mod = mac ? event.metaKey : event.ctrlKey;
    for (const shortcut of SHORTCUTS) {
      if (shortcut.match(event, mod)) {
        event.preventDefault();
        shortcut.run();
        return;
      }
    }
  };
  window.addEventListener('keydown', onKeyDown);
  return () => window.removeEventListener('keydown', onKeyDown);
}
