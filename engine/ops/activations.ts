/**
 * The activation registry: every activation defined once — its scalar forward
 * and derivative side by side, its editor symbol and docs line, its PyTorch
 * emission, and the points where its derivative has a kink (the tests compare
 * those with PyTorch's autograd). Everything else (runtime, fast kernels,
 * validator, palette, inspector, PyTorch export, docs) reads this table.
 *
 * Adding an activation = one entry below (plus its row in the activation
 * tests, which are generated from this table).
 */
import type { Arr } from '../tensor.ts';

export interface ActivationDef {
  name: string;
  /** What the editor draws on the gate. */
  symbol: string;
  /** One line for the palette, the inspector and docs/primitives.md. */
  doc: string;
  /** Scalar forward. */
  f(z: number): number;
  /**
   * f′ given z and y = f(z) (PyTorch's autograd value at kinks). Unless
   * `usesInput`, the runtimes keep only y and call df(NaN, y): write it in y.
   */
  df(z: number, y: number): number;
  /**
   * True when f′ cannot be written in y alone: the runtimes then keep the
   * pre-activation z of the gate (one more [T, B, size] buffer).
   */
  usesInput?: boolean;
  /** The PyTorch expression of act(x). */
  torch(x: string): string;
  /** Python helpers the expression needs (name → source), emitted once per model. */
  torchHelpers?: Record<string, string>;
  /** Inputs where f′ has a kink or a convention (tests compare them with torch autograd). */
  kinks?: number[];
}

/** An activation over arrays, built from its definition. */
export interface ActivationOp {
  readonly def: ActivationDef;
  /** y[yo+i] = f(z[zo+i]) for i < n. z and y may be the same buffer and offset. */
  forward(z: Arr, zo: number, y: Arr, yo: number, n: number): void;
  /**
   * dz[i] = dy[i] · f′. `z` is the pre-activation (needed only when def.usesInput;
   * otherwise it may be null). dz may alias dy.
   */
  backward(z: Arr | null, zo: number, y: Arr, yo: number, dy: Arr, dyo: number, dz: Arr, dzo: number, n: number): void;
  /** f′ from the output y alone, when the activation allows it (diagnostics: saturation). */
  derivative: ((y: number) => number) | null;
  /** Scalar forward, for diagnostics (fixed points) and tests. */
  f(z: number): number;
}

function sig(z: number): number {
  // Stable for large |z|.
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function softplusF(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** erf(x) for |x| ≤ 2: 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), all terms positive (no cancellation). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
}

