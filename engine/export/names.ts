/**
 * Python names for a graph's ids: node ids become local variables of the
 * generated `step`, parameter keys become attributes of the module. Ids may
 * hold any character; Python names may not, so they are sanitized and made
 * unique, and the exported files keep the mapping back to the ids and keys.
 */

/** Python keywords and soft keywords (3.8–3.12). */
const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield', 'match', 'case', 'type', '_',
]);

/**
 * Python's builtins (3.11): a local or attribute named like one would shadow
 * it, so it gets a trailing underscore like a keyword.
 */
const BUILTINS = new Set([
  'abs', 'aiter', 'all', 'anext', 'any', 'ascii', 'bin', 'bool', 'breakpoint', 'bytearray', 'bytes', 'callable', 'chr',
  'classmethod', 'compile', 'complex', 'copyright', 'credits', 'delattr', 'dict', 'dir', 'divmod', 'enumerate', 'eval', 'exec',
  'exit', 'filter', 'float', 'format', 'frozenset', 'getattr', 'globals', 'hasattr', 'hash', 'help', 'hex', 'id', 'input', 'int',
  'isinstance', 'issubclass', 'iter', 'len', 'license', 'list', 'locals', 'map', 'max', 'memoryview', 'min', 'next', 'object',
  'oct', 'open', 'ord', 'pow', 'print', 'property', 'quit', 'range', 'repr', 'reversed', 'round', 'set', 'setattr', 'slice',
  'sorted', 'staticmethod', 'str', 'sum', 'super', 'tuple', 'type', 'vars', 'zip', 'Ellipsis', 'NotImplemented', 'Exception',
  'BaseException', 'ValueError', 'TypeError', 'KeyError', 'RuntimeError',
]);

/**
 * Names the generated `step` uses itself; a node id equal to one of them gets
 * a trailing underscore so it cannot shadow it.
 */
const STEP_RESERVED = new Set([
  'self', 'x_t', 'state', 'y_t', 'outputs', 'new_state', 'ref', 'torch', 'nn', 'F', 'json', 'math', 'B', 'Model',
  '_step', '_softplus', '_mse', '_bce', '_cross_entropy', '_sum', '_any_tensor', '_Step', '_Softplus', 'loss_scale',
  'INPUTS', 'TARGETS', 'CELLS', 'LOSSES', 'SIZES', 'PARAMETER_KEYS', 'PARAMETER_KEYS_BY_KEY', 'GRAPH_NAME',
  'print', 'len', 'range', 'dict', 'list', 'float', 'int', 'str', 'sum', 'min', 'max', 'abs', 'object', 'super', 'isinstance',
]);

/**
 * `a-b.c` → `a_b_c`; a leading digit gets `n_`; empty → `n`; a leading double
 * underscore (`__init__`, `__class__`, which Python treats specially: dunder
 * names and class-private mangling) gets `n`. ASCII only, so the file reads anywhere.
 */
export function sanitize(id: string): string {
  let s = id.replace(/[^A-Za-z0-9_]/g, '_');
  if (s === '') s = 'n';
  if (/^[0-9]/.test(s)) s = `n_${s}`;
  if (s.startsWith('__')) s = `n${s}`;
  return s;
}

/** Hands out unique Python names: the sanitized id, then `_2`, `_3`… on a clash. */
export class NameTable {
  private readonly used = new Set<string>();
  constructor(private readonly reserved: ReadonlySet<string> = new Set()) {}

  take(wanted: string): string {
    let base = wanted;
    if (KEYWORDS.has(base) || BUILTINS.has(base) || this.reserved.has(base)) base = `${base}_`;
    let name = base;
    for (let k = 2; this.used.has(name) || KEYWORDS.has(name) || BUILTINS.has(name) || this.reserved.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }
}

/** A table for the local variables of `step` (one per node). */
export function stepNames(): NameTable {
  return new NameTable(STEP_RESERVED);
}

/**
 * The escape of one UTF-16 code point for a Python string literal, or
 * undefined when it may stand as it is (printable ASCII other than `\` and the
 * quotes). Everything else is escaped, so the literal is pure ASCII: no raw
 * line break of any kind (`\r`, U+2028, U+0085…), no NUL, no lone surrogate
 * can reach the file.
 */
function escapeChar(c: string): string | undefined {
  const code = c.codePointAt(0) as number;
  if (c === '\\') return '\\\\';
  if (c === '"') return '\\"';
  if (c === "'") return "\\'";
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  if (code >= 0x20 && code < 0x7f) return undefined;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

function escapeAll(s: string, keep: (c: string) => boolean = () => false): string {
  let out = '';
  // for…of walks code points; a lone surrogate comes out alone and is escaped as \udXXX.
  for (const c of s) out += keep(c) ? c : escapeChar(c) ?? c;
  return out;
}

/**
 * A Python string literal for any text: double-quoted, pure ASCII, every
 * character that is not printable ASCII escaped (`\n`, `\x85`, `\u2028`,
 * `\U0001f600`…). Python reads it back as exactly `s`.
 *
 * Example: pyStr('a"\n') // → "a\"\n" (as Python source)
 */
export function pyStr(s: string): string {
  return `"${escapeAll(s)}"`;
}

/**
 * Text safe for a `#` comment: one line (every line break and control
 * character escaped as in a Python string), so the comment cannot end early
 * and what follows it is never code.
 */
export function commentText(s: string): string {
  return escapeAll(s, (c) => c === '"' || c === "'" || c === '\\' || readable(c));
}

/**
 * A printable non-ASCII character (σ, ⊙, →, é…): kept as it is in comments and
 * docstrings, which stay readable. Not kept: C1 controls (U+0085 is a line
 * break to some readers), U+2028/U+2029, lone surrogates (not UTF-8).
 */
function readable(c: string): boolean {
  const code = c.codePointAt(0) as number;
  return code >= 0xa0 && code !== 0x2028 && code !== 0x2029 && (code < 0xd800 || code > 0xdfff);
}

/**
 * Text safe inside a `"""` docstring (not raw): backslashes and every quote
 * escaped (so no run of quotes can close it), `\r` and other control
 * characters escaped (Python reads back exactly `s`); `\n` stays a line break
 * when `multiline`.
 */
export function docText(s: string, multiline = false): string {
  return escapeAll(s, (c) => (multiline && c === '\n') || readable(c));
}
