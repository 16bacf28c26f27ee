"""The exported LSTM module (cellwright export torch) against nn.LSTM: forward + backward
of the same model — an LSTM layer X -> H (--arch: or 2 stacked LSTM layers, nn.LSTM(num_layers=2),
or a bidirectional GRU, nn.GRU(bidirectional=True)), a linear readout to X at every step, MSE
over all outputs — on a fixed random batch, float32, at the workloads of `npm run bench`
(2 warm-up steps, then at least 5 timed steps and 2 s each; the two interleaved).

    /usr/bin/python3 bench/torch_export_bench.py EXPORT_DIR --workload M --threads 2

EXPORT_DIR holds the export of the LSTM template at the workload's sizes (npm run
bench:torch-export writes it). Prints one JSON object: ms per forward+backward of the
export and of nn.LSTM (medians), and their ratio.
"""
import argparse
import importlib.util
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bench import WORKLOADS  # noqa: E402  (the workloads of npm run bench)


def timed(step, min_steps, min_seconds):
    for _ in range(2):
        step()
    times = []
    start = time.perf_counter()
    while len(times) < min_steps or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export_dir")
    ap.add_argument("--workload", default="M", choices=WORKLOADS)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--min-seconds", type=float, default=2.0)
    ap.add_argument("--arch", default="lstm", choices=["lstm", "lstm-2-layer", "gru-bidirectional"],
                    help="the exported template: the LSTM, 2 stacked LSTM layers or a bidirectional GRU (layers)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    X, H, T, B = WORKLOADS[a.workload]
    spec = importlib.util.spec_from_file_location("exported_model", os.path.join(a.export_dir, "model.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    model = mod.Model.from_json(os.path.join(a.export_dir, "params.json"))
    sizes = {k: v["size"] for k, v in mod.INPUTS.items()}
    if list(sizes.values()) != [X]:
        sys.exit(f"{a.export_dir}: expected one input of size {X} (the LSTM template at workload {a.workload}), found {sizes}")
    torch.manual_seed(0)
    x = torch.rand(T, B, X) * 2 - 1
    y = torch.rand(T, B, X) * 2 - 1
    xs = {next(iter(mod.INPUTS)): x}
    ys = {next(iter(mod.TARGETS)): y}

    rnn = {"lstm": lambda: torch.nn.LSTM(X, H), "lstm-2-layer": lambda: torch.nn.LSTM(X, H, num_layers=2),
           "gru-bidirectional": lambda: torch.nn.GRU(X, H, bidirectional=True)}[a.arch]()
    readout = torch.nn.Linear(2 * H if a.arch == "gru-bidirectional" else H, X)
    loss_fn = torch.nn.MSELoss()

    scripted = torch.jit.script(model)

    def exported():
        model.zero_grad(set_to_none=True)
        model(xs, ys, keep_values=False).loss.backward()

    def exported_scripted():
        scripted.zero_grad(set_to_none=True)
        scripted(xs, ys, keep_values=False).loss.backward()

    def reference():
        rnn.zero_grad(set_to_none=True)
        readout.zero_grad(set_to_none=True)
        out, _ = rnn(x)
        loss_fn(readout(out), y).backward()

    mine, script, theirs = [], [], []
    for _ in range(a.rounds):  # interleaved, so that a disturbance hits all three
        mine += timed(exported, 5, a.min_seconds)
        script += timed(exported_scripted, 5, a.min_seconds)
        theirs += timed(reference, 5, a.min_seconds)
    m, s, r = statistics.median(mine), statistics.median(script), statistics.median(theirs)
    print(json.dumps({"workload": a.workload, "arch": a.arch, "sizes": {"X": X, "H": H, "T": T, "B": B}, "dtype": "float32",
                      "threads": torch.get_num_threads(), "export_ms": m, "scripted_ms": s, "nn_lstm_ms": r,
                      "ratio": m / r, "scripted_ratio": s / r,
                      "export_min_ms": min(mine), "scripted_min_ms": min(script), "nn_lstm_min_ms": min(theirs)}))


if __name__ == "__main__":
    main()
