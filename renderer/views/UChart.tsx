/**
 * uPlot in React: the plot is made once per `optionsKey` (theme, scale,
 * series), sized to its box, and fed new data with setData — no re-creation
 * ten times a second. uPlot draws on a canvas.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  panel: string;
}

export function chartTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return { text: v('--cw-text', '#1a1e26'), muted: v('--cw-muted', '#687082'), grid: v('--cw-border', '#e4e7ec'), panel: v('--cw-panel', '#fff') };
}

/**
 * A log axis's range: whole decades around [min, max] ∪ [lo, hi], always
 * positive and finite (uPlot's log splits never end on a zero or NaN bound).
 */
export function logRange(min: number | null, max: number | null, lo = 1, hi = 1): [number, number] {
  const a = Math.min(lo, min !== null && Number.isFinite(min) && min > 0 ? min : lo);
  const b = Math.max(hi, max !== null && Number.isFinite(max) && max > 0 ? max : hi);
  // uPlot's log ticks round to at most 16 decimals: keep the axis within 1e-15 … 1e15.
  const l = Math.max(-15, Math.floor(Math.log10(Math.max(1e-300, a))));
  const u = Math.min(15, Math.max(l + 1, Math.ceil(Math.log10(Math.max(1e-300, b)))));
  return [Math.pow(10, l), Math.pow(10, u)];
}

/** Decade ticks on a log axis, thinned to at most `most` labels. */
export function decadeSplits(_u: uPlot, _axis: number, min: number, max: number, most = 5): number[] {
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  const every = Math.max(1, Math.ceil((hi - lo + 1) / most));
  const out: number[] = [];
  for (let e = hi; e >= lo; e -= every) out.unshift(Math.pow(10, e));
  return out;
}

/** Short labels for linear axes. */
export function tick(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '' : String(Number(v.toPrecision(3)));
}

/** Axis defaults that fit a small pane. */
export function axis(theme: ChartTheme, extra: uPlot.Axis = {}): uPlot.Axis {
  return {
    stroke: theme.muted,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1, size: 4 },
    font: '10.5px Inter, system-ui, sans-serif',
    labelFont: '600 10.5px Inter, system-ui, sans-serif',
    labelSize: 14,
    size: 38,
    gap: 3,
    ...extra,
  };
}

/** 1e-3, 0.01, 1, 100, 1e4: short labels for log axes. */
export function logTick(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '';
  if (v === 0) return '0';
  const e = Math.log10(Math.abs(v));
  if (Number.isInteger(Math.round(e * 1000) / 1000) && (e <= -3 || e >= 4)) return `1e${Math.round(e)}`;
  return String(Number(v.toPrecision(3)));
}

export function UChart({ optionsKey, options, data, label }: {
  optionsKey: string;
  options: (size: { width: number; height: number }) => uPlot.Options;
  data: uPlot.AlignedData;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;
  const make = useRef(options);
  make.current = options;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const size = () => ({ width: Math.max(60, Math.floor(el.clientWidth)), height: Math.max(60, Math.floor(el.clientHeight)) });
    const u = new uPlot(make.current(size()), latest.current, el);
    plot.current = u;
    const observer = new ResizeObserver(() => {
      const s = size();
      if (s.width !== u.width || s.height !== u.height) u.setSize(s);
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [optionsKey]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div className="cw-uchart" ref={box} role="img" aria-label={label} />;
}
