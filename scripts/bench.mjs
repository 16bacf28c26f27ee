#!/usr/bin/env node
// `npm run bench`: Cellwright's training speed (issue 7) for LSTM, GRU and
// Elman on workloads S, M, L, interleaved in one run with PyTorch's
// nn.LSTM / nn.GRU / nn.RNN (bench/torch_bench.py, 2 threads) where
// /usr/bin/python3 has torch, and the ratio table. The machine is shared and
// noisy, so compare ratios from one run, not absolute times.
//
//   npm run bench [-- --workload S|M|L|all] [--cell lstm|gru|rnn|all] [--dtype float32|float64]
//                    [--threads N] [--torch-threads N] [--rounds N] [--min-seconds S] [--no-torch] [--json]
// package.json runs this with --experimental-wasm-relaxed-simd: node 20 has
// relaxed SIMD (fused multiply-add) behind that flag; Chromium and so the
// Electron app have it on by default (node ≥ 22 too). Without the flag the
// kernels fall back to plain SIMD (about 12 % slower products); the
// "kernels" field says which ran.
// --threads (default 2, like PyTorch here): threads for Cellwright's large
// matrix products (only products of at least 2^23 multiply-adds are split, so
// in practice workload L); elementwise work runs on one thread.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

register();
const { runBench, WORKLOADS, BENCH_CELLS, stackedLstm } = await import('../engine/fast/bench.ts');
const { createSession, estimateMemory, makePlan } = await import('../engine/fast/index.ts');
const { nodeThreadHost } = await import('../cli/threads.ts');
const { compile } = await import('../engine/compile.ts');

