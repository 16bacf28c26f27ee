/**
 * The PyTorch export against the engine (issue 8): for every example graph, for
 * graphs that use every kind of the spec and for random valid graphs, the exported model.py gives the
 * engine's loss, gradients, per-step values and gradient norms to 1e-9 in
 * float64; train.py trains under torchrun (2 processes, gloo) and its graph
 * file comes back into `cellwright check` and `cellwright grad` with the loss
 * PyTorch reported.
 */
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTorch } from '../engine/export/torch.ts';
import type { DataFile, Graph } from '../engine/format/types.ts';
import { gradReport } from '../engine/grad.ts';
import { hasLayers } from '../engine/layers/types.ts';
import { everyPrimitive, everyPrimitiveData, everything, everythingData, hostileCase, randomCase } from './torch/graphs.ts';
import { describeRun, hasTorch, mustRun, PYTHON, runPython, TORCH_HINT } from './torch/python.ts';

const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLES = join(ROOT, 'assets/examples');
const CHECK = join(ROOT, 'test/torch/check_export.py');
const CLI = join(ROOT, 'cli/cellwright.mjs');
const TOL64 = 1e-9;
/** torchrun starts two Python processes with torch: allow for a busy 2-core machine. */
const SLOW = 300_000;

interface CaseResult {
  error?: string;
  loss: { torch: number; engine: number; err: number };
  gradients: Record<string, number>;
  values: Record<string, number>;
  gradNorms: Record<string, number>;
  missing: string[];
  extra: string[];
  /** torch.jit.script of the module against the Python module. */
  script: { error?: string; loss: number; values: number; missing: string[] };
  /** forward(keep_values=False): PyTorch's kernel where the graph is a standard LSTM or GRU. */
  fast: { loss: number; gradients: number; kernel: boolean };
}

interface Case { name: string; graph: Graph; data: DataFile; seed: number; dtype?: 'float32' }
/** float32 parameters (the export's default) against the engine's float64 numbers. */
const TOL32 = 1e-5;

function exampleCases(): Case[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.data.json'))
    .sort()
    .map((f) => {
      const name = f.replace(/\.json$/, '');
      const graph = JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as Graph;
      const data = JSON.parse(readFileSync(join(EXAMPLES, `${name}.data.json`), 'utf8')) as DataFile;
      const seed = typeof graph.training?.seed === 'number' ? graph.training.seed : 1;
      return { name, graph, data, seed };
    })
    // Layered examples have a model.py of submodules (no single step()): test/torch-layers-export.test.ts checks them.
    .filter((c) => !hasLayers(c.graph));
}

/** The data's first T steps (inputs and targets are [T, B, n], time-major). */
function firstSteps(data: DataFile, T: number): DataFile {
  const cut = (d: DataFile['inputs']): DataFile['inputs'] => Object.fromEntries(Object.entries(d).map(([k, v]) => {
    const [, B, n] = v.shape;
    return [k, { shape: [T, B, n], data: v.data.slice(0, T * B * n) }];
  }));
  return { ...data, inputs: cut(data.inputs), ...(data.targets ? { targets: cut(data.targets) } : {}) };
}

const available = hasTorch();
const run = available || mustRun();

if (!run) {
  console.warn(`skipping the export checks: ${TORCH_HINT}`);
  it.skip(`PyTorch export checks: ${TORCH_HINT}`, () => {});
}

