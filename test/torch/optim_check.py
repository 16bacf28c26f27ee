"""PyTorch's optimizers and clipping on a Cellwright graph, for engine/train/optim.torch.test.ts.

Usage: /usr/bin/python3 optim_check.py GRAPH.json DATA.json SCENARIOS.json
Prints one JSON object: {scenario name: {parameter key: flat list}} — the parameters
after the scenario's steps, each step being forward over all of the data, backward,
clipping if asked, and one torch.optim update (float64).

The graph is interpreted here step by step with torch ops (input, target, cell, gate,
op, loss nodes; full/diagonal/scalar/identity weights), independent of the engine.
"""
import json
import math
import sys

import torch

torch.set_default_dtype(torch.float64)

ACT = {
    "identity": lambda z: z,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "softplus": torch.nn.functional.softplus,
    "step": lambda z: (z > 0).to(z.dtype),
}


def schedule(nodes, edges):
    computed = {n["id"] for n in nodes if n["kind"] in ("gate", "op", "loss")}
    indeg = {i: 0 for i in computed}
    for e in edges:
        if e["target"] in computed and e["source"] in computed:
            indeg[e["target"]] += 1
    pos = {n["id"]: k for k, n in enumerate(nodes)}
    ready = sorted([i for i in computed if indeg[i] == 0], key=pos.get)
    order = []
    while ready:
        i = ready.pop(0)
        order.append(i)
        for e in edges:
            if e["source"] == i and e["target"] in computed:
                indeg[e["target"]] -= 1
                if indeg[e["target"]] == 0:
                    ready.append(e["target"])
                    ready.sort(key=pos.get)
    return order


def make_params(graph):
    params = {}
    for k, v in graph["parameters"].items():
        params[k] = torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"]).requires_grad_(True)
    return params


def trainable(graph, params):
    frozen = {f"edge:{e['id']}" for e in graph["edges"] if e.get("trainable") is False}
    return [params[k] for k in params if k not in frozen]


def loss_of(graph, data, params):
    nodes = graph["nodes"]
    edges = graph["edges"]
    by_id = {n["id"]: n for n in nodes}
    order = schedule(nodes, edges)
    ins = {n["id"]: [e for e in edges if e["target"] == n["id"]] for n in nodes}
    first = next(iter(data["inputs"].values()))
    T, B = first["shape"][0], first["shape"][1]

    def stream(t):
        return torch.tensor(t["data"], dtype=torch.float64).reshape(t["shape"])

    xs = {k: stream(v) for k, v in data["inputs"].items()}
    for k in xs:
        if by_id[k].get("reverse"):
            xs[k] = torch.flip(xs[k], [0])
    ys = {k: stream(v) for k, v in data.get("targets", {}).items()}
    state = {}
    for n in nodes:
        if n["kind"] != "cell":
            continue
        given = data.get("initialStates", {}).get(n["id"])
        if given:
            state[n["id"]] = stream(given)
        elif n.get("initial") == "learned":
            state[n["id"]] = params[f"init:{n['id']}"].unsqueeze(0).expand(B, -1)
        else:
            state[n["id"]] = torch.zeros(B, n["size"])
    total = 0
    for t in range(T):
        val = dict(state)
        for k, v in xs.items():
            val[k] = v[t]
        for k, v in ys.items():
            val[k] = v[t]
        for i in order:
            n = by_id[i]
            if n["kind"] == "gate":
                z = 0
                for e in ins[i]:
                    src = val[e["source"]]
                    w = e.get("weight", "full")
                    if w == "full":
                        z = z + src @ params[f"edge:{e['id']}"].T
                    elif w == "diagonal":
                        z = z + src * params[f"edge:{e['id']}"]
                    elif w == "scalar":
                        z = z + src * params[f"edge:{e['id']}"]
                    else:
                        z = z + src
                if n.get("bias", True):
                    z = z + params[f"bias:{i}"]
                val[i] = ACT[n["activation"]](z)
            elif n["kind"] == "op":
                srcs = [val[e["source"]] for e in ins[i]]
                if n["op"] == "mul":
                    v = srcs[0]
                    for s in srcs[1:]:
                        v = v * s
                elif n["op"] == "add":
                    v = srcs[0]
                    for s in srcs[1:]:
                        v = v + s
                else:
                    v = 1 - srcs[0]
                val[i] = v
            elif n["kind"] == "loss":
                last = n.get("steps", "all") == "last"
                if last and t != T - 1:
                    continue
                S = 1 if last else T
                p = val[next(e["source"] for e in ins[i] if e.get("port") == "prediction")]
                tgt = [e["source"] for e in ins[i] if e.get("port") == "target"]
                y = val[tgt[0]] if tgt else None
                kind = n["loss"]
                N = p.shape[1]
                if kind == "mse":
                    total = total + ((p - y) ** 2).sum() / (S * B * N)
                elif kind == "bce":
                    total = total + torch.nn.functional.binary_cross_entropy_with_logits(p, y, reduction="sum") / (S * B * N)
                elif kind == "cross_entropy":
                    total = total - (y * torch.log_softmax(p, dim=1)).sum() / (S * B)
                else:
                    total = total + p.sum()
        state = {n["id"]: val[next(e["source"] for e in edges if e["target"] == n["id"])] for n in nodes if n["kind"] == "cell"}
    return total


def run(graph, data, sc):
    params = make_params(graph)
    plist = trainable(graph, params)
    name = sc["optimizer"]
    lr = sc["lr"]
    if name == "sgd":
        opt = torch.optim.SGD(plist, lr=lr)
    elif name == "momentum":
        opt = torch.optim.SGD(plist, lr=lr, momentum=sc.get("momentum", 0.9), nesterov=sc.get("nesterov", False))
    elif name == "adam":
        opt = torch.optim.Adam(plist, lr=lr)
    elif name == "rmsprop":
        opt = torch.optim.RMSprop(plist, lr=lr)
    else:
        raise ValueError(name)
    losses = []
    norms = []
    for _ in range(sc["steps"]):
        opt.zero_grad()
        loss = loss_of(graph, data, params)
        loss.backward()
        losses.append(loss.item())
        if sc.get("clipNorm") is not None:
            norms.append(float(torch.nn.utils.clip_grad_norm_(plist, sc["clipNorm"])))
        elif sc.get("clipValue") is not None:
            torch.nn.utils.clip_grad_value_(plist, sc["clipValue"])
        opt.step()
    return {
        "params": {k: v.detach().reshape(-1).tolist() for k, v in params.items()},
        "losses": losses,
        "norms": norms,
    }


def main():
    graph = json.load(open(sys.argv[1]))
    data = json.load(open(sys.argv[2]))
    scenarios = json.load(open(sys.argv[3]))
    out = {sc["name"]: run(graph, data, sc) for sc in scenarios}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
