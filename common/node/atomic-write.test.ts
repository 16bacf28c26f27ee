import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../engine/rng.ts';
import { atomicWrite, realAtomicFs } from './atomic-write.ts';
import type { AtomicFs } from './atomic-write.ts';
import { versionText } from './testing/write-loop.ts';

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

  it.skipIf(process.platform === 'win32')('keeps a 0666 file 0666 whatever the umask', async () => {
    const file = path.join(dir, 'shared.json');
    fs.writeFileSync(file, 'a');
    fs.chmodSync(file, 0o666);
    await atomicWrite(file, 'b');
    expect(fs.statSync(file).mode & 0o777).toBe(0o666);
  });

  it('writes through a symbolic link: the link stays a link, its target gets the new content and keeps its mode', async () => {
    const real = path.join(dir, 'real');
    fs.mkdirSync(real);
    const target = path.join(real, 'graph.json');
    fs.writeFileSync(target, 'old', { mode: 0o600 });
    fs.chmodSync(target, 0o600);
    const link = path.join(dir, 'link.json');
    fs.symlinkSync('real/graph.json', link);
    const chain = path.join(dir, 'chain.json');
    fs.symlinkSync(link, chain);
    await atomicWrite(chain, 'new');
    expect(fs.lstatSync(chain).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe('real/graph.json');
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    // The temp file was made next to the target (same filesystem), and is gone.
    expect(fs.readdirSync(real)).toEqual(['graph.json']);
    expect(fs.readdirSync(dir).sort()).toEqual(['chain.json', 'link.json', 'real']);
  });

  it('a dangling link: creates the file it points at, keeps the link', async () => {
    const link = path.join(dir, 'link.json');
    fs.symlinkSync('made.json', link);
    await atomicWrite(link, 'hello');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'made.json'), 'utf8')).toBe('hello');
  });

  it('a link loop is an error, not a hang', async () => {
    const a = path.join(dir, 'a.json');
    fs.symlinkSync('b.json', a);
    fs.symlinkSync('a.json', path.join(dir, 'b.json'));
    await expect(atomicWrite(a, 'x')).rejects.toThrow(/ELOOP/);
  });

  it.skipIf(process.platform === 'win32')('SIGKILL at random moments during big writes leaves the old or the new file, never a truncated one; the link stays', async () => {
    const size = 3_000_000;
    const real = path.join(dir, 'big.json');
    fs.writeFileSync(real, versionText(0, size));
    const link = path.join(dir, 'link.json');
    fs.symlinkSync('big.json', link);
    const rng = new Rng(20261201);
    const helper = path.join(import.meta.dirname, 'testing/write-loop.ts');
    let next = 1;
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', helper, link, String(size), String(next)], { stdio: ['ignore', 'pipe', 'inherit'] });
      // Kill after a random number of completed writes plus a random part of the next one.
      const writes = rng.int(3);
      const extraMs = rng.range(0, 40);
      let reported = next - 1;
      await new Promise<void>((resolve) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const m = [...buf.matchAll(/wrote (\d+)/g)];
          if (m.length) reported = Number(m[m.length - 1][1]);
          if (reported - (next - 1) >= writes + 1 && child.exitCode === null && !child.killed) {
            setTimeout(() => child.kill('SIGKILL'), extraMs);
          }
        });
        child.on('exit', () => resolve());
      });
      const text = fs.readFileSync(real, 'utf8');
      const v = Number(/^version (\d+) /.exec(text)?.[1]);
      // The last write reported done, or the one in flight that had just been renamed.
      expect([reported, reported + 1]).toContain(v);
      expect(text).toBe(versionText(v, size));
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
      next = v + 1;
    }
  });
});
