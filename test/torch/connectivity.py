#!/usr/bin/env python3
"""Connectivity through time and the loss by step, by torch.autograd.functional.jacobian.

    /usr/bin/python3 connectivity.py CASES.json

CASES.json: {"cases": [{"name", "graph": graph file, "params": {key: tensor}, "data": data file,
                        "pairs": ["OUT:IN", ...], "lossByStep": bool,
                        "engine": {"connectivity": {...}, "lossByStep": {...}}}]}

An independent float64 interpreter of the graph format's step (gates with full / diagonal /
scalar / identity edges, the ops add, mul, sub, one_minus, cells with zoneout in evaluation,
mse / bce losses) is unrolled over the data. A perturbation δ_s is added to the value a cell
writes at step s (to the writer's output, so that the same step's readers of the writer see it
too; with zoneout, to the mixed state, which only the next step reads); an input is
differentiated directly. The full Jacobian ∂ values[OUT] / ∂ (δ or x), shape [T, B, n_out, T, B,
n_in], gives M[t][s] = its Frobenius norm over (b, i, b', j) — cross-batch terms included, and
their largest magnitude is reported ("crossBatch", expected 0).

Prints {name: {"connectivity": {pair: err}, "lossByStep": {cell: err}, "crossBatch": max |J|
over b ≠ b'}} with err = compare.rel_err against the engine's matrices.
"""
import json
import os
import sys

import torch
from torch.autograd.functional import jacobian

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import rel_err, run_cases, tensor  # noqa: E402

torch.set_num_threads(1)
f64 = torch.float64

ACT = {
    "identity": lambda z: z,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
}
OPS = {"add", "mul", "sub", "one_minus"}


class Net:
    def __init__(self, doc, params):
        self.nodes = {n["id"]: n for n in doc["nodes"]}
        self.order_ids = [n["id"] for n in doc["nodes"]]
        self.ins = {k: [] for k in self.nodes}
        for e in doc["edges"]:
            self.ins[e["target"]].append(e)
        self.params = {k: tensor(v) for k, v in params.items()}
        self.size = {}
        for nid in self.order_ids:
            self.size_of(nid)
        self.writer = {c: self.ins[c][0]["source"] for c, n in self.nodes.items() if n["kind"] == "cell"}

    def size_of(self, nid):
        if nid in self.size:
            return self.size[nid]
        n = self.nodes[nid]
        if "size" in n:
            s = n["size"]
        elif n["kind"] == "op":
            s = self.size_of(self.ins[nid][0]["source"])
        else:
            s = 1
        self.size[nid] = s
        return s

    def weight_of(self, e):
        return self.params.get(f"edge:{e.get('tie', e['id'])}")

    def through(self, e, x):
        kind = e.get("weight") or ("full" if self.nodes[e["target"]]["kind"] == "gate" else "identity")
        w = self.weight_of(e)
        if kind == "full":
            return x @ w.T
        if kind in ("diagonal", "scalar"):
            return x * w
        if kind == "identity":
            return x
        raise ValueError(f"weight kind {kind}")

    def unroll(self, xs, T, B, init, deltas, targets):
        """values {node: [T, B, n]} (cells: the states written) and the per-step loss [T]."""
        computed = [nid for nid in self.order_ids if self.nodes[nid]["kind"] in ("gate", "op")]
        losses = [nid for nid in self.order_ids if self.nodes[nid]["kind"] == "loss"]
        cells = [nid for nid in self.order_ids if self.nodes[nid]["kind"] == "cell"]
        state = {c: init[c] for c in cells}
        trace = {nid: [] for nid in self.order_ids if self.nodes[nid]["kind"] not in ("loss",)}
        step_loss = []
        for t in range(T):
            v = {}
            for nid, n in self.nodes.items():
                if n["kind"] == "input":
                    v[nid] = xs[nid][t]
                elif n["kind"] == "target":
                    v[nid] = targets[nid][t]
                elif n["kind"] == "cell":
                    v[nid] = state[nid]
            # A writer's perturbation goes on its output before anyone reads it.
            written_by = {w: c for c, w in self.writer.items() if not self.nodes[c].get("zoneout")}
            pending = list(computed)
            while pending:
                for nid in list(pending):
                    srcs = [e["source"] for e in self.ins[nid]]
                    if any(s not in v for s in srcs):
                        continue
                    n = self.nodes[nid]
                    if n["kind"] == "gate":
                        z = sum(self.through(e, v[e["source"]]) for e in self.ins[nid])
                        if n.get("bias", True):
                            z = z + self.params[f"bias:{nid}"]
                        out = ACT[n["activation"]](z)
                    else:
                        op = n["op"]
                        ins = sorted(self.ins[nid], key=lambda e: e.get("slot", 0))
                        a = [v[e["source"]] for e in ins]
                        if op == "add":
                            out = sum(a[1:], a[0])
                        elif op == "mul":
                            out = a[0]
                            for b in a[1:]:
                                out = out * b
                        elif op == "sub":
                            out = a[0] - a[1]
                        elif op == "one_minus":
                            out = 1 - a[0]
                        else:
                            raise ValueError(f"op {op}")
                    if nid in written_by and written_by[nid] in deltas:
                        out = out + deltas[written_by[nid]][t]
                    v[nid] = out
                    pending.remove(nid)
            total = torch.zeros((), dtype=f64)
            for lid in losses:
                n = self.nodes[lid]
                steps = n.get("steps", "all")
                if steps == "last" and t != T - 1:
                    continue
                S = T if steps == "all" else 1
                pe = next(e for e in self.ins[lid] if e.get("port") == "prediction")
                te = next(e for e in self.ins[lid] if e.get("port") == "target")
                p, y = v[pe["source"]], v[te["source"]]
                N = p.shape[-1]
                if n["loss"] == "mse":
                    total = total + ((p - y) ** 2).sum() / (S * B * N)
                elif n["loss"] == "bce":
                    total = total + torch.nn.functional.binary_cross_entropy_with_logits(p, y, reduction="sum") / (S * B * N)
                else:
                    raise ValueError(f"loss {n['loss']}")
            step_loss.append(total)
            for c in cells:
                new = v[self.writer[c]]
                zo = self.nodes[c].get("zoneout", 0)
                if zo:
                    new = zo * state[c] + (1 - zo) * new
                    if c in deltas:
                        new = new + deltas[c][t]
                state[c] = new
                trace[c].append(new)
            for nid in trace:
                if self.nodes[nid]["kind"] != "cell":
                    trace[nid].append(v[nid])
        values = {k: torch.stack(s) for k, s in trace.items()}
        return values, torch.stack(step_loss)


