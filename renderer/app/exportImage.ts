/**
 * Export the canvas as a standalone SVG (real vector shapes and text, not a
 * screenshot wrapped in foreignObject) and as PNG rendered from that SVG.
 * Edge paths are taken from the canvas as drawn, nodes are redrawn from the
 * document with the theme's colours.
 */
import type { GraphNode } from '../../engine/format/types.ts';
import { ACTIVATION_SYMBOL, OP_SYMBOL, WEIGHT_SYMBOL } from '../../engine/meta.ts';
import { DEFAULT_NODE_SIZE } from '../doc/layout.ts';
import { effectiveWeight } from '../doc/ops.ts';
import { documentStore } from '../store/document.ts';
import { uiStore, type Theme } from '../store/ui.ts';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function cssVar(name: string, fallback: string): string {
  const root = document.querySelector('.cw-app') ?? document.documentElement;
  const value = getComputedStyle(root).getPropertyValue(name).trim();
  return value || fallback;
}

function symbolOf(node: GraphNode): string {
  switch (node.kind) {
    case 'input': return 'x';
    case 'target': return 'y';
    case 'cell': return 'mem';
    case 'gate': return ACTIVATION_SYMBOL[node.activation] ?? node.activation;
    case 'op': return OP_SYMBOL[node.op] ?? node.op;
    case 'loss': return node.loss;
    // A layer (engine/layers, docs/layers.md): its direction.
    default: return ({ reverse: '←', bidirectional: '⇄' } as Record<string, string>)[String((node as { direction?: unknown }).direction)] ?? '→';
  }
}

/** Label text with "_{…}" / "_x" drawn as subscripts. */
function mathText(text: string): string {
  return esc(text).replace(/_\{([^}]*)\}|_([^\s_{}⊙·+,()]+)/g, (_m, a: string | undefined, b: string | undefined) => `<tspan baseline-shift="sub" font-size="75%">${a ?? b}</tspan>`);
}

/** Where the canvas placed an edge's label (its data-x/data-y) as an SVG transform, or null. */
function placedAt(el: Element | null | undefined): string | null {
  const x = el?.getAttribute('data-x');
  const y = el?.getAttribute('data-y');
  return x && y ? `translate(${x} ${y})` : null;
}

