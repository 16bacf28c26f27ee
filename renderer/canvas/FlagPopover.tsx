/**
 * A flagged node's badge opens this: one sentence on what is happening
 * (reference text §4) and the fixes that apply with one click (§5).
 */
import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { applyFix, explainFlag, fixesFor } from '../app/training.ts';
import { useDocument } from '../store/document.ts';
import { useTelemetry } from '../store/telemetry.ts';
import { useTraining } from '../store/training.ts';
import { uiStore, useUi } from '../store/ui.ts';
import { own } from '../../engine/format/dict.ts';
import { explainGradientAt } from '../views/ExplainDialog.tsx';

export const FLAG_WORD = { vanishing: 'vanishing', exploding: 'exploding', nonfinite: 'NaN' } as const;

export const FlagPopover = memo(function FlagPopover() {
  const open = useUi((s) => s.flagOpen);
  const flag = useTelemetry((s) => (open ? own(s.flags, open) : undefined));
  const graph = useDocument((s) => s.graph);
  const T = useTraining((s) => s.info?.T ?? null);
  const ref = useRef<HTMLDivElement>(null);
  const [at, setAt] = useState<{ x: number; y: number } | null>(null);
  const [busy, setBusy] = useState(false);

  useLayoutEffect(() => {
    if (!open) return;
    const badge = document.querySelector(`[data-flag-for="${CSS.escape(open)}"]`);
    const r = badge?.getBoundingClientRect();
    if (!r) {
      setAt(null);
      return;
    }
    const width = 340;
    setAt({ x: Math.max(8, Math.min(window.innerWidth - width - 8, r.left - 8)), y: r.bottom + 6 });
  }, [open, flag]);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') uiStore.getState().setFlagOpen(null); };
    const onDown = (e: PointerEvent) => {
      const target = e.target as Element | null;
      if (ref.current?.contains(target) || target?.closest?.('[data-flag-for]')) return;
      uiStore.getState().setFlagOpen(null);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('pointerdown', onDown, true);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('pointerdown', onDown, true);
    };
  }, [open]);

  useEffect(() => {
    if (open && !flag) uiStore.getState().setFlagOpen(null);
  }, [open, flag]);

  if (!open || !flag || !at) return null;
  const fixes = fixesFor(graph, open, flag.kind);
  return createPortal(
    <div ref={ref} className={`cw-flag-pop is-${flag.kind}`} role="dialog" aria-label={`${FLAG_WORD[flag.kind]} gradient at ${open}`} style={{ left: at.x, top: at.y }}>
      <div className="cw-flag-pop-head">
        <b>{flag.kind === 'nonfinite' ? 'Non-finite values' : `${flag.kind === 'vanishing' ? 'Vanishing' : 'Exploding'} gradient`} at {open}</b>
        <button type="button" aria-label="Close" onClick={() => uiStore.getState().setFlagOpen(null)}>✕</button>
      </div>
      <p>{explainFlag(flag.kind, open, flag.ratio, flag.perStep, T)}</p>
      {flag.kind !== 'nonfinite' ? <button type="button" className="cw-link" onClick={() => {
        // The flag compares the first step with the last: trace the first step's gradient back.
        explainGradientAt(open, 0);
        uiStore.getState().setFlagOpen(null);
      }}>Where does it go? Trace ∂L/∂{open} at t = 1 back through time</button> : null}
      {fixes.length > 0 ? <div className="cw-flag-fixes" role="group" aria-label="Fixes">
        {fixes.map((fix) => (
          <button key={fix.kind} type="button" className="cw-fix" disabled={busy} onClick={async () => {
            setBusy(true);
            try {
              await applyFix(fix.kind, open);
            } finally {
              setBusy(false);
              uiStore.getState().setFlagOpen(null);
            }
          }}>
            <span className="cw-fix-label">{fix.label}</span>
            <span className="cw-fix-help">{fix.help}</span>
          </button>
        ))}
      </div> : null}
    </div>,
    document.body,
  );
});