/** erfc(x) = 1 − erf(x), accurate in relative terms also where it is tiny (continued fraction for x > 2). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x <= 2) return 1 - erfSeries(x);
  if (x > 27) return 0;
  // Lentz's method on erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))).
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

/** Φ(z), the standard normal CDF. */
function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** The built-in activations. Names are part of the file format. */
export const BUILTIN_ACTIVATIONS = {
  identity: { name: 'identity', symbol: 'id', doc: 'y = z (a linear unit).', f: (z) => z, df: () => 1, torch: (x) => x },
  sigmoid: {
    name: 'sigmoid', symbol: 'σ', doc: 'y = 1 / (1 + e^(−z)), between 0 and 1 (gates).',
    f: sig, df: (_z, y) => y * (1 - y), torch: (x) => `torch.sigmoid(${x})`,
  },
  tanh: { name: 'tanh', symbol: 'tanh', doc: 'y = tanh(z), between −1 and 1.', f: Math.tanh, df: (_z, y) => 1 - y * y, torch: (x) => `torch.tanh(${x})` },
  relu: {
    name: 'relu', symbol: 'ReLU', doc: 'y = max(z, 0); derivative 0 at z = 0 (as PyTorch).',
    f: (z) => (z > 0 ? z : 0), df: (_z, y) => (y > 0 ? 1 : 0), torch: (x) => `torch.relu(${x})`, kinks: [0],
  },
  step: {
    name: 'step', symbol: 'step', doc: 'y = 1 where z > 0, else 0; its derivative is taken as 0.',
    f: (z) => (z > 0 ? 1 : 0), df: () => 0, torch: (x) => `_step(${x})`, kinks: [0],
    torchHelpers: {
      _step: `class _Step(torch.autograd.Function):
    """Cellwright's \`step\` activation: 1 where z > 0, else 0. Its derivative is taken as 0."""

    @staticmethod
    def forward(ctx, z):
        return (z > 0).to(z.dtype)

    @staticmethod
    def backward(ctx, grad):
        return torch.zeros_like(grad)


def _step(z):
    return _Step.apply(z)
`,
    },
  },
  softplus: {
    name: 'softplus', symbol: 'softplus', doc: 'y = log(1 + e^z), a smooth ReLU; derivative σ(z).',
    f: softplusF, df: (_z, y) => -Math.expm1(-y), torch: (x) => `_softplus(${x})`,
    torchHelpers: {
      _softplus: `class _Softplus(torch.autograd.Function):
    """log(1 + e^z), computed stably; its derivative σ(z) is taken as 1 − e^(−y), as the engine does."""

    @staticmethod
    def forward(ctx, z):
        y = torch.clamp(z, min=0) + torch.log1p(torch.exp(-z.abs()))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * -torch.expm1(-y)


def _softplus(z):
    return _Softplus.apply(z)
`,
    },
  },
  leaky_relu: {
    name: 'leaky_relu', symbol: 'LReLU', doc: 'y = z for z > 0, else 0.01·z; derivative 0.01 at z = 0 (as PyTorch).',
    f: (z) => (z > 0 ? z : 0.01 * z), df: (_z, y) => (y > 0 ? 1 : 0.01), torch: (x) => `F.leaky_relu(${x}, 0.01)`, kinks: [0],
  },
  elu: {
    name: 'elu', symbol: 'ELU', doc: 'y = z for z > 0, else e^z − 1 (α = 1); derivative 1 at z = 0.',
    f: (z) => (z > 0 ? z : Math.expm1(z)), df: (_z, y) => (y > 0 ? 1 : y + 1), torch: (x) => `F.elu(${x})`, kinks: [0],
  },
  gelu: {
    name: 'gelu', symbol: 'GELU', doc: 'y = z·Φ(z), Φ the normal CDF (exact, with erf).',
    f: (z) => z * normalCdf(z), df: (z) => normalCdf(z) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z),
    usesInput: true, torch: (x) => `F.gelu(${x})`,
  },
  silu: {
    name: 'silu', symbol: 'SiLU', doc: 'y = z·σ(z) (swish).',
    f: (z) => z * sig(z), df: (z) => { const s = sig(z); return s * (1 + z * (1 - s)); },
    usesInput: true, torch: (x) => `F.silu(${x})`,
  },
  hard_sigmoid: {
    name: 'hard_sigmoid', symbol: 'hσ', doc: 'y = clamp(z/6 + 1/2, 0, 1) (PyTorch\'s Hardsigmoid); derivative 0 at z = ±3.',
    f: (z) => (z <= -3 ? 0 : z >= 3 ? 1 : z / 6 + 0.5), df: (_z, y) => (y > 0 && y < 1 ? 1 / 6 : 0),
    // Not F.hardsigmoid: torch 1.13's Hardsigmoid backward rounds 1/6 to float32 (0.16666667163…);
    // relu6(x + 3)/6 is the same function with the same zero derivative at ±3, exact in float64.
    torch: (x) => `F.relu6(${x} + 3) / 6`, kinks: [-3, 3],
  },
  hard_tanh: {
    name: 'hard_tanh', symbol: 'htanh', doc: 'y = clamp(z, −1, 1); derivative 0 at z = ±1 (as PyTorch).',
    f: (z) => (z < -1 ? -1 : z > 1 ? 1 : z), df: (_z, y) => (y > -1 && y < 1 ? 1 : 0), torch: (x) => `F.hardtanh(${x})`, kinks: [-1, 1],
  },
  sin: { name: 'sin', symbol: 'sin', doc: 'y = sin(z).', f: Math.sin, df: (z) => Math.cos(z), usesInput: true, torch: (x) => `torch.sin(${x})` },
  exp: { name: 'exp', symbol: 'exp', doc: 'y = e^z (unbounded: keep the pre-activation small).', f: Math.exp, df: (_z, y) => y, torch: (x) => `torch.exp(${x})` },
} satisfies Record<string, ActivationDef>;

