/**
 * The preload runs sandboxed, so it is bundled into one CommonJS file with only
 * `electron` external. It exposes exactly one function per contract channel
 * under `window.cellwright` and nothing else: no ipcRenderer, no generic send.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import {
  EVENT_CHANNELS, INVOKE_CHANNELS, PRELOAD_GLOBAL, SEND_CHANNELS,
} from '../common/ipc-contract.ts';
import type {
  EventName, EventPayloads, InvokeApi, InvokeName, PreloadApi, SendApi, SendName,
} from '../common/ipc-contract.ts';

function invoker<K extends InvokeName>(name: K): InvokeApi[K] {
  const channel = INVOKE_CHANNELS[name];
  // The cast is the one place the generic channel map meets the typed API.
  return ((...args: unknown[]) => ipcRenderer.invoke(channel, ...args)) as InvokeApi[K];
}

function sender<K extends SendName>(name: K): SendApi[K] {
  const channel = SEND_CHANNELS[name];
  return ((...args: unknown[]) => ipcRenderer.send(channel, ...args)) as SendApi[K];
}

function subscriber<K extends EventName>(name: K): (listener: (payload: EventPayloads[K]) => void) => () => void {
  const channel = EVENT_CHANNELS[name];
  return (listener) => {
    // Wrap so the renderer never sees the IpcRendererEvent (it carries `sender`).
    const wrapped = (_event: IpcRendererEvent, payload: EventPayloads[K]): void => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  };
}

export function buildPreloadApi(): PreloadApi {
  return {
    openFile: invoker('openFile'),
    openModelFile: invoker('openModelFile'),
    saveFile: invoker('saveFile'),
    saveFileAs: invoker('saveFileAs'),
    exportFile: invoker('exportFile'),
    recentFiles: invoker('recentFiles'),
    openRecent: invoker('openRecent'),
    getSetting: invoker('getSetting'),
    setSetting: invoker('setSetting'),
    writeAutosave: invoker('writeAutosave'),
    readAutosave: invoker('readAutosave'),
    clearAutosave: invoker('clearAutosave'),
    openExternal: invoker('openExternal'),
    nativeEdit: invoker('nativeEdit'),
    takePendingFiles: invoker('takePendingFiles'),
    readRunsBeside: invoker('readRunsBeside'),
    writeRunsBeside: invoker('writeRunsBeside'),
    setDirty: sender('setDirty'),
    onMenuAction: subscriber('onMenuAction'),
    onOpenFile: subscriber('onOpenFile'),
  };
}

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, buildPreloadApi());
