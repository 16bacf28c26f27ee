/**
 * Runs an ONNX model in onnxruntime-web (wasm, one thread, offline) on float32
 * feeds given as TensorJSON, for the tests that check exported models against
 * the engine (engine/export/onnx.test.ts, test/e2e/export-onnx.spec.ts).
 */
import * as ort from 'onnxruntime-web';
import type { TensorJSON } from '../engine/format/types.ts';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

/** Every output of the model on these feeds. */
export async function runOrt(bytes: Uint8Array, feeds: Record<string, TensorJSON>): Promise<Record<string, TensorJSON>> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const f: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', Float32Array.from(v.data), v.shape);
  const r = await session.run(f);
  await session.release();
  const out: Record<string, TensorJSON> = {};
  for (const [k, v] of Object.entries(r)) out[k] = { shape: [...v.dims], data: Array.from(v.data as Float32Array) };
  return out;
}

/** The model's input names, sorted. */
export async function ortInputNames(bytes: Uint8Array): Promise<string[]> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const names = [...session.inputNames].sort();
  await session.release();
  return names;
}
