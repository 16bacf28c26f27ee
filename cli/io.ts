/**
 * File reading and writing for the CLI: every failure becomes a CliError with
 * a clear message. A path of `-` reads standard input (once per command).
 */
import { accessSync, constants, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeTarget } from '../common/node/atomic-write.ts';
import { Option } from 'commander';
import type { Limits } from '../engine/limits.ts';
import { DEFAULT_LIMITS, parseLimits } from '../engine/limits.ts';
import { formatProblem } from '../engine/format/data.ts';
import { loadGraphText, parseJsonText } from '../engine/format/parse.ts';
import type { DataFile, Graph, Problem } from '../engine/format/types.ts';
import { hasErrors } from '../engine/format/validate.ts';
import { validateAny, validateDataAny } from '../engine/layers/index.ts';

/** A failure to report on stderr (no stack trace) with an exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1, readonly lines: string[] = []) {
    super(message);
    this.name = 'CliError';
  }
}

/** `-` means standard input. */
export const STDIO = '-';

/** How a path is named in messages: standard input has no file name. */
export function shown(path: string): string {
  return path === STDIO ? '<stdin>' : path;
}

let stdinTaken: string | null = null;

/** All of standard input (as text). A second `-` in one command is a usage error: stdin can be read once. */
function readStdin(what: string): string {
  if (stdinTaken !== null) throw new CliError(`cannot read ${what} from standard input: it already gave the ${stdinTaken}; use a file for one of them`, 2);
  stdinTaken = what;
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A non-blocking stdin (some terminals, some pipes) has no data yet: wait for it.
      if (code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); continue; }
      if (code === 'EOF') break;
      throw new CliError(`cannot read ${what} from standard input: ${(e as Error).message}`);
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Forgets that stdin was read (for tests that call main() several times in one process). */
export function resetStdin(): void {
  stdinTaken = null;
}

export function readText(path: string, what: string): string {
  if (path === STDIO) return readStdin(what);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new CliError(`cannot read ${what} ${path}: ${why}`);
  }
}

export function readJson(path: string, what: string, limits?: Partial<Limits>): unknown {
  const text = readText(path, what);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const r = parseJsonText(body, { limits });
  if (r.ok) return r.value;
  const at = r.problem.path === '' ? '' : ` at ${r.problem.path}`;
  throw new CliError(`${shown(path)}:${r.line}:${r.column}: ${what} is not valid JSON${at}: ${r.detail}`);
}

/** --max-memory MB: the memory limit of a run (engine/limits.ts). */
export function maxMemoryOption(): Option {
  return new Option('--max-memory <MB>', `refuse a run whose estimated memory (values, gradients, parameters, optimizer state) is over this (default ${DEFAULT_LIMITS.maxMemoryMB})`);
}

/** --limits key=value,…: every other size limit (engine/limits.ts). */
export function limitsOption(): Option {
  return new Option('--limits <list>', `size limits over the defaults, e.g. maxNodeSize=4000000,maxSteps=5000000 (${Object.keys(DEFAULT_LIMITS).join(', ')})`);
}

/** The limits that --max-memory and --limits ask for; a bad value is a usage error (exit 2). */
export function limitsOf(opts: { maxMemory?: string; limits?: string }): Partial<Limits> {
  try {
    const out = opts.limits === undefined ? {} : parseLimits(opts.limits);
    if (opts.maxMemory !== undefined) Object.assign(out, parseLimits(`maxMemoryMB=${opts.maxMemory}`));
    return out;
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
}

/** Loads a graph file; `validate` also runs the validator and refuses a graph with errors. */
export function readGraph(path: string, opts: { validate: boolean; limits?: Partial<Limits> }): { graph: Graph; problems: Problem[] } {
  const r = loadGraphText(readText(path, 'graph file'), { limits: opts.limits });
  if (!r.ok) {
    const [first, ...rest] = r.problems;
    throw new CliError(`${shown(path)}: ${formatProblem(first)}`, 1, rest.map(formatProblem));
  }
  let problems = [...r.problems];
  if (opts.validate) {
    // concat, not push(...): a graph can have more problems than a call has room for arguments
    problems = problems.concat(validateAny(r.graph, { limits: opts.limits }));
    if (hasErrors(problems)) {
      const errors = problems.filter((p) => p.severity === 'error');
      throw new CliError(`${shown(path)}: ${errors.length} problem${errors.length === 1 ? '' : 's'} in the graph`, 1, problems.map(formatProblem));
    }
  }
  return { graph: r.graph, problems };
}

export function readData(path: string, graph: Graph, limits?: Partial<Limits>): DataFile {
  const data = readJson(path, 'data file', limits);
  const problems = validateDataAny(graph, data);
  if (hasErrors(problems)) {
    throw new CliError(`${shown(path)}: the data file does not fit the graph`, 1, problems.map(formatProblem));
  }
  return data as DataFile;
}

/**
 * Checks, before any work, that `path` can be written the way atomicWrite
 * writes it (a new file in its directory, renamed over it): the directory
 * exists and is writable, and the path is not a directory. A symbolic link is
 * checked at the file it points at. `flag` names the option in the message.
 */
export async function checkWritable(path: string, flag: string): Promise<void> {
  let target: string;
  try {
    target = await writeTarget(path);
  } catch (e) {
    throw new CliError(`${flag} ${path}: cannot follow its symbolic links (${(e as Error).message})`);
  }
  const via = target === resolve(path) ? '' : ` (the file its link points at, ${target})`;
  try {
    if (statSync(target).isDirectory()) throw new CliError(`${flag} ${path}: is a directory${via}; give a file name, e.g. ${path.replace(/\/+$/, '')}/trained.json`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    // Absent: it will be created.
  }
  const dir = dirname(target);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new CliError(`${flag} ${path}: the folder ${dir} does not exist${via}; create it first (mkdir -p ${dir})`);
  }
  if (!isDir) throw new CliError(`${flag} ${path}: ${dir} is not a folder${via}`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new CliError(`${flag} ${path}: no permission to create files in ${dir}${via}; choose another place or fix the folder's permissions`);
  }
}

/**
 * A report as one JSON string; a report too large for one string (V8 caps
 * strings near 512 MB) is a CliError that says why, not an internal error.
 */
export function reportJson(report: { values: Record<string, { data: number[] }> }, what: string): string {
  try {
    return JSON.stringify(report);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    let numbers = 0;
    for (const v of Object.values(report.values)) numbers += v.data.length;
    throw new CliError(`the ${what} report is too large to print as one JSON text (${numbers} values): use fewer steps (T) or sequences (B), or smaller nodes`);
  }
}
