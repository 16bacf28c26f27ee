#!/usr/bin/env python3
"""Loss by step and "explain a gradient" through layers, by torch.autograd.functional.jacobian.

    /usr/bin/python3 layers_see_inside.py CASES.json

CASES.json: {"cases": [{"name", "graph": graph file, "params": the engine's parameters, "data":
                        data file, "engine": {"lossByStep": {cell: M}, "explain": [{"cell", "s",
                        "total", "sources": [[t, norm], ...]}]}}]}

The graphs are those of crosscheck_layers.py (x → stacked or bidirectional LSTM / GRU layers →
readout → loss). build() there puts the graph's weights into nn.LSTM / nn.GRU; this script
unrolls that module's recurrence step by step with its own parameters (weight_ih_l{k}{_reverse}
…, torch's gate order and formulas), adding a perturbation δ to the state each copy writes at
every step (c_t = f·c + i·g + δc_t, h_t = o·tanh(c_t) + δh_t; GRU h_t = (1 − z)·n + z·h + δh_t), a
reverse copy walking data time T … 1. With δ = 0 the unroll must equal the module's own forward
("unroll": relative error of the last layer's output). The Jacobian of the per-step losses
L_t (each step's part of the total with the total's normalisation) with respect to every δ,
[T, T, B, H] per nested cell (reported ids l1/h, bi/reverse/h, data time order), gives

- lossByStep: M[t][s] = ‖∂L_t/∂δ_s‖ over (b, units), compared with the engine's matrix;
- explain: ‖∂L/∂δ_s‖ = ‖Σ_t ∂L_t/∂δ_s‖ (the explanation's total) and each source's ‖∂L_t/∂δ_s‖.

Prints {name: {"unroll": err, "loss": err, "lossByStep": {cell: err}, "explain": {"cell@s": err}}}.
"""
import os
import sys

import torch
import torch.nn.functional as F
from torch.autograd.functional import jacobian

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import read_case, rel_err, run_cases, tensor  # noqa: E402
from crosscheck_layers import build  # noqa: E402
from crosscheck_nn import loss_of  # noqa: E402

torch.set_num_threads(1)
f64 = torch.float64


def step_losses(kind, steps, p, y):
    """[T]: the part of the total loss computed at each step (loss_of's normalisation); they sum to it."""
    T = p.shape[0]
    lo = T - 1 if steps == "last" else 0
    ps, ys = p[lo:], y[lo:]
    if kind == "mse":
        per = ((ps - ys) ** 2).sum(dim=(1, 2)) / ps[0].numel() / ps.shape[0]
    elif kind == "bce":
        per = F.binary_cross_entropy_with_logits(ps, ys, reduction="none").sum(dim=(1, 2)) / ps[0].numel() / ps.shape[0]
    elif kind == "cross_entropy":
        per = -(ys * torch.log_softmax(ps, dim=-1)).sum(dim=(1, 2)) / ps.shape[1] / ps.shape[0]
    else:
        raise ValueError(f"no per-step form for loss {kind}")
    return torch.cat([torch.zeros(lo, dtype=f64), per])


def unroll(m, deltas):
    """The last layer's output [T, B, D·H] with δ added to every written state; deltas[(prefix, cell)]: [T, B, H]."""
    rnn, kind, H = m["rnn"], m["kind"], m["H"]
    x = m["x"]
    T = x.shape[0]
    seq = x
    for k in range(rnn.num_layers):
        outs = []
        for (layer, d, prefix) in [c for c in m["copies"] if c[0] == k]:
            suffix = "_reverse" if d == 1 else ""
            w_ih, w_hh = getattr(rnn, f"weight_ih_l{k}{suffix}"), getattr(rnn, f"weight_hh_l{k}{suffix}")
            b_ih, b_hh = getattr(rnn, f"bias_ih_l{k}{suffix}"), getattr(rnn, f"bias_hh_l{k}{suffix}")
            row = m["copies"].index((layer, d, prefix))
            h = m["h0"]["h"][row].detach()
            c = m["h0"]["c"][row].detach() if kind == "lstm" else None
            out = [None] * T
            for t in (range(T - 1, -1, -1) if d == 1 else range(T)):
                gi = seq[t] @ w_ih.T + b_ih
                gh = h @ w_hh.T + b_hh
                if kind == "lstm":
                    i, f, g, o = (gi + gh).chunk(4, dim=-1)
                    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g) + deltas[(prefix, "c")][t]
                    h = torch.sigmoid(o) * torch.tanh(c) + deltas[(prefix, "h")][t]
                else:
                    ir, iz, inn = gi.chunk(3, dim=-1)
                    hr, hz, hn = gh.chunk(3, dim=-1)
                    r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
                    n = torch.tanh(inn + r * hn)
                    h = (1 - z) * n + z * h + deltas[(prefix, "h")][t]
                out[t] = h
            outs.append(torch.stack(out))
        seq = torch.cat(outs, dim=-1)
    return seq


def run_case(case):
    doc, params, data = read_case(case, "graph", "params", "data")
    m = build(doc, params, data)
    engine = case["engine"]
    x, y = m["x"], m["y"]
    T, B = x.shape[0], x.shape[1]
    lossn = m["outer"].only("loss")
    kind, steps = lossn["loss"], lossn.get("steps", "all")
    cells = ["h", "c"] if m["kind"] == "lstm" else ["h"]
    keys = [(prefix, c) for (_, _, prefix) in m["copies"] for c in cells]
    zero = tuple(torch.zeros(T, B, m["H"], dtype=f64) for _ in keys)

    with torch.no_grad():
        ref, _ = m["rnn"](x, m["hx"])
        mine = unroll(m, dict(zip(keys, zero)))
        total = loss_of(kind, steps, m["readout"](ref), y)
    res = {"unroll": rel_err(mine, ref), "lossByStep": {}, "explain": {}}

    def per_step(*ds):
        return step_losses(kind, steps, m["readout"](unroll(m, dict(zip(keys, ds)))), y)

    res["loss"] = rel_err(per_step(*zero).sum().detach(), total)
    jac = dict(zip(keys, jacobian(per_step, zero)))  # each [T (loss step), T (state step), B, H]
    mats = {}
    for (prefix, c), J in jac.items():
        mats[prefix + c] = J.flatten(2).norm(dim=2)
        res["lossByStep"][prefix + c] = rel_err(mats[prefix + c], torch.tensor(engine["lossByStep"][prefix + c], dtype=f64))
    for e in engine["explain"]:
        cell, s = e["cell"], e["s"]
        prefix, c = cell.rsplit("/", 1)
        J = jac[(prefix + "/", c)]
        sources = rel_err(torch.tensor([mats[cell][t, s].item() for t, _ in e["sources"]], dtype=f64), torch.tensor([n for _, n in e["sources"]], dtype=f64))
        res["explain"][f"{cell}@{s}"] = max(rel_err(J[:, s].sum(dim=0).norm(), e["total"]), sources)
    return res


if __name__ == "__main__":
    run_cases(run_case)
