/**
 * The reference text's story, with real training runs (issue 3). Not part of
 * `npm test`: `npm run experiments` trains every run, prints a table and writes
 * docs/experiments.md; each run's graph file (task and training blocks with
 * its seed) goes to docs/experiments/, so
 * `cellwright train docs/experiments/NAME.json --out trained.json` repeats it.
 *
 * Options: --only NAME[,NAME] runs a subset and only prints (the report is
 * written by a full run).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import type { Flag } from '../engine/diagnostics/flags.ts';
import type { Graph } from '../engine/format/types.ts';
import { serializeGraph } from '../engine/format/parse.ts';
import { createTask } from '../engine/tasks/index.ts';
import * as T from '../engine/templates.ts';
import { createTrainer } from '../engine/train/trainer.ts';

const root = new URL('../', import.meta.url);
const outDir = new URL('docs/experiments/', root);

interface Result {
  name: string;
  what: string;
  target: string;
  result: string;
  pass: boolean;
  seconds: number;
  steps: number;
  notes: string[];
}

function ones(n: number, v = 1): number[] {
  return new Array(n).fill(v);
}

/** A graph with its experiment: task and training blocks (and parameters it fixes). */
function experiment(g: Graph, task: Record<string, unknown>, training: Record<string, unknown>, parameters?: Graph['parameters']): Graph {
  return { ...g, ...(parameters ? { parameters } : {}), task, training };
}

const ADDING = { name: 'adding', length: 50 };
const H = 16;

const graphs: Record<string, Graph> = {
  'lstm-adding': experiment(
    { ...T.lstm({ x: 2, h: H, y: 1, steps: 'last' }), name: 'LSTM on adding (T = 50)' }, ADDING,
    { optimizer: 'adam', lr: 0.01, clipNorm: 1, batch: 32, steps: 800, seed: 1, validateEvery: 100 },
    { 'bias:f': { shape: [H], data: ones(H) } },
  ),
  'elman-adding': experiment(
    { ...T.elman({ x: 2, h: H, y: 1, steps: 'last' }), name: 'Elman tanh RNN on adding (T = 50)' }, ADDING,
    { optimizer: 'adam', lr: 0.01, clipNorm: 1, batch: 32, steps: 800, seed: 1, validateEvery: 100 },
  ),
  'irnn-adding': experiment(
    { ...T.irnn({ x: 2, h: 32, y: 1, steps: 'last' }), name: 'IRNN with clipping on adding (T = 50)' }, ADDING,
    { optimizer: 'adam', lr: 0.0003, clipNorm: 1, batch: 32, steps: 12000, seed: 1, validateEvery: 500, schedule: { kind: 'step', every: 8000, gamma: 0.3 } },
  ),
  'lstm-parity': experiment(
    { ...T.lstm({ x: 1, h: 8, y: 1, loss: 'bce' }), name: 'LSTM on running parity (length 20)' }, { name: 'parity', length: 20 },
    { optimizer: 'adam', lr: 0.01, batch: 32, steps: 600, seed: 1, validateEvery: 100 },
    { 'bias:f': { shape: [8], data: ones(8) } },
  ),
};

const V = createTask({ name: 'text' }).meta.inputSize;
graphs['lstm-text'] = experiment(
  { ...T.lstm({ x: V, h: 32, y: V, loss: 'cross_entropy' }), name: 'LSTM language model on the bundled text' }, { name: 'text', length: 32 },
  { optimizer: 'adam', lr: 0.01, clipNorm: 1, batch: 16, steps: 400, seed: 1, validateEvery: 100 },
  { 'bias:f': { shape: [32], data: ones(32) } },
);

/** A linear RNN whose recurrent weight is 1.2·I: the reference text's w > 1. */
function linear(clipNorm: number | null): Graph {
  const g = T.elman({ x: 1, h: 4, y: 1 }, 'identity');
  g.edges = g.edges.map((e) => (e.id === 'h_h_new' ? { ...e, init: 'identity' as const, initScale: 1.2 } : e));
  return experiment({ ...g, name: `Linear RNN, recurrent weight 1.2, ${clipNorm === null ? 'no clipping' : `clip norm ${clipNorm}`}` },
    { name: 'sine', length: 50 },
    { optimizer: 'sgd', lr: 0.01, batch: 32, steps: 300, seed: 1, validateEvery: 50, ...(clipNorm === null ? {} : { clipNorm }) });
}
graphs['linear-1.2-noclip'] = linear(null);
graphs['linear-1.2-clip'] = linear(1);

function flagText(flags: Flag[], node: string): string {
  const f = flags.find((x) => x.node === node);
  return f ? `${f.kind} (gradient ratio first/last step ${f.ratio.toExponential(1)}, ×${f.perStep.toFixed(3)} per step)` : 'no flag';
}

