#!/usr/bin/env python3
"""Cross-check of the engine against PyTorch's own recurrent layers (issue 2).

    /usr/bin/python3 crosscheck_nn.py CASES.json

CASES.json: {"cases": [{"name": ..., "kind": "lstm" | "gru" | "elman" | "irnn",
                        "graph": graph file, "params": the engine's parameters (JSON),
                        "data": data file, "report": the engine's gradReport (JSON)}]}

For each case it builds torch.nn.LSTM / nn.GRU / nn.RNN (float64) holding the graph's
weights, mapped into torch's stacked gate order, plus an nn.Linear readout and the graph's
loss with the spec's normalization, and prints one JSON object
{name: {"loss": {"torch", "engine", "err"}, "gradients": {key: err}, "values": {node: err},
"unmapped": [report keys this script has no torch counterpart for]}}; err is compare.rel_err.

The mapping (our graph → torch):
  LSTM: gates i, f, g, o → weight_ih_l0 / weight_hh_l0 rows [i; f; g; o]; their biases → bias_ih_l0;
        bias_hh_l0 = 0 (torch adds both biases, so one of them carries ours).
  GRU:  gates r, z, n → rows [r; z; n]; x→n is W_in; h→hn (the identity gate U_n·h + b_hn) is W_hn;
        biases of r, z, n → bias_ih_l0; bias_hh_l0 = [0; 0; b_hn].
  Elman / IRNN: nn.RNN with tanh / relu; x→h_new and h→h_new; the gate's bias → bias_ih_l0.
"""
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import read_case, rel_err, run_cases, tensor  # noqa: E402

torch.set_num_threads(1)
f64 = torch.float64


class Graph:
    def __init__(self, doc, params):
        self.doc = doc
        self.params = params
        self.nodes = {n["id"]: n for n in doc["nodes"]}

    def edge(self, source, target):
        for e in self.doc["edges"]:
            if e["source"] == source and e["target"] == target:
                return e["id"]
        raise KeyError(f"no edge {source} → {target}")

    def weight(self, source, target):
        key = f"edge:{self.edge(source, target)}"
        return key, tensor(self.params[key])

    def bias(self, node):
        key = f"bias:{node}"
        return key, tensor(self.params[key])

    def only(self, kind):
        found = [n for n in self.doc["nodes"] if n["kind"] == kind]
        if len(found) != 1:
            raise ValueError(f"expected one {kind} node, found {len(found)}")
        return found[0]


def loss_of(kind, steps, p, y):
    """The graph's loss with the spec's normalization, written with torch's reductions."""
    if steps == "last":
        p, y = p[-1:], y[-1:]
    if kind == "mse":
        return F.mse_loss(p, y, reduction="mean")  # 1/(S·B·N) Σ (p − y)²
    if kind == "bce":
        return F.binary_cross_entropy_with_logits(p, y, reduction="mean")
    if kind == "cross_entropy":
        return -(y * torch.log_softmax(p, dim=-1)).sum(dim=-1).mean()  # 1/(S·B) Σ
    if kind == "sum":
        return p.sum()
    raise ValueError(f"unknown loss {kind}")


def stacked(g, x_id, h_id, gates):
    """Rows of weight_ih / weight_hh / bias_ih, in torch's gate order, with the keys they came from."""
    w_ih, w_hh, b_ih, keys = [], [], [], []
    for gate, rec in gates:
        kx, wx = g.weight(x_id, gate)
        kh, wh = g.weight(h_id, rec)
        kb, b = g.bias(gate)
        w_ih.append(wx)
        w_hh.append(wh)
        b_ih.append(b)
        keys.append((kx, kh, kb))
    return torch.cat(w_ih), torch.cat(w_hh), torch.cat(b_ih), keys


