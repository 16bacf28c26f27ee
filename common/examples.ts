/**
 * The bundled examples (assets/examples/KEY.json) in palette order with their
 * names: the renderer's Open example menu and palette and the desktop's
 * File → Open Example menu read this one list.
 */
export const EXAMPLE_CATALOGUE: ReadonlyArray<{ key: string; title: string; blurb: string }> = [
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
