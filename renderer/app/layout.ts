/**
 * The pane layout (sizes, collapsed panels) survives a restart: read from
 * the Host settings at start-up, written back (debounced) when it changes.
 */
import type { Host } from '../host/types.ts';
import { cleanLayout, uiStore } from '../store/ui.ts';

export const LAYOUT_SETTING = 'layout';

export async function restoreLayout(host: Host): Promise<void> {
  const saved = await host.getSetting<unknown>(LAYOUT_SETTING, null).catch(() => null);
  if (saved) uiStore.getState().setLayout(cleanLayout(saved));
  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    host.setSetting(LAYOUT_SETTING, uiStore.getState().layout).catch(() => undefined);
  };
  uiStore.subscribe((state, previous) => {
    if (state.layout === previous.layout) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(write, 250);
  });
  // A reload or close inside the debounce still keeps the last layout.
  window.addEventListener('pagehide', () => {
    if (timer) write();
  });
}
