import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { atomicWrite, realAtomicFs } from './atomic-write.ts';
import type { AtomicFs } from './atomic-write.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-atomic-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The real filesystem, except that a write lands only half its bytes and then fails (disk full, crash). */
function failingHalfway(): AtomicFs & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    ...realAtomicFs,
    async open(file, flags, mode) {
      const handle = await realAtomicFs.open(file, flags, mode);
      return {
        async write(data, offset, length, position) {
          calls.push('write');
          const half = Math.floor(length / 2);
          await handle.write(data, offset, half, position);
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        },
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    },
    async rename(from, to) {
      calls.push('rename');
      return realAtomicFs.rename(from, to);
    },
  };
}

describe('atomicWrite', () => {
  it('replaces the file with the new content', async () => {
    const file = path.join(dir, 'graph.json');
    fs.writeFileSync(file, 'old');
    await atomicWrite(file, '{"version":1}');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"version":1}');
    expect(fs.readdirSync(dir)).toEqual(['graph.json']);
  });

  it('leaves the previous file intact and no temp file when the write fails halfway', async () => {
    const file = path.join(dir, 'graph.json');
    const previous = JSON.stringify({ nodes: Array.from({ length: 200 }, (_, i) => ({ id: `n${i}` })) });
    fs.writeFileSync(file, previous);
    const next = JSON.stringify({ nodes: Array.from({ length: 400 }, (_, i) => ({ id: `m${i}` })) });
    const fsWithFault = failingHalfway();
    await expect(atomicWrite(file, next, fsWithFault)).rejects.toThrow(/ENOSPC/);
    expect(fsWithFault.calls).toEqual(['write']);
    expect(fs.readFileSync(file, 'utf8')).toBe(previous);
    expect(fs.readdirSync(dir)).toEqual(['graph.json']);
  });

  it('does not create the file when the very first save fails', async () => {
    const file = path.join(dir, 'new.json');
    await expect(atomicWrite(file, 'x'.repeat(1000), failingHalfway())).rejects.toThrow();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('keeps the permissions of the file it replaces', async () => {
    const file = path.join(dir, 'private.json');
    fs.writeFileSync(file, 'a', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    await atomicWrite(file, 'b');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('writes bytes as given', async () => {
    const file = path.join(dir, 'pic.png');
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    await atomicWrite(file, bytes);
    expect([...fs.readFileSync(file)]).toEqual([...bytes]);
  });
});
