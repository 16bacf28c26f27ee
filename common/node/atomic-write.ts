/**
 * Crash-safe file writes for every file Cellwright writes (the desktop app's
 * saves and autosaves, the CLI's trained graphs, checkpoints, metrics and
 * exports). Node-only; shared by electron/ and cli/.
 *
 * ```ts
 * await atomicWrite('/home/me/run.cellwright.json', text);
 * ```
 */
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
  lstat(file: string): Promise<{ isSymbolicLink(): boolean }>;
  readlink(file: string): Promise<string>;
  chmod(file: string, mode: number): Promise<void>;
}

export const realAtomicFs: AtomicFs = {
  open: (file, flags, mode) => nodeFs.open(file, flags, mode),
  rename: (from, to) => nodeFs.rename(from, to),
  rm: (file, options) => nodeFs.rm(file, options),
  stat: (file) => nodeFs.stat(file),
  lstat: (file) => nodeFs.lstat(file),
  readlink: (file) => nodeFs.readlink(file),
  chmod: (file, mode) => nodeFs.chmod(file, mode),
};

/** Linux's limit on symlinks followed in one lookup (ELOOP beyond it). */
const MAX_LINKS = 40;

/**
 * The file a write to `file` must replace: `file` itself, or, when it is a
 * symbolic link (or a chain of them), the file the link points at, even if
 * that does not exist yet. Replacing the link itself would turn it into a
 * plain file and silently detach the user's link.
 */
export async function writeTarget(file: string, fs: Pick<AtomicFs, 'lstat' | 'readlink'> = realAtomicFs): Promise<string> {
  let current = path.resolve(file);
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    let isLink: boolean;
    try {
      isLink = (await fs.lstat(current)).isSymbolicLink();
    } catch {
      return current; // A new file (or a dangling link's missing target).
    }
    if (!isLink) return current;
    current = path.resolve(path.dirname(current), await fs.readlink(current));
  }
  throw Object.assign(new Error(`ELOOP: too many symbolic links, write '${file}'`), { code: 'ELOOP' });
}

/**
 * Writes `data` to `file` so that a crash at any moment leaves either the old
 * file or the new one, never a half-written file: write a temp file in the
 * same directory (same filesystem, so rename is atomic), fsync it, rename it
 * over the target, then fsync the directory so the rename itself is durable.
 * A symbolic link stays a link: the file it points at is replaced. The
 * replaced file's permission bits are kept (a user's 0600 stays 0600).
 */
export async function atomicWrite(file: string, data: Uint8Array | string, fs: AtomicFs = realAtomicFs): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const target = await writeTarget(file, fs);
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let mode: number | null = null;
  try {
    mode = (await fs.stat(target)).mode & 0o7777;
  } catch {
    // A new file: default mode, filtered by the umask.
  }
  let handle: WritableHandle | null = null;
  try {
    handle = await fs.open(temp, 'wx', mode ?? 0o666);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, offset);
      offset += bytesWritten;
    }
    await handle.sync();
    await handle.close();
    handle = null;
    // open() applies the umask; a replaced 0666 file must stay 0666.
    if (mode !== null) await fs.chmod(temp, mode);
    await fs.rename(temp, target);
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
