// npm run bench:torch-export [-- --workload M --threads 2]: exports the LSTM template at the
// workload's sizes (X, H; readout H -> X, MSE) and times its forward + backward against
// nn.LSTM with bench/torch_export_bench.py. Prints the ratio (goal: at most 1.5 at M).
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

const WORKLOADS = { S: [8, 32], M: [32, 128], L: [64, 512] };
const { values: a } = parseArgs({
  options: {
    workload: { type: 'string', default: 'M' },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const sizes = WORKLOADS[a.workload];
if (!sizes) throw new Error(`--workload: one of ${Object.keys(WORKLOADS).join(', ')}, not ${a.workload}`);
const [x, h] = sizes;
const dir = mkdtempSync(join(tmpdir(), 'cw-torch-export-bench-'));
try {
  for (const [name, text] of Object.entries(exportTorch(lstm({ x, h, y: x })).files)) writeFileSync(join(dir, name), text);
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_export_bench.py');
  const r = spawnSync(a.python, [script, dir, '--workload', a.workload, '--threads', a.threads, '--rounds', a.rounds], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`torch_export_bench.py failed (exit ${r.status})`);
  const res = JSON.parse(r.stdout);
  console.log(`${a.workload} (X=${x}, H=${h}, T=${res.sizes.T}, B=${res.sizes.B}), float32, ${res.threads} threads, forward + backward:`);
  console.log(`  exported module ${res.export_ms.toFixed(2)} ms (ratio ${res.ratio.toFixed(2)})   torch.jit.script of it ${res.scripted_ms.toFixed(2)} ms (ratio ${res.scripted_ratio.toFixed(2)})   nn.LSTM ${res.nn_lstm_ms.toFixed(2)} ms   (goal: ratio ≤ 1.5)`);
  console.log(JSON.stringify(res));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
