/**
 * Running Debian's PyTorch from the tests. Where torch is absent the tests skip
 * with an install hint, except under CI=true, where they must run and so fail.
 */
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's python (the first python3 on PATH may be another one without torch). */
export const PYTHON = '/usr/bin/python3';

export const TORCH_HINT = 'PyTorch is not installed: install python3-torch (apt-get install -y python3-torch) to run this test';

let cached: boolean | undefined;

/** True when /usr/bin/python3 can import torch. */
export function hasTorch(): boolean {
  if (cached === undefined) {
    cached = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 120_000 }).status === 0;
  }
  return cached;
}

/** Under CI the PyTorch tests must run: skipping is not allowed there. */
export function mustRun(): boolean {
  return process.env.CI === 'true';
}

export function runPython(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(PYTHON, args, {
    encoding: 'utf8',
    cwd: opts.cwd,
    env: { ...process.env, OMP_NUM_THREADS: '1', ...opts.env },
    timeout: opts.timeout ?? 300_000,
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** The process's output for an assertion message. */
export function describeRun(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}${r.signal ? ` (signal ${r.signal})` : ''}${r.error ? ` (${r.error.message})` : ''}\n--- stdout\n${r.stdout?.slice(-4000)}\n--- stderr\n${r.stderr?.slice(-4000)}`;
}
