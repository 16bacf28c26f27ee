/**
 * A dock pane: a title that says what is drawn, a one-line reading hint,
 * the view (canvas elements), and Export PNG / CSV through the Host. The PNG
 * is every canvas of the pane composed as laid out, under its title.
 */
import { useRef, type ReactNode } from 'react';
import { getHost } from '../app/commands.ts';
import { uiStore } from '../store/ui.ts';
import { chartExporter } from './UChart.tsx';

export interface PaneProps {
  id: string;
  title: string;
  hint?: ReactNode;
  /** The data behind the chart, as CSV text (null: nothing yet). */
  csv: () => string | null;
  tools?: ReactNode;
  children: ReactNode;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** PNG exports are drawn at this many pixels per CSS pixel at least (crisp when printed or zoomed). */
export const EXPORT_SCALE = 2;

/**
 * Every chart inside `root`, drawn where it sits, on the panel colour, with
 * the title above, at EXPORT_SCALE× (uPlot charts are drawn again at that
 * size; the views' own canvases already keep a 2× backing store).
 */
export async function paneImage(root: HTMLElement, title: string): Promise<Blob | null> {
  const box = root.getBoundingClientRect();
  const scale = Math.max(EXPORT_SCALE, window.devicePixelRatio || 1);
  const head = 40;
  const out = document.createElement('canvas');
  out.width = Math.round(box.width * scale);
  out.height = Math.round((box.height + head) * scale);
  const ctx = out.getContext('2d');
  if (!ctx) return null;
  const css = getComputedStyle(root);
  ctx.scale(scale, scale);
  ctx.fillStyle = css.getPropertyValue('--cw-panel').trim() || '#ffffff';
  ctx.fillRect(0, 0, box.width, box.height + head);
  ctx.fillStyle = css.getPropertyValue('--cw-text').trim() || '#1a1e26';
  ctx.font = '600 13px Inter, system-ui, sans-serif';
  ctx.fillText(title, 10, 17);
  // The legend (the coloured keys of the hint) under the title, so the picture reads on its own.
  let x = 10;
  ctx.font = '11px Inter, system-ui, sans-serif';
  for (const key of Array.from(root.parentElement?.querySelectorAll('.cw-pane-hint .cw-key') ?? [])) {
    const text = key.textContent ?? '';
    const color = getComputedStyle(key).getPropertyValue('--c').trim() || '#888';
    const w = ctx.measureText(text).width;
    if (x + w + 22 > box.width) break;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash(key.classList.contains('is-dashed') ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(x, head - 5);
    ctx.lineTo(x + 12, head - 5);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = css.getPropertyValue('--cw-text').trim() || '#1a1e26';
    ctx.fillText(text, x + 15, head - 1);
    x += w + 26;
  }
  const place = (el: Element, image: CanvasImageSource) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    ctx.drawImage(image, r.left - box.left, r.top - box.top + head, r.width, r.height);
  };
  const charts = Array.from(root.querySelectorAll('.cw-uchart'));
  for (const chart of charts) {
    const image = await chartExporter(chart)?.(scale);
    if (image) place(chart, image);
  }
  for (const canvas of Array.from(root.querySelectorAll('canvas'))) {
    if (charts.some((chart) => chart.contains(canvas) && chartExporter(chart))) continue;
    place(canvas, canvas);
  }
  return new Promise((resolve) => out.toBlob((blob) => resolve(blob), 'image/png'));
}

async function exportWith(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    uiStore.getState().notify('error', `That did not work: ${(error as Error).message}`);
  }
}

export function Pane({ id, title, hint, csv, tools, children }: PaneProps) {
  const body = useRef<HTMLDivElement>(null);
  return (
    <section className={`cw-pane cw-pane-${id}`} aria-label={title}>
      <header className="cw-pane-head">
        <h3 className="cw-pane-title">{title}</h3>
        <div className="cw-pane-tools">
          {tools}
          <button type="button" className="cw-pane-button" aria-label={`Export ${title} as PNG`} title="Save this chart as a PNG image" onClick={() => void exportWith(async () => {
            if (!body.current) return;
            const blob = await paneImage(body.current, title);
            if (blob) await getHost().exportFile(blob, `${slug(title)}.png`, 'image/png');
          })}>PNG</button>
          <button type="button" className="cw-pane-button" aria-label={`Export ${title} as CSV`} title="Save the numbers behind this chart as CSV" onClick={() => void exportWith(async () => {
            const text = csv();
            if (text === null) {
              uiStore.getState().notify('info', 'Nothing to export yet: train first.');
              return;
            }
            await getHost().exportFile(text, `${slug(title)}.csv`, 'text/csv');
          })}>CSV</button>
        </div>
      </header>
      {hint ? <p className="cw-pane-hint">{hint}</p> : null}
      <div className="cw-pane-body" ref={body}>{children}</div>
    </section>
  );
}

/** Rows of numbers as CSV (NaN and ±∞ written as JavaScript does, so nothing is lost). */
export function toCsv(header: string[], rows: Array<Array<number | string>>): string {
  const cell = (v: number | string) => (typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header.map(cell).join(','), ...rows.map((row) => row.map(cell).join(','))].join('\n') + '\n';
}
