import * as path from 'node:path';
import type { RecentFile } from '../common/ipc-contract.ts';
import { isPlainObject } from './json-file.ts';

export const MAX_RECENT = 10;

export function parseRecent(raw: unknown): RecentFile[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter((entry): entry is RecentFile =>
    isPlainObject(entry)
    && typeof entry.name === 'string'
    && typeof entry.path === 'string'
    && typeof entry.openedAt === 'string'
    && path.isAbsolute(entry.path),
  ).slice(0, MAX_RECENT);
}

/** Put `file` first, drop any older entry for the same path, keep at most MAX_RECENT. */
export function addRecent(list: readonly RecentFile[], filePath: string, now: Date): RecentFile[] {
  const entry: RecentFile = { name: path.basename(filePath), path: filePath, openedAt: now.toISOString() };
  return [entry, ...list.filter((item) => !samePath(item.path, filePath))].slice(0, MAX_RECENT);
}

export function removeRecent(list: readonly RecentFile[], filePath: string): RecentFile[] {
  return list.filter((item) => !samePath(item.path, filePath));
}

export function samePath(a: string, b: string): boolean {
  // Windows and macOS file systems are case-insensitive by default.
  if (process.platform === 'win32' || process.platform === 'darwin') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}
