#!/usr/bin/env node
// Time of `check` (parse + validate + compile) and of the PyTorch export
// generator on large graphs: chains (gates, gates and ops, listed in reverse
// file order) and a wide fan-in, at several sizes, so growth is visible (×2
// nodes should be about ×2 time). Prints one line per case; numbers only, no
// pass/fail (the machine is shared and noisy).
//
//   node scripts/bench-check.mjs [--sizes 1000,2000,5000,10000] [--json]
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

register();
const { chainGraph, fanInGraph } = await import('../engine/testing/big.ts');
const { loadGraphText, serializeGraph } = await import('../engine/format/parse.ts');
const { validateGraph } = await import('../engine/format/validate.ts');
const { compile } = await import('../engine/compile.ts');
const { exportTorch } = await import('../engine/export/torch.ts');

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,2000,5000,10000' }, json: { type: 'boolean', default: false } } });
const sizes = values.sizes.split(',').map(Number);
const cases = {
  'chain of gates': (n) => chainGraph(n),
  'chain of ops, reversed': (n) => chainGraph(n, { ops: true, reversed: true }),
  'fan-in': (n) => fanInGraph(n),
};

function time(f) {
  f(); // warm-up
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    f();
    runs.push(performance.now() - t0);
  }
  return Math.min(...runs);
}

const rows = [];
for (const [name, make] of Object.entries(cases)) {
  for (const n of sizes) {
    const text = serializeGraph(make(n));
    const check = time(() => {
      const r = loadGraphText(text);
      if (!r.ok) throw new Error('load failed');
      const problems = validateGraph(r.graph);
      if (problems.some((p) => p.severity === 'error')) throw new Error(problems[0].message);
      compile(r.graph);
    });
    const exp = time(() => exportTorch(make(n)));
    rows.push({ case: name, nodes: n, checkMs: +check.toFixed(1), exportMs: +exp.toFixed(1) });
    if (!values.json) console.log(`${name.padEnd(36)} ${String(n).padStart(6)} nodes   check ${check.toFixed(1).padStart(8)} ms   export ${exp.toFixed(1).padStart(8)} ms`);
  }
}
if (values.json) console.log(JSON.stringify(rows));