def run_case(case):
    doc, params, data, report = read_case(case, "graph", "params", "data", "report")
    g = Graph(doc, params)
    kind = case["kind"]

    inp = g.only("input")
    tgt = g.only("target")
    lossn = g.only("loss")
    x = tensor(data["inputs"][inp["id"]])
    if inp.get("reverse"):
        x = x.flip(0)
    y_t = tensor(data["targets"][tgt["id"]])
    T, B, X = x.shape
    given = data.get("initialStates") or {}

    grads = {}  # our key → (torch tensor whose .grad it is, row slice or None)
    if kind == "lstm":
        H = g.nodes["h"]["size"]
        rnn = nn.LSTM(X, H, dtype=f64)
        gates = [("i", "i"), ("f", "f"), ("g", "g"), ("o", "o")]  # torch's order: input, forget, cell, output
        w_ih, w_hh, b_ih, keys = stacked(g, inp["id"], "h", gates)
        out_node, cells = "m", ["h", "c"]
    elif kind == "gru":
        H = g.nodes["h"]["size"]
        rnn = nn.GRU(X, H, dtype=f64)
        gates = [("r", "r"), ("z", "z"), ("n", "hn")]  # torch's order: reset, update, new
        w_ih, w_hh, b_ih, keys = stacked(g, inp["id"], "h", gates)
        out_node, cells = "h_new", ["h"]
    elif kind in ("elman", "irnn"):
        H = g.nodes["h"]["size"]
        act = g.nodes["h_new"]["activation"]
        rnn = nn.RNN(X, H, nonlinearity=act, dtype=f64)
        w_ih, w_hh, b_ih, keys = stacked(g, inp["id"], "h", [("h_new", "h_new")])
        out_node, cells = "h_new", ["h"]
    else:
        raise ValueError(f"unknown kind {kind}")

    with torch.no_grad():
        rnn.weight_ih_l0.copy_(w_ih)
        rnn.weight_hh_l0.copy_(w_hh)
        rnn.bias_ih_l0.copy_(b_ih)
        rnn.bias_hh_l0.zero_()
        if kind == "gru":
            k_hn, b_hn = g.bias("hn")
            rnn.bias_hh_l0[2 * H:].copy_(b_hn)
    for k, (kx, kh, kb) in enumerate(keys):
        rows = slice(k * H, (k + 1) * H)
        grads[kx] = (rnn.weight_ih_l0, rows)
        grads[kh] = (rnn.weight_hh_l0, rows)
        grads[kb] = (rnn.bias_ih_l0, rows)
    if kind == "gru":
        grads[k_hn] = (rnn.bias_hh_l0, slice(2 * H, 3 * H))

    yid = "y"
    ky, wy = g.weight(out_node, yid)
    kby, by = g.bias(yid)
    readout = nn.Linear(H, wy.shape[0], dtype=f64)
    with torch.no_grad():
        readout.weight.copy_(wy)
        readout.bias.copy_(by)
    grads[ky] = (readout.weight, None)
    grads[kby] = (readout.bias, None)

    # Initial states: given ones are leaves whose gradient is the report's state:<cell>.
    h0 = {c: (tensor(given[c], requires_grad=True) if c in given else torch.zeros(B, H, dtype=f64)) for c in cells}
    for c in cells:
        if c in given:
            grads[f"state:{c}"] = (h0[c], None)
    if kind == "lstm":
        hx = (h0["h"].unsqueeze(0), h0["c"].unsqueeze(0))
    else:
        hx = h0["h"].unsqueeze(0)

    out, last = rnn(x, hx)
    pred = readout(out)
    loss = loss_of(lossn["loss"], lossn.get("steps", "all"), pred, y_t)
    loss.backward()

    res = {"loss": {"torch": loss.item(), "engine": report["loss"], "err": rel_err(loss.item(), report["loss"])},
           "gradients": {}, "values": {}, "unmapped": []}
    for key, g_engine in report["gradients"].items():
        if key not in grads:
            res["unmapped"].append(key)
            continue
        t, rows = grads[key]
        mine = t.grad if rows is None else t.grad[rows]
        res["gradients"][key] = rel_err(mine, tensor(g_engine))
    res["values"]["h"] = rel_err(out.detach(), tensor(report["values"]["h"]))
    res["values"][out_node] = rel_err(out.detach(), tensor(report["values"][out_node]))
    res["values"][yid] = rel_err(pred.detach(), tensor(report["values"][yid]))
    if kind == "lstm":
        c_engine = tensor(report["values"]["c"])[-1]
        res["values"]["c (last step)"] = rel_err(last[1][0].detach(), c_engine)
    return res


if __name__ == "__main__":
    run_cases(run_case)
