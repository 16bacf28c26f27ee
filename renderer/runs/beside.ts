/**
 * Runs kept beside the graph file (`lstm.cellwright.runs.json`), through the
 * Host: the desktop reads and writes that file next to the one the user
 * opened or saved; the browser edition has no such file (a page cannot write
 * a second file next to the one picked), so its runs stay inside the file.
 */
import type { Graph } from '../../engine/format/types.ts';
import type { Host } from '../host/types.ts';
import { uiStore } from '../store/ui.ts';
import { loadRunsBeside, runsBesideText } from './store.ts';

/** Whether this host can keep runs beside a file. */
export function canKeepBeside(host: Pick<Host, 'writeRunsBeside'> | null): boolean {
  return typeof host?.writeRunsBeside === 'function';
}

const nameOf = (path: string) => path.replace(/^.*[\\/]/, '');

/** After opening `path`: the runs beside it join the history when the file holds none. Problems are said, never thrown. */
export async function readRunsBeside(host: Pick<Host, 'readRunsBeside'>, path: string): Promise<void> {
  if (!host.readRunsBeside) return;
  let text: string | null;
  try {
    text = await host.readRunsBeside(path);
  } catch (error) {
    uiStore.getState().notify('error', `The runs beside ${nameOf(path)} were not read: ${(error as Error).message}`);
    return;
  }
  if (text === null) return;
  try {
    const { loaded, skipped } = loadRunsBeside(text);
    if (loaded > 0) uiStore.getState().notify('info', `${loaded} run${loaded === 1 ? '' : 's'} read from beside ${nameOf(path)}${skipped ? ` (${skipped} entr${skipped === 1 ? 'y was' : 'ies were'} not runs and left out)` : ''}.`);
  } catch (error) {
    uiStore.getState().notify('error', `${nameOf(path)}.runs.json was not read: ${(error as Error).message}`);
  }
}

/**
 * After Save wrote `saved` to `path`: the runs beside it are written (kept
 * beside) or removed (kept inside, or in this session only, so an old file
 * beside it cannot bring back runs the user moved or dropped). Returns false
 * when the runs could not be written: they are then not saved.
 */
export async function writeRunsBeside(host: Pick<Host, 'writeRunsBeside'>, saved: Graph, path: string | undefined): Promise<boolean> {
  const text = runsBesideText(saved);
  if (!host.writeRunsBeside || !path) {
    if (text !== null) uiStore.getState().notify('error', 'Runs were not saved: keeping them beside the file needs the desktop app. Choose "in the file" under Keep runs.');
    return text === null;
  }
  try {
    await host.writeRunsBeside(path, text);
    return true;
  } catch (error) {
    if (text !== null) uiStore.getState().notify('error', `The runs beside ${nameOf(path)} were not saved: ${(error as Error).message}`);
    return text === null;
  }
}
