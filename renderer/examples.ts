/**
 * The bundled examples (assets/examples/*.json): the default document and the
 * palette's templates. Read as raw text so the graph goes through the same
 * parser as a file the user opens.
 */
import type { Graph } from '../engine/format/types.ts';
import { loadGraphText } from './doc/engine.ts';

const files = import.meta.glob('../assets/examples/*.json', { eager: true, query: '?raw', import: 'default' }) as Record<string, string>;

export interface Example {
  /** File name without .json, e.g. "lstm". */
  key: string;
  /** Palette name, also the accessible name of its palette item. */
  title: string;
  blurb: string;
  text: string;
}

/** Palette order and names; files not listed here still appear after these. */
const CATALOGUE: Array<{ key: string; title: string; blurb: string }> = [
  { key: 'elman', title: 'Elman RNN', blurb: 'h_t = tanh(W·x_t + U·h_{t−1} + b): the plain recurrent cell.' },
  { key: 'irnn', title: 'IRNN', blurb: 'ReLU RNN with the recurrent weight initialized to the identity.' },
  { key: 'lstm', title: 'LSTM', blurb: 'Forget, input and output gates around an additive memory cell.' },
  { key: 'peephole-lstm', title: 'Peephole LSTM', blurb: 'LSTM whose gates also see the cell through diagonal weights.' },
  { key: 'lstmp', title: 'LSTMP', blurb: 'LSTM with a recurrent projection layer (Sak et al. 2014).' },
  { key: 'gru', title: 'GRU', blurb: 'Update and reset gates, one state, no separate cell.' },
  { key: 'layernorm-lstm', title: 'LayerNorm LSTM', blurb: 'LSTM with layer norm on each gate and on the cell (Ba et al. 2016).' },
  { key: 'slstm', title: 'sLSTM', blurb: 'Exponential input gate and a normalizer state (xLSTM, Beck et al. 2024).' },
  { key: 'tied-transition-rnn', title: 'Deep-transition RNN (tied)', blurb: 'Two tanh layers per step sharing one recurrent matrix U (a tied edge).' },
  { key: 'lstm-2-layer', title: '2-layer LSTM', blurb: 'Two stacked LSTM layers: the second reads the whole output sequence of the first.' },
  { key: 'gru-bidirectional', title: 'Bidirectional GRU', blurb: 'A GRU layer run forward and backward in time; the readout sees both.' },
  { key: 'worked-1-linear', title: 'Worked example 1: linear RNN', blurb: 'Scalar h_t = x_t + h_{t−1}, y_t = h_t.' },
  { key: 'worked-2-two-input', title: 'Worked example 2: two inputs', blurb: 'Weights 1 and −1, y_t = σ(5·h_t).' },
  { key: 'quadratic-map', title: 'Iterated map h² + 0.15', blurb: 'One unit iterating f(h) = h² + 0.15: a sink and a source.' },
  { key: 'worked-3-parity', title: 'Worked example 3: parity', blurb: 'Step units computing OR and AND solve running parity exactly.' },
];

function keyOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replace(/\.json$/, '');
}

function collect(): Example[] {
  const byKey = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) {
    const key = keyOf(path);
    if (key.endsWith('.data')) continue;
    byKey.set(key, text);
  }
  const examples: Example[] = [];
  for (const entry of CATALOGUE) {
    const text = byKey.get(entry.key);
    if (text !== undefined) {
      examples.push({ ...entry, text });
      byKey.delete(entry.key);
    }
  }
  for (const [key, text] of byKey) {
    const parsed = loadGraphText(text);
    const title = parsed.ok && parsed.graph.name ? parsed.graph.name : key;
    examples.push({ key, title, blurb: parsed.ok ? (parsed.graph.description ?? '') : '', text });
  }
  return examples;
}

export const EXAMPLES: readonly Example[] = collect();

export const DEFAULT_EXAMPLE_KEY = 'lstm';

export function exampleGraph(key: string): Graph | null {
  const example = EXAMPLES.find((entry) => entry.key === key);
  if (!example) return null;
  const result = loadGraphText(example.text);
  return result.ok ? result.graph : null;
}
