import * as nodeFs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { atomicWrite } from '../common/node/atomic-write.ts';

export interface AutosaveFs {
  readFile(file: string): Promise<string>;
  readdir(dir: string): Promise<string[]>;
  mtimeMs(file: string): Promise<number>;
  mkdir(dir: string): Promise<void>;
  atomicWrite(file: string, text: string): Promise<void>;
  rm(file: string): Promise<void>;
}

export const realAutosaveFs: AutosaveFs = {
  readFile: (file) => nodeFs.readFile(file, 'utf8'),
  readdir: (dir) => nodeFs.readdir(dir),
  mtimeMs: async (file) => (await nodeFs.stat(file)).mtimeMs,
  mkdir: async (dir) => {
    await nodeFs.mkdir(dir, { recursive: true });
  },
  atomicWrite: (file, text) => atomicWrite(file, text),
  rm: (file) => nodeFs.rm(file, { force: true }),
};

const SLOT = /^[a-z0-9-]{1,64}$/;
const SUFFIX = '.autosave.json';

/**
 * Unsaved work, one slot per window, in `<userData>/autosave/`. A window
 * clears its slot when its work is saved or discarded, so a slot left on disk
 * at start-up is work a crash interrupted; the first windows of the next
 * session adopt those slots and offer to recover them.
 */
export class AutosaveStore {
  private readonly live = new Set<string>();
  private claims: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string, private readonly fs: AutosaveFs = realAutosaveFs) {}

  /**
   * A slot for a new window: the most recent orphaned slot if any (`adopted`:
   * it holds work a crash interrupted), else a fresh one.
   */
  claimSlot(): Promise<{ slot: string; adopted: boolean }> {
    // Serialised: two windows opening at once must not adopt the same orphan.
    const next = this.claims.then(async () => {
      const [orphan] = await this.orphans();
      const slot = orphan ?? `w-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      this.live.add(slot);
      return { slot, adopted: orphan !== undefined };
    });
    this.claims = next.catch(() => undefined);
    return next;
  }

  release(slot: string): void {
    this.live.delete(slot);
  }

  /** Slots on disk not owned by a window of this session, newest first. */
  async orphans(): Promise<string[]> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.dir);
    } catch {
      return [];
    }
    const slots = names.filter((n) => n.endsWith(SUFFIX)).map((n) => n.slice(0, -SUFFIX.length))
      .filter((s) => SLOT.test(s) && !this.live.has(s));
    const withTime = await Promise.all(slots.map(async (s) => ({ s, t: await this.fs.mtimeMs(this.file(s)).catch(() => 0) })));
    return withTime.sort((a, b) => b.t - a.t).map((x) => x.s);
  }

  async write(slot: string, text: string): Promise<void> {
    await this.fs.mkdir(this.dir);
    await this.fs.atomicWrite(this.file(slot), text);
  }

  async read(slot: string): Promise<string | null> {
    try {
      return await this.fs.readFile(this.file(slot));
    } catch {
      return null;
    }
  }

  async clear(slot: string): Promise<void> {
    await this.fs.rm(this.file(slot));
  }

  private file(slot: string): string {
    if (!SLOT.test(slot)) throw new Error(`Invalid autosave slot "${slot}".`);
    return path.join(this.dir, `${slot}${SUFFIX}`);
  }
}