describe.runIf(run)('PyTorch export equals the engine (float64)', () => {
  let dir = '';
  const cases: Case[] = [...exampleCases(), { name: 'everything', graph: everything(), data: everythingData(false), seed: 3 },
    { name: 'everything-given-states', graph: everything(), data: everythingData(true), seed: 3 },
    // name, description, labels and ids full of quote runs, backslashes, line breaks and __import__(…) calls
    { name: 'hostile', ...hostileCase(), seed: 3 },
    // every primitive of the registry in one graph, and again with hostile ids (a tie names a hostile edge id)
    { name: 'every primitive', graph: everyPrimitive(), data: everyPrimitiveData(), seed: 4 },
    { name: 'every primitive, hostile ids', ...hostileCase(everyPrimitive(), everyPrimitiveData()), seed: 4 },
    ...Array.from({ length: 24 }, (_, i) => ({ name: `random graph ${i + 1}`, ...randomCase(i + 1), seed: i + 1 })),
    // any T: examples on the first T − 3 steps of their data (the module has no fixed length)
    ...exampleCases().filter((c) => ['lstm', 'gru', 'elman'].includes(c.name))
      .map((c): Case => ({ ...c, name: `${c.name} at T − 3`, data: firstSteps(c.data, Object.values(c.data.inputs)[0].shape[0] - 3) })),
    // the default export: float32 parameters, the same numbers to float32 precision
    ...exampleCases().map((c): Case => ({ ...c, name: `${c.name} (float32, the default)`, dtype: 'float32' }))];
  let results: Record<string, CaseResult> = {};

  beforeAll(() => {
    if (!available) throw new Error(`${TORCH_HINT} (CI=true: this test must run, not skip)`);
    dir = mkdtempSync(join(tmpdir(), 'cw-torch-export-'));
    const list = cases.map((c) => {
      const folder = join(dir, c.name);
      mkdirSync(folder);
      const { files } = exportTorch(c.graph, c.dtype ? { seed: c.seed } : { seed: c.seed, dtype: 'float64' });
      expect(files['model.py']).toContain(`DTYPE = torch.${c.dtype ?? 'float64'}\n`);
      for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
      writeFileSync(join(folder, 'data.json'), JSON.stringify(c.data));
      writeFileSync(join(folder, 'report.json'), JSON.stringify(gradReport(c.graph, c.data, { seed: c.seed, dtype: 'float64' })));
      return { name: c.name, dir: folder, data: join(folder, 'data.json'), report: join(folder, 'report.json') };
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases: list }));
    const r = runPython([CHECK, join(dir, 'cases.json')]);
    if (r.status !== 0) throw new Error(`check_export.py failed: ${describeRun(r)}`);
    results = JSON.parse(r.stdout) as Record<string, CaseResult>;
  }, SLOW);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(cases.map((c) => [c.name]))('%s: loss, every gradient, every value and gradient norm', (name) => {
    const r = results[name];
    expect(r, `no result for ${name}`).toBeDefined();
    expect(r.error, r.error).toBeUndefined();
    expect(r.missing).toEqual([]);
    expect(r.extra).toEqual([]);
    const c = cases.find((x) => x.name === name)!;
    const TOL = c.dtype ? TOL32 : TOL64;
    expect(r.loss.err, `loss: torch ${r.loss.torch}, engine ${r.loss.engine}`).toBeLessThanOrEqual(TOL);
    // Every parameter of the graph, every node's values and norms were compared.
    const keys = Object.keys(gradReport(c.graph, c.data, { seed: c.seed }).gradients);
    expect(Object.keys(r.gradients).sort()).toEqual(keys.sort());
    expect(Object.keys(r.values).sort()).toEqual(c.graph.nodes.map((n) => n.id).sort());
    for (const [k, e] of Object.entries(r.gradients)) expect(e, `gradient ${k}`).toBeLessThanOrEqual(TOL);
    for (const [k, e] of Object.entries(r.values)) expect(e, `values ${k}`).toBeLessThanOrEqual(TOL);
    for (const [k, e] of Object.entries(r.gradNorms)) expect(e, `gradNorms ${k}`).toBeLessThanOrEqual(TOL);
    // Without per-step values (nn.LSTM's / nn.GRU's kernel for a standard LSTM / GRU): the same loss and gradients.
    expect(r.fast.loss, 'keep_values=False: loss').toBeLessThanOrEqual(TOL);
    expect(r.fast.gradients, 'keep_values=False: gradients').toBeLessThanOrEqual(TOL);
    if (/^(lstm|gru)( |$)/.test(name)) expect(r.fast.kernel, 'the LSTM and GRU examples run in PyTorch\'s kernel').toBe(true);
    // torch.jit.script(Model.from_json(...)) compiles and gives the same numbers; TorchScript
    // cannot hold a string with a lone UTF-16 surrogate, which only a hostile id has.
    if (r.script.error !== undefined && [...c.graph.nodes, ...c.graph.edges].some((n) => /\p{Cs}/u.test(n.id))) {
      expect(r.script.error).toMatch(/StringLiteral/);
      return;
    }
    expect(r.script.error, r.script.error).toBeUndefined();
    expect(r.script.missing).toEqual([]);
    expect(r.script.loss).toBeLessThanOrEqual(1e-12);
    expect(r.script.values).toBeLessThanOrEqual(1e-12);
  });

  it('hostile names and ids are data: model.py parses, imports and runs nothing (no PWNED file)', { timeout: SLOW }, () => {
    const folder = join(dir, 'hostile');
    const r = runPython(['-c', [
      'import ast, json, model',
      'ast.parse(open("model.py", encoding="utf-8").read())',
      'g = json.load(open("graph.json", encoding="utf-8"))',
      'assert model.GRAPH_NAME == g["name"], (model.GRAPH_NAME, g["name"])',
      'assert list(model.SIZES) == [n["id"] for n in g["nodes"] if n["kind"] != "loss"]',
      'assert model.__doc__.startswith(g["name"])',
      'assert g["description"] in model.__doc__',
      'print("ok")',
    ].join('\n')], { cwd: folder });
    expect(r.status, describeRun(r)).toBe(0);
    expect(r.stdout.trim()).toBe('ok');
    for (const where of [folder, dir, ROOT]) expect(readdirSync(where)).not.toContain('PWNED');
  });

  it('the generated Python compiles (model.py, train.py, tasks.py)', { timeout: SLOW }, () => {
    const folder = join(dir, 'lstm');
    const r = runPython(['-m', 'py_compile', 'model.py', 'train.py', 'tasks.py'], { cwd: folder });
    expect(r.status, describeRun(r)).toBe(0);
  });
});

