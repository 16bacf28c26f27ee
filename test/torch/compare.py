"""Shared by the PyTorch cross-checks: tensors from Cellwright JSON and the error measure."""
import json
import traceback
import math
import sys

import torch


def tensor(t, requires_grad=False):
    """A Cellwright {"shape", "data"} tensor as a float64 torch tensor."""
    out = torch.tensor(t["data"], dtype=torch.float64).reshape(t["shape"])
    return out.requires_grad_(requires_grad)


# Below this magnitude a tensor counts as zero: an analytically zero gradient comes out of
# both sides as rounding noise (~1e-17) whose relative difference means nothing.
ZERO_SCALE = 1e-6


def rel_err(a, b):
    """max |a − b| over max(max |a|, max |b|, ZERO_SCALE): the error relative to the tensor's scale.

    0 when both are exactly equal (NaN matching NaN), inf when the shapes differ or only
    one side is not finite at some position.
    """
    a = torch.as_tensor(a, dtype=torch.float64).reshape(-1)
    b = torch.as_tensor(b, dtype=torch.float64).reshape(-1)
    if a.shape != b.shape:
        return math.inf
    same = (a == b) | (torch.isnan(a) & torch.isnan(b))
    if bool(same.all()):
        return 0.0
    if not bool((torch.isfinite(a) | same).all()) or not bool((torch.isfinite(b) | same).all()):
        return math.inf
    fa = torch.where(same, torch.zeros_like(a), a)
    fb = torch.where(same, torch.zeros_like(b), b)
    scale = max(a[torch.isfinite(a)].abs().max().item(), b[torch.isfinite(b)].abs().max().item(), ZERO_SCALE)
    return (fa - fb).abs().max().item() / scale


def read_case(case, *keys):
    """The JSON files a case names under `keys` (graph, params, data, report …), read in that order."""
    out = []
    for k in keys:
        with open(case[k], encoding="utf-8") as f:
            out.append(json.load(f))
    return out


def run_cases(run_case):
    """Runs run_case on every case of the CASES.json given as argv[1]; prints {name: result or {"error"}}."""
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    results = {}
    for case in cases:
        try:
            results[case["name"]] = run_case(case)
        except Exception as e:  # one failing case must not hide the others
            results[case["name"]] = {"error": f"{type(e).__name__}: {e}\n{traceback.format_exc()}"}
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")
