// The preload exposes exactly one function per contract channel under
// window.cellwright, each bound to its channel, and nothing else.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFakeElectron } from './testing/fake-electron.ts';
import { API_NAMES, EVENT_CHANNELS, INVOKE_CHANNELS, PRELOAD_GLOBAL, SEND_CHANNELS } from '../common/ipc-contract.ts';
import type { PreloadApi } from '../common/ipc-contract.ts';

afterEach(() => {
  vi.doUnmock('electron');
  vi.resetModules();
});

async function loadPreload() {
  const electron = createFakeElectron({ appPath: '/app', userData: '/u', documents: '/d' });
  vi.resetModules();
  vi.doMock('electron', () => electron.module);
  await import('./preload.ts');
  const api = electron.exposed[PRELOAD_GLOBAL] as PreloadApi;
  return { api, electron };
}

describe('preload', () => {
  it('exposes one function per channel under window.cellwright, and nothing else', async () => {
    const { api, electron } = await loadPreload();
    expect(Object.keys(electron.exposed)).toEqual([PRELOAD_GLOBAL]);
    expect(Object.keys(api).sort()).toEqual([...API_NAMES].sort());
    for (const name of API_NAMES) expect(typeof (api as unknown as Record<string, unknown>)[name]).toBe('function');
  });

  it('sends each invoke function on its own channel with its arguments', async () => {
    const { api, electron } = await loadPreload();
    await api.saveFile('{}', 'g.json', null);
    await api.openRecent('/x/g.json');
    await api.readAutosave();
    expect(electron.invoked).toEqual([
      { channel: INVOKE_CHANNELS.saveFile, args: ['{}', 'g.json', null] },
      { channel: INVOKE_CHANNELS.openRecent, args: ['/x/g.json'] },
      { channel: INVOKE_CHANNELS.readAutosave, args: [] },
    ]);
    api.setDirty(true, 'g.json');
    expect(electron.sentFromRenderer).toEqual([{ channel: SEND_CHANNELS.setDirty, args: [true, 'g.json'] }]);
  });

  it('delivers events without the IPC event object, and each subscription returns its unsubscribe', async () => {
    const { api, electron } = await loadPreload();
    const seen: unknown[][] = [];
    const off = api.onMenuAction((...args: unknown[]) => seen.push(args));
    const listeners = electron.rendererListeners.get(EVENT_CHANNELS.onMenuAction) ?? [];
    expect(listeners).toHaveLength(1);
    listeners[0]({ sender: 'ipc-renderer-internals' }, 'train');
    expect(seen).toEqual([['train']]);
    off();
    expect(electron.rendererListeners.get(EVENT_CHANNELS.onMenuAction)).toEqual([]);
    const offFile = api.onOpenFile(() => undefined);
    expect(electron.rendererListeners.get(EVENT_CHANNELS.onOpenFile)).toHaveLength(1);
    offFile();
    expect(electron.rendererListeners.get(EVENT_CHANNELS.onOpenFile)).toEqual([]);
  });
});
