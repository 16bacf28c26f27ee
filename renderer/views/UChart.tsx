/**
 * uPlot in React: the plot is made once per `optionsKey` (theme, scale,
 * series), sized to its box, and fed new data with setData — no re-creation
 * ten times a second. uPlot draws on a canvas.
 */
import { useEffect, useRef, type ReactNode } from 'react';
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

/** A number for a readout: four significant digits, NaN and ±∞ spelled out. */
export function readoutNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/** The hover line: the x value, then every shown series' value at the cursor. */
function readoutText(u: uPlot, idx: number): string {
  const xLabel = String(u.axes[0]?.label ?? 'x');
  const parts = [`${xLabel} ${readoutNumber(u.data[0][idx])}`];
  u.series.forEach((series, i) => {
    if (i === 0 || series.show === false || !series.label) return;
    parts.push(`${String(series.label)} ${readoutNumber(u.data[i]?.[idx] as number | null | undefined)}`);
  });
  return parts.join(' · ');
}

/** Options `k` times larger: sizes, fonts, line widths — for a PNG drawn at k× resolution. */
export function scaleOptions(o: uPlot.Options, k: number): uPlot.Options {
  const font = (f: string | undefined) => f?.replace(/([\d.]+)px/, (_m, n: string) => `${Number(n) * k}px`);
  const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v * k : fallback * k);
  return {
    ...o,
    width: o.width * k,
    height: o.height * k,
    cursor: { show: false },
    axes: o.axes?.map((a) => ({
      ...a,
      size: typeof a.size === 'number' ? a.size * k : a.size,
      gap: num(a.gap, 5),
      labelSize: num(a.labelSize, 30),
      space: typeof a.space === 'number' ? a.space * k : 30 * k,
      font: font(a.font),
      labelFont: font(a.labelFont),
      ticks: { ...a.ticks, size: num(a.ticks?.size, 10), width: num(a.ticks?.width, 1) },
      grid: { ...a.grid, width: num(a.grid?.width, 1) },
    })),
    series: o.series.map((s) => ({
      ...s,
      ...(typeof s.width === 'number' ? { width: s.width * k } : {}),
      ...(s.dash ? { dash: s.dash.map((d) => d * k) } : {}),
      ...(s.points && typeof s.points.size === 'number' ? { points: { ...s.points, size: s.points.size * k } } : {}),
    })),
  };
}

/** What the PNG export of a pane asks each chart for: its picture at `k`× its size on screen. */
export interface ChartExporter {
  (k: number): Promise<HTMLCanvasElement | null>;
}

/** Canvas pixels per CSS pixel of the chart being drawn (plugins size their text with it; exports draw at 2×). */
export function pixelScale(u: uPlot): number {
  return exportScale ?? u.ctx.canvas.width / Math.max(1, u.width);
}

/** Set while an export copy of a chart is being drawn. */
let exportScale: number | null = null;

const exporters = new WeakMap<Element, ChartExporter>();

export function chartExporter(el: Element): ChartExporter | undefined {
  return exporters.get(el);
}

export function UChart({ optionsKey, options, data, label, emptyText }: {
  optionsKey: string;
  options: (size: { width: number; height: number }) => uPlot.Options;
  data: uPlot.AlignedData;
  label: string;
  /** Shown over the plot while it has no data: why it is empty and what to do. */
  emptyText?: ReactNode;
}) {
  const box = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;
  const make = useRef(options);
  make.current = options;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const size = () => ({ width: Math.max(60, Math.floor(el.clientWidth)), height: Math.max(60, Math.floor(el.clientHeight)) });
    const hover: uPlot.Plugin = {
      hooks: {
        setCursor: (u: uPlot) => {
          const out = readout.current;
          if (!out) return;
          const idx = u.cursor.idx;
          out.textContent = idx === null || idx === undefined || u.data[0].length === 0 ? '' : readoutText(u, idx);
          out.hidden = out.textContent === '';
        },
      },
    };
    const opts = make.current(size());
    const u = new uPlot({ ...opts, plugins: [...(opts.plugins ?? []), hover] }, latest.current, el);
    plot.current = u;
    exporters.set(el, async (k) => {
      const host = document.createElement('div');
      host.style.cssText = 'position:fixed;left:-100000px;top:0;';
      document.body.appendChild(host);
      try {
        let drawn: () => void = () => undefined;
        const done = new Promise<void>((resolve) => { drawn = resolve; });
        const base = scaleOptions(make.current({ width: u.width, height: u.height }), k);
        exportScale = k * (window.devicePixelRatio || 1);
        const big = new uPlot({ ...base, plugins: [...(base.plugins ?? []), { hooks: { draw: () => drawn() } }] }, latest.current, host);
        await done;
        exportScale = null;
        const copy = document.createElement('canvas');
        copy.width = big.ctx.canvas.width;
        copy.height = big.ctx.canvas.height;
        copy.getContext('2d')?.drawImage(big.ctx.canvas, 0, 0);
        big.destroy();
        return copy;
      } finally {
        exportScale = null;
        host.remove();
      }
    });
    const observer = new ResizeObserver(() => {
      const s = size();
      if (s.width !== u.width || s.height !== u.height) u.setSize(s);
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      exporters.delete(el);
      u.destroy();
      plot.current = null;
    };
  }, [optionsKey]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const empty = data.length === 0 || data[0].length === 0;
  return (
    <div className="cw-uchart-wrap">
      <div className="cw-uchart" ref={box} role="img" aria-label={label} />
      <div className="cw-chart-readout" ref={readout} role="status" aria-label={`${label}: value under the pointer`} hidden />
      {empty && emptyText ? <div className="cw-chart-empty"><span>{emptyText}</span></div> : null}
    </div>
  );
}