export type BuiltinActivation = keyof typeof BUILTIN_ACTIVATIONS;

/** Wraps a definition as array kernels (tight loops for the common activations). */
export function activationOp(def: ActivationDef): ActivationOp {
  const { f, df } = def;
  const fromOutput = !def.usesInput;
  const op: ActivationOp = {
    def,
    f,
    derivative: fromOutput ? (y: number) => df(NaN, y) : null,
    forward(z, zo, y, yo, n) { for (let i = 0; i < n; i++) y[yo + i] = f(z[zo + i]); },
    backward(z, zo, y, yo, dy, dyo, dz, dzo, n) {
      if (fromOutput || !z) for (let i = 0; i < n; i++) dz[dzo + i] = dy[dyo + i] * df(NaN, y[yo + i]);
      else for (let i = 0; i < n; i++) dz[dzo + i] = dy[dyo + i] * df(z[zo + i], y[yo + i]);
    },
  };
  // Specialized loops for the activations of the classic cells (no call per element).
  switch (def.name) {
    case 'identity':
      op.forward = (z, zo, y, yo, n) => { if (z !== y || zo !== yo) for (let i = 0; i < n; i++) y[yo + i] = z[zo + i]; };
      op.backward = (_z, _zo, _y, _yo, dy, dyo, dz, dzo, n) => { for (let i = 0; i < n; i++) dz[dzo + i] = dy[dyo + i]; };
      break;
    case 'sigmoid':
      op.backward = (_z, _zo, y, yo, dy, dyo, dz, dzo, n) => { for (let i = 0; i < n; i++) { const s = y[yo + i]; dz[dzo + i] = dy[dyo + i] * s * (1 - s); } };
      break;
    case 'tanh':
      op.forward = (z, zo, y, yo, n) => { for (let i = 0; i < n; i++) y[yo + i] = Math.tanh(z[zo + i]); };
      op.backward = (_z, _zo, y, yo, dy, dyo, dz, dzo, n) => { for (let i = 0; i < n; i++) { const t = y[yo + i]; dz[dzo + i] = dy[dyo + i] * (1 - t * t); } };
      break;
    default:
      break;
  }
  return op;
}

const registry = new Map<string, ActivationOp>(Object.values(BUILTIN_ACTIVATIONS).map((d: ActivationDef) => [d.name, activationOp(d)]));

/** The activation named `name`, or undefined. Proto-safe (a Map, not an object). */
export function getActivation(name: string): ActivationOp | undefined {
  return registry.get(name);
}

/** Every registered activation, in registration order. */
export function activationNames(): string[] {
  return [...registry.keys()];
}

/**
 * Adds an activation to the registry (plugins and tests); returns a function
 * that removes it again.
 *
 * @example
 * const undo = registerActivation({ name: 'cube', symbol: 'x³', doc: 'y = z³', f: (z) => z ** 3, df: (z) => 3 * z * z, usesInput: true, torch: (x) => `${x} ** 3` });
 */
export function registerActivation(def: ActivationDef): () => void {
  if (registry.has(def.name)) throw new Error(`activation "${def.name}" is registered already`);
  registry.set(def.name, activationOp(def));
  return () => { registry.delete(def.name); };
}

/** The activation named `name`; throws naming it when unknown (validation rules this out for graphs). */
export function activation(name: string): ActivationOp {
  const a = registry.get(name);
  if (!a) throw new Error(`unknown activation "${name}"`);
  return a;
}
