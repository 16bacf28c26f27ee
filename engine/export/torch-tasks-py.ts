/**
 * tasks.py of the PyTorch export: Python ports of the seeded task generators
 * of engine/tasks (parity, adding, sine), with the same definitions and
 * defaults but torch's random numbers (not bit-identical with the engine's).
 */
import { defaultNumber } from '../train/settings.ts';

const pyDefault = (key: string, task?: string): number => defaultNumber('task', key, task);

export const TASKS_PY = String.raw`"""Task generators for train.py: Python ports of Cellwright's parity, adding and sine tasks.

Same definitions and defaults as the app (engine/tasks), drawn with torch's random
numbers, so the sequences are not the app's bit for bit. Every generator returns
(x [T, B, input size], y [T, B, target size]) in float64, time-major.
"""
import math

import torch

# The validation set's seed when the task block gives none (the app's default).
DEFAULT_VALIDATION_SEED = ${pyDefault('seed')}
SINE_FREQS = [0.3, 0.11, 0.53, 0.07, 0.71, 0.19]


def _int(block, key, default, lo):
    v = block.get(key, default)
    if not isinstance(v, int) or isinstance(v, bool) or v < lo:
        raise ValueError(f"task.{key} must be an integer >= {lo}, got {v!r}")
    return v


def parity(block, B, gen):
    """Running parity of random bits: the target at step t is 1 while the count of 1s so far is odd."""
    T = _int(block, "length", ${pyDefault('length', 'parity')}, 2)
    bits = torch.randint(0, 2, (T, B, 1), generator=gen, dtype=torch.int64)
    y = torch.remainder(torch.cumsum(bits, dim=0), 2)
    return bits.double(), y.double()


def adding(block, B, gen):
    """The adding problem: values in [0, 1) and a marker on two steps (one per half);
    the target is the sum of the two marked values (every step holds it; the loss reads the last)."""
    T = _int(block, "length", ${pyDefault('length', 'adding')}, 2)
    half = T // 2
    values = torch.rand(T, B, generator=gen, dtype=torch.float64)
    first = torch.randint(0, half, (B,), generator=gen)
    second = half + torch.randint(0, T - half, (B,), generator=gen)
    marker = torch.zeros(T, B, dtype=torch.float64)
    cols = torch.arange(B)
    marker[first, cols] = 1.0
    marker[second, cols] = 1.0
    total = (values * marker).sum(dim=0)
    x = torch.stack([values, marker], dim=2)
    y = total.reshape(1, B, 1).expand(T, B, 1).clone()
    return x, y


def sine(block, B, gen):
    """Next-value prediction of a noisy sine mixture: x_t = Σ_k a_k sin(ω_k t + φ_k) + noise,
    target the clean signal at t + 1; random phases and amplitudes in [0.5, 1] per sequence."""
    T = _int(block, "length", ${pyDefault('length', 'sine')}, 2)
    C = _int(block, "components", ${pyDefault('components', 'sine')}, 1)
    if C > len(SINE_FREQS):
        raise ValueError(f"task.components must be at most {len(SINE_FREQS)}, got {C}")
    noise = float(block.get("noise", ${pyDefault('noise', 'sine')}))
    amp = 0.5 + 0.5 * torch.rand(B, C, generator=gen, dtype=torch.float64)
    phase = 2 * math.pi * torch.rand(B, C, generator=gen, dtype=torch.float64)
    t = torch.arange(T + 1, dtype=torch.float64).reshape(T + 1, 1, 1)
    omega = torch.tensor(SINE_FREQS[:C], dtype=torch.float64)
    s = (amp * torch.sin(omega * t + phase)).sum(dim=2)  # [T + 1, B]
    x = s[:T] + (noise * torch.randn(T, B, generator=gen, dtype=torch.float64) if noise > 0 else 0)
    return x.unsqueeze(2), s[1:].unsqueeze(2).clone()


GENERATORS = {"parity": parity, "adding": adding, "sine": sine}
VALIDATION_SIZE = {"parity": ${pyDefault('validation', 'parity')}, "adding": ${pyDefault('validation', 'adding')}, "sine": ${pyDefault('validation', 'sine')}}
NOT_PORTED = {"copy", "text", "csv"}


def check(block):
    """The task's name, or a ValueError that says what to do instead."""
    name = (block or {}).get("name")
    if name in GENERATORS:
        return name
    if name in NOT_PORTED:
        raise ValueError(f"the task {name!r} has no Python port yet; write its data with Cellwright and pass --data DATA.json")
    raise ValueError(f"unknown task {name!r}; known here: {', '.join(GENERATORS)} (or pass --data DATA.json)")


def generate(block, B, gen):
    """B training sequences of the task block, drawn from the torch.Generator gen."""
    return GENERATORS[check(block)](block, B, gen)


def validation(block):
    """The fixed validation set: task.validation sequences drawn with task.seed (default ${pyDefault('seed')})."""
    name = check(block)
    V = _int(block, "validation", VALIDATION_SIZE[name], 1)
    seed = block.get("seed", DEFAULT_VALIDATION_SEED)
    gen = torch.Generator().manual_seed(int(seed))
    return GENERATORS[name](block, V, gen)
`;
