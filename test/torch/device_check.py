#!/usr/bin/env python3
"""train.py's device choice with a fake torch.cuda (this machine has no GPU).

    /usr/bin/python3 device_check.py EXPORT_DIR

Imports EXPORT_DIR/train.py, replaces torch.cuda's is_available, device_count and
set_device with fakes for a machine of 4 GPUs, and prints one JSON object:
{"ranks": [{"local_rank", "device", "set_device"}...] for `--device cuda` under
LOCAL_RANK 0..3, "explicit": `--device cuda:2` on rank 3, "default": no --device
on rank 1, "too_few": the error of LOCAL_RANK 5, "no_cuda": the error of
`--device cuda` when CUDA is not available}.
"""
import json
import os
import sys

import torch

folder = os.path.abspath(sys.argv[1])
sys.path.insert(0, folder)
import train  # noqa: E402

calls = []
gpus = {"available": True, "count": 4}
torch.cuda.is_available = lambda: gpus["available"]
torch.cuda.device_count = lambda: gpus["count"] if gpus["available"] else 0
torch.cuda.set_device = lambda d: calls.append(str(d))


def setup(argv, local_rank):
    """train.setup_distributed for one torchrun process (WORLD_SIZE 1: no process group)."""
    os.environ.update({"WORLD_SIZE": "1", "RANK": str(local_rank), "LOCAL_RANK": str(local_rank)})
    calls.clear()
    try:
        _, _, device = train.setup_distributed(train.parse_args(argv))
    except SystemExit as e:
        return {"error": str(e.code)}
    return {"local_rank": local_rank, "device": str(device), "set_device": list(calls)}


out = {
    "ranks": [setup(["--device", "cuda"], r) for r in range(4)],
    "explicit": setup(["--device", "cuda:2"], 3),
    "default": setup([], 1),
    "too_few": setup(["--device", "cuda"], 5),
}
gpus["available"] = False
out["no_cuda"] = setup(["--device", "cuda"], 0)
out["no_cuda_default"] = setup([], 0)
json.dump(out, sys.stdout)
sys.stdout.write("\n")
