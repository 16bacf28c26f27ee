import type { HostFile } from '../common/ipc-contract.ts';

/** What main knows about one window. Handlers read and update it; main.ts maps it to a BrowserWindow. */
export interface WindowSession {
  readonly id: number;
  /** Autosave slot (see AutosaveStore). */
  slot: string;
  dirty: boolean;
  title: string;
  /** Set when the user chose "Save" in the close prompt: close as soon as the save lands. */
  closeAfterSave: boolean;
  /** Set when the user chose "Don't Save": the next close is not asked about. */
  forceClose: boolean;
  /** Paths this window may write without a dialog: ones the user opened or chose to save to. */
  readonly granted: Set<string>;
  /** Files waiting for the renderer to listen; null once it has taken them (then they are sent directly). */
  pending: HostFile[] | null;
}

export function createSession(id: number, slot: string): WindowSession {
  return { id, slot, dirty: false, title: '', closeAfterSave: false, forceClose: false, granted: new Set(), pending: [] };
}
