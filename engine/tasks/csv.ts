/**
 * The user's own CSV file: chosen input and target columns, windows of
 * `window` rows, normalization with statistics of the training rows only, and
 * a split in time (the first rows train, the last `validationFraction`
 * validate, so no validation row leaks into training). The target at step t
 * of a window is the target columns `shift` rows later (default 1 when a
 * target is also an input — forecasting — else 0).
 */
import type { Rng } from '../rng.ts';
import type { Arr } from '../tensor.ts';
import { parseCsv } from './csv-parse.ts';
import type { Block } from './read.ts';
import { BlockReader } from './read.ts';
import type { SeqSet, Task, TaskMeta, TaskResources } from './types.ts';
import { TaskError } from './types.ts';
import { choiceValues, readTaskNumber, setting, settingDefault } from '../train/settings.ts';

export type Normalization = 'zscore' | 'minmax' | 'none';

const MAX_LISTED = 20;

export function csvTask(block: Block, res: TaskResources = {}): Task {
  const r = new BlockReader(block, 'task');
  const file = r.str('file', 'data.csv');
  if (res.csv === undefined) throw new TaskError(`the csv task needs the contents of task.file ("${file}")`, 'task.file');
  const hasHeader = r.bool('header', true);
  const delimiter = r.str('delimiter', ',');
  if (delimiter.length !== 1) throw new TaskError('task.delimiter must be one character, such as "," or ";"', 'task.delimiter');
  if (!r.has('inputs')) throw new TaskError('task.inputs is missing: name the input columns, e.g. "inputs": ["temperature"]', 'task.inputs');
  if (!r.has('targets')) throw new TaskError('task.targets is missing: name the target columns, e.g. "targets": ["temperature"]', 'task.targets');
  const inCols = r.strings('inputs', []);
  const outCols = r.strings('targets', []);
  const T = readTaskNumber(r, 'csv', 'window');
  const normalize = r.oneOf<Normalization>('normalize', choiceValues(setting('task', 'normalize')), settingDefault(setting('task', 'normalize'), 'csv') as Normalization);
  const frac = readTaskNumber(r, 'csv', 'validationFraction');
  const overlap = outCols.some((c) => inCols.includes(c));
  const shift = readTaskNumber(r, 'csv', 'shift', overlap ? 1 : 0);
  const badRows = r.oneOf<'error' | 'skip'>('badRows', ['error', 'skip'], 'error');
  const maxVal = readTaskNumber(r, 'csv', 'validation');

  const parsed = parseCsv(res.csv, delimiter);
  const problems: { line: number; message: string }[] = [...parsed.errors];
  const records = parsed.records;
  if (records.length === 0) throw new TaskError(`${file} has no rows`, 'task.file');
  let names: string[];
  let body = records;
  if (hasHeader) {
    names = records[0].fields.map((s) => s.trim());
    body = records.slice(1);
  } else {
    names = records[0].fields.map((_, i) => String(i));
  }
  const colIndex = (c: string, key: string): number => {
    const i = names.indexOf(c);
    if (i >= 0) return i;
    if (!hasHeader && /^\d+$/.test(c) && Number(c) < names.length) return Number(c);
    const known = hasHeader ? `the columns are ${names.map((n) => `"${n}"`).join(', ')}` : `columns are numbered 0..${names.length - 1} (the file has no header)`;
    throw new TaskError(`${file}: task.${key} names column "${c}", which the file does not have; ${known}`, `task.${key}`);
  };
  const ins = inCols.map((c) => colIndex(c, 'inputs'));
  const outs = outCols.map((c) => colIndex(c, 'targets'));
  const used = [...new Set([...ins, ...outs])];
  const need = Math.max(...used) + 1;

  const rows: Float64Array[] = [];
  for (const rec of body) {
    if (rec.fields.length < need) {
      problems.push({ line: rec.line, message: `has ${rec.fields.length} field${rec.fields.length === 1 ? '' : 's'}, needs at least ${need}` });
      continue;
    }
    const row = new Float64Array(names.length);
    let bad = '';
    for (const c of used) {
      const s = rec.fields[c].trim();
      const v = s === '' ? NaN : Number(s);
      if (!Number.isFinite(v)) { bad = `column "${names[c]}" is ${s === '' ? 'empty' : `"${s}", not a number`}`; break; }
      row[c] = v;
    }
    if (bad) { problems.push({ line: rec.line, message: bad }); continue; }
    rows.push(row);
  }
  const warnings: string[] = [];
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line);
    const lines = problems.slice(0, MAX_LISTED).map((p) => `  ${file}:${p.line}: ${p.message}`);
    if (problems.length > MAX_LISTED) lines.push(`  … and ${problems.length - MAX_LISTED} more`);
    if (badRows === 'error') {
      throw new TaskError(`${file}: ${problems.length} bad row${problems.length === 1 ? '' : 's'}; fix them, or skip them ("badRows": "skip" in the task block: the Training tab's "Bad rows" setting, or --csv-skip-bad on the command line)`, 'task.file', lines);
    }
    warnings.push(`${problems.length} bad row${problems.length === 1 ? '' : 's'} skipped`, ...lines);
  }
  const n = rows.length;
  const nVal = Math.floor(n * frac);
  const nTrain = n - nVal;
  const span = T + shift;
  if (nTrain < span) throw new TaskError(`${file}: the training part has ${nTrain} rows, fewer than window + shift = ${span}: lower task.window or task.validationFraction`, 'task.window');
  const valCount = Math.min(maxVal, Math.floor(nVal / span));
  if (valCount < 1) throw new TaskError(`${file}: the validation part has ${nVal} rows, fewer than window + shift = ${span}: raise task.validationFraction or lower task.window`, 'task.validationFraction');

  // Statistics of the training rows only.
  const stat = (c: number): [number, number] => {
    if (normalize === 'none') return [0, 1];
    let lo = Infinity; let hi = -Infinity; let s = 0;
    for (let i = 0; i < nTrain; i++) { const v = rows[i][c]; lo = Math.min(lo, v); hi = Math.max(hi, v); s += v; }
    if (normalize === 'minmax') return [lo, hi > lo ? hi - lo : 1];
    const mean = s / nTrain;
    let q = 0;
    for (let i = 0; i < nTrain; i++) q += (rows[i][c] - mean) ** 2;
    const sd = Math.sqrt(q / nTrain);
    return [mean, sd > 0 ? sd : 1];
  };
  const stats = new Map(used.map((c) => [c, stat(c)]));
  const norm = (row: number, c: number): number => { const [a, s] = stats.get(c)!; return (rows[row][c] - a) / s; };

  const X = ins.length;
  const Y = outs.length;
  const meta: TaskMeta = {
    name: 'csv', description: `${file}: predict ${outCols.join(', ')}${shift > 0 ? ` ${shift} row${shift === 1 ? '' : 's'} ahead` : ''} from ${inCols.join(', ')} over windows of ${T} rows`,
    kind: 'regression', metric: 'mse', metricGoal: 'min',
    note: `regression: report MSE in normalized units (${normalize}, statistics of the ${nTrain} training rows)`,
    T, inputSize: X, targetSize: Y, inputLabels: inCols, targetLabels: outCols,
    losses: ['mse'], lossSteps: 'all', metricSteps: { from: 0 }, validationSize: valCount, warnings,
  };
  const write = (B: number, b: number, start: number, x: Arr, y: Arr): void => {
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < X; k++) x[(t * B + b) * X + k] = norm(start + t, ins[k]);
      for (let k = 0; k < Y; k++) y[(t * B + b) * Y + k] = norm(start + t + shift, outs[k]);
    }
  };
  const fill = (rng: Rng, B: number, x: Arr, y: Arr): void => {
    for (let b = 0; b < B; b++) write(B, b, rng.int(nTrain - span + 1), x, y);
  };
  let cached: SeqSet | null = null;
  const validation = (): SeqSet => {
    if (!cached) {
      const B = valCount;
      const x = new Float64Array(T * B * X);
      const y = new Float64Array(T * B * Y);
      for (let b = 0; b < B; b++) write(B, b, nTrain + b * span, x, y);
      cached = { B, x, y };
    }
    return cached;
  };
  return { meta, fill, validation };
}
