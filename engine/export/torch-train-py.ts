/**
 * train.py of the PyTorch export: trains model.py on the graph's task (tasks.py)
 * or a data file with the graph's `training` block, on one process or under
 * torchrun with DistributedDataParallel, checkpoints, and writes the trained
 * parameters back as a Cellwright graph file.
 *
 * Data parallelism keeps the engine's numbers: every rank draws the same global
 * batch and takes its share of the sequences, and each shard's loss is
 * normalized by the global batch size, so the all-reduced gradient is the
 * gradient of the whole batch's loss: one process and N processes train alike.
 */
export const TRAIN_PY = String.raw`#!/usr/bin/env python3
"""Train the exported cell with PyTorch, on one process or many.

    python train.py                         # the graph's task and training config
    python train.py --data DATA.json        # a Cellwright data file (all its sequences form one batch)
    torchrun --nproc_per_node=N train.py    # DistributedDataParallel: gloo on CPU, nccl on GPU

Writes the trained parameters back into the graph (--out, default trained.json),
saves checkpoints (--checkpoint-dir, resume with --resume), and prints the final
loss: the float64 loss of the trained parameters on the evaluation data, which
is what "cellwright grad trained.json EVAL.json" reports. Run with --help for
every option.
"""
import argparse
import copy
import json
import os
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import tasks  # noqa: E402
from model import CELLS, DTYPE, INPUTS, TARGETS, Model  # noqa: E402

OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Train the exported Cellwright cell with PyTorch (python train.py, or torchrun --nproc_per_node=N train.py).")
    p.add_argument("--graph", default=os.path.join(HERE, "graph.json"), help="the exported graph file (its task and training blocks)")
    p.add_argument("--params", default=os.path.join(HERE, "params.json"), help="the starting parameters (default: the engine's, params.json)")
    p.add_argument("--data", help="train on this Cellwright data file instead of the graph's task")
    p.add_argument("--task", help="task name, overriding the graph's task block (parity, adding, sine)")
    p.add_argument("--length", type=int, help="sequence length of the task (task.length)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, help="optimizer (training.optimizer)")
    p.add_argument("--lr", type=float, help="learning rate (training.lr)")
    p.add_argument("--steps", type=int, help="optimizer steps (training.steps)")
    p.add_argument("--batch", type=int, help="global batch size, split over the processes (training.batch)")
    p.add_argument("--seed", type=int, help="seed of the training batches (training.seed)")
    p.add_argument("--clip-norm", type=float, help="clip the global gradient norm (training.clipNorm)")
    p.add_argument("--clip-value", type=float, help="clip every gradient value (training.clipValue)")
    p.add_argument("--dtype", choices=("float32", "float64"), help="training precision (default: training.dtype, else model.DTYPE, the export's --dtype)")
    p.add_argument("--device", help="cpu, cuda (each torchrun process on its own GPU, cuda:LOCAL_RANK), cuda:K (default: cuda when there is a GPU)")
    p.add_argument("--out", default="trained.json", help="where to write the trained graph file")
    p.add_argument("--eval-data", help="data file for the final loss (default: --data, or the task's validation set)")
    p.add_argument("--checkpoint-dir", default="checkpoints", help="folder for checkpoints")
    p.add_argument("--checkpoint-every", type=int, default=500, help="save a checkpoint every N steps (0: only at the end)")
    p.add_argument("--resume", help="continue from this checkpoint (.pt)")
    p.add_argument("--log-every", type=int, default=10, help="print the loss every N steps")
    p.add_argument("--validate-every", type=int, help="print the validation loss every N steps (training.validateEvery; 0: never)")
    p.add_argument("--summary", help="write a JSON summary (per-step losses, final loss, files) here")
    return p.parse_args(argv)


# ── configuration ───────────────────────────────────────────────────────────

DEFAULT_LR = {"sgd": 0.01, "momentum": 0.01, "adam": 0.001, "rmsprop": 0.01}  # as the app (and torch where it has one)


def training_config(graph, args):
    """The graph's training block with the command line's overrides, and the app's defaults."""
    tr = dict(graph.get("training") or {})
    opt = tr.get("optimizer", "adam")
    if isinstance(opt, dict):
        tr = {**tr, **opt}
        opt = opt.get("name", "adam")
    name = args.optimizer or opt
    if name not in OPTIMIZERS:
        raise SystemExit(f"train.py: training.optimizer must be one of {', '.join(OPTIMIZERS)}, got {name!r}")
    # A command-line clip of one kind replaces the block's other kind (as cellwright train does).
    if args.clip_norm is not None:
        tr["clipNorm"] = args.clip_norm
        if args.clip_value is None:
            tr.pop("clipValue", None)
    if args.clip_value is not None:
        tr["clipValue"] = args.clip_value
        if args.clip_norm is None:
            tr.pop("clipNorm", None)
    if tr.get("clipNorm") is not None and tr.get("clipValue") is not None:
        raise SystemExit("train.py: training has both clipNorm and clipValue: keep one")
    schedule = tr.get("schedule") or "constant"
    if isinstance(schedule, str):
        schedule = {"kind": schedule}
    cfg = {
        "optimizer": name,
        "lr": args.lr if args.lr is not None else float(tr.get("lr", DEFAULT_LR[name])),
        "steps": args.steps if args.steps is not None else int(tr.get("steps", 1000)),
        "batch": args.batch if args.batch is not None else int(tr.get("batch", 32)),
        "seed": args.seed if args.seed is not None else int(tr.get("seed", 1)),
        "clip_norm": tr.get("clipNorm"),
        "clip_value": tr.get("clipValue"),
        "dtype": args.dtype or tr.get("dtype") or str(DTYPE).replace("torch.", ""),
        "momentum": tr.get("momentum"),
        "dampening": float(tr.get("dampening", 0)),
        "nesterov": bool(tr.get("nesterov", False)),
        "betas": tuple(tr.get("betas", (0.9, 0.999))),
        "eps": float(tr.get("eps", 1e-8)),
        "alpha": float(tr.get("alpha", 0.99)),
        "centered": bool(tr.get("centered", False)),
        "weight_decay": float(tr.get("weightDecay", 0)),
        "schedule": schedule,
        "validate_every": args.validate_every if args.validate_every is not None else int(tr.get("validateEvery", 100)),
    }
    if cfg["steps"] < 0 or cfg["batch"] < 1:
        raise SystemExit("train.py: steps must be >= 0 and batch >= 1")
    return cfg


def make_optimizer(cfg, params):
    name = cfg["optimizer"]
    if name in ("sgd", "momentum"):
        momentum = cfg["momentum"] if cfg["momentum"] is not None else (0.9 if name == "momentum" else 0.0)
        return torch.optim.SGD(params, lr=cfg["lr"], momentum=momentum, dampening=cfg["dampening"],
                               nesterov=cfg["nesterov"], weight_decay=cfg["weight_decay"])
    if name == "adam":
        return torch.optim.Adam(params, lr=cfg["lr"], betas=cfg["betas"], eps=cfg["eps"], weight_decay=cfg["weight_decay"])
    return torch.optim.RMSprop(params, lr=cfg["lr"], alpha=cfg["alpha"], eps=cfg["eps"], weight_decay=cfg["weight_decay"],
                               momentum=cfg["momentum"] or 0.0, centered=cfg["centered"])


def make_schedule(cfg, optimizer):
    s = cfg["schedule"]
    if s.get("kind", "constant") == "constant":
        return None
    if s.get("kind") == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=int(s.get("every", 1000)), gamma=float(s.get("gamma", 0.5)))
    raise SystemExit(f"train.py: training.schedule {s!r} is not supported (constant or step)")


# ── data ────────────────────────────────────────────────────────────────────

def read_data(path):
    """A Cellwright data file as ({input: [T,B,n]}, {target: [T,B,n]}, {cell: [B,n]}) float64 tensors."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)

    def tensors(d):
        return {k: torch.tensor(v["data"], dtype=torch.float64).reshape(v["shape"]) for k, v in (d or {}).items()}

    return tensors(doc.get("inputs")), tensors(doc.get("targets")), tensors(doc.get("initialStates"))


def write_data(path, x, y):
    def js(d):
        return {k: {"shape": list(v.shape), "data": v.reshape(-1).tolist()} for k, v in d.items()}

    with open(path, "w", encoding="utf-8") as f:
        json.dump({"inputs": js(x), "targets": js(y)}, f)


def task_streams(x, y):
    """Names a task's single input and target stream after the graph's input and target nodes."""
    if len(INPUTS) != 1 or len(TARGETS) != 1:
        raise SystemExit("train.py: a task feeds one input and one target node; this graph has "
                         f"{len(INPUTS)} inputs and {len(TARGETS)} targets: pass --data DATA.json")
    (xi, xs), = INPUTS.items()
    (yi, ys), = TARGETS.items()
    if x.shape[2] != xs["size"] or y.shape[2] != ys["size"]:
        raise SystemExit(f"train.py: the task gives inputs of size {x.shape[2]} and targets of size {y.shape[2]}, "
                         f"but input {xi!r} has size {xs['size']} and target {yi!r} has size {ys['size']}")
    return {xi: x}, {yi: y}


def shard(d, lo, hi, axis):
    return {k: v.narrow(axis, lo, hi - lo) for k, v in d.items()}


# ── distributed ─────────────────────────────────────────────────────────────

def pick_device(requested, local_rank):
    """This process's device: --device, else its own GPU when there is one, else the CPU.

    "cuda" without an index means this rank's GPU, cuda:LOCAL_RANK (torchrun gives every
    process on a machine its LOCAL_RANK), so N processes use N GPUs; "cuda:K" is GPU K.
    """
    cuda = torch.cuda
    if requested:
        try:
            device = torch.device(requested)
        except RuntimeError as e:
            raise SystemExit(f"train.py: --device {requested!r} is not a device ({e}); use cpu, cuda or cuda:K")
        if device.type == "cuda":
            if not cuda.is_available():
                raise SystemExit(f"train.py: --device {requested}: CUDA is not available here (no GPU, or a "
                                 "PyTorch built without CUDA: torch.cuda.is_available() is False); use --device cpu")
            if device.index is None:
                device = torch.device("cuda", local_rank)
            if device.index >= cuda.device_count():
                raise SystemExit(f"train.py: --device {requested}: this process (LOCAL_RANK {local_rank}) would use GPU "
                                 f"{device.index}, but there {'is' if cuda.device_count() == 1 else 'are'} only "
                                 f"{cuda.device_count()}; start at most that many processes per machine")
    elif cuda.is_available():
        device = torch.device("cuda", local_rank % cuda.device_count())
    else:
        device = torch.device("cpu")
    if device.type == "cuda":
        cuda.set_device(device)
    return device


def setup_distributed(args):
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = pick_device(args.device, local)
    if world > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return world, rank, device


def split(B, world, rank):
    """This rank's sequences [lo, hi) of a global batch of B (as even as possible)."""
    base, extra = divmod(B, world)
    lo = rank * base + min(rank, extra)
    return lo, lo + base + (1 if rank < extra else 0)


def all_sum(value, device, world):
    if world == 1:
        return value
    t = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return t.item()


# ── training ────────────────────────────────────────────────────────────────

def main(argv=None):
    args = parse_args(argv)
    world, rank, device = setup_distributed(args)
    say = print if rank == 0 else (lambda *a, **k: None)
    with open(args.graph, encoding="utf-8") as f:
        graph = json.load(f)
    cfg = training_config(graph, args)
    dtype = torch.float64 if cfg["dtype"] == "float64" else torch.float32
    torch.manual_seed(cfg["seed"])

    model = Model.from_json(args.params, dtype=dtype).to(device=device)  # read in float64, rounded once to dtype
    trainable = [p for p in model.parameters() if p.requires_grad]
    if not trainable:
        raise SystemExit("train.py: the graph has no trainable parameter (every learned edge has \"trainable\": false, or it has none)")

    # The training batches: the data file (every step the same batch), or fresh task batches.
    task = dict(graph.get("task") or {})
    if args.task:
        task = {"name": args.task}
    if args.length:
        task["length"] = args.length
    if args.data:
        data_x, data_y, data_s = read_data(args.data)
        B = next(iter({**data_x, **data_y}.values())).shape[1]
        source = f"data file {args.data} ({B} sequences)"
    else:
        try:
            tasks.check(task)
        except ValueError as e:
            raise SystemExit(f"train.py: {e}")
        B = cfg["batch"]
        source = f"task {task['name']} (batch {B})"
    if B < world:
        raise SystemExit(f"train.py: a batch of {B} sequences cannot be split over {world} processes")
    lo, hi = split(B, world, rank)

    def batch(step):
        if args.data:
            x, y, s = data_x, data_y, data_s
        else:
            gen = torch.Generator().manual_seed(cfg["seed"] * 1000003 + step)
            x, y = task_streams(*tasks.generate(task, B, gen))
            s = {}
        x, y, s = shard(x, lo, hi, 1), shard(y, lo, hi, 1), shard(s, lo, hi, 0)
        cast = lambda d: {k: v.to(device=device, dtype=dtype) for k, v in d.items()}  # noqa: E731
        x, y, s = cast(x), cast(y), cast(s)
        state = None
        if s:
            state = model.initial_state(hi - lo, like=next(iter(s.values())))
            state.update(s)
        return x, y, state

    def shard_loss(net, x, y, state):
        out = net(x, y, state=state, batch_size=B, keep_values=False)
        if out.loss is None:
            raise SystemExit("train.py: no loss could be computed: the data has no stream for the loss's target")
        return out.loss

    # DDP must know whether some parameter gets no gradient (e.g. a learned initial
    # state that the data file overrides): find out once, on the first batch.
    unused = False
    if world > 1:
        x, y, state = batch(0)
        shard_loss(model, x, y, state).backward()
        unused = any(p.grad is None for p in trainable)
        model.zero_grad(set_to_none=True)
        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None,
                                      find_unused_parameters=unused)
    else:
        net = model

    optimizer = make_optimizer(cfg, trainable)
    schedule = make_schedule(cfg, optimizer)
    start = 0
    if args.resume:
        ck = torch.load(args.resume, map_location=device)
        model.load_state_dict(ck["model"])
        optimizer.load_state_dict(ck["optimizer"])
        if schedule is not None and ck.get("schedule"):
            schedule.load_state_dict(ck["schedule"])
        start = int(ck["step"])
        say(f"resumed from {args.resume} at step {start}")

    def save_checkpoint(step):
        if rank != 0:
            return
        os.makedirs(args.checkpoint_dir, exist_ok=True)
        ck = {"step": step, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
              "schedule": schedule.state_dict() if schedule is not None else None, "config": cfg}
        path = os.path.join(args.checkpoint_dir, f"step_{step:06d}.pt")
        torch.save(ck, path)
        torch.save(ck, os.path.join(args.checkpoint_dir, "latest.pt"))

    # The evaluation data (rank 0): --eval-data, else --data, else the task's validation set,
    # written next to --out so that "cellwright grad" can be run on exactly the same sequences.
    eval_path = args.eval_data or args.data
    if rank == 0:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        if eval_path:
            ex, ey, es = read_data(eval_path)
        else:
            ex, ey = task_streams(*tasks.validation(task))
            es = {}
            eval_path = os.path.splitext(os.path.abspath(args.out))[0] + ".val.data.json"
            write_data(eval_path, ex, ey)

    def evaluate(dtype_, device_):
        """The loss of the current parameters on the evaluation data (no gradient)."""
        m = copy.deepcopy(model).to(device=device_, dtype=dtype_)
        cast = lambda d: {k: v.to(device=device_, dtype=dtype_) for k, v in d.items()}  # noqa: E731
        with torch.no_grad():
            eb = next(iter({**ex, **ey}.values())).shape[1]
            state = None
            if es:
                state = m.initial_state(eb, like=next(iter(cast(es).values())))
                state.update(cast(es))
            return m(cast(ex), cast(ey), state=state, keep_values=False).loss.item()

    say(f"training {graph.get('name', 'graph')} on {source}: {cfg['optimizer']} lr {cfg['lr']}, "
        f"{cfg['steps']} steps, {cfg['dtype']}, {world} process{'es' if world > 1 else ''} on {device.type}")
    losses = []
    t0 = time.time()
    for step in range(start, cfg["steps"]):
        x, y, state = batch(step)
        optimizer.zero_grad(set_to_none=True)
        loss = shard_loss(net, x, y, state)
        # DDP averages gradients over the W processes; each shard's loss is already a
        # share of the whole batch's loss, so scale by W to get the whole batch's gradient.
        (loss * world).backward()
        if cfg["clip_norm"] is not None:
            torch.nn.utils.clip_grad_norm_(trainable, float(cfg["clip_norm"]))
        if cfg["clip_value"] is not None:
            torch.nn.utils.clip_grad_value_(trainable, float(cfg["clip_value"]))
        optimizer.step()
        if schedule is not None:
            schedule.step()
        total = all_sum(loss.item(), device, world)
        losses.append(total)
        done = step + 1
        if args.log_every and (done % args.log_every == 0 or done == cfg["steps"]):
            rate = (done - start) / max(time.time() - t0, 1e-9)
            say(f"step {done}/{cfg['steps']}  loss {total:.6f}  ({rate:.1f} steps/s)", flush=True)
        if rank == 0 and cfg["validate_every"] and done % cfg["validate_every"] == 0 and done != cfg["steps"]:
            say(f"step {done}/{cfg['steps']}  validation loss {evaluate(dtype, device):.6f}", flush=True)
        if args.checkpoint_every and done % args.checkpoint_every == 0:
            save_checkpoint(done)
    save_checkpoint(cfg["steps"])

    # Final loss in float64 of the trained parameters, on the evaluation data.
    final = None
    if rank == 0:
        final = evaluate(torch.float64, torch.device("cpu"))
        trained = dict(graph)
        trained["parameters"] = model.export_parameters()
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(trained, f, indent=2, ensure_ascii=False)
            f.write("\n")
        say(f"wrote {args.out}")
        say(f"final loss {final!r} (float64, trained parameters on {eval_path})")
        if args.summary:
            with open(args.summary, "w", encoding="utf-8") as f:
                json.dump({"losses": losses, "final_loss": final, "eval_data": eval_path, "out": os.path.abspath(args.out),
                           "world_size": world, "steps": cfg["steps"], "config": {k: v for k, v in cfg.items() if k != "betas"}}, f)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return final


if __name__ == "__main__":
    main()
`;
