/**
 * Cell variants as templates, so an ablation is one sweep SPEC:
 *
 * - the eight LSTM variants of Greff et al. 2015, "LSTM: A Search Space
 *   Odyssey", each one change to their vanilla LSTM (peepholes, all gates,
 *   tanh input and output activations): NIG, NFG, NOG, NIAF, NOAF, NP, CIFG, FGR;
 * - the GRU family: MGU (Zhou et al. 2016, minimal gated unit) and MUT1–3
 *   (Jozefowicz, Zaremba & Sutskever 2015, appendix).
 *
 * Node ids follow the LSTM template (f, i, g, o gates; fc, ig, c_new, tc, m)
 * so a variant's graph diffs cleanly against the vanilla one.
 *
 * @example
 * const g = lstmVariant('CIFG', { x: 2, h: 8, y: 1, steps: 'last' });
 */
import type { Activation, Graph } from '../format/types.ts';
import type { Sizes } from '../templates.ts';
import { Builder, readout, withForgetBias } from '../templates.ts';

export type LstmVariant = 'vanilla' | 'NIG' | 'NFG' | 'NOG' | 'NIAF' | 'NOAF' | 'NP' | 'CIFG' | 'FGR';
export const LSTM_VARIANTS: readonly Exclude<LstmVariant, 'vanilla'>[] = ['NIG', 'NFG', 'NOG', 'NIAF', 'NOAF', 'NP', 'CIFG', 'FGR'];

export type GruVariant = 'MGU' | 'MUT1' | 'MUT2' | 'MUT3';
export const GRU_VARIANTS: readonly GruVariant[] = ['MGU', 'MUT1', 'MUT2', 'MUT3'];

/** What each variant changes, in one line (shown by the sweep and the presets). */
export const VARIANT_NOTES: Record<LstmVariant | GruVariant, string> = {
  vanilla: 'Greff et al.\'s vanilla LSTM: peepholes, input/forget/output gates, tanh input and output activations',
  NIG: 'no input gate (i = 1)',
  NFG: 'no forget gate (f = 1)',
  NOG: 'no output gate (o = 1)',
  NIAF: 'no input activation function (candidate g is linear)',
  NOAF: 'no output activation function (h = o ⊙ C)',
  NP: 'no peepholes (the plain LSTM)',
  CIFG: 'coupled input and forget gate (i = 1 − f)',
  FGR: 'full gate recurrence (each gate also reads i, f, o of the previous step)',
  MGU: 'minimal gated unit: one forget gate f; h̃ = tanh(W x + U (f ⊙ h)); h = (1 − f) ⊙ h + f ⊙ h̃',
  MUT1: 'z = σ(W x), r = σ(W x + U h), h′ = tanh(U (r ⊙ h) + tanh(W x)) ⊙ z + h ⊙ (1 − z)',
  MUT2: 'z = σ(W x + U h), r = σ(x + U h), h′ = tanh(U (r ⊙ h) + W x) ⊙ z + h ⊙ (1 − z)',
  MUT3: 'z = σ(W x + U tanh(h)), r = σ(W x + U h), h′ = tanh(U (r ⊙ h) + W x) ⊙ z + h ⊙ (1 − z)',
};

const PEEP = { weight: 'diagonal', init: 'uniform', initScale: 0.1 } as const;

/**
 * Greff et al.'s vanilla LSTM with one change. Gates read x_t and h_{t−1}
 * (FGR: also the previous step's i, f, o, carried by cells i_prev, f_prev,
 * o_prev); peepholes (not in NP) feed C_{t−1} into f and i and C_t into o.
 */
export function lstmVariant(v: LstmVariant, s: Sizes): Graph {
  const b = new Builder()
    .input('x', s.x, 0, 0.6, 'x_t')
    .cell('h', s.h, 0, 2.2, 'h_{t−1}')
    .cell('c', s.h, 0, 3.6, 'C_{t−1}');
  const peep = v !== 'NP';
  const has = { f: v !== 'NFG', i: v !== 'NIG' && v !== 'CIFG', o: v !== 'NOG' };
  const gate = (id: string, act: Activation, row: number, label: string): void => {
    b.gate(id, s.h, act, 1.15, row, { label });
    b.edge('x', id);
    b.edge('h', id, { init: 'orthogonal' });
  };
  if (has.f) gate('f', 'sigmoid', 0, 'forget f_t');
  if (has.i) gate('i', 'sigmoid', 1, 'input i_t');
  if (v === 'CIFG') b.op('i', 'one_minus', 1.7, 1, 'i_t = 1 − f_t').edge('f', 'i');
  gate('g', v === 'NIAF' ? 'identity' : 'tanh', 2, v === 'NIAF' ? 'candidate (linear)' : 'candidate C̃_t');
  if (has.o) gate('o', 'sigmoid', 3, 'output o_t');
  // C_t = f ⊙ C_{t−1} + i ⊙ C̃ (without f: C_{t−1}; without i: C̃).
  b.op('c_new', 'add', 2.95, 0.85, 'C_t');
  if (has.f) b.op('fc', 'mul', 2.3, 0.35, 'f ⊙ C_{t−1}').edge('f', 'fc').edge('c', 'fc').edge('fc', 'c_new');
  else b.edge('c', 'c_new');
  if (v !== 'NIG') b.op('ig', 'mul', 2.3, 1.4, 'i ⊙ C̃').edge('i', 'ig').edge('g', 'ig').edge('ig', 'c_new');
  else b.edge('g', 'c_new');
  b.edge('c_new', 'c');
  // h_t = o ⊙ tanh(C_t) (NOAF: o ⊙ C_t; NOG: tanh(C_t)).
  let out: string;
  if (v === 'NOAF') {
    b.op('m', 'mul', 4.55, 3.05, 'h_t = o ⊙ C_t').edge('o', 'm').edge('c_new', 'm');
    out = 'm';
  } else {
    b.gate('tc', s.h, 'tanh', 3.4, 1.9, { bias: false, label: 'tanh C_t' }).edge('c_new', 'tc', { weight: 'identity' });
    if (has.o) {
      b.op('m', 'mul', 4.55, 3.05, 'h_t').edge('o', 'm').edge('tc', 'm');
      out = 'm';
    } else {
      out = 'tc';
    }
  }
  b.edge(out, 'h', { id: 'm_h' });
  if (peep) {
    if (has.f) b.edge('c', 'f', { ...PEEP });
    if (has.i) b.edge('c', 'i', { ...PEEP });
    if (has.o) b.edge('c_new', 'o', { ...PEEP });
  }
  if (v === 'FGR') {
    const gates = ['i', 'f', 'o'];
    gates.forEach((gid, k) => {
      b.cell(`${gid}_prev`, s.h, 0, 4.8 + k * 0.9, `${gid}_{t−1}`).edge(gid, `${gid}_prev`);
    });
    for (const to of gates) for (const from of gates) b.edge(`${from}_prev`, to, { init: 'orthogonal', initScale: 0.5 });
  }
  readout(b, out, s, 4.85, 3.9);
  const name = v === 'vanilla' ? 'Vanilla LSTM (Greff et al.)' : `LSTM variant ${v}`;
  const g = b.build(name, `${VARIANT_NOTES[v]}. Greff, Srivastava, Koutník, Steunebrink & Schmidhuber 2015, "LSTM: A Search Space Odyssey".`);
  return has.f ? withForgetBias(g, s) : g;
}

