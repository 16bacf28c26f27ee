/**
 * Gate activations: one validation sequence, units × time, for the selected
 * node (or every gate of the graph), with the input sequence, the target and
 * the prediction drawn above on the same time axis, so a person can read
 * what a gate reacts to. Drawn on one canvas.
 */
import { useEffect, useRef, useState } from 'react';
import type { Graph } from '../../engine/format/types.ts';
import { chooseSample } from '../train/client.ts';
import { scaleValues } from '../train/derive.ts';
import type { Probe } from '../train/protocol.ts';
import { documentStore, useDocument } from '../store/document.ts';
import { telemetryStore, useTelemetry } from '../store/telemetry.ts';
import { trainingStore, useTraining } from '../store/training.ts';
import { useUi } from '../store/ui.ts';
import { heatInto } from './colormap.ts';
import { Pane, toCsv } from './Pane.tsx';
import { nodeName } from './names.ts';
import { useResizeTick } from './useResizeTick.ts';
import { useScrub } from './scrub.ts';
import { TimeScrubber } from './TimeScrubber.tsx';
import { explainValueAt } from './ExplainDialog.tsx';
import { own } from '../../engine/format/dict.ts';
import { expandBlocks } from '../../engine/blocks/expand.ts';
import { hasBlocks } from '../../engine/blocks/types.ts';

interface Block {
  id: string;
  label: string;
  rows: number;
  values: Float32Array;
  /** The values as numbers (for the readout), [t·rows + r]. */
  raw: Float32Array;
}

const LABEL_W = 104;
const ROW_MIN = 2;

/** The longest start of `text` that fits `width` pixels, with an ellipsis when cut. */
export function fitText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let n = text.length;
  while (n > 1 && ctx.measureText(`${text.slice(0, n)}…`).width > width) n--;
  return `${text.slice(0, n)}…`;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The rows to draw: streams on top (input, target, prediction), then the gates. */
export function heatBlocks(graph: Graph, probe: Probe, selected: ReadonlySet<string>): { streams: Block[]; gates: Block[] } {
  const info = trainingStore.getState().info;
  const streams: Block[] = [];
  // Block instances (docs/blocks.md) are drawn by their inner gates and cells ("g1/f"), as the engine reports them.
  const flat = hasBlocks(graph) ? expandBlocks(graph).graph : graph;
  const node = (id: string) => flat.nodes.find((n) => n.id === id);
  const instances = new Set(graph.nodes.filter((n) => (n.kind as string) === 'block').map((n) => n.id));
  const add = (list: Block[], id: string, label: string, activation?: string, transform?: (v: number) => number) => {
    const p = own(probe.nodes, id);
    if (!p) return;
    const raw = transform ? p.values.map(transform) : p.values;
    list.push({ id, label, rows: p.size, values: scaleValues(raw, transform ? 'sigmoid' : activation), raw });
  };
  const name = (id: string) => nodeName(graph, id);
  // "target y_t", but not "target target" when the label already says what it is.
  const named = (kind: string, id: string) => (name(id).toLowerCase().startsWith(kind) ? name(id) : `${kind} ${name(id)}`);
  for (const n of graph.nodes) if (n.kind === 'input') add(streams, n.id, named('input', n.id), undefined);
  for (const n of graph.nodes) if (n.kind === 'target') add(streams, n.id, named('target', n.id), undefined);
  const b = info?.binding;
  if (b) {
    const logits = b.lossKind === 'bce';
    add(streams, b.prediction, logits ? `σ(${name(b.prediction)})` : named('prediction', b.prediction), undefined, logits ? sigmoid : undefined);
  }
  const gates: Block[] = [];
  const chosen = [...selected].flatMap((id) => (instances.has(id) ? flat.nodes.filter((n) => n.id.startsWith(`${id}/`)) : [node(id)]))
    .filter((n) => n && n.kind !== 'loss' && n.kind !== 'input' && n.kind !== 'target');
  const list = chosen.length > 0 ? chosen : flat.nodes.filter((n) => n.kind === 'gate');
  for (const n of list) {
    if (!n) continue;
    add(gates, n.id, n.kind === 'gate' ? `${name(n.id)} (${n.activation})` : `${name(n.id)} (${n.kind})`, n.kind === 'gate' ? n.activation : undefined);
  }
  return { streams, gates };
}

