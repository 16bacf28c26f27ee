/**
 * The canvas's context menu (right-click on a node or a selection): for now
 * one command, Group as block (docs/blocks.md), offered when the selection is
 * gates, ops and cells, and otherwise shown disabled with the reason.
 */
import { useEffect, useRef } from 'react';
import { groupSelectionAsNewBlock } from '../app/commands.ts';
import { documentStore } from '../store/document.ts';
import { uiStore } from '../store/ui.ts';

const GROUPABLE = new Set(['gate', 'op', 'cell']);

export interface MenuAt { x: number; y: number }

/** Null when the selection can be grouped, otherwise why not. */
export function groupRefusal(): string | null {
  const selected = uiStore.getState().selectedNodes;
  const nodes = documentStore.getState().graph.nodes.filter((n) => selected.has(n.id));
  if (nodes.length === 0) return 'Select gates, ops or cells first.';
  const other = nodes.find((n) => !GROUPABLE.has(n.kind));
  return other ? `${other.kind} "${other.id}" cannot go into a block (gates, ops and cells can).` : null;
}

export function CanvasMenu({ at, onClose }: { at: MenuAt; onClose: () => void }) {
  const menu = useRef<HTMLDivElement>(null);
  const refusal = groupRefusal();
  useEffect(() => {
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const close = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node)) onClose();
    };
    const key = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('pointerdown', close);
    window.addEventListener('keydown', key);
    return () => {
      window.removeEventListener('pointerdown', close);
      window.removeEventListener('keydown', key);
    };
  }, [onClose]);
  return (
    <div ref={menu} className="cw-menu cw-canvas-menu" role="menu" aria-label="Canvas menu" style={{ left: at.x, top: at.y }}>
      <button type="button" role="menuitem" className="cw-menu-item" aria-disabled={refusal !== null} title={refusal ?? 'Replace the selection by one instance of a new block (Ctrl+G); rename it in the inspector'}
        onClick={() => {
          if (refusal) return;
          onClose();
          groupSelectionAsNewBlock();
        }}>
        <span className="cw-menu-title">Group as block</span>
        <span className="cw-menu-help">{refusal ?? 'Ctrl+G · kept in the file and your library'}</span>
      </button>
    </div>
  );
}
