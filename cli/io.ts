/** File reading for the CLI: every failure becomes a CliError with a clear message. */
import { readFileSync } from 'node:fs';
import { formatProblem } from '../engine/format/data.ts';
import { lineColumn, locateJsonError, loadGraphText } from '../engine/format/parse.ts';
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

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new CliError(`cannot read ${what} ${path}: ${why}`);
  }
}

export function readJson(path: string, what: string): unknown {
  const text = readText(path, what);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch {
    const err = locateJsonError(body);
    const { line, column } = lineColumn(body, err.offset);
    throw new CliError(`${path}:${line}:${column}: ${what} is not valid JSON: ${err.detail}`);
  }
}

/** Loads a graph file; `validate` also runs the validator and refuses a graph with errors. */
export function readGraph(path: string, opts: { validate: boolean }): { graph: Graph; problems: Problem[] } {
  const r = loadGraphText(readText(path, 'graph file'));
  if (!r.ok) {
    const [first, ...rest] = r.problems;
    throw new CliError(`${path}: ${formatProblem(first)}`, 1, rest.map(formatProblem));
  }
  const problems = [...r.problems];
  if (opts.validate) {
    problems.push(...validateAny(r.graph));
    if (hasErrors(problems)) {
      const errors = problems.filter((p) => p.severity === 'error');
      throw new CliError(`${path}: ${errors.length} problem${errors.length === 1 ? '' : 's'} in the graph`, 1, problems.map(formatProblem));
    }
  }
  return { graph: r.graph, problems };
}

export function readData(path: string, graph: Graph): DataFile {
  const data = readJson(path, 'data file');
  const problems = validateDataAny(graph, data);
  if (hasErrors(problems)) {
    throw new CliError(`${path}: the data file does not fit the graph`, 1, problems.map(formatProblem));
  }
  return data as DataFile;
}
