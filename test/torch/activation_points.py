#!/usr/bin/env python3
"""Every registered activation at given points, through PyTorch's autograd (float64).

    /usr/bin/python3 activation_points.py CASES.json

CASES.json: {"helpers": "python source of the helpers the expressions need",
             "activations": [{"name": ..., "expr": "python expression in x", "points": [z, ...]}]}
Prints {name: {"y": [...], "dy": [...]}}: f(z) and df/dz at each point, by autograd — the
convention PyTorch applies at kinks (relu at 0, hardtanh at ±1, ...) included.
"""
import json
import sys

import torch
from torch import nn  # noqa: F401  (the helpers may use it)
import torch.nn.functional as F  # noqa: F401

torch.set_num_threads(1)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    scope = {"torch": torch, "nn": nn, "F": F}
    exec(cases["helpers"], scope)  # noqa: S102  (the test's own generated helpers)
    out = {}
    for act in cases["activations"]:
        x = torch.tensor(act["points"], dtype=torch.float64, requires_grad=True)
        y = eval(act["expr"], dict(scope, x=x))  # noqa: S307  (the engine's own emission)
        (dy,) = torch.autograd.grad(y.sum(), x)
        out[act["name"]] = {"y": y.detach().tolist(), "dy": dy.tolist()}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