/**
 * torchrun's `--standalone` always rendezvouses on port 29400, so two runs on one
 * machine (another test process, a developer's session) collide and hang. A free
 * port of our own, chosen by the OS, avoids that.
 */
function rendezvous(): string[] {
  const r = spawnSync(process.execPath, ['-e', "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"], { encoding: 'utf8' });
  const port = Number(r.stdout.trim());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`could not find a free port: ${r.stderr}`);
  return ['--nnodes=1', '--rdzv_backend=c10d', `--rdzv_endpoint=127.0.0.1:${port}`, `--rdzv_id=cw-${process.pid}-${port}`];
}

/**
 * Runs torchrun with 2 processes. torch 1.13's torchrun intermittently hangs at
 * teardown after every worker has finished and written its files (seen under
 * heavy load, not reproducible on demand): a run that times out is tried once
 * more on a fresh rendezvous port, and the test still asserts exit 0 and the
 * outputs of the run that counts.
 */
function torchrun(args: string[], cwd: string): SpawnSyncReturns<string> {
  let r: SpawnSyncReturns<string> | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    r = spawnSync('/usr/bin/torchrun', [...rendezvous(), '--nproc_per_node=2', '--redirects', '1', '--tee', '1', '--log_dir', join(cwd, `torchrun-logs-${attempt}`), ...args], {
      cwd, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL', env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code !== 'ETIMEDOUT') break;
  }
  return r!;
}

function cli(args: string[]): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 120_000, maxBuffer: 512 * 1024 * 1024 });
}

