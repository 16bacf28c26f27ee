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
 * Names the generated `step` uses itself; a node id equal to one of them gets
 * a trailing underscore so it cannot shadow it.
 */
const STEP_RESERVED = new Set([
  'self', 'x_t', 'state', 'y_t', 'outputs', 'new_state', 'ref', 'torch', 'nn', 'F', 'json', 'math', 'B', 'Model',
  '_step', '_softplus', '_mse', '_bce', '_cross_entropy', '_sum', '_any_tensor', '_Step', '_Softplus', 'loss_scale',
  'INPUTS', 'TARGETS', 'CELLS', 'LOSSES', 'SIZES', 'PARAMETER_KEYS', 'PARAMETER_KEYS_BY_KEY', 'GRAPH_NAME',
  'print', 'len', 'range', 'dict', 'list', 'float', 'int', 'str', 'sum', 'min', 'max', 'abs', 'object', 'super', 'isinstance',
]);

/** `a-b.c` → `a_b_c`; a leading digit gets `n_`; empty → `n`. ASCII only, so the file reads anywhere. */
export function sanitize(id: string): string {
  let s = id.replace(/[^A-Za-z0-9_]/g, '_');
  if (s === '') s = 'n';
  if (/^[0-9]/.test(s)) s = `n_${s}`;
  return s;
}

/** Hands out unique Python names: the sanitized id, then `_2`, `_3`… on a clash. */
export class NameTable {
  private readonly used = new Set<string>();
  constructor(private readonly reserved: ReadonlySet<string> = new Set()) {}

  take(wanted: string): string {
    let base = wanted;
    if (KEYWORDS.has(base) || this.reserved.has(base)) base = `${base}_`;
    let name = base;
    for (let k = 2; this.used.has(name) || KEYWORDS.has(name) || this.reserved.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }
}

/** A table for the local variables of `step` (one per node). */
export function stepNames(): NameTable {
  return new NameTable(STEP_RESERVED);
}

/** A Python string literal for any id (JSON's escapes are valid Python escapes). */
export function pyStr(s: string): string {
  return JSON.stringify(s);
}

/** Text safe for a `#` comment: one line. */
export function commentText(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ');
}

/** Text safe inside a `"""` docstring: backslashes doubled, no closing quotes. */
export function docText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"""/g, '"\\""').replace(/\r\n?/g, '\n');
}
