#!/usr/bin/env python3
"""Runs exported model.py folders of graphs with layers and compares them with the engine.

    /usr/bin/python3 check_layers_export.py CASES.json

CASES.json: {"cases": [{"name", "dir" (model.py, params.json), "data", "report" (the engine's
gradReport)}]}. Prints {name: {"loss", "gradients": {key: err}, "values": {id: err},
"missing", "extra", "fast": {"loss", "gradients", "kernel"}, "script": {...}}}, err being
compare.rel_err. Parameters are addressed by their dotted attribute (`l1.edge_x_i`).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_export import finite, load_model_module as load  # noqa: E402
from compare import rel_err, tensor  # noqa: E402


def run_case(case, index):
    mod = load(case["dir"], f"m{index}")
    model = mod.Model.from_json(os.path.join(case["dir"], "params.json"))
    for p in model.parameters():
        p.requires_grad_(True)
    with open(case["data"], encoding="utf-8") as f:
        data = json.load(f)
    with open(case["report"], encoding="utf-8") as f:
        report = json.load(f)
    as_model = lambda v, g=False: tensor(v).to(mod.DTYPE).requires_grad_(g)  # noqa: E731
    x = {k: as_model(v) for k, v in data["inputs"].items()}
    y = {k: as_model(v) for k, v in (data.get("targets") or {}).items()}
    B = next(iter(x.values())).shape[1]
    state = None
    leaves = {}
    if data.get("initialStates"):
        state = model.initial_state(B, like=next(iter(x.values())))
        for k, v in data["initialStates"].items():
            leaves[k] = as_model(v, True)
            state[k] = leaves[k]

    out = model(x, y, state=state)
    out.loss.backward()
    res = {"loss": {"torch": out.loss.item(), "engine": report["loss"], "err": rel_err(out.loss.item(), report["loss"])},
           "gradients": {}, "values": {}, "missing": [], "extra": []}
    grads = {}
    for attr, key in mod.PARAMETER_KEYS.items():
        p = model.get_parameter(attr)
        grads[key] = p.grad if p.grad is not None else torch.zeros_like(p)
    for k, leaf in leaves.items():
        grads[f"state:{k}"] = leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)
    for key, g in report["gradients"].items():
        if key not in grads:
            res["missing"].append(f"gradient {key}")
            continue
        res["gradients"][key] = rel_err(grads[key].detach(), tensor(g))
    res["extra"] += [f"gradient {k}" for k in grads if k not in report["gradients"]]
    for node, v in report["values"].items():
        mine = out.losses.get(node) if node in mod.LOSSES else out.values.get(node)
        if mine is None:
            res["missing"].append(f"values {node}")
            continue
        res["values"][node] = rel_err(mine.detach(), tensor(v))

    # keep_values=False: what train.py runs (PyTorch's kernel for standard layers).
    fast = model(x, y, state=state, keep_values=False)
    attrs = list(mod.PARAMETER_KEYS)
    fg = torch.autograd.grad(fast.loss, [model.get_parameter(a) for a in attrs], allow_unused=True)
    errs = [rel_err(torch.zeros_like(model.get_parameter(a)) if g is None else g.detach(), tensor(report["gradients"][mod.PARAMETER_KEYS[a]]))
            for a, g in zip(attrs, fg)]
    kernels = [name for name, m in model.named_children() if hasattr(m, "_nn_weights")]
    res["fast"] = {"loss": rel_err(fast.loss.item(), report["loss"]), "gradients": max(errs, default=0.0), "kernels": kernels}

    try:
        s = torch.jit.script(model)
        got = s(x, y, state=None if state is None else {k: v.detach() for k, v in state.items()})
        res["script"] = {"loss": rel_err(got.loss.detach(), out.loss.detach()),
                         "values": max((rel_err(got.values[k].detach(), v.detach()) for k, v in out.values.items()), default=0.0)}
    except Exception as e:  # noqa: BLE001 -- the test shows the message
        res["script"] = {"error": f"{type(e).__name__}: {e}"}
    return res


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    results = {}
    for i, case in enumerate(cases):
        try:
            results[case["name"]] = run_case(case, i)
        except Exception as e:  # noqa: BLE001 -- reported per case
            results[case["name"]] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(finite(results), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