const { values: a } = parseArgs({
  options: {
    workload: { type: 'string', default: 'all' },
    cell: { type: 'string', default: 'all' },
    dtype: { type: 'string', default: 'float32' },
    rounds: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    'torch-threads': { type: 'string', default: '2' },
    'min-seconds': { type: 'string', default: '2' },
    'no-torch': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const loads = a.workload === 'all' ? Object.keys(WORKLOADS) : [a.workload];
const cells = a.cell === 'all' ? BENCH_CELLS : [a.cell];
const rounds = Number(a.rounds);
const minMs = Number(a['min-seconds']) * 1000;
const threads = Number(a.threads);
const GOAL = { S: 0.5, M: 2, L: 4 };
const out = (s) => process.stdout.write(s + '\n');

/** PyTorch as a child process answering one "cell workload dtype" line at a time. */
async function startTorch() {
  if (a['no-torch'] || !existsSync(a.python)) return null;
  const script = new URL('../bench/torch_bench.py', import.meta.url).pathname;
  const child = spawn(a.python, [script, '--serve', '--threads', a['torch-threads'], '--min-seconds', String(minMs / 1000)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error(`PyTorch benchmark stopped: ${stderr.trim().split('\n').pop()}`);
    return JSON.parse(r.value);
  };
  try {
    const hello = await next();
    return {
      version: hello.torch,
      threads: hello.threads,
      run: async (cell, w, dtype) => { child.stdin.write(`${cell} ${w} ${dtype}\n`); return next(); },
      stop: () => { child.stdin.end(); },
    };
  } catch (e) {
    process.stderr.write(`PyTorch not measured: ${e.message}\n  (install: apt-get install -y python3-torch libopenblas0-openmp)\n`);
    return null;
  }
}

function ours(cell, w, ms = minMs) {
  const W = WORKLOADS[w];
  return runBench({
    cell, workload: w, dtype: a.dtype, now: () => performance.now(), minMs: ms, threads,
    session: (p, o) => createSession(p, { ...o, threads, threadHost: nodeThreadHost }),
    memoryBytes: (p) => estimateMemory(p, { T: W.T, B: W.B, dtype: a.dtype }).bytes,
  });
}

const median = (xs) => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const torch = await startTorch();
const cpu = cpus();
const machine = `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}` +
  (torch ? `, PyTorch ${torch.version} (${torch.threads} threads)` : ', PyTorch not measured');
if (!a.json) out(`machine: ${machine}\ndtype: ${a.dtype}; Cellwright with ${threads} thread${threads === 1 ? '' : 's'} for large products, kernels ${ours('rnn', 'S', 1).kernels}; rounds: ${rounds}; each measurement ≥ 5 steps and ≥ ${minMs / 1000} s after 2 warm-up steps\n`);

const rows = [];
for (const w of loads) {
  for (const cell of cells) {
    const mine = [];
    const theirs = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate who goes first, so drifts in the machine's load hit both.
      if (r % 2 === 0) { mine.push(ours(cell, w)); if (torch) theirs.push(await torch.run(cell, w, a.dtype)); }
      else { if (torch) theirs.push(await torch.run(cell, w, a.dtype)); mine.push(ours(cell, w)); }
    }
    const ms = median(mine.map((x) => x.ms_per_step));
    const tms = torch ? median(theirs.map((x) => x.ms_per_step)) : NaN;
    const row = {
      cell, workload: w, dtype: a.dtype, ms_per_step: ms, min: Math.min(...mine.map((x) => x.min)), max: Math.max(...mine.map((x) => x.max)),
      gflops: mine[0].gflops * mine[0].ms_per_step / ms, memory_bytes: mine[0].memory_bytes, kernels: mine[0].kernels,
      torch_ms_per_step: tms, torch_min: torch ? Math.min(...theirs.map((x) => x.min)) : NaN, torch_gflops: torch ? median(theirs.map((x) => x.gflops)) : NaN,
      ratio: ms / tms, goal: GOAL[w], met: torch ? ms / tms <= GOAL[w] : null,
      // The same against PyTorch's fastest step: what the ratio would be on a quiet machine, at worst for us.
      ratio_vs_torch_min: torch ? ms / Math.min(...theirs.map((x) => x.min)) : NaN,
    };
    rows.push(row);
    if (a.json) out(JSON.stringify(row));
    else out(`${cell.padEnd(4)} ${w}: Cellwright ${ms.toFixed(2).padStart(8)} ms/step (${row.gflops.toFixed(1)} GFLOP/s, ${(row.memory_bytes / 2 ** 20).toFixed(1)} MB)` +
      (torch ? `   PyTorch ${tms.toFixed(2).padStart(8)} ms/step (fastest ${row.torch_min.toFixed(2)})   ratio ${row.ratio.toFixed(2)} (goal ≤ ${GOAL[w]}) ${row.met ? 'met' : 'NOT met'}; against PyTorch's fastest step ${row.ratio_vs_torch_min.toFixed(2)}` : ''));
  }
}
torch?.stop();

// Compile time of a 300-node graph.
const g = stackedLstm(27);
for (let i = 0; i < 3; i++) compile(g);
const ct = [];
for (let i = 0; i < 15; i++) { const t0 = performance.now(); makePlan(compile(g)); ct.push(performance.now() - t0); }
const compileMs = median(ct);
if (a.json) {
  out(JSON.stringify({ compile: { nodes: g.nodes.length, edges: g.edges.length, ms: compileMs, goal_ms: 50 } }));
} else {
  out(`\ncompile + plan of a ${g.nodes.length}-node graph: ${compileMs.toFixed(1)} ms (goal ≤ 50 ms)`);
  out(`\n| workload (X, H, T, B) | cell | Cellwright ms/step | PyTorch ms/step | ratio | goal | met | PyTorch fastest step | ratio to it |\n|---|---|---|---|---|---|---|---|---|`);
  for (const r of rows) {
    const W = WORKLOADS[r.workload];
    out(`| ${r.workload} (${W.X}, ${W.H}, ${W.T}, ${W.B}) | ${r.cell} | ${r.ms_per_step.toFixed(2)} | ${Number.isNaN(r.torch_ms_per_step) ? '—' : r.torch_ms_per_step.toFixed(2)} | ` +
      `${Number.isNaN(r.ratio) ? '—' : r.ratio.toFixed(2)} | ≤ ${r.goal} | ${r.met === null ? '—' : r.met ? 'yes' : 'no'} | ` +
      `${Number.isNaN(r.torch_min) ? '—' : r.torch_min.toFixed(2)} | ${Number.isNaN(r.ratio_vs_torch_min) ? '—' : r.ratio_vs_torch_min.toFixed(2)} |`);
  }
  out(`\n${machine}; ${a.dtype}; Cellwright with ${threads} thread${threads === 1 ? '' : 's'} for large products`);
}
