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
import { pathOf } from './validate.ts';
import type { Limits } from '../limits.ts';
import { resolveLimits } from '../limits.ts';
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
export interface LoadOptions {
  /** Size limits over the defaults (engine/limits.ts): here, the JSON nesting depth. */
  limits?: Partial<Limits>;
  /**
   * Refuse elements nothing can be drawn for: a node or edge that is not an
   * object, a node without a string id, an edge without string id, source
   * and target (the editor's loader: its canvas keys everything by id).
   * Otherwise they are left to validateGraph, which reports them.
   */
  drawable?: boolean;
}

export function loadGraphText(text: string, opts: LoadOptions = {}): LoadResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parsed = parseJsonText(body, opts);
  return parsed.ok ? loadGraph(parsed.value, opts) : { ok: false, problems: [parsed.problem] };
}

/**
 * JSON text → value, or the problem: CW001 with line, column and the JSON
 * path where the syntax breaks (a NaN inside "parameters" names the
 * parameter and the index), CW117 when it nests deeper than the limit.
 *
 * Example: parseJsonText('{"a": [1, NaN]}') // → problem at path a[1]: "NaN is not a JSON number"
 */
export function parseJsonText(
  body: string,
  opts: { limits?: Partial<Limits> } = {},
): { ok: true; value: unknown } | { ok: false; problem: Problem; detail: string; line: number; column: number } {
  const maxDepth = resolveLimits(opts.limits).maxJsonDepth;
  const deep = findTooDeep(body, maxDepth);
  if (deep) {
    const { line, column } = lineColumn(body, deep.offset);
    const p = problem('CW117', { line, column, limit: maxDepth }, { path: '' });
    return { ok: false, problem: p, detail: p.message, line, column };
  }
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    const err = locateJsonError(body);
    const { line, column } = lineColumn(body, err.offset);
    return { ok: false, problem: problem('CW001', { detail: err.detail, line, column }, { path: err.path }), detail: err.detail, line, column };
  }
}

/**
 * Checks the envelope of an already parsed graph (format, version, nodes and
 * edges arrays) and migrates it to the current version. The returned graph is
 * the given object itself when no migration ran (no copy), every unknown field
 * included.
 *
 * Example: loadGraph({ format: 'cellwright-graph', version: 2, nodes: [], edges: [] }).ok // false (newer)
 */
export function loadGraph(json: unknown, opts: LoadOptions = {}): LoadResult {
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
  if (opts.drawable) {
    const undrawable = undrawableElements(doc);
    if (undrawable.length > 0) return { ok: false, problems: problems.concat(undrawable) };
  }

  const migrated = migrateDoc(doc, version);
  problems.push(...migrated.problems);
  return { ok: true, graph: migrated.doc as Graph, problems };
}

/** Nodes and edges that cannot be drawn: not objects, or without the string ids the canvas keys them by. */
function undrawableElements(doc: Record<string, unknown>): Problem[] {
  const out: Problem[] = [];
  for (const what of ['node', 'edge'] as const) {
    const list = doc[`${what}s`] as unknown[];
    list.forEach((el, i) => {
      const at = pathOf(`${what}s`, i);
      if (!isRecord(el)) {
        out.push(problem('CW010', { what, found: el }, { path: at }));
        return;
      }
      const id = typeof el.id === 'string' && el.id !== '' ? el.id : undefined;
      if (id === undefined) out.push(problem('CW011', { what, found: el.id }, { path: pathOf(`${what}s`, i, 'id') }));
      if (what === 'edge') {
        for (const end of ['source', 'target'] as const) {
          if (typeof el[end] !== 'string') out.push(problem('CW031', { end, found: el[end] }, { path: pathOf('edges', i, end), edge: id }));
        }
      }
    });
  }
  return out;
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

/** Where JSON text goes wrong: offset, what is wrong, and the JSON path of the value being read. */
export interface JsonErrorPlace {
  offset: number;
  detail: string;
  /** `nodes[3].size`, `parameters["edge:e"].data[3]`; '' at the top level. */
  path: string;
}

/** JavaScript's non-JSON number literals, which JSON.stringify writes as null and some tools write raw. */
const NON_JSON_NUMBERS = ['NaN', 'Infinity', '-Infinity', '+Infinity', '-NaN'];

/**
 * Finds where JSON text first goes wrong. JSON.parse's messages differ between
 * engines (and V8's gives only an offset), so the position is found by a small
 * scanner that follows the JSON grammar; it runs only after JSON.parse failed.
 * It keeps an explicit stack, so deep nesting cannot overflow the call stack,
 * and it tracks the JSON path of the value it is in, so the problem can say
 * which field is broken (`parameters["edge:e"].data[3]: NaN is not a JSON number`).
 */
export function locateJsonError(text: string): JsonErrorPlace {
  let i = 0;
  /** One entry per open container: its kind and the key or index being read. */
  const stack: { kind: '{' | '['; at: string | number | undefined }[] = [];
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const describe = (): string => (i >= text.length ? 'unexpected end of file (the file is truncated?)' : `unexpected ${JSON.stringify(text[i])}`);
  const path = (): string => pathOf(...stack.filter((f) => f.at !== undefined).map((f) => f.at as string | number));
  const fail = (detail: string): JsonErrorPlace => ({ offset: i, detail, path: path() });

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
    return 'unterminated string (the file is truncated?)';
  };

  const scanValue = (): string | null => {
    ws();
    const c = text[i];
    if (c === '"') return scanString();
    if (c === '{' || c === '[') return null; // handled by the caller
    const bad = NON_JSON_NUMBERS.find((lit) => text.startsWith(lit, i));
    if (bad !== undefined) return `${bad} is not a JSON number`;
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
        stack.push({ kind: '{', at: undefined });
        i++;
        state = 'firstKey';
        continue;
      }
      if (text[i] === '[') {
        stack.push({ kind: '[', at: 0 });
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
      const keyStart = i;
      const err = scanString();
      if (err) return fail(err);
      stack[stack.length - 1].at = JSON.parse(text.slice(keyStart, i)) as string;
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
      if ((top.kind === '{' && text[i] === '}') || (top.kind === '[' && text[i] === ']')) return fail(`${describe()}: trailing comma`);
      if (top.kind === '[') top.at = (top.at as number) + 1;
      state = top.kind === '{' ? 'key' : 'value';
      continue;
    }
    if ((top.kind === '{' && text[i] === '}') || (top.kind === '[' && text[i] === ']')) {
      i++;
      stack.pop();
      continue;
    }
    return fail(`${describe()}, expected "," or "${top.kind === '{' ? '}' : ']'}"`);
  }
  return fail('JSON.parse refused the text');
}

/**
 * The first place where JSON text nests deeper than `max` arrays and objects
 * (one linear pass, strings skipped), or null. Deeper values would overflow
 * the stack of every recursive walker downstream (JSON.stringify, structured
 * clone, schema checks), so they are refused at load.
 */
export function findTooDeep(text: string, max: number): { offset: number; depth: number } | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // skip the string
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      depth++;
      if (depth > max) return { offset: i, depth };
    } else if (c === 93 || c === 125) depth--;
  }
  return null;
}