function draw(canvas: HTMLCanvasElement, streams: Block[], gates: Block[], T: number, theme: { text: string; muted: string; rule: string }): Array<{ block: Block; y0: number; y1: number; rows: number }> {
  // A 2× backing store at least: PNG exports copy it as is.
  const dpr = Math.max(2, window.devicePixelRatio || 1);
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx || T === 0 || w < LABEL_W + 20) return [];
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const plotW = w - LABEL_W - 4;
  const gap = 4;
  const sep = 8;
  const streamRows = streams.reduce((s, b) => s + Math.min(b.rows, 8), 0);
  const gateRows = gates.reduce((s, b) => s + b.rows, 0);
  const avail = h - 14 - gap * (streams.length + gates.length) - sep;
  // Streams get fixed rows (at most 8 per stream, 7 px each); the gates share the rest.
  const streamRowH = Math.max(ROW_MIN, Math.min(7, avail * 0.35 / Math.max(1, streamRows)));
  const gateRowH = Math.max(ROW_MIN, Math.min(14, (avail - streamRowH * streamRows) / Math.max(1, gateRows)));
  const cellW = plotW / T;
  const placed: Array<{ block: Block; y0: number; y1: number; rows: number }> = [];
  let y = 2;
  const drawBlock = (b: Block, rowH: number, maxRows: number) => {
    const rows = Math.min(b.rows, maxRows);
    const img = ctx.createImageData(T, rows);
    for (let t = 0; t < T; t++) for (let r = 0; r < rows; r++) heatInto(img.data, (r * T + t) * 4, b.values[t * b.rows + r]);
    const off = document.createElement('canvas');
    off.width = T;
    off.height = rows;
    off.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    const bh = rows * rowH;
    ctx.drawImage(off, LABEL_W, y, plotW, bh);
    ctx.fillStyle = theme.text;
    ctx.font = '10.5px Inter, system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.fillText(fitText(ctx, b.label, LABEL_W - 4), 2, y + Math.max(bh, 10) / 2);
    placed.push({ block: b, y0: y, y1: y + bh, rows });
    y += Math.max(bh, 6) + gap;
  };
  for (const b of streams) drawBlock(b, streamRowH, 8);
  ctx.fillStyle = theme.rule;
  ctx.fillRect(LABEL_W, y + sep / 2 - 1, plotW, 1);
  y += sep;
  for (const b of gates) {
    if (y > h - 16) break;
    drawBlock(b, gateRowH, b.rows);
  }
  // Time axis.
  ctx.fillStyle = theme.muted;
  ctx.font = '10px Inter, system-ui, sans-serif';
  ctx.textBaseline = 'alphabetic';
  const every = Math.max(1, Math.ceil(T / Math.max(1, Math.floor(plotW / 36))));
  for (let t = 1; t <= T; t += t === 1 ? every - 1 || 1 : every) {
    ctx.fillText(String(t), LABEL_W + (t - 0.5) * cellW - 3, h - 2);
  }
  ctx.fillText('t →', 2, h - 2);
  return placed;
}

/** Outline the column of step t (1-based) across the whole heatmap. */
function markStep(canvas: HTMLCanvasElement, t: number, T: number, color: string): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const plotW = canvas.clientWidth - LABEL_W - 4;
  const cellW = plotW / T;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.strokeRect(LABEL_W + (t - 1) * cellW, 1, Math.max(2, cellW), canvas.clientHeight - 14);
}

