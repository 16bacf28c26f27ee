/**
 * Loading and saving graph files: JSON text → checked envelope (format and
 * version) → migrated document. Everything about nodes and edges is left to
 * validateGraph, so the editor can open a graph with errors and show them.
 *
 * Leniency: a file with no "format" field is accepted (with warning CW007)
 * when it has "nodes" and "edges" arrays, and "format" is then added as the
 * first key. A missing or unsupported "version" is always refused.
 */
import { problem } from '../errors.ts';
import { migrateDoc } from './migrate.ts';
import type { Graph, Problem } from './types.ts';
import { GRAPH_FORMAT, GRAPH_VERSION } from './types.ts';

export type LoadResult =
  | { ok: true; graph: Graph; problems: Problem[] }
  | { ok: false; problems: Problem[] };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a graph file's text.
 *
 * Example: loadGraphText('{"format":"cellwright-graph","version":1,"nodes":[],"edges":[]}').ok // true
 */
export function loadGraphText(text: string): LoadResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const err = locateJsonError(body);
    const { line, column } = lineColumn(body, err.offset);
    return { ok: false, problems: [problem('CW001', { detail: err.detail, line, column }, { path: '' })] };
  }
  return loadGraph(json);
}

/**
 * Checks the envelope of an already parsed graph (format, version, nodes and
 * edges arrays) and migrates it to the current version. The returned graph is
 * the given object itself when no migration ran (no copy), every unknown field
 * included.
 *
 * Example: loadGraph({ format: 'cellwright-graph', version: 2, nodes: [], edges: [] }).ok // false (newer)
 */
export function loadGraph(json: unknown): LoadResult {
  if (!isRecord(json)) {
    return { ok: false, problems: [problem('CW002', { found: Array.isArray(json) ? 'an array' : json }, { path: '' })] };
  }
  const problems: Problem[] = [];
  let doc: Record<string, unknown> = json;
  if (!('format' in json)) {
    if (!(Array.isArray(json.nodes) && Array.isArray(json.edges))) {
      return { ok: false, problems: [problem('CW002', { found: undefined }, { path: 'format' })] };
    }
    problems.push(problem('CW007', {}, { path: 'format' }));
    doc = { format: GRAPH_FORMAT, ...json };
  } else if (json.format !== GRAPH_FORMAT) {
    return { ok: false, problems: [problem('CW002', { found: json.format }, { path: 'format' })] };
  }

  const version = json.version;
  if (version === undefined) return { ok: false, problems: [...problems, problem('CW003', {}, { path: 'version' })] };
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, problems: [...problems, problem('CW005', { found: version }, { path: 'version' })] };
  }
  if (version > GRAPH_VERSION) {
    return { ok: false, problems: [...problems, problem('CW004', { version, supported: GRAPH_VERSION }, { path: 'version' })] };
  }

  const envelope: Problem[] = [];
  for (const field of ['nodes', 'edges'] as const) {
    if (!Array.isArray(doc[field])) envelope.push(problem('CW006', { field, found: doc[field] }, { path: field }));
  }
  if (envelope.length > 0) return { ok: false, problems: [...problems, ...envelope] };

  const migrated = migrateDoc(doc, version);
  problems.push(...migrated.problems);
  return { ok: true, graph: migrated.doc as Graph, problems };
}

/**
 * The text of a graph file: 2-space JSON, keys in the order they were loaded
 * (unknown fields included), with a final newline.
 */
export function serializeGraph(graph: Graph): string {
  return `${JSON.stringify(graph, null, 2)}\n`;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Finds where JSON text first goes wrong. JSON.parse's messages differ between
 * engines (and V8's gives only an offset), so the position is found by a small
 * scanner that follows the JSON grammar; it runs only after JSON.parse failed.
 * It keeps an explicit stack, so deep nesting cannot overflow the call stack.
 */
export function locateJsonError(text: string): { offset: number; detail: string } {
  let i = 0;
  const stack: ('{' | '[')[] = [];
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const describe = (): string => (i >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[i])}`);
  const fail = (detail: string): { offset: number; detail: string } => ({ offset: i, detail });

  const scanString = (): string | null => {
    // text[i] === '"'
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return null;
      }
      if (c < 32) return 'control character in string (a line break inside quotes?)';
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i++;
            return 'bad \\u escape in string';
          }
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          i++;
          return 'bad escape in string';
        }
        i += 2;
        continue;
      }
      i++;
    }
    return 'unterminated string';
  };

  const scanValue = (): string | null => {
    ws();
    const c = text[i];
    if (c === '"') return scanString();
    if (c === '{' || c === '[') return null; // handled by the caller
    const num = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (num && num[0].length > 0 && (c === '-' || (c >= '0' && c <= '9'))) {
      i += num[0].length;
      return null;
    }
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return null;
      }
    }
    return `${describe()}, expected a value`;
  };

  // states: 'value' (expect a value), 'after' (after a value), 'key' (expect a key or '}' if first)
  let state: 'value' | 'after' | 'key' | 'firstKey' | 'firstValue' = 'value';
  for (let guard = 0; guard < text.length + 10; guard++) {
    ws();
    if (state === 'value' || state === 'firstValue') {
      if (state === 'firstValue' && text[i] === ']') {
        i++;
        stack.pop();
        state = 'after';
        continue;
      }
      if (text[i] === '{') {
        stack.push('{');
        i++;
        state = 'firstKey';
        continue;
      }
      if (text[i] === '[') {
        stack.push('[');
        i++;
        state = 'firstValue';
        continue;
      }
      const err = scanValue();
      if (err) return fail(err);
      state = 'after';
      continue;
    }
    if (state === 'key' || state === 'firstKey') {
      if (state === 'firstKey' && text[i] === '}') {
        i++;
        stack.pop();
        state = 'after';
        continue;
      }
      if (text[i] !== '"') return fail(`${describe()}, expected a property name in double quotes`);
      const err = scanString();
      if (err) return fail(err);
      ws();
      if (text[i] !== ':') return fail(`${describe()}, expected ":"`);
      i++;
      state = 'value';
      continue;
    }
    // after a value
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (i < text.length) return fail(`${describe()} after the end of the JSON value`);
      return fail('JSON.parse refused the text');
    }
    if (text[i] === ',') {
      i++;
      ws();
      if ((top === '{' && text[i] === '}') || (top === '[' && text[i] === ']')) return fail(`${describe()}: trailing comma`);
      state = top === '{' ? 'key' : 'value';
      continue;
    }
    if ((top === '{' && text[i] === '}') || (top === '[' && text[i] === ']')) {
      i++;
      stack.pop();
      continue;
    }
    return fail(`${describe()}, expected "," or "${top === '{' ? '}' : ']'}"`);
  }
  return fail('JSON.parse refused the text');
}