/**
 * The GRU family. Where the paper adds x_t itself to an H-sized sum (MUT1's
 * tanh(x), MUT2's reset gate), the sizes only fit when X = H: the template
 * uses an identity edge then, and a trained weight otherwise (as later
 * implementations do).
 */
export function gruVariant(v: GruVariant, s: Sizes): Graph {
  const b = new Builder()
    .input('x', s.x, 0, 0.6, 'x_t')
    .cell('h', s.h, 0, 2.4, 'h_{t−1}');
  const raw = s.x === s.h ? { weight: 'identity' as const } : {};
  let gateId: string;
  if (v === 'MGU') {
    gateId = 'f';
    b.gate('f', s.h, 'sigmoid', 1.15, 0, { label: 'forget f_t' }).edge('x', 'f').edge('h', 'f', { init: 'orthogonal' })
      .op('rh', 'mul', 2.0, 1.6, 'f ⊙ h_{t−1}').edge('f', 'rh').edge('h', 'rh')
      .gate('n', s.h, 'tanh', 2.85, 0.85, { label: 'h̃_t' }).edge('x', 'n').edge('rh', 'n', { init: 'orthogonal' });
  } else {
    gateId = 'z';
    b.gate('z', s.h, 'sigmoid', 1.15, 0, { label: 'update z_t' }).edge('x', 'z');
    if (v === 'MUT2') b.edge('h', 'z', { init: 'orthogonal' });
    if (v === 'MUT3') {
      b.gate('th', s.h, 'tanh', 0.6, 0.3, { bias: false, label: 'tanh h_{t−1}' }).edge('h', 'th', { weight: 'identity' })
        .edge('th', 'z', { init: 'orthogonal' });
    }
    b.gate('r', s.h, 'sigmoid', 1.15, 1, { label: 'reset r_t' }).edge('x', 'r', v === 'MUT2' ? raw : {}).edge('h', 'r', { init: 'orthogonal' })
      .op('rh', 'mul', 2.0, 1.6, 'r ⊙ h_{t−1}').edge('r', 'rh').edge('h', 'rh')
      .gate('n', s.h, 'tanh', 2.85, 0.85, { label: 'candidate' }).edge('rh', 'n', { init: 'orthogonal' });
    if (v === 'MUT1') {
      b.gate('tx', s.h, 'tanh', 1.15, 2.1, { bias: false, label: 'tanh(x_t)' }).edge('x', 'tx', raw).edge('tx', 'n', { weight: 'identity' });
    } else {
      b.edge('x', 'n');
    }
  }
  // h_t = (1 − gate) ⊙ h_{t−1} + gate ⊙ candidate.
  b.op('keep', 'one_minus', 2.3, 0.0, `1 − ${gateId}`).edge(gateId, 'keep')
    .op('kh', 'mul', 4.0, 2.4, `(1 − ${gateId}) ⊙ h_{t−1}`).edge('keep', 'kh').edge('h', 'kh')
    .op('gn', 'mul', 4.0, 0.45, `${gateId} ⊙ candidate`).edge(gateId, 'gn').edge('n', 'gn')
    .op('h_new', 'add', 4.6, 1.45, 'h_t').edge('kh', 'h_new').edge('gn', 'h_new')
    .edge('h_new', 'h');
  readout(b, 'h_new', s, 4.9, 2.9);
  const who = v === 'MGU' ? 'Zhou, Wu, Zhang & Zhou 2016, "Minimal gated unit"' : 'Jozefowicz, Zaremba & Sutskever 2015, "An empirical exploration of recurrent network architectures"';
  return b.build(v === 'MGU' ? 'MGU (minimal gated unit)' : `GRU mutation ${v}`, `${VARIANT_NOTES[v]}. ${who}.`);
}
