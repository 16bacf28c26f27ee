/**
 * Matrix products split over helper threads (node worker_threads, started
 * through the CLI's host) give what one thread gives: the session still
 * equals the reference.
 */
import { describe, expect, it } from 'vitest';
import { nodeThreadHost } from '../../cli/threads.ts';
import { compile } from '../compile.ts';
import { Session } from '../runtime.ts';
import * as templates from '../templates.ts';
import type { DType } from '../tensor.ts';
import { randomBatch, randomParams } from '../testing/build.ts';
import { FastSession } from './session.ts';
import { compareSessions } from './testing/compare.ts';
import { threadsAvailable, wasmBackend } from './wasm.ts';

describe.skipIf(!threadsAvailable())('matrix products on two threads', () => {
  it.each(['float64', 'float32'] as DType[])('%s: an LSTM with every product split equals the reference', async (dtype) => {
    const p = compile(templates.lstm({ x: 5, h: 20, y: 3 }));
    const backend = wasmBackend(dtype, { threads: 2, host: nodeThreadHost, minWork: 0 });
    const batch = randomBatch(p, 9, 4, 2);
    const theta = dtype === 'float64' ? randomParams(p, 1, 0.5) : Float32Array.from(randomParams(p, 1, 0.5));
    const fast = new FastSession(p, { T: 9, B: 4, dtype, backend });
    try {
      for (let i = 0; i < 200 && backend.threadsReady!() < 1; i++) await new Promise((r) => setTimeout(r, 50));
      expect(backend.threadsReady!()).toBe(1);
      const ref = new Session(p, { T: 9, B: 4, dtype });
      ref.forward(theta, batch);
      ref.backward(theta);
      fast.forward(theta, batch);
      fast.backward(theta);
      const d = compareSessions(p, fast, ref, { floor: dtype === 'float64' ? 1e-14 : 1e-6 });
      expect(d.worst, d.where).toBeLessThan(dtype === 'float64' ? 1e-12 : 2e-4);
    } finally {
      fast.dispose();
    }
  }, 30000);
});
