/**
 * A drag handle between two panes (role separator: arrows move it by 16 px,
 * Home/End to its limits), with an optional button that collapses the pane.
 */
import { useRef } from 'react';

export function Splitter({ label, axis, value, min, max, grow, onChange }: {
  /** What is resized, e.g. "Blocks panel width". */
  label: string;
  /** 'x': a vertical bar resizing a width; 'y': a horizontal bar resizing a height. */
  axis: 'x' | 'y';
  value: number;
  min: number;
  max: number;
  /** +1 when dragging right/down grows the pane, −1 when it shrinks it. */
  grow: 1 | -1;
  onChange: (value: number) => void;
}) {
  const start = useRef<{ pos: number; value: number } | null>(null);
  const clamp = (v: number) => Math.max(min, Math.min(max, Math.round(v)));
  return (
    <div
      className={`cw-splitter cw-splitter-${axis}`}
      role="separator"
      aria-label={label}
      aria-orientation={axis === 'x' ? 'vertical' : 'horizontal'}
      aria-valuenow={value}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        start.current = { pos: axis === 'x' ? e.clientX : e.clientY, value };
      }}
      onPointerMove={(e) => {
        if (!start.current) return;
        const delta = (axis === 'x' ? e.clientX : e.clientY) - start.current.pos;
        onChange(clamp(start.current.value + grow * delta));
      }}
      onPointerUp={() => { start.current = null; }}
      onPointerCancel={() => { start.current = null; }}
      onKeyDown={(e) => {
        const step = e.shiftKey ? 64 : 16;
        const keys: Record<string, number> = axis === 'x'
          ? { ArrowRight: grow * step, ArrowLeft: -grow * step }
          : { ArrowDown: grow * step, ArrowUp: -grow * step };
        if (e.key in keys) onChange(clamp(value + keys[e.key]));
        else if (e.key === 'Home') onChange(min);
        else if (e.key === 'End') onChange(max);
        else return;
        e.preventDefault();
      }}
    />
  );
}
