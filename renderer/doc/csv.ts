/**
 * What the Training tab needs of a user's CSV before the engine reads it: the
 * columns the file has (so the user picks inputs and targets from a list),
 * which of them hold numbers, a sensible first choice, and the graph edit
 * that makes the input, target and prediction nodes as wide as the chosen
 * columns (one undo entry with the choice).
 */
import { parseCsv } from '../../engine/tasks/csv-parse.ts';
import type { Graph } from '../../engine/format/types.ts';
import { fitGraphToTask } from './taskfit.ts';

export interface CsvPreview {
  /** Column names (the header), or "0", "1", … without one. */
  columns: string[];
  /** Whether the column's first rows are (mostly) numbers. */
  numeric: boolean[];
  /** Data rows (records after the header). */
  rows: number;
}

const SAMPLE_ROWS = 20;

/**
 * The columns of a CSV text as the csv task will see them.
 *
 * @example
 * csvPreview('t,temp\n1,20.5\n2,21\n').columns // → ['t', 'temp']
 */
export function csvPreview(text: string, options: { delimiter?: string; header?: boolean } = {}): CsvPreview {
  const { records } = parseCsv(text, options.delimiter ?? ',');
  if (records.length === 0) return { columns: [], numeric: [], rows: 0 };
  const header = options.header ?? true;
  const width = records[0].fields.length;
  const columns = header ? records[0].fields.map((s) => s.trim()) : Array.from({ length: width }, (_, i) => String(i));
  const body = header ? records.slice(1) : records;
  const numeric = columns.map((_, c) => {
    const sample = body.slice(0, SAMPLE_ROWS).map((r) => (r.fields[c] ?? '').trim()).filter((s) => s !== '');
    // Mostly numbers: a column with a bad row is still offered (the engine then names the row).
    return sample.length > 0 && sample.filter((s) => Number.isFinite(Number(s))).length >= 0.8 * sample.length;
  });
  return { columns, numeric, rows: body.length };
}

/**
 * A first choice of columns: forecast the last numeric column one row ahead
 * from itself (one input, one target: the shape of the bundled examples).
 */
export function defaultColumns(preview: CsvPreview): { inputs: string[]; targets: string[] } | null {
  for (let c = preview.columns.length - 1; c >= 0; c--) {
    if (preview.numeric[c]) return { inputs: [preview.columns[c]], targets: [preview.columns[c]] };
  }
  return null;
}

/**
 * Fit the graph to a regression on the chosen columns: the single input node
 * `inputSize` wide, the single target node and the loss's prediction
 * `targetSize` wide, an MSE loss, and a prediction that is not squashed into
 * (0, 1) (z-scored targets go past it). Learned parameters that touch a
 * resized node are dropped (their shape no longer fits). A graph with several
 * inputs or targets is left alone: the engine's message says which node to
 * change. Returns what it changed, in words, for a notice.
 */
export function fitToColumns(graph: Graph, inputSize: number, targetSize: number): { graph: Graph; changes: string[] } {
  // A graph with several inputs or targets is left alone: the engine's message says which node to change.
  if (graph.nodes.filter((n) => n.kind === 'input').length !== 1 || graph.nodes.filter((n) => n.kind === 'target').length !== 1) return { graph, changes: [] };
  return fitGraphToTask(graph, { inputSize, targetSize, losses: ['mse'], lossSteps: 'all' });
}
