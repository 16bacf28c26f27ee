import { memo, useEffect, useRef } from 'react';
import { GESTURES, SHORTCUTS } from '../app/shortcuts.ts';
import { loadDocumentText } from '../app/commands.ts';
import { getHost } from '../app/commands.ts';
import { uiStore, useUi } from '../store/ui.ts';

export const HelpDialog = memo(function HelpDialog() {
  const open = useUi((state) => state.helpOpen);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="cw-dialog" aria-label="Keyboard shortcuts" onClose={() => uiStore.getState().setHelpOpen(false)}>
      <div className="cw-dialog-head">
        <h2>Keyboard shortcuts</h2>
        <button type="button" className="cw-tb-button" aria-label="Close" onClick={() => uiStore.getState().setHelpOpen(false)}>✕</button>
      </div>
      <div className="cw-dialog-cols">
        <table className="cw-keys">
          <tbody>
            {SHORTCUTS.filter((shortcut) => shortcut.keys).map((shortcut) => (
              <tr key={shortcut.keys}><td><kbd>{shortcut.keys}</kbd></td><td>{shortcut.label}</td></tr>
            ))}
          </tbody>
        </table>
        <table className="cw-keys">
          <tbody>
            {GESTURES.map(([gesture, meaning]) => (
              <tr key={gesture}><td><kbd>{gesture}</kbd></td><td>{meaning}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
    </dialog>
  );
});

export const NoticeToast = memo(function NoticeToast() {
  const notice = useUi((state) => state.notice);
  useEffect(() => {
    if (!notice) return;
    const handle = window.setTimeout(() => uiStore.getState().clearNotice(notice.id), notice.kind === 'error' || notice.action ? 8000 : 3500);
    return () => window.clearTimeout(handle);
  }, [notice]);
  if (!notice) return null;
  return (
    <div className={`cw-notice is-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      <span>{notice.text}</span>
      {notice.action ? (
        <button type="button" className="cw-notice-action" onClick={() => { notice.action!.run(); uiStore.getState().clearNotice(notice.id); }}>{notice.action.label}</button>
      ) : null}
      <button type="button" aria-label="Dismiss" onClick={() => uiStore.getState().clearNotice(notice.id)}>✕</button>
    </div>
  );
});

export const RestoreBanner = memo(function RestoreBanner() {
  const offer = useUi((state) => state.restoreOffer);
  if (!offer) return null;
  const when = new Date(offer.savedAt);
  return (
    <div className="cw-banner" role="region" aria-label="Unsaved work">
      <span>Unsaved work on <b>{offer.name}</b> from {when.toLocaleString()} was kept. Restore it?</span>
      <button type="button" className="cw-primary" onClick={async () => {
        uiStore.getState().setRestoreOffer(null);
        await loadDocumentText(offer.text, null, { dirty: true });
      }}>Restore</button>
      <button type="button" onClick={() => {
        uiStore.getState().setRestoreOffer(null);
        void getHost().clearAutosave();
      }}>Discard</button>
    </div>
  );
});

export const HintLine = memo(function HintLine() {
  const dismissed = useUi((state) => state.hintDismissed);
  if (dismissed) return null;
  return (
    <div className="cw-hint" role="note">
      <span>
        <b>Start here:</b> press <b>Train</b> to watch this cell learn: every gate and the gradient through time update live. To build your own, drag blocks from the left and connect a node's right dot to another's left dot; dashed edges read the previous step. <kbd>?</kbd> lists the shortcuts.
      </span>
      <button type="button" aria-label="Hide the hint" onClick={() => uiStore.getState().dismissHint()}>✕</button>
    </div>
  );
});