describe.runIf(run)('train.py: torchrun with DDP, and the round trip back into Cellwright', () => {
  let dir = '';
  beforeAll(() => {
    if (!available) throw new Error(`${TORCH_HINT} (CI=true: this test must run, not skip)`);
    dir = mkdtempSync(join(tmpdir(), 'cw-torch-train-'));
    const graph = JSON.parse(readFileSync(join(EXAMPLES, 'lstm.json'), 'utf8')) as Graph;
    const { files } = exportTorch(graph);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  }, SLOW);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  interface Summary { losses: number[]; final_loss: number; eval_data: string; out: string; world_size: number }

  /** train.py for 50 steps under torchrun (2 processes), or in one plain Python process. */
  function train(tag: string, launcher: 'torchrun' | 'python'): Summary {
    const args = ['train.py', '--steps', '50', '--dtype', 'float64', '--log-every', '10',
      '--out', `${tag}.json`, '--checkpoint-dir', `${tag}-ck`, '--checkpoint-every', '25', '--summary', `${tag}.summary.json`];
    const r = launcher === 'torchrun' ? torchrun(args, dir)
      : spawnSync(PYTHON, args, { cwd: dir, encoding: 'utf8', timeout: 300_000, env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(r.status, describeRun(r as ReturnType<typeof runPython>)).toBe(0);
    expect(r.stdout).toMatch(/final loss /);
    return JSON.parse(readFileSync(join(dir, `${tag}.summary.json`), 'utf8')) as Summary;
  }

  let ddp: Summary;

  it('the README\'s torch.onnx.export snippet runs and its model.onnx gives the module\'s numbers in onnxruntime', { timeout: SLOW }, async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- torch-onnx-snippet[^\n]*\n```python\n([\s\S]*?)\n```/.exec(readme);
    expect(block, 'README: the torch-onnx-snippet block').not.toBeNull();
    // The snippet as written, then the module's output on another batch size for the runtime to match.
    writeFileSync(join(dir, 'readme_onnx.py'), `${block![1]}\n\nimport json\nxb = torch.randn(20, 3, 1)\nwith torch.no_grad():\n    yb = net(xb)\n` +
      'json.dump({k: {"shape": list(v.shape), "data": v.reshape(-1).tolist()} for k, v in (("x", xb), ("y", yb))}, open("onnx_check.json", "w"))\n');
    const r = runPython(['readme_onnx.py'], { cwd: dir });
    expect(r.status, describeRun(r)).toBe(0);
    const want = JSON.parse(readFileSync(join(dir, 'onnx_check.json'), 'utf8')) as Record<'x' | 'y', { shape: number[]; data: number[] }>;
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'model.onnx')), { logSeverityLevel: 3 });
    const got = (await session.run({ x: new ort.Tensor('float32', Float32Array.from(want.x.data), want.x.shape) })).y;
    await session.release();
    expect([...got.dims]).toEqual(want.y.shape);
    const data = got.data as Float32Array;
    const worst = Math.max(...want.y.data.map((v, i) => Math.abs(v - data[i]) / (1 + Math.abs(v))));
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it('--device cuda puts each torchrun rank on its own GPU, cuda:LOCAL_RANK (fake torch.cuda with 4 GPUs)', { timeout: SLOW }, () => {
    const r = runPython([join(ROOT, 'test/torch/device_check.py'), dir]);
    expect(r.status, describeRun(r)).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, { device?: string; set_device?: string[]; error?: string }> & { ranks: { device: string; set_device: string[] }[] };
    expect(out.ranks.map((x) => [x.device, x.set_device])).toEqual([0, 1, 2, 3].map((k) => [`cuda:${k}`, [`cuda:${k}`]]));
    expect(out.explicit).toMatchObject({ device: 'cuda:2', set_device: ['cuda:2'] });
    expect(out.default).toMatchObject({ device: 'cuda:1', set_device: ['cuda:1'] });
    expect(out.too_few.error).toMatch(/LOCAL_RANK 5.*GPU 5.*only 4/);
    expect(out.no_cuda.error).toMatch(/--device cuda: CUDA is not available.*use --device cpu/);
    expect(out.no_cuda_default).toMatchObject({ device: 'cpu', set_device: [] });
  });

  it('--device cuda on a machine without CUDA stops with a clear error', { timeout: SLOW }, () => {
    const r = spawnSync(PYTHON, ['train.py', '--device', 'cuda', '--steps', '1'], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CUDA_VISIBLE_DEVICES: '' } });
    expect(r.status, describeRun(r)).not.toBe(0);
    expect(r.stderr).toContain('--device cuda: CUDA is not available here');
    expect(r.stderr).not.toContain('Traceback');
  });

  it('torchrun --nproc_per_node=2 (gloo) trains the LSTM on parity for 50 steps with a falling loss', () => {
    // --redirects/--tee: torch 1.13's torchrun cannot parse its own default "0" on
    // Python ≥ 3.11 (Std.from_str, fixed in torch 2.0); "1" works everywhere.
    ddp = train('ddp', 'torchrun');
    expect(ddp.world_size).toBe(2);
    expect(ddp.losses).toHaveLength(50);
    const mean = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean(ddp.losses.slice(-10))).toBeLessThan(mean(ddp.losses.slice(0, 10)));
    expect(readdirSync(join(dir, 'ddp-ck')).sort()).toEqual(['latest.pt', 'step_000025.pt', 'step_000050.pt']);
  }, SLOW);

  it('the graph file it writes passes `cellwright check`, and `cellwright grad` gives the loss PyTorch reported', () => {
    const check = cli(['check', join(dir, 'ddp.json')]);
    expect(check.status, String(check.stderr)).toBe(0);
    const grad = cli(['grad', join(dir, 'ddp.json'), ddp.eval_data, '--json']);
    expect(grad.status, `${String(grad.stderr)} ${String(grad.error ?? '')}`).toBe(0);
    const report = JSON.parse(String(grad.stdout)) as { loss: number };
    expect(Math.abs(report.loss - ddp.final_loss) / Math.abs(ddp.final_loss)).toBeLessThanOrEqual(TOL64);
    // The parameters moved: the trained graph is not the exported one.
    const before = gradReport(JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8')) as Graph, JSON.parse(readFileSync(ddp.eval_data, 'utf8')) as DataFile);
    expect(before.loss).toBeGreaterThan(report.loss);
  }, SLOW);

  it('on a data file split unevenly over 2 processes (3 sequences: 2 + 1), one SGD step is θ − lr·(the engine\'s gradient)', () => {
    const gruDir = join(dir, 'gru');
    const graph = JSON.parse(readFileSync(join(EXAMPLES, 'gru.json'), 'utf8')) as Graph;
    const data = JSON.parse(readFileSync(join(EXAMPLES, 'gru.data.json'), 'utf8')) as DataFile;
    expect(data.inputs.x.shape[1]).toBe(3);
    mkdirSync(gruDir);
    for (const [name, text] of Object.entries(exportTorch(graph).files)) writeFileSync(join(gruDir, name), text);
    const r = torchrun(['train.py', '--data', join(EXAMPLES, 'gru.data.json'), '--optimizer', 'sgd', '--lr', '0.1', '--steps', '1', '--dtype', 'float64',
      '--out', 'sgd.json', '--checkpoint-every', '0'], gruDir);
    expect(r.status, describeRun(r as ReturnType<typeof runPython>)).toBe(0);
    const trained = (JSON.parse(readFileSync(join(gruDir, 'sgd.json'), 'utf8')) as Graph).parameters!;
    const g = gradReport(graph, data).gradients;
    for (const [key, p] of Object.entries(graph.parameters!)) {
      const want = p.data.map((v, i) => v - 0.1 * g[key].data[i]);
      const err = Math.max(...want.map((v, i) => Math.abs(v - trained[key].data[i]))) / Math.max(1e-6, ...want.map(Math.abs));
      expect(err, key).toBeLessThanOrEqual(TOL64);
    }
  }, SLOW);

  it('one process computes what two computed: the same losses step by step', () => {
    const single = train('single', 'python');
    expect(single.world_size).toBe(1);
    for (let i = 0; i < 50; i++) expect(Math.abs(single.losses[i] - ddp.losses[i]) / ddp.losses[i], `step ${i + 1}`).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(single.final_loss - ddp.final_loss) / ddp.final_loss).toBeLessThanOrEqual(1e-9);
  }, SLOW);
});
