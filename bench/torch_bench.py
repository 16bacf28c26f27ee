"""PyTorch baseline for `npm run bench`: one training step of nn.LSTM / nn.GRU /
nn.RNN (tanh) + a linear readout H -> X at every step, MSE over all outputs,
SGD lr 0.01, on a fixed random batch; the same workloads and timing rules as
`cellwright bench` (2 warm-up steps, then at least 5 timed steps and 2 s).

    /usr/bin/python3 bench/torch_bench.py --cell lstm --workload S --threads 2
    /usr/bin/python3 bench/torch_bench.py --serve   # one "cell workload" per stdin line

Prints one JSON object per line: cell, workload, dtype, threads, ms_per_step,
min, max, gflops, engine ("pytorch").
"""
import argparse
import json
import statistics
import sys
import time

import torch

WORKLOADS = {"S": (8, 32, 50, 16), "M": (32, 128, 100, 32), "L": (64, 512, 100, 64)}
GATES = {"lstm": 4, "gru": 3, "rnn": 1}


def flops_per_step(cell, x, h, t, b):
    forward = 2 * t * b * (GATES[cell] * h * (x + h) + h * x)
    return 3 * forward


def bench(cell, workload, dtype, min_steps, min_seconds):
    x, h, t, b = WORKLOADS[workload]
    torch.manual_seed(0)
    dt = torch.float32 if dtype == "float32" else torch.float64
    rnn = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell](x, h).to(dt)
    readout = torch.nn.Linear(h, x).to(dt)
    params = list(rnn.parameters()) + list(readout.parameters())
    opt = torch.optim.SGD(params, lr=0.01)
    inputs = torch.rand(t, b, x, dtype=dt) * 2 - 1
    targets = torch.rand(t, b, x, dtype=dt) * 2 - 1
    loss_fn = torch.nn.MSELoss()

    def step():
        opt.zero_grad(set_to_none=True)
        out, _ = rnn(inputs)
        loss = loss_fn(readout(out), targets)
        loss.backward()
        opt.step()

    for _ in range(2):
        step()
    times = []
    start = time.perf_counter()
    while len(times) < min_steps or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    med = statistics.median(times)
    return {
        "engine": "pytorch", "cell": cell, "workload": workload, "dtype": dtype,
        "threads": torch.get_num_threads(), "ms_per_step": med, "min": min(times), "max": max(times),
        "steps": len(times), "gflops": flops_per_step(cell, x, h, t, b) / (med * 1e6),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cell", default="all", choices=["lstm", "gru", "rnn", "all"])
    ap.add_argument("--workload", default="all", choices=["S", "M", "L", "all"])
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--min-steps", type=int, default=5)
    ap.add_argument("--min-seconds", type=float, default=2.0)
    ap.add_argument("--serve", action="store_true", help="read 'cell workload [dtype]' lines from stdin")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.serve:
        print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
        for line in sys.stdin:
            parts = line.split()
            if not parts:
                continue
            dtype = parts[2] if len(parts) > 2 else a.dtype
            print(json.dumps(bench(parts[0], parts[1], dtype, a.min_steps, a.min_seconds)), flush=True)
        return
    cells = list(GATES) if a.cell == "all" else [a.cell]
    loads = list(WORKLOADS) if a.workload == "all" else [a.workload]
    for w in loads:
        for c in cells:
            print(json.dumps(bench(c, w, a.dtype, a.min_steps, a.min_seconds)), flush=True)


if __name__ == "__main__":
    main()
