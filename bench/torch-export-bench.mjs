// npm run bench:torch-export [-- --workload M --threads 2 --arch lstm]: exports the LSTM template at the
// workload's sizes (X, H; readout H -> X, MSE) and times its forward + backward against
// nn.LSTM with bench/torch_export_bench.py. Prints the ratio (goal: at most 1.5 at M).
// --arch lstm-2-layer | gru-bidirectional: the layered templates (docs/layers.md) against
// nn.LSTM(num_layers=2) / nn.GRU(bidirectional=True).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

register();
const { lstm } = await import('../engine/templates.ts');
const { exportTorch } = await import('../engine/export/torch.ts');
const { bidirectionalGru, stackedLstm } = await import('../engine/layers/templates.ts');

const WORKLOADS = { S: [8, 32], M: [32, 128], L: [64, 512] };
const { values: a } = parseArgs({
  options: {
    workload: { type: 'string', default: 'M' },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    python: { type: 'string', default: '/usr/bin/python3' },
    arch: { type: 'string', default: 'lstm' },
  },
});
const sizes = WORKLOADS[a.workload];
if (!sizes) throw new Error(`--workload: one of ${Object.keys(WORKLOADS).join(', ')}, not ${a.workload}`);
const [x, h] = sizes;
const dir = mkdtempSync(join(tmpdir(), 'cw-torch-export-bench-'));
try {
  const build = { lstm, 'lstm-2-layer': stackedLstm, 'gru-bidirectional': bidirectionalGru }[a.arch];
  if (!build) throw new Error(`--arch: lstm, lstm-2-layer or gru-bidirectional, not ${a.arch}`);
  for (const [name, text] of Object.entries(exportTorch(build({ x, h, y: x })).files)) writeFileSync(join(dir, name), text);
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_export_bench.py');
  const r = spawnSync(a.python, [script, dir, '--workload', a.workload, '--threads', a.threads, '--rounds', a.rounds, '--arch', a.arch], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`torch_export_bench.py failed (exit ${r.status})`);
  const res = JSON.parse(r.stdout);
  console.log(`${a.arch}, ${a.workload} (X=${x}, H=${h}, T=${res.sizes.T}, B=${res.sizes.B}), float32, ${res.threads} threads, forward + backward:`);
  console.log(`  exported module ${res.export_ms.toFixed(2)} ms (ratio ${res.ratio.toFixed(2)})   torch.jit.script of it ${res.scripted_ms.toFixed(2)} ms (ratio ${res.scripted_ratio.toFixed(2)})   ${{ lstm: 'nn.LSTM', 'lstm-2-layer': 'nn.LSTM(num_layers=2)', 'gru-bidirectional': 'nn.GRU(bidirectional=True)' }[a.arch]} ${res.nn_lstm_ms.toFixed(2)} ms   (goal: ratio ≤ 1.5)`);
  console.log(JSON.stringify(res));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
