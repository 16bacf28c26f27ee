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
  /**
   * The autosave slot holds work a crash interrupted, adopted at start-up and
   * not yet saved or discarded by the user: closing the window keeps it for
   * the next start. Cleared when the renderer clears or rewrites the autosave
   * (the user saved, discarded, or restored it into the document).
   */
  recoverable: boolean;
  /** Paths this window may write without a dialog: ones the user opened or chose to save to. */
  readonly granted: Set<string>;
  /** Files waiting for the renderer to listen; null once it has taken them (then they are sent directly). */
  pending: HostFile[] | null;
}

export function createSession(id: number, slot: string, recoverable = false): WindowSession {
  return { id, slot, dirty: false, title: '', closeAfterSave: false, forceClose: false, recoverable, granted: new Set(), pending: [] };
}
