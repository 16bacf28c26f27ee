/**
 * The fixtures' expected outputs (a NumPy transcription of the ONNX operator
 * spec, test/torch/make_onnx_fixtures.py) agree with onnxruntime on every
 * attribute it runs: so the import tests compare against what runtimes do.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { TensorJSON } from '../format/types.ts';

const DIR = join(import.meta.dirname, '../../test/fixtures/models');
interface Fixture { source: string; dtype: string; inputs: Record<string, TensorJSON>; outputs: Record<string, TensorJSON> }

// Each case starts a runtime session: generous on a loaded machine (these are not timing tests).
vi.setConfig({ testTimeout: 60_000 });

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
});

// onnxruntime refuses layout 1 and float64 recurrent nodes; those are checked against PyTorch or by construction.
const specFixtures = readdirSync(DIR).filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .filter((n) => (JSON.parse(readFileSync(join(DIR, `${n}.json`), 'utf8')) as Fixture).source === 'onnx-spec')
  .filter((n) => !/layout1|f64/.test(n));

describe('the NumPy reference of the fixtures agrees with onnxruntime', () => {
  it('covers clip, input_forget, peepholes, sequence_lens, bidirectional, activations with alpha/beta, both GRU resets', () => {
    for (const n of ['lstm_clip', 'lstm_input_forget', 'lstm_peepholes', 'lstm_sequence_lens', 'lstm_bidirectional', 'lstm_activations_alpha', 'gru_lbr0', 'gru_lbr1']) expect(specFixtures).toContain(n);
  });
  it.each(specFixtures)('%s', async (name) => {
    const f = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Fixture;
    const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(join(DIR, `${name}.onnx`))), { logSeverityLevel: 3 });
    const feeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(f.inputs)) feeds[k] = k === 'sequence_lens' ? new ort.Tensor('int32', Int32Array.from(v.data), v.shape) : new ort.Tensor('float32', Float32Array.from(v.data), v.shape);
    const got = await session.run(feeds);
    for (const [k, want] of Object.entries(f.outputs)) {
      expect([...got[k].dims]).toEqual(want.shape);
      const d = Array.from(got[k].data as Float32Array).reduce((m, v, i) => Math.max(m, Math.abs(v - want.data[i])), 0);
      expect(d, `${name}: ${k}`).toBeLessThan(1e-5);
    }
    await session.release();
  });
});