async function train(name: string) {
  const g = graphs[name];
  const t = createTrainer(g);
  const start = Date.now();
  const before = t.diagnose();
  await t.run({ yieldFn: async () => {} });
  const seconds = (Date.now() - start) / 1000;
  const val = t.validate(false);
  const after = t.failure ? null : t.diagnose();
  return { t, seconds, val, before, after };
}

const runs: Record<string, () => Promise<Result>> = {
  'lstm-adding': async () => {
    const { t, seconds, val } = await train('lstm-adding');
    const mse = val!.metrics.mse!;
    return { name: 'lstm-adding', what: graphs['lstm-adding'].name!, target: 'validation MSE < 0.01', result: `validation MSE ${mse.toFixed(4)}`, pass: mse < 0.01, seconds, steps: t.stepCount, notes: [firstBelow(t.history, 0.01)] };
  },
  'elman-adding': async () => {
    const { t, seconds, val, after } = await train('elman-adding');
    const mse = val!.metrics.mse!;
    const flag = after!.flags.find((f) => f.node === 'h');
    const pass = Math.abs(mse - 1 / 6) < 0.02 && flag?.kind === 'vanishing';
    return { name: 'elman-adding', what: graphs['elman-adding'].name!, target: 'stays ≈ 0.167 and is flagged vanishing', result: `validation MSE ${mse.toFixed(4)}; h: ${flagText(after!.flags, 'h')}`, pass, seconds, steps: t.stepCount, notes: [`best validation MSE over the run: ${Math.min(...t.history.filter((r) => r.val).map((r) => r.val!.loss)).toFixed(4)}`] };
  },
  'irnn-adding': async () => {
    const { t, seconds, val } = await train('irnn-adding');
    const mse = val!.metrics.mse!;
    return { name: 'irnn-adding', what: graphs['irnn-adding'].name!, target: 'validation MSE < 0.05', result: `validation MSE ${mse.toFixed(4)}; clipped ${(t.clippedFraction * 100).toFixed(1)}% of steps`, pass: mse < 0.05, seconds, steps: t.stepCount, notes: [firstBelow(t.history, 0.05)] };
  },
  'lstm-parity': async () => {
    const { t, seconds, val } = await train('lstm-parity');
    const acc = val!.metrics.accuracy!;
    return { name: 'lstm-parity', what: graphs['lstm-parity'].name!, target: '≥ 99 % per-step accuracy', result: `validation accuracy ${(acc * 100).toFixed(2)} %`, pass: acc >= 0.99, seconds, steps: t.stepCount, notes: [] };
  },
  'lstm-text': async () => {
    const { t, seconds, val } = await train('lstm-text');
    const bpc = val!.metrics.bpc!;
    const base = t.meta!.baseline!.value;
    return { name: 'lstm-text', what: graphs['lstm-text'].name!, target: `bits per character below ${base.toFixed(2)} (character frequencies, no memory)`, result: `validation ${bpc.toFixed(3)} bpc, next-character accuracy ${(val!.metrics.accuracy! * 100).toFixed(1)} %`, pass: bpc < base, seconds, steps: t.stepCount, notes: [] };
  },
  'linear-1.2': async () => {
    const a = await train('linear-1.2-noclip');
    const b = await train('linear-1.2-clip');
    const flagged = a.before.flags.find((f) => f.node === 'h')?.kind === 'exploding';
    const bFinite = !b.t.failure && b.t.history.every((r) => r.step === 0 || Number.isFinite(r.loss)) && Number.isFinite(b.val!.loss);
    const aBroke = a.t.failure !== null;
    return {
      name: 'linear-1.2', what: 'Linear RNN, recurrent weight 1.2·I (SGD lr 0.01), without and with norm clipping', target: 'flagged exploding; norm clipping keeps training finite',
      result: `h at init: ${flagText(a.before.flags, 'h')}; no clipping: ${aBroke ? `non-finite at step ${a.t.failure!.step} (${a.t.failure!.where} at ${a.t.failure!.node}, t = ${a.t.failure!.t})` : `finite, validation MSE ${a.val!.loss.toExponential(2)}`}; clip norm 1: ${bFinite ? 'finite for all' : 'NOT finite at step ' + (b.t.failure?.step ?? '?') + ' of'} ${b.t.stepCount} steps, validation MSE ${b.t.history[0].val!.loss.toPrecision(3)} at step 0 → ${b.val!.loss.toPrecision(3)}, clipped ${(b.t.clippedFraction * 100).toFixed(0)}% of steps`,
      pass: flagged && bFinite, seconds: a.seconds + b.seconds, steps: a.t.stepCount + b.t.stepCount, notes: [],
    };
  },
  determinism: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-exp-'));
    const graph = join(dir, 'g.json');
    writeFileSync(graph, serializeGraph({ ...graphs['lstm-parity'], training: { ...graphs['lstm-parity'].training, steps: 100 } }));
    const start = Date.now();
    const hashes: string[] = [];
    for (const k of ['a', 'b']) {
      const code = await main(['train', graph, '--quiet', '--out', join(dir, `${k}.json`), '--metrics', join(dir, `${k}.csv`)], { out: () => {}, err: (s) => process.stderr.write(s) });
      if (code !== 0) throw new Error(`cellwright train exited ${code}`);
      hashes.push(createHash('sha256').update(readFileSync(join(dir, `${k}.csv`))).digest('hex'));
    }
    const same = hashes[0] === hashes[1] && readFileSync(join(dir, 'a.json'), 'utf8') === readFileSync(join(dir, 'b.json'), 'utf8');
    return { name: 'determinism', what: 'LSTM parity, 100 steps, trained twice with `cellwright train --metrics`', target: 'identical metrics files (and trained graphs)', result: `sha-256 ${hashes[0].slice(0, 16)}… and ${hashes[1].slice(0, 16)}…${same ? ', graphs identical' : ', DIFFERENT'}`, pass: same, seconds: (Date.now() - start) / 1000, steps: 200, notes: [] };
  },
};

