/**
 * The new templates against PyTorch code written here by hand (issue 15): the
 * LayerNorm LSTM (Ba et al. 2016), the sLSTM-style cell (Beck et al. 2024,
 * simple form) and the deep-transition RNN with a tied U give the engine's
 * loss and every gradient to 1e-9 relative in float64, on their example data
 * with every parameter moved off its initial value. No skips under CI=true.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataFile, Graph } from '../engine/format/types.ts';
import { gradReport } from '../engine/grad.ts';
import { describeRun, hasTorch, mustRun, runPython, TORCH_HINT } from './torch/python.ts';

const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLES = join(ROOT, 'assets/examples');
const TOL = 1e-9;
const SLOW = 300_000;

/** The three cells, written out as one would in PyTorch (float64; zero initial states, but sLSTM's normalizer starts from its learned init:n). */
const SCRIPT = String.raw`
import json, sys
import torch
import torch.nn.functional as F
torch.set_num_threads(1)

def tensors(params):
    return {k: torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"]).requires_grad_(True) for k, v in params.items()}

def stream(s):
    return torch.tensor(s["data"], dtype=torch.float64).reshape(s["shape"])

def layernorm_lstm(p, x):
    T, B, _ = x.shape
    H = p["gain:c_ln"].shape[0]
    h = x.new_zeros(B, H); c = x.new_zeros(B, H); ys = []
    for t in range(T):
        g = {}
        for k, act in (("f", torch.sigmoid), ("i", torch.sigmoid), ("g", torch.tanh), ("o", torch.sigmoid)):
            pre = F.linear(x[t], p[f"edge:x_{k}_pre"]) + F.linear(h, p[f"edge:h_{k}_pre"])
            g[k] = act(F.layer_norm(pre, (H,), p[f"gain:{k}_ln"], p[f"shift:{k}_ln"], 1e-5))
        c = g["f"] * c + g["i"] * g["g"]
        h = g["o"] * torch.tanh(F.layer_norm(c, (H,), p["gain:c_ln"], p["shift:c_ln"], 1e-5))
        ys.append(F.linear(h, p["edge:m_y"]) + p["bias:y"])
    return torch.stack(ys)

def slstm(p, x):
    T, B, _ = x.shape
    H = p["bias:i"].shape[0]
    h = x.new_zeros(B, H); c = x.new_zeros(B, H); n = p["init:n"].expand(B, H); ys = []
    for t in range(T):
        pre = lambda k: F.linear(x[t], p[f"edge:x_{k}"]) + F.linear(h, p[f"edge:h_{k}"]) + p[f"bias:{k}"]
        i = torch.exp(pre("i")); f = torch.sigmoid(pre("f")); z = torch.tanh(pre("z")); o = torch.sigmoid(pre("o"))
        c = f * c + i * z
        n = f * n + i
        h = o * (c / n)
        ys.append(F.linear(h, p["edge:h_new_y"]) + p["bias:y"])
    return torch.stack(ys)

def tied_transition(p, x):
    T, B, _ = x.shape
    U = p["edge:U"]
    h = x.new_zeros(B, U.shape[0]); ys = []
    for t in range(T):
        u = torch.tanh(F.linear(h, U) + p["bias:u"])
        h = torch.tanh(F.linear(x[t], p["edge:x_h_new"]) + F.linear(u, U) + p["bias:h_new"])
        ys.append(F.linear(h, p["edge:h_new_y"]) + p["bias:y"])
    return torch.stack(ys)

out = {}
for case in json.load(open(sys.argv[1])):
    g = json.load(open(case["graph"])); d = json.load(open(case["data"]))
    p = tensors(g["parameters"])
    x = stream(d["inputs"]["x"]); y = stream(d["targets"]["y_t"])
    if case["name"] == "layernorm-lstm":
        loss = F.binary_cross_entropy_with_logits(layernorm_lstm(p, x), y)
    elif case["name"] == "slstm":
        loss = F.mse_loss(slstm(p, x), y)
    else:
        loss = F.mse_loss(tied_transition(p, x)[-1], y[-1])
    loss.backward()
    out[case["name"]] = {"loss": loss.item(), "gradients": {k: v.grad.reshape(-1).tolist() for k, v in p.items()}}
json.dump(out, sys.stdout)
`;

