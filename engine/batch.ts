/**
 * A batch of sequences as the runtime reads it: time-major typed arrays,
 * index (t·B + b)·size + unit, one per input and target node, plus optional
 * initial states [B, size] per cell.
 */
import type { DataFile, TensorJSON } from './format/types.ts';
import type { Arr, DType } from './tensor.ts';
import { alloc } from './tensor.ts';
import { tableFrom } from './format/dict.ts';
import { pathOf } from './format/validate.ts';
import type { RunShape } from './limits.ts';

export interface Batch {
  T: number;
  B: number;
  inputs: Record<string, Arr>;
  targets: Record<string, Arr>;
  initialStates?: Record<string, Arr>;
}

/** T × B of a data file, from its first stream (validateData made them all agree), with its JSON path for messages. */
export function dataRunShape(data: DataFile, dtype: DType): RunShape {
  const first = Object.entries(data.inputs)[0] ?? Object.entries(data.targets ?? {})[0];
  const at = first ? pathOf(Object.hasOwn(data.inputs, first[0]) ? 'inputs' : 'targets', first[0], 'shape') : '';
  return { T: first ? first[1].shape[0] : 0, B: first ? first[1].shape[1] : 0, dtype, from: { T: at, B: at } };
}

function toArr(t: TensorJSON, dtype: DType): Arr {
  const a = alloc(dtype, t.data.length);
  a.set(t.data);
  return a;
}

/** Converts a data file (validated with validateData) into a Batch. */
export function batchFromData(data: DataFile, dtype: DType): Batch {
  const first = Object.values(data.inputs)[0] ?? Object.values(data.targets ?? {})[0];
  const T = first ? first.shape[0] : 0;
  const B = first ? first.shape[1] : 0;
  const conv = (r: Record<string, TensorJSON> | undefined): Record<string, Arr> =>
    tableFrom(Object.entries(r ?? {}).map(([k, v]) => [k, toArr(v, dtype)]));
  const batch: Batch = { T, B, inputs: conv(data.inputs), targets: conv(data.targets) };
  if (data.initialStates) batch.initialStates = conv(data.initialStates);
  return batch;
}
