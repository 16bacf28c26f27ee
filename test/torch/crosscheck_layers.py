#!/usr/bin/env python3
"""Cross-check of graphs with layers (docs/layers.md) against PyTorch's multi-layer and
bidirectional recurrent modules.

    /usr/bin/python3 crosscheck_layers.py CASES.json

CASES.json: {"cases": [{"name": ..., "graph": graph file, "params": the engine's parameters,
                        "data": data file, "report": the engine's gradReport}]}

Each graph is input x → layers chained one after another (each an LSTM or GRU step graph
from the templates, direction forward or bidirectional) → a readout gate y → a loss. The
script builds nn.LSTM / nn.GRU(num_layers = number of layers, bidirectional = the layers'
direction) in float64 holding the graph's weights (layer k, copy d → weight_*_l{k}{"" or
"_reverse"}, gate rows mapped as in crosscheck_nn.py), an nn.Linear readout and the loss, and
prints {name: {"loss": {...}, "gradients": {key: err}, "values": {what: err}, "unmapped": [...]}}.

Values compared: the last layer's output sequence (the engine's values[<last layer>], forward ‖
reverse per step, data time order), the readout, and every layer's and direction's final
state h_n (and c_n): for a forward copy the engine's state at the last step, for a reverse copy
the one at the first step (reverse layers report values in data time order).
"""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import read_case, rel_err, run_cases, tensor  # noqa: E402
from crosscheck_nn import Graph, loss_of, stacked  # noqa: E402

torch.set_num_threads(1)
f64 = torch.float64

GATES = {"lstm": [("i", "i"), ("f", "f"), ("g", "g"), ("o", "o")], "gru": [("r", "r"), ("z", "z"), ("n", "hn")]}


def chain(doc):
    """The layer nodes from the input onwards, in the order they read each other."""
    by_id = {n["id"]: n for n in doc["nodes"]}
    current = next(n["id"] for n in doc["nodes"] if n["kind"] == "input")
    out = []
    while True:
        nxt = [e["target"] for e in doc["edges"] if e["source"] == current and by_id[e["target"]]["kind"] == "layer"]
        if not nxt:
            return out
        current = nxt[0]
        out.append(by_id[current])


def build(doc, params, data):
    """nn.LSTM / nn.GRU and the nn.Linear readout holding the graph's weights, with the data.

    Returns a dict: rnn, readout, hx (torch's initial state), grads ({parameter key: (tensor,
    rows)}), copies ([(layer k, direction d, reported prefix)]), kind, H, last (the last layer's
    id), outer (crosscheck_nn.Graph), x, y (targets), given (initial states by reported id) and h0
    ({cell: [L·D, B, H]}).
    """
    outer = Graph(doc, params)
    layers = chain(doc)
    first = layers[0]["graph"]
    kind = "lstm" if any(n["id"] == "c" for n in first["nodes"]) else "gru"
    bi = layers[0].get("direction") == "bidirectional"
    D = 2 if bi else 1
    L = len(layers)
    inp = outer.only("input")
    x = tensor(data["inputs"][inp["id"]])
    y_t = tensor(data["targets"][outer.only("target")["id"]])
    T, B, X = x.shape
    H = next(n["size"] for n in first["nodes"] if n["id"] == "h")
    module = nn.LSTM if kind == "lstm" else nn.GRU
    rnn = module(X, H, num_layers=L, bidirectional=bi, dtype=f64)

    grads = {}
    copies = []  # (layer k, direction d, reported prefix)
    for k, layer in enumerate(layers):
        for d in range(D):
            suffix = "_reverse" if d == 1 else ""
            prefix = f"{layer['id']}/reverse/" if d == 1 else f"{layer['id']}/"
            key_prefix = "layer:" + prefix
            own = {key[len(key_prefix):]: v for key, v in params.items() if key.startswith(key_prefix)}
            g = Graph(layer["graph"], own)
            w_ih, w_hh, b_ih, keys = stacked(g, "x", "h", GATES[kind])
            p = {n: getattr(rnn, f"{n}_l{k}{suffix}") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
            with torch.no_grad():
                p["weight_ih"].copy_(w_ih)
                p["weight_hh"].copy_(w_hh)
                p["bias_ih"].copy_(b_ih)
                p["bias_hh"].zero_()
                if kind == "gru":
                    k_hn, b_hn = g.bias("hn")
                    p["bias_hh"][2 * H:].copy_(b_hn)
                    grads[key_prefix + k_hn] = (p["bias_hh"], slice(2 * H, 3 * H))
            for r, (kx, kh, kb) in enumerate(keys):
                rows = slice(r * H, (r + 1) * H)
                grads[key_prefix + kx] = (p["weight_ih"], rows)
                grads[key_prefix + kh] = (p["weight_hh"], rows)
                grads[key_prefix + kb] = (p["bias_ih"], rows)
            copies.append((k, d, prefix))

    last = layers[-1]["id"]
    ky, wy = outer.weight(last, "y")
    kby, by = outer.bias("y")
    readout = nn.Linear(D * H, wy.shape[0], dtype=f64)
    with torch.no_grad():
        readout.weight.copy_(wy)
        readout.bias.copy_(by)
    grads[ky] = (readout.weight, None)
    grads[kby] = (readout.bias, None)

    # Initial states: torch's [L·D, B, H] stacks layer k, direction d at k·D + d.
    given = data.get("initialStates") or {}
    cells = ["h", "c"] if kind == "lstm" else ["h"]
    h0 = {}
    for c in cells:
        rows = []
        for (_, _, prefix) in copies:
            rid = prefix + c
            if rid in given:
                leaf = tensor(given[rid], requires_grad=True)
                grads[f"state:{rid}"] = (leaf, None)
                rows.append(leaf)
            else:
                rows.append(torch.zeros(B, H, dtype=f64))
        h0[c] = torch.stack(rows)
    hx = (h0["h"], h0["c"]) if kind == "lstm" else h0["h"]

    return {"rnn": rnn, "readout": readout, "hx": hx, "grads": grads, "copies": copies, "kind": kind, "H": H,
            "last": last, "outer": outer, "x": x, "y": y_t, "given": given, "h0": h0}


def run_case(case):
    doc, params, data, report = read_case(case, "graph", "params", "data", "report")
    m = build(doc, params, data)
    rnn, readout, hx, grads, copies, kind = m["rnn"], m["readout"], m["hx"], m["grads"], m["copies"], m["kind"]
    outer, last, x, y_t = m["outer"], m["last"], m["x"], m["y"]
    out, last_state = rnn(x, hx)
    pred = readout(out)
    lossn = outer.only("loss")
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
    res["values"][last] = rel_err(out.detach(), tensor(report["values"][last]))
    res["values"]["y"] = rel_err(pred.detach(), tensor(report["values"]["y"]))
    h_n = last_state[0] if kind == "lstm" else last_state
    finals = [("h", h_n)] + ([("c", last_state[1])] if kind == "lstm" else [])
    for i, (k, d, prefix) in enumerate(copies):
        for c, stack in finals:
            engine = tensor(report["values"][prefix + c])[0 if d == 1 else -1]
            res["values"][f"{prefix}{c} final"] = rel_err(stack[i].detach(), engine)
    return res


if __name__ == "__main__":
    run_cases(run_case)
