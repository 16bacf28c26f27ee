/** Small helpers for tests: random batches and parameters for a compiled graph. */
import type { Batch } from '../batch.ts';
import type { Program } from '../compile.ts';
import { Rng } from '../rng.ts';

export function randomBatch(program: Program, T: number, B: number, seed: number, opts: { initialStates?: boolean; oneHotTargets?: boolean; binaryTargets?: boolean } = {}): Batch {
  const rng = new Rng(seed);
  const batch: Batch = { T, B, inputs: {}, targets: {} };
  for (const i of program.inputs) {
    const n = program.nodes[i];
    batch.inputs[n.id] = Float64Array.from({ length: T * B * n.size }, () => rng.range(-1, 1));
  }
  for (const i of program.targets) {
    const n = program.nodes[i];
    const a = new Float64Array(T * B * n.size);
    if (opts.oneHotTargets) {
      for (let r = 0; r < T * B; r++) a[r * n.size + rng.int(n.size)] = 1;
    } else {
      for (let k = 0; k < a.length; k++) a[k] = opts.binaryTargets ? (rng.uniform() < 0.5 ? 0 : 1) : rng.range(-1, 1);
    }
    batch.targets[n.id] = a;
  }
  if (opts.initialStates) {
    batch.initialStates = {};
    for (const i of program.cells) {
      const n = program.nodes[i];
      batch.initialStates[n.id] = Float64Array.from({ length: B * n.size }, () => rng.range(-0.5, 0.5));
    }
  }
  return batch;
}

export function randomParams(program: Program, seed: number, scale = 0.8): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: program.layout.size }, () => rng.range(-scale, scale));
}