const NAMES = ['layernorm-lstm', 'slstm', 'tied-transition-rnn'];
const available = hasTorch();
const run = available || mustRun();

if (!run) {
  console.warn(`skipping the template checks: ${TORCH_HINT}`);
  it.skip(`template PyTorch checks: ${TORCH_HINT}`, () => {});
}

/** The example with every parameter moved off its initial value (gains off 1, shifts and biases off 0). */
function load(name: string): { graph: Graph; data: DataFile } {
  const graph = JSON.parse(readFileSync(join(EXAMPLES, `${name}.json`), 'utf8')) as Graph;
  let k = 0;
  for (const v of Object.values(graph.parameters!)) v.data = v.data.map((x) => x + 0.15 * Math.sin(1.7 * k++));
  return { graph, data: JSON.parse(readFileSync(join(EXAMPLES, `${name}.data.json`), 'utf8')) as DataFile };
}

/**
 * max |a − b| over the larger of the tensor's magnitude and 1e-6 of the
 * largest gradient of the graph (a gradient that is zero in exact arithmetic
 * is compared as rounding noise, not relatively).
 */
function relErr(a: number[], b: number[], floor: number): number {
  let scale = floor;
  let diff = 0;
  a.forEach((x, i) => { scale = Math.max(scale, Math.abs(x), Math.abs(b[i])); diff = Math.max(diff, Math.abs(x - b[i])); });
  return diff / scale;
}

describe.runIf(run)('templates = hand-written PyTorch (float64)', () => {
  let dir = '';
  let results: Record<string, { loss: number; gradients: Record<string, number[]> }> = {};
  const cases = NAMES.map((name) => ({ name, ...load(name) }));

  beforeAll(() => {
    if (!available) throw new Error(`${TORCH_HINT} (CI=true: this test must run, not skip)`);
    dir = mkdtempSync(join(tmpdir(), 'cw-torch-templates-'));
    writeFileSync(join(dir, 'check.py'), SCRIPT);
    const list = cases.map((c) => {
      writeFileSync(join(dir, `${c.name}.json`), JSON.stringify(c.graph));
      writeFileSync(join(dir, `${c.name}.data.json`), JSON.stringify(c.data));
      return { name: c.name, graph: join(dir, `${c.name}.json`), data: join(dir, `${c.name}.data.json`) };
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(list));
    const r = runPython([join(dir, 'check.py'), join(dir, 'cases.json')]);
    if (r.status !== 0) throw new Error(`check.py failed: ${describeRun(r)}`);
    results = JSON.parse(r.stdout) as typeof results;
  }, SLOW);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(NAMES.map((n) => [n]))('%s: same loss and every gradient', (name) => {
    const c = cases.find((x) => x.name === name)!;
    const torch = results[name];
    expect(torch, `no result for ${name}`).toBeDefined();
    const engine = gradReport(c.graph, c.data, { dtype: 'float64' });
    expect(Math.abs(engine.loss - torch.loss) / Math.abs(torch.loss), `loss: engine ${engine.loss}, torch ${torch.loss}`).toBeLessThanOrEqual(TOL);
    expect(Object.keys(engine.gradients).sort()).toEqual(Object.keys(torch.gradients).sort());
    const largest = Math.max(...Object.values(engine.gradients).flatMap((g) => g.data.map(Math.abs)));
    for (const [key, g] of Object.entries(engine.gradients)) {
      expect(relErr(g.data, torch.gradients[key], 1e-6 * largest), `gradient ${key}: engine ${g.data.slice(0, 3).join(", ")} torch ${torch.gradients[key].slice(0, 3).join(", ")}`).toBeLessThanOrEqual(TOL);
    }
  });
});