function firstBelow(history: { step: number; val?: { loss: number } }[], x: number): string {
  const r = history.find((h) => h.val && h.val.loss < x);
  return r ? `first validated below ${x} at step ${r.step}` : `never validated below ${x}`;
}

async function runAll(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;
  mkdirSync(outDir, { recursive: true });
  for (const [name, g] of Object.entries(graphs)) writeFileSync(new URL(`${name}.json`, outDir), serializeGraph(g));
  const results: Result[] = [];
  for (const [name, fn] of Object.entries(runs)) {
    if (only && !only.includes(name)) continue;
    process.stderr.write(`running ${name} …\n`);
    const r = await fn();
    results.push(r);
    process.stderr.write(`  ${r.pass ? 'PASS' : 'FAIL'} ${r.result} (${r.seconds.toFixed(1)} s)\n`);
  }
  const head = '| run | target | result | met | steps | time |\n| --- | --- | --- | --- | --- | --- |';
  const rows = results.map((r) => `| ${r.what} | ${r.target} | ${r.result}${r.notes.filter(Boolean).length ? `; ${r.notes.filter(Boolean).join('; ')}` : ''} | ${r.pass ? 'yes' : '**no**'} | ${r.steps} | ${r.seconds.toFixed(1)} s |`);
  const table = [head, ...rows].join('\n');
  process.stdout.write(`${table}\n`);
  if (only) {
    if (results.some((r) => !r.pass)) process.exitCode = 1;
    return;
  }
  const cpu = cpus();
  const md = `# Experiments: the reference text's story, trained

Made by \`npm run experiments\` (scripts/experiments.ts) on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, with the reference runtime (engine/runtime.ts), float64. Every run is a graph file in [docs/experiments/](experiments/) whose \`task\` and \`training\` blocks hold its settings and seed; \`cellwright train docs/experiments/NAME.json --out trained.json\` repeats it with the same numbers. Times are wall-clock on a shared machine.

${table}

What the runs show (reference text §4–5):

- **LSTM vs Elman on adding, T = 50.** The same budget (Adam, lr 0.01, clip norm 1, batch 32, ${String((graphs['lstm-adding'].training as { steps: number }).steps)} steps, 16 units, LSTM forget-gate bias 1). The LSTM's memory cell carries the marked values across the sequence by addition; the Elman RNN's gradient shrinks at every step back in time (the \`vanishing\` flag: ‖dL/dh_1‖/‖dL/dh_T‖ below 0.01), so it learns only to predict the mean (MSE ≈ 1/6 ≈ 0.167).
- **IRNN with clipping.** ReLU with an identity-initialized recurrent weight (Le, Jaitly & Hinton 2015), 32 units, Adam lr 3e-4 (×0.3 after step 8000), clip norm 1: the identity keeps the gradient from vanishing, but it learns far more slowly than the LSTM (thousands of steps on a plateau near 0.167 first).
- **LSTM on running parity (example 3).** 8 units learn XOR of the input and the previous parity at every step.
- **Bits per character.** A 32-unit LSTM on the bundled text (the Declaration of Independence, 38 symbols) beats the no-memory baseline within a few hundred steps; far from a good language model at this size and budget, but the metric the UI shows for text.
- **Exploding gradients.** A linear RNN with recurrent weight 1.2·I multiplies the gradient by 1.2 per step back in time (1.2^49 ≈ 7600 over 50 steps): flagged \`exploding\` at initialization. Plain SGD (lr 0.01) takes one huge step and the next forward pass overflows; with the gradient's norm clipped to 1 the same run stays finite.
- **Determinism.** The same graph, task and seed give byte-identical metrics files.
`;
  writeFileSync(new URL('docs/experiments.md', root), md);
  process.stderr.write('wrote docs/experiments.md and docs/experiments/*.json\n');
  if (results.some((r) => !r.pass)) process.exitCode = 1;
}

await runAll();