export function exportSvg(_theme: Theme): string | null {
  const { graph } = documentStore.getState();
  if (graph.nodes.length === 0) return null;
  const measured = uiStore.getState().measured;
  const colors = {
    bg: cssVar('--cw-canvas', '#ffffff'),
    node: cssVar('--cw-node-bg', '#ffffff'),
    border: cssVar('--cw-border-strong', '#c8ccd4'),
    text: cssVar('--cw-text', '#1d2129'),
    muted: cssVar('--cw-muted', '#6b7280'),
    edge: cssVar('--cw-edge', '#8a93a3'),
    kind: {
      input: cssVar('--cw-k-input', '#2f6fde'),
      target: cssVar('--cw-k-target', '#8a55d6'),
      cell: cssVar('--cw-k-cell', '#d08a12'),
      gate: cssVar('--cw-k-gate', '#178a6e'),
      op: cssVar('--cw-k-op', '#5b6372'),
      loss: cssVar('--cw-k-loss', '#d2463c'),
    } as Record<GraphNode['kind'], string>,
  };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const boxes = graph.nodes.map((node) => {
    const size = measured.get(node.id) ?? DEFAULT_NODE_SIZE[node.kind];
    const p = node.position ?? { x: 0, y: 0 };
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x + size.width);
    maxY = Math.max(maxY, p.y + size.height);
    return { node, x: p.x, y: p.y, w: size.width, h: size.height };
  });
  const paths: string[] = [];
  const labels: string[] = [];
  for (const edge of graph.edges) {
    const el = document.querySelector(`[data-edge-id="${CSS.escape(edge.id)}"] path.react-flow__edge-path`);
    const d = el?.getAttribute('d');
    if (!d) continue;
    const recurrent = graph.nodes.find((node) => node.id === edge.source)?.kind === 'cell';
    paths.push(`<path d="${d}" fill="none" stroke="${colors.edge}" stroke-width="1.6"${recurrent ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#arrow)"/>`);
    const delay = placedAt(el?.closest('[data-edge-id]')?.querySelector('.cw-edge-delay'));
    if (recurrent && delay) labels.push(`<g transform="${delay}"><text dominant-baseline="central" font-size="11" font-weight="700" fill="${colors.kind.cell}">t−1</text></g>`);
    const label = el?.closest('[data-edge-id]')?.querySelector('.cw-edge-label');
    const transform = placedAt(label);
    if (transform) {
      const text = WEIGHT_SYMBOL[effectiveWeight(graph, edge)];
      labels.push(`<g transform="${transform}"><rect x="${-(text.length * 3.5 + 5)}" y="-8" width="${text.length * 7 + 10}" height="16" rx="4" fill="${colors.node}" stroke="${colors.border}"/><text text-anchor="middle" dominant-baseline="central" font-size="10" fill="${colors.muted}">${esc(text)}</text></g>`);
    }
    // Edge routes can dip below the nodes: include their extent.
    const numbers = d.match(/-?\d+(\.\d+)?/g)?.map(Number) ?? [];
    for (let i = 0; i + 1 < numbers.length; i += 2) {
      minX = Math.min(minX, numbers[i]);
      maxX = Math.max(maxX, numbers[i]);
      minY = Math.min(minY, numbers[i + 1]);
      maxY = Math.max(maxY, numbers[i + 1]);
    }
  }
  const shapes = boxes.map(({ node, x, y, w, h }) => {
    const color = colors.kind[node.kind] ?? cssVar('--cw-accent', '#3b5bdb');
    const size = 'size' in node && typeof node.size === 'number' ? String(node.size) : '';
    if (node.kind === 'op') {
      const r = Math.min(w, h) / 2;
      return `<g><circle cx="${x + w / 2}" cy="${y + h / 2}" r="${r - 1}" fill="${colors.node}" stroke="${color}" stroke-width="1.5"/>`
        + `<text x="${x + w / 2}" y="${y + h / 2}" text-anchor="middle" dominant-baseline="central" font-size="18" fill="${colors.text}">${esc(symbolOf(node))}</text>`
        + `<text x="${x + w / 2}" y="${y + h + 13}" text-anchor="middle" font-size="11" fill="${colors.muted}">${mathText(node.label ?? node.id)}</text></g>`;
    }
    const dash = node.kind === 'cell' ? ` stroke-width="2"` : ' stroke-width="1"';
    return `<g><rect x="${x}" y="${y}" width="${w}" height="${h}" rx="8" fill="${colors.node}" stroke="${node.kind === 'cell' ? color : colors.border}"${dash}/>`
      + `<rect x="${x}" y="${y + 6}" width="3" height="${h - 12}" rx="1.5" fill="${color}"/>`
      + `<text x="${x + 12}" y="${y + 20}" font-size="13" font-weight="600" fill="${color}">${esc(symbolOf(node))}</text>`
      + `<text x="${x + 12 + symbolOf(node).length * 9 + 6}" y="${y + 20}" font-size="13" font-weight="600" fill="${colors.text}">${mathText(node.label ?? node.id)}</text>`
      + (size ? `<text x="${x + w - 10}" y="${y + 20}" text-anchor="end" font-size="11" fill="${colors.muted}">${size}</text>` : '')
      + `<text x="${x + 12}" y="${y + h - 12}" font-size="10.5" fill="${colors.muted}">${esc(node.id)} · ${esc(node.kind === 'cell' ? `memory, out = ${node.id}(t−1)` : node.kind)}</text></g>`;
  });
  const pad = 32;
  const vx = Math.floor(minX - pad);
  const vy = Math.floor(minY - pad);
  const vw = Math.ceil(maxX - minX + 2 * pad);
  const vh = Math.ceil(maxY - minY + 2 * pad);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${vx} ${vy} ${vw} ${vh}" width="${vw}" height="${vh}" font-family="Inter, 'Segoe UI', system-ui, sans-serif">`,
    `<title>${esc(graph.name ?? 'Cellwright graph')}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="${colors.edge}"/></marker></defs>`,
    `<rect x="${vx}" y="${vy}" width="${vw}" height="${vh}" fill="${colors.bg}"/>`,
    ...paths, ...shapes, ...labels,
    '</svg>',
  ].join('\n');
}

export async function exportPng(theme: Theme, scale = 2): Promise<Blob | null> {
  const svg = exportSvg(theme);
  if (!svg) return null;
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(image.naturalWidth * scale);
    canvas.height = Math.ceil(image.naturalHeight * scale);
    const context = canvas.getContext('2d');
    if (!context) return null;
    context.scale(scale, scale);
    context.drawImage(image, 0, 0);
    return await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