export function GatesPane() {
  const seq = useTelemetry((s) => s.seq);
  const selected = useUi((s) => s.selectedNodes);
  const theme = useUi((s) => s.theme);
  const graph = useDocument((s) => s.graph);
  const samples = useTraining((s) => s.info?.samples ?? 1);
  const sample = useTraining((s) => s.sample);
  const canvas = useRef<HTMLCanvasElement>(null);
  const placed = useRef<Array<{ block: Block; y0: number; y1: number; rows: number }>>([]);
  const [readout, setReadout] = useState('');
  const size = useResizeTick(canvas);
  const scrub = useScrub();

  useEffect(() => {
    const el = canvas.current;
    const probe = telemetryStore.getState().probe;
    if (!el) return;
    if (!probe) {
      const ctx = el.getContext('2d');
      ctx?.clearRect(0, 0, el.width, el.height);
      placed.current = [];
      return;
    }
    const css = getComputedStyle(el);
    const { streams, gates } = heatBlocks(graph, probe, selected);
    placed.current = draw(el, streams, gates, probe.T, { text: css.getPropertyValue('--cw-text').trim(), muted: css.getPropertyValue('--cw-muted').trim(), rule: css.getPropertyValue('--cw-border-strong').trim() });
    if (scrub && scrub <= probe.T) markStep(el, scrub, probe.T, css.getPropertyValue('--cw-text').trim());
  }, [seq, selected, graph, theme, size, scrub]);

  const onMove = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const el = canvas.current;
    const probe = telemetryStore.getState().probe;
    if (!el || !probe) return;
    const r = el.getBoundingClientRect();
    const x = event.clientX - r.left;
    const y = event.clientY - r.top;
    const t = Math.floor(((x - LABEL_W) / (r.width - LABEL_W - 4)) * probe.T);
    const hit = placed.current.find((p) => y >= p.y0 && y < p.y1);
    if (!hit || t < 0 || t >= probe.T) {
      setReadout('');
      return;
    }
    const u = Math.min(hit.rows - 1, Math.floor(((y - hit.y0) / (hit.y1 - hit.y0)) * hit.rows));
    const v = hit.block.raw[t * hit.block.rows + u];
    setReadout(`${hit.block.label}, unit ${u} at t = ${t + 1}: ${Number.isFinite(v) ? Number(v.toPrecision(4)) : String(v)}`);
  };

  const onClick = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const el = canvas.current;
    const probe = telemetryStore.getState().probe;
    if (!el || !probe) return;
    const r = el.getBoundingClientRect();
    const t = Math.floor(((event.clientX - r.left - LABEL_W) / (r.width - LABEL_W - 4)) * probe.T);
    const y = event.clientY - r.top;
    const hit = placed.current.find((p) => y >= p.y0 && y < p.y1);
    if (!hit || t < 0 || t >= probe.T) return;
    const u = Math.min(hit.rows - 1, Math.floor(((y - hit.y0) / (hit.y1 - hit.y0)) * hit.rows));
    explainValueAt(hit.block.id, t, u);
  };

  const csv = () => {
    const probe = telemetryStore.getState().probe;
    if (!probe) return null;
    const { streams, gates } = heatBlocks(documentStore.getState().graph, probe, selected);
    const rows: Array<Array<number | string>> = [];
    for (const b of [...streams, ...gates]) for (let u = 0; u < b.rows; u++) rows.push([b.id, b.label, u, ...Array.from({ length: probe.T }, (_, t) => b.raw[t * b.rows + u])]);
    return toCsv(['node', 'label', 'unit', ...Array.from({ length: probe.T }, (_, t) => `t${t + 1}`)], rows);
  };

  const chosen = [...selected].filter((id) => graph.nodes.some((n) => n.id === id && n.kind !== 'loss' && n.kind !== 'input' && n.kind !== 'target'));
  return (
    <Pane
      id="gates"
      title="Gate activations"
      csv={csv}
      hint={<><TimeScrubber /> {chosen.length ? <>Selected: <b>{chosen.map((id) => nodeName(graph, id)).join(', ')}</b>.</> : <>Every gate; select a node to show only it.</>} One validation sequence, a row per unit, time across. <span className="cw-scale" aria-hidden /> low → high{readout ? <span className="cw-readout"> · {readout}</span> : null}</>}
      tools={
        <label className="cw-pane-check" title="Which validation sequence">
          sequence
          <input type="number" aria-label="Sequence" min={0} max={Math.max(0, samples - 1)} value={sample} onChange={(e) => {
            const n = Math.max(0, Math.min(samples - 1, Number(e.target.value) || 0));
            chooseSample(n);
          }} />
        </label>
      }
    >
      <canvas ref={canvas} className="cw-heatmap" role="img" aria-label="Gate activation heatmap" onMouseMove={onMove} onMouseLeave={() => setReadout('')} onClick={onClick} />
      {seq === 0 ? <div className="cw-pane-empty"><span>The gates' activations on one sequence appear here once the graph compiles.</span></div> : null}
    </Pane>
  );
}
