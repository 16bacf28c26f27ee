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


def run_case(case, index):
    mod = load_model_module(case["dir"], f"m{index}")
    model = mod.Model.from_json(os.path.join(case["dir"], "params.json"))
    for p in model.parameters():
        p.requires_grad_(True)  # the engine reports gradients of non-trainable parameters too
    with open(case["data"], encoding="utf-8") as f:
        data = json.load(f)
    with open(case["report"], encoding="utf-8") as f:
        report = json.load(f)

    x = {k: tensor(v, requires_grad=True) for k, v in data["inputs"].items()}
    y = {k: tensor(v) for k, v in (data.get("targets") or {}).items()}
    B = next(iter({**x, **y}.values())).shape[1]
    state = None
    leaves = {}
    if data.get("initialStates"):
        state = model.initial_state(B)
        for k, v in data["initialStates"].items():
            leaves[k] = tensor(v, requires_grad=True)
            state[k] = leaves[k]

    out = model(x, y, state=state)
    for step in out["steps"]:
        for v in step.values():
            if v.requires_grad:
                v.retain_grad()
    loss = out["loss"]
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

    for node, v in report["values"].items():
        if node in mod.LOSSES:
            mine = out["losses"].get(node)
            if mine is None:
                res["missing"].append(f"values {node}")
                continue
            res["values"][node] = rel_err(mine.detach(), tensor(v))
            continue
        if node not in out["values"]:
            res["missing"].append(f"values {node}")
            continue
        res["values"][node] = rel_err(out["values"][node].detach(), tensor(v))

    # gradNorms[n][t]: ‖dL/d value_t‖ (for a cell, d/d the state written at t), all paths.
    for node, series in report["gradNorms"].items():
        mine = []
        for step in out["steps"]:
            t = step.get(node)
            g = None if t is None else t.grad
            mine.append(0.0 if g is None else g.norm().item())
        if len(mine) != len(series):
            res["missing"].append(f"gradNorms {node}")
            continue
        res["gradNorms"][node] = rel_err(mine, series)
    return res


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
