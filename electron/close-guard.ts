import type { WindowSession } from './session.ts';

/** Buttons of the "unsaved changes" box, in this order. */
export const CLOSE_BUTTONS = ['Save', "Don't Save", 'Cancel'] as const;
export type CloseChoice = 'save' | 'discard' | 'cancel';

export function choiceFromButton(index: number): CloseChoice {
  return index === 0 ? 'save' : index === 1 ? 'discard' : 'cancel';
}

/** On a window's close event: may it close now, or must the user be asked? */
export function mustAsk(session: WindowSession): boolean {
  return session.dirty && !session.forceClose;
}

/**
 * Apply the user's answer. "save" asks the renderer to save (it answers with
 * setDirty(false), upon which the window closes; cancelling the save dialog
 * keeps it open); "discard" closes without asking again; "cancel" keeps the
 * window open.
 */
export function applyChoice(session: WindowSession, choice: CloseChoice): 'requestSave' | 'close' | 'keepOpen' {
  switch (choice) {
    case 'save':
      session.closeAfterSave = true;
      return 'requestSave';
    case 'discard':
      session.forceClose = true;
      return 'close';
    case 'cancel':
      session.closeAfterSave = false;
      return 'keepOpen';
  }
}

/**
 * After a window closed: delete its autosave only when the user is done with
 * it — the document was clean or saved, or they chose "Don't Save". Work
 * recovered from a crash that the user never answered for is kept, so the
 * next start offers it again.
 */
export function autosaveAfterClose(session: WindowSession): 'clear' | 'keep' {
  if (session.forceClose) return 'clear';
  return session.recoverable ? 'keep' : 'clear';
}
