/**
 * The user's library of blocks (docs/blocks.md): every block made with
 * "Group as block" is kept here, so it can be dragged into any graph. It is
 * stored through the Host's settings (localStorage in the browser edition,
 * the settings file on the desktop) under `blockLibrary`.
 */
import { createStore, useStore } from 'zustand';
import type { BlockDef } from '../../engine/blocks/types.ts';
import { isRecord } from '../../engine/blocks/types.ts';
import type { Host } from '../host/types.ts';

export const LIBRARY_SETTING = 'blockLibrary';
/** How many blocks the library keeps (the oldest go first). */
export const LIBRARY_LIMIT = 100;

export interface LibraryBlock {
  name: string;
  def: BlockDef;
}

interface LibraryState {
  blocks: LibraryBlock[];
  loaded: boolean;
}

export const blockLibrary = createStore<LibraryState>()(() => ({ blocks: [], loaded: false }));

export function useBlockLibrary<T>(selector: (state: LibraryState) => T): T {
  return useStore(blockLibrary, selector);
}

/** Keeps the well-formed entries of a stored library (it may come from an older or hand-edited settings file). */
export function sanitizeLibrary(value: unknown): LibraryBlock[] {
  if (!Array.isArray(value)) return [];
  return value.filter((b): b is LibraryBlock => isRecord(b) && typeof b.name === 'string' && b.name !== ''
    && isRecord(b.def) && Array.isArray(b.def.nodes) && Array.isArray(b.def.edges) && Array.isArray(b.def.outputs)).slice(-LIBRARY_LIMIT);
}

export async function loadLibrary(host: Host): Promise<void> {
  try {
    const stored = await host.getSetting<unknown>(LIBRARY_SETTING, []);
    blockLibrary.setState({ blocks: sanitizeLibrary(stored), loaded: true });
  } catch {
    blockLibrary.setState({ loaded: true });
  }
}

/** Adds (or replaces, by name) a block and stores the library. */
export async function addToLibrary(host: Host, name: string, def: BlockDef): Promise<void> {
  const blocks = [...blockLibrary.getState().blocks.filter((b) => b.name !== name), { name, def }].slice(-LIBRARY_LIMIT);
  blockLibrary.setState({ blocks });
  await host.setSetting(LIBRARY_SETTING, blocks);
}

export async function removeFromLibrary(host: Host, name: string): Promise<void> {
  const blocks = blockLibrary.getState().blocks.filter((b) => b.name !== name);
  blockLibrary.setState({ blocks });
  await host.setSetting(LIBRARY_SETTING, blocks);
}
