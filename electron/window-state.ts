import { isPlainObject } from './json-file.ts';

export interface Rect { x: number; y: number; width: number; height: number }

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW: WindowState = { width: 1280, height: 820, maximized: false };
export const MIN_WIDTH = 720;
export const MIN_HEIGHT = 480;

export function parseWindowState(raw: unknown): WindowState {
  if (!isPlainObject(raw)) return { ...DEFAULT_WINDOW };
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : undefined);
  const width = num(raw.width);
  const height = num(raw.height);
  const x = num(raw.x);
  const y = num(raw.y);
  const state: WindowState = {
    width: width ?? DEFAULT_WINDOW.width,
    height: height ?? DEFAULT_WINDOW.height,
    maximized: raw.maximized === true,
  };
  if (x !== undefined && y !== undefined) {
    state.x = x;
    state.y = y;
  }
  return state;
}

/**
 * Where to put a window given what was saved and the screens present now: a
 * position that would leave the window off every screen (a monitor was
 * unplugged) is dropped so the window is centred instead, and the size is
 * clamped to fit the largest screen.
 */
export function restoreBounds(saved: WindowState, workAreas: readonly Rect[]): WindowState {
  const largest = workAreas.reduce<Rect | null>((best, r) => (!best || r.width * r.height > best.width * best.height ? r : best), null);
  const maxW = largest ? largest.width : Number.POSITIVE_INFINITY;
  const maxH = largest ? largest.height : Number.POSITIVE_INFINITY;
  const width = Math.max(MIN_WIDTH, Math.min(saved.width, maxW));
  const height = Math.max(MIN_HEIGHT, Math.min(saved.height, maxH));
  const out: WindowState = { width, height, maximized: saved.maximized };
  if (saved.x !== undefined && saved.y !== undefined) {
    const rect: Rect = { x: saved.x, y: saved.y, width, height };
    // Visible enough to grab: the title bar area overlaps a screen by 100×40 px.
    if (workAreas.some((area) => overlap(rect, area, 100, 40))) {
      out.x = saved.x;
      out.y = saved.y;
    }
  }
  return out;
}

function overlap(a: Rect, b: Rect, minW: number, minH: number): boolean {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w >= minW && h >= minH;
}

/** Offset each further window so it does not sit exactly on the previous one. */
export function cascade(state: WindowState, index: number): WindowState {
  if (index === 0 || state.x === undefined || state.y === undefined) return state;
  return { ...state, x: state.x + 28 * index, y: state.y + 28 * index, maximized: false };
}
