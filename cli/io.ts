/** File reading for the CLI: every failure becomes a CliError with a clear message. */
import { readFileSync } from 'node:fs';
import { Option } from 'commander';
import type { Limits } from '../engine/limits.ts';
import { DEFAULT_LIMITS, parseLimits } from '../engine/limits.ts';
import { formatProblem, validateData } from '../engine/format/data.ts';
import { loadGraphText, parseJsonText } from '../engine/format/parse.ts';
import type { DataFile, Graph, Problem } from '../engine/format/types.ts';
import { hasErrors, validateGraph } from '../engine/format/validate.ts';

/** A failure to report on stderr (no stack trace) with an exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1, readonly lines: string[] = []) {
    super(message);
    this.name = 'CliError';
  }
}

export function readText(path: string, what: string): string {
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
  throw new CliError(`${path}:${r.line}:${r.column}: ${what} is not valid JSON${at}: ${r.detail}`);
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
    throw new CliError(`${path}: ${formatProblem(first)}`, 1, rest.map(formatProblem));
  }
  let problems = [...r.problems];
  if (opts.validate) {
    // concat, not push(...): a graph can have more problems than a call has room for arguments
    problems = problems.concat(validateGraph(r.graph, { limits: opts.limits }));
    if (hasErrors(problems)) {
      const errors = problems.filter((p) => p.severity === 'error');
      throw new CliError(`${path}: ${errors.length} problem${errors.length === 1 ? '' : 's'} in the graph`, 1, problems.map(formatProblem));
    }
  }
  return { graph: r.graph, problems };
}

export function readData(path: string, graph: Graph, limits?: Partial<Limits>): DataFile {
  const data = readJson(path, 'data file', limits);
  const problems = validateData(graph, data);
  if (hasErrors(problems)) {
    throw new CliError(`${path}: the data file does not fit the graph`, 1, problems.map(formatProblem));
  }
  return data as DataFile;
}
