#!/usr/bin/env python3
"""Runs exported model.py folders on data files and compares them with the engine's grad report.

    /usr/bin/python3 check_export.py CASES.json

CASES.json: {"cases": [{"name": ..., "dir": folder with model.py and params.json,
                        "data": data file, "report": the engine's gradReport as JSON}]}
Prints one JSON object: {name: {"loss": {"torch", "engine", "err"}, "gradients": {key: err},
"values": {node: err}, "gradNorms": {node: err}, "missing": [...], "extra": [...]}} where err
is compare.rel_err (max abs difference over the tensor's max magnitude).
"""
import importlib.util
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import rel_err, tensor  # noqa: E402

torch.set_num_threads(1)


def load_model_module(folder, name):
    spec = importlib.util.spec_from_file_location(f"exported_{name}", os.path.join(folder, "model.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def as_model(mod, v, requires_grad=False):
    """A data-file tensor in the dtype of the exported model's parameters (model.DTYPE)."""
    return tensor(v).to(mod.DTYPE).requires_grad_(requires_grad)


def grad_norms(mod, model, data, state):
    """‖dL/d value_t‖ per node and step, from an unroll of Model.step.

    Each step reads its states through a fresh alias, so that the gradient of a state as
    read at step t (what a cell written by another cell records) is kept apart from the
    gradient of the tensor that wrote it at step t − 1 (which also feeds that step's nodes).
    """
    x = {k: as_model(mod, v, True) for k, v in data["inputs"].items()}
    fed = {k: (v.flip(0) if mod.INPUTS[k]["reverse"] else v) for k, v in x.items()}
    y = {k: as_model(mod, v) for k, v in (data.get("targets") or {}).items()}
    T, B = next(iter({**x, **y}.values())).shape[:2]
    if state is None:
        state = model.initial_state(B, like=next(iter({**x, **y}.values())))
    # Zero initial states become leaves that require a gradient, so that autograd follows
    # nodes that depend on no parameter too (the engine's gradNorms cover every node).
    state = {k: (v if v.requires_grad else v.clone().requires_grad_(True)) for k, v in state.items()}
    trace = []
    loss = 0
    for t in range(T):
        x_t = {k: v[t] for k, v in fed.items()}
        y_t = {k: v[t] for k, v in y.items()}
        outputs, state = model.step(x_t, {k: v.view_as(v) for k, v in state.items()}, y_t)
        for name, spec in mod.LOSSES.items():
            if name in outputs and (spec["steps"] == "all" or t == T - 1):
                S = T if spec["steps"] == "all" else 1
                loss = loss + outputs[name] * mod.loss_scale(spec["loss"], S, B, spec["units"])
        trace.append({**x_t, **{k: v for k, v in outputs.items() if k not in mod.LOSSES}, **state})
    for step in trace:
        for v in step.values():
            if v.requires_grad:
                v.retain_grad()
    if torch.is_tensor(loss) and loss.requires_grad:
        loss.backward()
    norms = {}
    for node in trace[0] if trace else {}:
        norms[node] = [0.0 if s[node].grad is None else s[node].grad.norm().item() for s in trace]
    return norms


def run_case(case, index):
    mod = load_model_module(case["dir"], f"m{index}")
    model = mod.Model.from_json(os.path.join(case["dir"], "params.json"))
    for p in model.parameters():
        p.requires_grad_(True)  # the engine reports gradients of non-trainable parameters too
    with open(case["data"], encoding="utf-8") as f:
        data = json.load(f)
    with open(case["report"], encoding="utf-8") as f:
        report = json.load(f)

    x = {k: as_model(mod, v, True) for k, v in data["inputs"].items()}
    y = {k: as_model(mod, v) for k, v in (data.get("targets") or {}).items()}
    B = next(iter({**x, **y}.values())).shape[1]
    state = None
    leaves = {}
    if data.get("initialStates"):
        state = model.initial_state(B, like=next(iter({**x, **y}.values())))
        for k, v in data["initialStates"].items():
            leaves[k] = as_model(mod, v, True)
            state[k] = leaves[k]

    norms = grad_norms(mod, model, data, state)
    model.zero_grad(set_to_none=True)
    for leaf in leaves.values():
        leaf.grad = None
    out = model(x, y, state=state)
    loss = out.loss
    if loss.requires_grad:
        loss.backward()

    res = {"loss": {"torch": loss.item(), "engine": report["loss"], "err": rel_err(loss.item(), report["loss"])},
           "gradients": {}, "values": {}, "gradNorms": {}, "missing": [], "extra": []}

    grads = {}
    for attr, key in mod.PARAMETER_KEYS.items():
        p = getattr(model, attr)
        grads[key] = p.grad if p.grad is not None else torch.zeros_like(p)
    for k, leaf in leaves.items():
        grads[f"state:{k}"] = leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)
    for key, g in report["gradients"].items():
        if key not in grads:
            res["missing"].append(f"gradient {key}")
            continue
        res["gradients"][key] = rel_err(grads[key].detach(), tensor(g))
    res["extra"] += [f"gradient {k}" for k in grads if k not in report["gradients"]]
    res["script"] = scripted(model, x, y, state, out)
    res["fast"] = without_values(model, mod, x, y, state, report)

    for node, v in report["values"].items():
        if node in mod.LOSSES:
            mine = out.losses.get(node)
            if mine is None:
                res["missing"].append(f"values {node}")
                continue
            res["values"][node] = rel_err(mine.detach(), tensor(v))
            continue
        if node not in out.values:
            res["missing"].append(f"values {node}")
            continue
        res["values"][node] = rel_err(out.values[node].detach(), tensor(v))

    # gradNorms[n][t]: ‖dL/d value_t‖ through every path (a cell: d/d the state it writes at t).
    for node, series in report["gradNorms"].items():
        mine = norms.get(node)
        if mine is None or len(mine) != len(series):
            res["missing"].append(f"gradNorms {node}")
            continue
        res["gradNorms"][node] = rel_err(mine, series)
    return res


def without_values(model, mod, x, y, state, report):
    """forward(keep_values=False) (PyTorch's kernel where the graph is a standard LSTM or GRU): its loss and
    every gradient against the engine's, as the max rel_err."""
    out = model(x, y, state=state, keep_values=False)
    attrs = [a for a in mod.PARAMETER_KEYS if getattr(model, a).requires_grad]
    if out.loss.requires_grad and attrs:
        grads = torch.autograd.grad(out.loss, [getattr(model, a) for a in attrs], allow_unused=True)
    else:  # a loss that depends on no parameter (and no input that needs a gradient)
        grads = [None for _ in attrs]
    errs = [rel_err(torch.zeros_like(getattr(model, a)) if g is None else g.detach(), tensor(report["gradients"][mod.PARAMETER_KEYS[a]]))
            for a, g in zip(attrs, grads)]
    return {"loss": rel_err(out.loss.item(), report["loss"]), "gradients": max(errs, default=0.0),
            "kernel": hasattr(model, "_nn_kernel")}


def scripted(model, x, y, state, out):
    """torch.jit.script of the model: its loss and values against the Python module's (rel_err)."""
    try:
        s = torch.jit.script(model)
        got = s({k: v.detach() for k, v in x.items()}, y,
                state=None if state is None else {k: v.detach() for k, v in state.items()})
    except Exception as e:  # noqa: BLE001 -- the test shows the message
        return {"error": f"{type(e).__name__}: {e}"}
    errs = {k: rel_err(got.values[k].detach(), v.detach()) for k, v in out.values.items()}
    return {"loss": rel_err(got.loss.detach(), out.loss.detach()), "values": max(errs.values(), default=0.0),
            "missing": [k for k in out.values if k not in got.values]}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    results = {}
    for i, case in enumerate(cases):
        try:
            results[case["name"]] = run_case(case, i)
        except Exception as e:  # report it per case, so one failure does not hide the others
            results[case["name"]] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(finite(results), sys.stdout)
    sys.stdout.write("\n")


def finite(o):
    """JSON has no inf or NaN: an infinite error becomes 1e300, a NaN value null."""
    if isinstance(o, float):
        return None if math.isnan(o) else (math.copysign(1e300, o) if math.isinf(o) else o)
    if isinstance(o, dict):
        return {k: finite(v) for k, v in o.items()}
    if isinstance(o, list):
        return [finite(v) for v in o]
    return o


if __name__ == "__main__":
    main()
