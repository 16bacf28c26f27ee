import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import * as path from 'node:path';

/** The subset of a FileHandle atomicWrite uses; injectable so tests can fail a write halfway. */
export interface WritableHandle {
  write(data: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface AtomicFs {
  open(file: string, flags: string, mode?: number): Promise<WritableHandle>;
  rename(from: string, to: string): Promise<void>;
  rm(file: string, options: { force: boolean }): Promise<void>;
  stat(file: string): Promise<{ mode: number }>;
}

export const realAtomicFs: AtomicFs = {
  open: (file, flags, mode) => nodeFs.open(file, flags, mode),
  rename: (from, to) => nodeFs.rename(from, to),
  rm: (file, options) => nodeFs.rm(file, options),
  stat: (file) => nodeFs.stat(file),
};

/**
 * Write `data` to `file` so that a crash at any moment leaves either the old
 * file or the new one, never a half-written file: write a temp file in the
 * same directory (same filesystem, so rename is atomic), fsync it, rename it
 * over the target, then fsync the directory so the rename itself is durable.
 */
export async function atomicWrite(file: string, data: Uint8Array | string, fs: AtomicFs = realAtomicFs): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  // Keep the permissions of the file being replaced (a user's 0600 stays 0600).
  let mode = 0o666;
  try {
    mode = (await fs.stat(file)).mode & 0o777;
  } catch {
    // A new file: default mode, filtered by the umask.
  }
  let handle: WritableHandle | null = null;
  try {
    handle = await fs.open(temp, 'wx', mode);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, offset);
      offset += bytesWritten;
    }
    await handle.sync();
    await handle.close();
    handle = null;
    await fs.rename(temp, file);
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir, fs);
}

async function syncDirectory(dir: string, fs: AtomicFs): Promise<void> {
  // Windows cannot open a directory for fsync; the rename is already committed there.
  if (process.platform === 'win32') return;
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse to fsync a directory; the data itself is already synced.
  }
}