def run_case(case):
    with open(case["graph"], encoding="utf-8") as f:
        doc = json.load(f)
    with open(case["data"], encoding="utf-8") as f:
        data = json.load(f)
    net = Net(doc, case["params"])
    xs = {k: tensor(v) for k, v in data["inputs"].items()}
    for k in xs:
        if net.nodes[k].get("reverse"):
            xs[k] = xs[k].flip(0)
    targets = {k: tensor(v) for k, v in (data.get("targets") or {}).items()}
    T, B = next(iter(xs.values())).shape[:2]
    given = data.get("initialStates") or {}
    cells = [nid for nid in net.order_ids if net.nodes[nid]["kind"] == "cell"]
    init = {c: (tensor(given[c]) if c in given else torch.zeros(B, net.size[c], dtype=f64)) for c in cells}
    zeros = {c: torch.zeros(T, B, net.size[c], dtype=f64) for c in cells}

    def unroll_with(inn, arg):
        if net.nodes[inn]["kind"] == "input":
            return net.unroll({**xs, inn: arg}, T, B, init, {}, targets)
        return net.unroll(xs, T, B, init, {inn: arg}, targets)

    res = {"connectivity": {}, "lossByStep": {}, "crossBatch": 0.0}
    for pair in case["pairs"]:
        out, inn = pair.split(":")
        arg0 = xs[inn] if net.nodes[inn]["kind"] == "input" else zeros[inn]
        if net.nodes[out]["kind"] == "loss":
            # Only this loss node's terms: the other losses are dropped by a one-loss copy.
            solo = Net({"nodes": [n for n in doc["nodes"] if n["kind"] != "loss" or n["id"] == out], "edges": [
                e for e in doc["edges"] if net.nodes[e["target"]]["kind"] != "loss" or e["target"] == out]}, case["params"])

            def f(a, solo=solo, inn=inn):
                if solo.nodes[inn]["kind"] == "input":
                    return solo.unroll({**xs, inn: a}, T, B, init, {}, targets)[1]
                return solo.unroll(xs, T, B, init, {inn: a}, targets)[1]

            J = jacobian(f, arg0)  # [T, T, B, n]
            M = J.pow(2).sum(dim=(2, 3)).sqrt()
        else:
            J = jacobian(lambda a, out=out, inn=inn: unroll_with(inn, a)[0][out], arg0)  # [T, B, no, T, B, ni]
            M = J.pow(2).sum(dim=(1, 2, 4, 5)).sqrt()
            eye = torch.eye(B, dtype=torch.bool)
            cross = J.abs().amax(dim=(2, 5)).permute(0, 2, 1, 3)[:, :, ~eye]  # [T, T, pairs b ≠ b']
            if cross.numel():
                res["crossBatch"] = max(res["crossBatch"], cross.max().item())
        res["connectivity"][pair] = rel_err(M, torch.tensor(case["engine"]["connectivity"][pair], dtype=f64))
    if case.get("lossByStep"):
        for c in cells:
            J = jacobian(lambda a, c=c: net.unroll(xs, T, B, init, {c: a}, targets)[1], zeros[c])  # [T, T, B, n]
            M = J.pow(2).sum(dim=(2, 3)).sqrt()
            res["lossByStep"][c] = rel_err(M, torch.tensor(case["engine"]["lossByStep"][c], dtype=f64))
    return res


def main():
    run_cases(run_case)


if __name__ == "__main__":
    main()
