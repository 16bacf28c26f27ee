// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { ElectronHost, desktopApi, isEditableFocused, unwrapIpcError } from './electron.ts';
import type { PreloadApi } from '../../common/ipc-contract.ts';
import type { HostFile, MenuAction } from './types.ts';

/** A stand-in for window.cellwright: records calls and lets the test push events. */
function fakeApi(pending: HostFile[] = []) {
  const calls: { name: string; args: unknown[] }[] = [];
  const menuListeners = new Set<(a: MenuAction) => void>();
  const fileListeners = new Set<(f: HostFile) => void>();
  const settings = new Map<string, unknown>();
  // Every recorded call resolves to null, which the void-returning channels ignore.
  const record = <F>(name: string): F => (async (...args: unknown[]) => {
    calls.push({ name, args });
    return null;
  }) as F;
  const api: PreloadApi = {
    openFile: record<PreloadApi['openFile']>('openFile'),
    openModelFile: record<PreloadApi['openModelFile']>('openModelFile'),
    saveFile: record<PreloadApi['saveFile']>('saveFile'),
    saveFileAs: record<PreloadApi['saveFileAs']>('saveFileAs'),
    exportFile: record<PreloadApi['exportFile']>('exportFile'),
    recentFiles: async () => [],
    openRecent: record<PreloadApi['openRecent']>('openRecent'),
    getSetting: async (key) => (settings.has(key) ? { value: settings.get(key) } : null),
    setSetting: async (key, value) => {
      settings.set(key, value);
    },
    writeAutosave: record<PreloadApi['writeAutosave']>('writeAutosave'),
    readAutosave: async () => null,
    clearAutosave: record<PreloadApi['clearAutosave']>('clearAutosave'),
    openExternal: async () => true,
    nativeEdit: record<PreloadApi['nativeEdit']>('nativeEdit'),
    readRunsBeside: async () => null,
    writeRunsBeside: record<PreloadApi['writeRunsBeside']>('writeRunsBeside'),
    takePendingFiles: async () => {
      calls.push({ name: 'takePendingFiles', args: [] });
      return pending;
    },
    setDirty: (...args) => {
      calls.push({ name: 'setDirty', args });
    },
    onMenuAction: (listener) => {
      menuListeners.add(listener);
      return () => menuListeners.delete(listener);
    },
    onOpenFile: (listener) => {
      fileListeners.add(listener);
      return () => fileListeners.delete(listener);
    },
  };
  return { api, calls, menuListeners, fileListeners };
}

const file = (name: string): HostFile => ({ name, path: `/d/${name}`, text: '{}', handle: `/d/${name}` });

describe('ElectronHost', () => {
  it('finds the preload API only where the preload put it', () => {
    expect(desktopApi({})).toBeNull();
    const { api } = fakeApi();
    expect(desktopApi({ cellwright: api })).toBe(api);
  });

  it('delivers files queued before the renderer listened, even across an unsubscribe/resubscribe', async () => {
    const fake = fakeApi([file('lstm.json')]);
    const host = new ElectronHost(fake.api, () => false);
    const first: string[] = [];
    const off = host.onOpenFile((f) => first.push(f.name));
    off(); // React StrictMode unmounts and remounts before the pending files arrive
    const second: string[] = [];
    host.onOpenFile((f) => second.push(f.name));
    await vi.waitFor(() => expect(second).toEqual(['lstm.json']));
    expect(first).toEqual([]);
    for (const listener of fake.fileListeners) listener(file('gru.json'));
    expect(second).toEqual(['lstm.json', 'gru.json']);
    expect(fake.calls.filter((c) => c.name === 'takePendingFiles')).toHaveLength(1);
  });

  it('passes the save handle only when it is a path, and sends Blob exports as bytes', async () => {
    const fake = fakeApi();
    const host = new ElectronHost(fake.api, () => false);
    await host.saveFile('{}', 'g.json', '/d/g.json');
    await host.saveFile('{}', 'g.json', { some: 'browser handle' });
    await host.exportFile(new Blob([new Uint8Array([1, 2, 3])]), 'p.png', 'image/png');
    expect(fake.calls.map((c) => [c.name, c.args.map((a) => (a instanceof Uint8Array ? [...a] : a))])).toEqual([
      ['saveFile', ['{}', 'g.json', '/d/g.json']],
      ['saveFile', ['{}', 'g.json', null]],
      ['exportFile', [[1, 2, 3], 'p.png', 'image/png']],
    ]);
  });

  it('returns the fallback for a missing setting and the stored value otherwise, including falsy ones', async () => {
    const host = new ElectronHost(fakeApi().api, () => false);
    expect(await host.getSetting('minimap', true)).toBe(true);
    await host.setSetting('minimap', false);
    expect(await host.getSetting('minimap', true)).toBe(false);
  });

  it('runs Edit menu commands on a focused text field natively instead of on the graph', () => {
    const fake = fakeApi();
    let typing = true;
    const host = new ElectronHost(fake.api, () => typing);
    const seen: MenuAction[] = [];
    host.onMenuAction((a) => seen.push(a));
    const send = (a: MenuAction) => {
      for (const listener of fake.menuListeners) listener(a);
    };
    send('copy');
    send('train');
    typing = false;
    send('copy');
    expect(seen).toEqual(['train', 'copy']);
    expect(fake.calls.filter((c) => c.name === 'nativeEdit')).toEqual([{ name: 'nativeEdit', args: ['copy'] }]);
  });

  it('knows when a text field has the focus', () => {
    const input = document.createElement('input');
    document.body.append(input);
    input.focus();
    expect(isEditableFocused(document)).toBe(true);
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    document.body.append(checkbox);
    checkbox.focus();
    expect(isEditableFocused(document)).toBe(false);
  });

  it('shows the reason main gave when a file cannot be opened, without Electron\'s IPC wrapping', async () => {
    const { api } = fakeApi();
    api.openFile = async () => {
      throw new Error("Error invoking remote method 'cw:file:open': Error: \"gone.cellwright\" was not opened: it does not exist any more.");
    };
    await expect(new ElectronHost(api).openFile()).rejects.toThrow(/^"gone\.cellwright" was not opened: it does not exist any more\.$/);
    expect(unwrapIpcError(new Error('plain')).message).toBe('plain');
    expect(unwrapIpcError('text').message).toBe('text');
  });
});
