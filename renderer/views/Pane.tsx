/**
 * A dock pane: a title that says what is drawn, a one-line reading hint,
 * the view (canvas elements), and Export PNG / CSV through the Host. The PNG
 * is every canvas of the pane composed as laid out, under its title.
 */
import { useRef, type ReactNode } from 'react';
import { getHost } from '../app/commands.ts';
import { uiStore } from '../store/ui.ts';

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

/** Every canvas inside `root`, drawn where it sits, on the panel colour, with the title above. */
export async function paneImage(root: HTMLElement, title: string): Promise<Blob | null> {
  const box = root.getBoundingClientRect();
  const scale = Math.max(1, window.devicePixelRatio || 1);
  const head = 26;
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
  for (const canvas of Array.from(root.querySelectorAll('canvas'))) {
    const r = canvas.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    ctx.drawImage(canvas, r.left - box.left, r.top - box.top + head, r.width, r.height);
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
