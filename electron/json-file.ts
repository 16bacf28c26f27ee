import * as nodeFs from 'node:fs/promises';
import * as path from 'node:path';
import { atomicWrite } from '../common/node/atomic-write.ts';

export interface StoreFs {
  readFile(file: string): Promise<string>;
  mkdir(dir: string): Promise<void>;
  atomicWrite(file: string, text: string): Promise<void>;
}

export const realStoreFs: StoreFs = {
  readFile: (file) => nodeFs.readFile(file, 'utf8'),
  mkdir: async (dir) => {
    await nodeFs.mkdir(dir, { recursive: true });
  },
  atomicWrite: (file, text) => atomicWrite(file, text),
};

/**
 * One JSON document in the user-data folder (settings, recent files, window
 * state). Reads tolerate a missing or corrupt file (the app must start anyway);
 * writes are atomic and serialised, so the last save wins and no save sees a
 * half-written file.
 */
export class JsonFile<T> {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly parse: (raw: unknown) => T,
    private readonly fallback: () => T,
    private readonly fs: StoreFs = realStoreFs,
  ) {}

  async load(): Promise<T> {
    let text: string;
    try {
      text = await this.fs.readFile(this.file);
    } catch {
      return this.fallback();
    }
    try {
      return this.parse(JSON.parse(text));
    } catch {
      return this.fallback();
    }
  }

  save(value: T): Promise<void> {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    const run = async (): Promise<void> => {
      await this.fs.mkdir(path.dirname(this.file));
      await this.fs.atomicWrite(this.file, text);
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
