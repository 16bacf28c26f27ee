/**
 * Main never trusts what a renderer sends: every channel's arguments are
 * checked for type and size before a handler sees them.
 */
import { exampleOfAction, MENU_ACTIONS, NATIVE_EDIT_COMMANDS } from '../../common/ipc-contract.ts';
import { EXAMPLE_CATALOGUE } from '../../common/examples.ts';
import { MAX_GRAPH_FILE_BYTES } from '../../common/graph-files.ts';
import type { InvokeName, InvokeParams, MenuAction, MenuCommand, NativeEditCommand, SendApi, SendName } from '../../common/ipc-contract.ts';

export const MAX_TEXT = MAX_GRAPH_FILE_BYTES;
export const MAX_NAME = 255;
export const MAX_KEY = 128;
export const MAX_SETTING_JSON = 256 * 1024;
export const MAX_PATH = 4096;

const str = (max: number) => (v: unknown): v is string => typeof v === 'string' && v.length <= max;
const text = str(MAX_TEXT);
const name = str(MAX_NAME);
const key = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_KEY;
const filePath = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_PATH;
const bool = (v: unknown): v is boolean => typeof v === 'boolean';
const bytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array && v.byteLength <= MAX_TEXT;

function jsonValue(v: unknown): boolean {
  try {
    const json = JSON.stringify(v);
    return typeof json === 'string' && json.length <= MAX_SETTING_JSON;
  } catch {
    return false;
  }
}

type Validator<P> = (args: readonly unknown[]) => args is P & readonly unknown[];

function shape<P extends readonly unknown[]>(...checks: ((v: unknown) => boolean)[]): Validator<P> {
  return (args: readonly unknown[]): args is P =>
    args.length === checks.length && checks.every((check, i) => check(args[i]));
}

export const INVOKE_VALIDATORS: { readonly [K in InvokeName]: Validator<InvokeParams<K>> } = {
  openFile: shape<[]>(),
  openModelFile: shape<[]>(),
  saveFile: shape<[string, string, string | null]>(text, name, (v) => v === null || filePath(v)),
  saveFileAs: shape<[string, string]>(text, name),
  exportFile: shape<[Uint8Array | string, string, string]>((v) => text(v) || bytes(v), name, str(200)),
  recentFiles: shape<[]>(),
  openRecent: shape<[string]>(filePath),
  getSetting: shape<[string]>(key),
  setSetting: shape<[string, unknown]>(key, jsonValue),
  writeAutosave: shape<[string]>(text),
  readAutosave: shape<[]>(),
  clearAutosave: shape<[]>(),
  openExternal: shape<[string]>(str(2048)),
  nativeEdit: shape<[NativeEditCommand]>((v) => NATIVE_EDIT_COMMANDS.includes(v as NativeEditCommand)),
  takePendingFiles: shape<[]>(),
  readRunsBeside: shape<[string]>(filePath),
  writeRunsBeside: shape<[string, string | null]>(filePath, (v) => v === null || text(v)),
};

export const SEND_VALIDATORS: { readonly [K in SendName]: Validator<Parameters<SendApi[K]>> } = {
  setDirty: shape<[boolean, string]>(bool, str(MAX_NAME * 2)),
};

/** A menu action main may send: a command, or Open Example with a bundled example's key. */
export function isMenuAction(v: unknown): v is MenuAction {
  if (typeof v !== 'string') return false;
  if (MENU_ACTIONS.includes(v as MenuCommand)) return true;
  const example = exampleOfAction(v as MenuAction);
  return example !== null && EXAMPLE_CATALOGUE.some((entry) => entry.key === example);
}
