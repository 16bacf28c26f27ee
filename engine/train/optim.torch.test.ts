/**
 * The trainer's optimizers and clipping against PyTorch's (torch.optim,
 * clip_grad_norm_/clip_grad_value_) on the LSTM example and its data, float64:
 * after one SGD step with norm clipping, one and three Adam steps, one RMSProp
 * step (and momentum/Nesterov, value clipping), every parameter equals
 * PyTorch's to 1e-9 relative. Skips with an install hint when torch is
 * missing, except under CI=true, where it fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DataFile, Graph } from '../format/types.ts';
import { createTrainer } from './trainer.ts';

const PYTHON = '/usr/bin/python3';
const HINT = 'PyTorch is not installed: apt-get install -y python3-torch (then /usr/bin/python3 -c "import torch" must work)';
const root = fileURLToPath(new URL('../../', import.meta.url));
const torchOk = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 120_000 }).status === 0;
const ci = process.env.CI === 'true';

interface Scenario { name: string; optimizer: string; lr: number; steps: number; clipNorm?: number; clipValue?: number; momentum?: number; nesterov?: boolean }

const SCENARIOS: Scenario[] = [
  // The clipping threshold is below the gradient's norm, so the clip is active.
  { name: 'sgd-clip-1', optimizer: 'sgd', lr: 0.5, steps: 1, clipNorm: 0.05 },
  { name: 'adam-1', optimizer: 'adam', lr: 0.01, steps: 1 },
  { name: 'adam-3', optimizer: 'adam', lr: 0.01, steps: 3 },
  { name: 'rmsprop-1', optimizer: 'rmsprop', lr: 0.01, steps: 1 },
  { name: 'nesterov-clipvalue-3', optimizer: 'momentum', lr: 0.1, steps: 3, momentum: 0.9, nesterov: true, clipValue: 0.01 },
];

function relErr(a: ArrayLike<number>, b: number[]): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    // Relative per entry; an entry near zero is measured against 1e-6 (rounding noise is not an error).
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-6));
  }
  return worst;
}

describe.runIf(torchOk || ci)('optimizers against PyTorch (float64)', () => {
  it('gives PyTorch\'s parameters after SGD+clip, Adam ×1 and ×3, RMSProp, Nesterov+value clip on the LSTM example', () => {
    expect(torchOk, HINT).toBe(true);
    const graphPath = join(root, 'assets/examples/lstm.json');
    const dataPath = join(root, 'assets/examples/lstm.data.json');
    const graph = JSON.parse(readFileSync(graphPath, 'utf8')) as Graph;
    const data = JSON.parse(readFileSync(dataPath, 'utf8')) as DataFile;
    const dir = mkdtempSync(join(tmpdir(), 'cw-optim-'));
    const scPath = join(dir, 'scenarios.json');
    writeFileSync(scPath, JSON.stringify(SCENARIOS));
    const r = spawnSync(PYTHON, [join(root, 'test/torch/optim_check.py'), graphPath, dataPath, scPath], {
      encoding: 'utf8', timeout: 300_000, env: { ...process.env, OMP_NUM_THREADS: '1' }, maxBuffer: 64 << 20,
    });
    expect(r.status, `optim_check.py failed:\n${r.stderr}`).toBe(0);
    const torch = JSON.parse(r.stdout) as Record<string, { params: Record<string, number[]>; losses: number[]; norms: number[] }>;
    for (const sc of SCENARIOS) {
      const training: Record<string, unknown> = { optimizer: sc.optimizer, lr: sc.lr, dtype: 'float64', clipNorm: sc.clipNorm, clipValue: sc.clipValue, momentum: sc.momentum, nesterov: sc.nesterov };
      const trainer = createTrainer({ ...graph, training: {} }, { data, training });
      trainer.step(sc.steps);
      const ours = trainer.exportParameters();
      const ref = torch[sc.name];
      const keys = Object.keys(ref.params);
      expect(Object.keys(ours).sort()).toEqual(keys.sort());
      for (const k of keys) {
        const e = relErr(ours[k].data, ref.params[k]);
        expect(e, `${sc.name}: ${k} differs from PyTorch by ${e} relative`).toBeLessThan(1e-9);
      }
      // The same losses along the way, and the clipping really happened.
      trainer.history.filter((row) => row.step > 0).forEach((row, i) => expect(Math.abs(row.loss - ref.losses[i]) / ref.losses[i]).toBeLessThan(1e-12));
      if (sc.clipNorm !== undefined) {
        expect(ref.norms[0]).toBeGreaterThan(sc.clipNorm);
        expect(trainer.clippedFraction).toBe(1);
      }
    }
  });
});

if (!torchOk && !ci) {
  describe('optimizers against PyTorch', () => {
    it.skip(`skipped: ${HINT}`, () => {});
  });
}
