#!/usr/bin/python3
"""Builds the model fixtures in test/fixtures/models/ with known outputs.

Run with Debian's python (torch 1.13, onnx 1.12):
    /usr/bin/python3 test/torch/make_onnx_fixtures.py

Each fixture is NAME.onnx (or .pt / .safetensors) plus NAME.json:
  {"source": ..., "inputs": {name: {shape, data}}, "outputs": {name: {shape, data}}, "dtype": "float32"|"float64"}
Outputs come from PyTorch itself (torch exports) or from `ref_*` below, a
NumPy transcription of the ONNX operator spec (LSTM/GRU/RNN with every
attribute), checked against PyTorch where both apply (see check_ref()).
"""
import json, os, sys
import numpy as np
import torch
import onnx
from onnx import helper, TensorProto, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'models')
os.makedirs(OUT, exist_ok=True)


def t(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": [float(x) for x in a.reshape(-1)]}


def save(name, source, inputs, outputs, dtype, note=''):
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump({"source": source, "dtype": dtype, "note": note,
                   "inputs": {k: t(v) for k, v in inputs.items()},
                   "outputs": {k: t(v) for k, v in outputs.items()}}, f)


# ── NumPy reference of the ONNX recurrent ops ──────────────────────────────
def sigmoid(x): return 1 / (1 + np.exp(-x))

ACT = {
    'Sigmoid': lambda x, a, b: sigmoid(x), 'Tanh': lambda x, a, b: np.tanh(x), 'Relu': lambda x, a, b: np.maximum(x, 0),
    'Softplus': lambda x, a, b: np.log1p(np.exp(x)), 'Affine': lambda x, a, b: a * x + b,
    'LeakyRelu': lambda x, a, b: np.where(x >= 0, x, a * x), 'ThresholdedRelu': lambda x, a, b: np.where(x > a, x, 0),
    'ScaledTanh': lambda x, a, b: a * np.tanh(b * x), 'HardSigmoid': lambda x, a, b: np.clip(a * x + b, 0, 1),
    'Elu': lambda x, a, b: np.where(x >= 0, x, a * (np.exp(x) - 1)), 'Softsign': lambda x, a, b: x / (1 + np.abs(x)),
}
NEEDS_AB = {'Affine': (1.0, 0.0), 'LeakyRelu': (0.01, None), 'ThresholdedRelu': (1.0, None), 'ScaledTanh': (1.0, 1.0),
            'HardSigmoid': (0.2, 0.5), 'Elu': (1.0, None)}


def acts_of(names, alphas, betas):
    """activation_alpha/beta are consumed in order by the activations that take them."""
    out, ia, ib = [], 0, 0
    for n in names:
        a = b = None
        if n in NEEDS_AB:
            da, db = NEEDS_AB[n]
            if da is not None:
                a = alphas[ia] if alphas is not None and ia < len(alphas) else da; ia += 1
            if db is not None:
                b = betas[ib] if betas is not None and ib < len(betas) else db; ib += 1
        out.append(lambda x, f=ACT[n], a=a, b=b: f(x, a, b))
    return out


def ref(op, X, W, R, B=None, seq_lens=None, h0=None, c0=None, P=None, direction='forward', activations=None,
        alpha=None, beta=None, clip=None, input_forget=0, linear_before_reset=0, layout=0):
    G = {'LSTM': 4, 'GRU': 3, 'RNN': 1}[op]
    if layout == 1:
        X = X.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    T, Bn, _ = X.shape
    D, GH, _ = W.shape
    H = GH // G
    nact = {'LSTM': 3, 'GRU': 2, 'RNN': 1}[op]
    default = {'LSTM': ['Sigmoid', 'Tanh', 'Tanh'], 'GRU': ['Sigmoid', 'Tanh'], 'RNN': ['Tanh']}[op]
    names = activations or default * D
    fs = acts_of(names, alpha, beta)
    lens = np.full(Bn, T) if seq_lens is None else np.asarray(seq_lens)
    Y = np.zeros((T, D, Bn, H), dtype=X.dtype)
    Yh = np.zeros((D, Bn, H), dtype=X.dtype)
    Yc = np.zeros((D, Bn, H), dtype=X.dtype)
    cl = (lambda z: np.clip(z, -clip, clip)) if clip is not None else (lambda z: z)
    for d in range(D):
        f = fs[d * nact:(d + 1) * nact]
        rev = direction == 'reverse' or (direction == 'bidirectional' and d == 1)
        Wb = B[d, :GH] if B is not None else np.zeros(GH, X.dtype)
        Rb = B[d, GH:] if B is not None else np.zeros(GH, X.dtype)
        for b in range(Bn):
            L = int(lens[b])
            h = h0[d, b] if h0 is not None else np.zeros(H, X.dtype)
            c = c0[d, b] if c0 is not None else np.zeros(H, X.dtype)
            order = range(L - 1, -1, -1) if rev else range(L)
            for s in order:
                x = X[s, b]
                if op == 'LSTM':
                    g = W[d] @ x + R[d] @ h + Wb + Rb
                    gi, go, gf, gc = np.split(g, 4)
                    p = P[d] if P is not None else np.zeros(3 * H, X.dtype)
                    i = f[0](cl(gi + p[:H] * c))
                    ff = 1 - i if input_forget else f[0](cl(gf + p[2 * H:] * c))
                    ct = f[1](cl(gc))
                    c = ff * c + i * ct
                    o = f[0](cl(go + p[H:2 * H] * c))
                    h = o * f[2](c)
                elif op == 'GRU':
                    xw = W[d] @ x
                    z = f[0](cl(xw[:H] + R[d][:H] @ h + Wb[:H] + Rb[:H]))
                    r = f[0](cl(xw[H:2 * H] + R[d][H:2 * H] @ h + Wb[H:2 * H] + Rb[H:2 * H]))
                    if linear_before_reset:
                        n = f[1](cl(xw[2 * H:] + r * (R[d][2 * H:] @ h + Rb[2 * H:]) + Wb[2 * H:]))
                    else:
                        n = f[1](cl(xw[2 * H:] + R[d][2 * H:] @ (r * h) + Rb[2 * H:] + Wb[2 * H:]))
                    h = (1 - z) * n + z * h
                else:
                    h = f[0](cl(W[d] @ x + R[d] @ h + Wb + Rb))
                Y[s, d, b] = h
            Yh[d, b] = h
            Yc[d, b] = c
    if layout == 1:
        return Y.transpose(2, 0, 1, 3), Yh.transpose(1, 0, 2), Yc.transpose(1, 0, 2)
    return Y, Yh, Yc


rng = np.random.RandomState(7)


def rnd(*shape, dtype=np.float32, s=0.5):
    return (rng.uniform(-s, s, size=shape)).astype(dtype)


def shared_rows(hshape, layout, dtype):
    """A constant initial state, the same for every sequence of the batch."""
    row = rnd(hshape[0 if layout else 1] and 1, 1, hshape[2], dtype=dtype)
    return np.ascontiguousarray(np.broadcast_to(row, hshape)).astype(dtype)


def build(name, op, T=5, Bn=2, I=3, H=4, D=1, dtype=np.float32, attrs=None, bias=True, seq_lens=None, h0=None, c0=None,
          peep=False, h0_input=False, layout=0, opset=14, note='', seq_lens_input=False):
    attrs = dict(attrs or {})
    G = {'LSTM': 4, 'GRU': 3, 'RNN': 1}[op]
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    X = rnd(T, Bn, I, dtype=dtype, s=1.0) if layout == 0 else rnd(Bn, T, I, dtype=dtype, s=1.0)
    W, R = rnd(D, G * H, I, dtype=dtype), rnd(D, G * H, H, dtype=dtype)
    Bv = rnd(D, 2 * G * H, dtype=dtype) if bias else None
    P = rnd(D, 3 * H, dtype=dtype) if peep else None
    inits = [numpy_helper.from_array(W, 'W'), numpy_helper.from_array(R, 'R')]
    ins = ['X', 'W', 'R', 'B' if bias else '']
    if bias: inits.append(numpy_helper.from_array(Bv, 'B'))
    graph_inputs = [helper.make_tensor_value_info('X', elem, ['T', 'N', I] if layout == 0 else ['N', 'T', I])]
    feeds = {'X': X}
    if seq_lens is not None and seq_lens_input:
        graph_inputs.append(helper.make_tensor_value_info('sequence_lens', TensorProto.INT32, [Bn]))
        feeds['sequence_lens'] = np.asarray(seq_lens, np.int32)
    elif seq_lens is not None:
        inits.append(numpy_helper.from_array(np.asarray(seq_lens, np.int32), 'sequence_lens'))
    ins.append('sequence_lens' if seq_lens is not None else '')
    hshape = (D, Bn, H) if layout == 0 else (Bn, D, H)
    if h0 is not None or h0_input:
        h0v = (rnd(*hshape, dtype=dtype) if h0_input else shared_rows(hshape, layout, dtype)) if h0 is None or isinstance(h0, str) else h0
        if h0_input:
            graph_inputs.append(helper.make_tensor_value_info('initial_h', elem, list(hshape)))
            feeds['initial_h'] = h0v
        else:
            inits.append(numpy_helper.from_array(h0v, 'initial_h'))
        ins.append('initial_h')
    else:
        h0v = None
        ins.append('')
    c0v = None
    if op == 'LSTM':
        if c0 is not None:
            c0v = (rnd(*hshape, dtype=dtype) if h0_input else shared_rows(hshape, layout, dtype)) if isinstance(c0, str) else c0
            if h0_input:
                graph_inputs.append(helper.make_tensor_value_info('initial_c', elem, list(hshape)))
                feeds['initial_c'] = c0v
            else:
                inits.append(numpy_helper.from_array(c0v, 'initial_c'))
            ins.append('initial_c')
        else:
            ins.append('')
        if peep:
            inits.append(numpy_helper.from_array(P, 'P'))
            ins.append('P')
    while ins and ins[-1] == '': ins.pop()
    outs = ['Y', 'Y_h'] + (['Y_c'] if op == 'LSTM' else [])
    node = helper.make_node(op, ins, outs, name=op.lower() + '_node', hidden_size=H, **attrs)
    if layout: node.attribute.append(helper.make_attribute('layout', layout))
    outputs = [helper.make_tensor_value_info(o, elem, [None] * (4 if o == 'Y' else 3)) for o in outs]
    g = helper.make_graph([node], name, graph_inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', opset)], producer_name='make_onnx_fixtures')
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(OUT, name + '.onnx'))
    # Float attributes are float32 in the file: the reference uses what the file holds.
    f32 = lambda v: None if v is None else (float(np.float32(v)) if np.isscalar(v) else [float(np.float32(x)) for x in v])
    Y, Yh, Yc = ref(op, X, W, R, Bv, seq_lens, h0v, c0v, P, attrs.get('direction', 'forward'), attrs.get('activations'),
                    f32(attrs.get('activation_alpha')), f32(attrs.get('activation_beta')), f32(attrs.get('clip')),
                    attrs.get('input_forget', 0), attrs.get('linear_before_reset', 0), layout)
    res = {'Y': Y, 'Y_h': Yh}
    if op == 'LSTM': res['Y_c'] = Yc
    save(name, 'onnx-spec', feeds, res, 'float32' if dtype == np.float32 else 'float64', note)


def check_ref():
    """The NumPy reference agrees with PyTorch on what both compute."""
    torch.manual_seed(1)
    for kind, op in [('LSTM', 'LSTM'), ('GRU', 'GRU'), ('RNN', 'RNN')]:
        m = getattr(torch.nn, kind)(3, 4).double()
        x = torch.randn(6, 2, 3, dtype=torch.float64)
        y, _ = m(x)
        Wt, Rt = m.weight_ih_l0.detach().numpy(), m.weight_hh_l0.detach().numpy()
        bi, bh = m.bias_ih_l0.detach().numpy(), m.bias_hh_l0.detach().numpy()
        H = 4
        if op == 'LSTM':
            perm = np.r_[0:H, 3 * H:4 * H, H:2 * H, 2 * H:3 * H]  # i f g o → i o f c
        elif op == 'GRU':
            perm = np.r_[H:2 * H, 0:H, 2 * H:3 * H]  # r z n → z r h
        else:
            perm = np.r_[0:H]
        Y, _, _ = ref(op, x.numpy(), Wt[perm][None], Rt[perm][None], np.concatenate([bi[perm], bh[perm]])[None],
                      linear_before_reset=1)
        err = np.abs(Y[:, 0] - y.detach().numpy()).max()
        assert err < 1e-12, (op, err)
    # sequence_lens, bidirectional: against PyTorch's packed sequences (each backward pass starts at its own last step).
    m = torch.nn.LSTM(3, 4, bidirectional=True).double()
    x = torch.randn(6, 3, 3, dtype=torch.float64)
    lens = [6, 2, 4]
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lens), enforce_sorted=False)
    out, (hn, cn) = m(packed)
    y, _ = torch.nn.utils.rnn.pad_packed_sequence(out, total_length=6)
    H = 4
    perm = np.r_[0:H, 3 * H:4 * H, H:2 * H, 2 * H:3 * H]
    sfx = ['', '_reverse']
    W = np.stack([getattr(m, 'weight_ih_l0' + s).detach().numpy()[perm] for s in sfx])
    R = np.stack([getattr(m, 'weight_hh_l0' + s).detach().numpy()[perm] for s in sfx])
    B = np.stack([np.concatenate([getattr(m, 'bias_ih_l0' + s).detach().numpy()[perm], getattr(m, 'bias_hh_l0' + s).detach().numpy()[perm]]) for s in sfx])
    Y, Yh, Yc = ref('LSTM', x.numpy(), W, R, B, seq_lens=lens, direction='bidirectional')
    got = y.detach().numpy().reshape(6, 3, 2, H).transpose(0, 2, 1, 3)
    for name, a, b in (('Y', Y, got), ('Y_h', Yh, hn.detach().numpy()), ('Y_c', Yc, cn.detach().numpy())):
        err = np.abs(a - b).max()
        assert err < 1e-12, ('LSTM bidirectional sequence_lens', name, err)


# ── torch.onnx.export of nn.LSTM / nn.GRU / nn.RNN with heads ──────────────
class Net(torch.nn.Module):
    def __init__(self, kind, layers=1, bf=False, head=True, nonlinearity=None, bi=False, act=None):
        super().__init__()
        kw = dict(num_layers=layers, batch_first=bf, bidirectional=bi)
        if nonlinearity: kw['nonlinearity'] = nonlinearity
        self.rnn = getattr(torch.nn, kind)(3, 4, **kw)
        self.head = torch.nn.Linear(4 * (2 if bi else 1), 2) if head else None
        self.act = act

    def forward(self, x):
        y, h = self.rnn(x)
        if self.head is not None:
            y = self.head(y)
            if self.act: y = getattr(torch, self.act)(y)
        return y, h


class WithState(torch.nn.Module):
    """h0 and c0 as model inputs, two layers, batch_first."""
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.LSTM(3, 4, num_layers=2, batch_first=True)

    def forward(self, x, h0, c0):
        y, (h, c) = self.rnn(x, (h0, c0))
        return y, h, c


class Mixed(torch.nn.Module):
    """Heads torch writes as Softmax, LogSoftmax, Exp, LeakyRelu, Elu and stream-by-stream Sub/Div/Mul/Add."""
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.GRU(3, 4)
        self.a = torch.nn.Linear(4, 3)
        self.b = torch.nn.Linear(4, 3)

    def forward(self, x):
        y, _ = self.rnn(x)
        a, b = self.a(y), self.b(y)
        probs = torch.softmax(a, dim=-1)
        logp = torch.log_softmax(b, dim=-1)
        mix = (torch.nn.functional.leaky_relu(a) - torch.nn.functional.elu(b)) / (1 + torch.exp(-torch.sigmoid(b)))
        return probs, logp, mix * a + b


def export_mixed():
    torch.manual_seed(6)
    net = Mixed().eval()
    x = torch.randn(5, 2, 3)
    with torch.no_grad():
        p, l, m = net(x)
    torch.onnx.export(net, (x,), os.path.join(OUT, 'torch_gru_mixed_heads.onnx'), input_names=['input'], output_names=['probs', 'logp', 'mix'],
                      dynamic_axes={'input': {0: 'T', 1: 'B'}}, opset_version=14)
    save('torch_gru_mixed_heads', 'torch', {'input': x.numpy()}, {'probs': p.numpy(), 'logp': l.numpy(), 'mix': m.numpy()}, 'float32')


def export_with_state():
    torch.manual_seed(5)
    net = WithState().eval()
    x, h0, c0 = torch.randn(2, 5, 3), torch.randn(2, 2, 4), torch.randn(2, 2, 4)
    with torch.no_grad():
        y, h, c = net(x, h0, c0)
    torch.onnx.export(net, (x, h0, c0), os.path.join(OUT, 'torch_lstm_state_inputs.onnx'), input_names=['input', 'h0', 'c0'],
                      output_names=['output', 'h_n', 'c_n'], dynamic_axes={'input': {0: 'B', 1: 'T'}, 'h0': {1: 'B'}, 'c0': {1: 'B'}}, opset_version=14)
    save('torch_lstm_state_inputs', 'torch', {'input': x.numpy(), 'h0': h0.numpy(), 'c0': c0.numpy()},
         {'output': y.numpy(), 'h_n': h.numpy(), 'c_n': c.numpy()}, 'float32')


def export(name, net, bf=False, T=5, Bn=2, extra='', opset=14):
    torch.manual_seed(3)
    x = torch.randn(Bn, T, 3) if bf else torch.randn(T, Bn, 3)
    net.eval()
    with torch.no_grad():
        y, h = net(x)
    outs = ['output', 'h_n'] + (['c_n'] if isinstance(h, tuple) else [])
    torch.onnx.export(net, (x,), os.path.join(OUT, name + '.onnx'), input_names=['input'], output_names=outs,
                      dynamic_axes={'input': {0: 'B' if bf else 'T', 1: 'T' if bf else 'B'}}, opset_version=opset)
    res = {'output': y.numpy()}
    if isinstance(h, tuple):
        res['h_n'], res['c_n'] = h[0].numpy(), h[1].numpy()
    else:
        res['h_n'] = h.numpy()
    save(name, 'torch', {'input': x.numpy()}, res, 'float32', extra)


class Last(torch.nn.Module):
    """A classifier on the final state: Linear(h_n[-1]) with Gemm."""
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.GRU(3, 4, num_layers=2)
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, x):
        _, h = self.rnn(x)
        return torch.sigmoid(self.fc(h[-1]))


def save_safetensors(sd, path):
    """The safetensors layout written by hand (the package is not on Debian): u64 header size, JSON, data."""
    header, blobs, off = {}, [], 0
    for k, v in sd.items():
        a = v.detach().contiguous().numpy()
        b = a.astype('<f4' if a.dtype == np.float32 else '<f8').tobytes()
        header[k] = {"dtype": "F32" if a.dtype == np.float32 else "F64", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(len(h).to_bytes(8, 'little') + h + b''.join(blobs))


class Stack(torch.nn.Module):
    def __init__(self, kind, head=True, dtype=torch.float32, **kw):
        super().__init__()
        self.rnn = getattr(torch.nn, kind)(3, 4, **kw)
        out = (kw.get('proj_size') or 4) * (2 if kw.get('bidirectional') else 1)
        self.head = torch.nn.Linear(out, 2) if head else None
        self.to(dtype)

    def forward(self, x, h0):
        y, h = self.rnn(x, h0)
        res = {'output': y}
        if isinstance(h, tuple):
            res['h_n'], res['c_n'] = h
        else:
            res['h_n'] = h
        if self.head is not None: res['head'] = self.head(y)
        return res


def state_dict_fixture(name, kind, ext='.pt', dtype=torch.float32, arch=None, head=True, **kw):
    torch.manual_seed(11)
    net = Stack(kind, head=head, dtype=dtype, **kw).eval()
    L = kw.get('num_layers', 1) * (2 if kw.get('bidirectional') else 1)
    x = torch.randn(6, 2, 3, dtype=dtype)
    hs = kw.get('proj_size') or 4
    h0 = torch.randn(L, 2, hs, dtype=dtype)
    c0 = torch.randn(L, 2, 4, dtype=dtype)
    with torch.no_grad():
        res = net(x, (h0, c0) if kind == 'LSTM' else h0)
    path = os.path.join(OUT, name + ext)
    if ext == '.pt':
        torch.save(net.state_dict(), path)
    else:
        save_safetensors(net.state_dict(), path)
    inputs = {'input': x.numpy(), 'h0': h0.numpy()}
    if kind == 'LSTM': inputs['c0'] = c0.numpy()
    save(name, 'torch-state-dict', inputs, {k: v.numpy() for k, v in res.items()},
         'float32' if dtype == torch.float32 else 'float64', arch or '')


def hostile_pickles():
    """A torch.save zip whose pickle calls os.system: the importer must refuse it without running anything."""
    import zipfile
    evil = b'\x80\x02cos\nsystem\nq\x00X\x0c\x00\x00\x00touch /tmp/pwq\x01\x85q\x02Rq\x03.'
    with zipfile.ZipFile(os.path.join(OUT, 'hostile_os_system.pt'), 'w') as z:
        for name, data in [('archive/data.pkl', evil), ('archive/version', b'3\n')]:
            z.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)


def main():
    check_ref()
    state_dict_fixture('sd_lstm_2layers_head', 'LSTM', num_layers=2)
    state_dict_fixture('sd_lstm_proj', 'LSTM', proj_size=2, head=False)
    state_dict_fixture('sd_lstm_no_bias_f64', 'LSTM', dtype=torch.float64, bias=False)
    state_dict_fixture('sd_gru_safetensors', 'GRU', ext='.safetensors')
    state_dict_fixture('sd_gru_f64_safetensors', 'GRU', ext='.safetensors', dtype=torch.float64, num_layers=3, head=False)
    state_dict_fixture('sd_rnn_relu', 'RNN', arch='rnn_relu', nonlinearity='relu')
    state_dict_fixture('sd_rnn_tanh_2layers', 'RNN', arch='rnn_tanh', num_layers=2)
    state_dict_fixture('sd_lstm_bidirectional', 'LSTM', bidirectional=True, head=False)
    state_dict_fixture('sd_gru_bi_2layers_head', 'GRU', bidirectional=True, num_layers=2)
    state_dict_fixture('sd_lstm_bi_proj_f64', 'LSTM', bidirectional=True, num_layers=2, proj_size=3, head=False, dtype=torch.float64)
    hostile_pickles()
    torch.manual_seed(0)
    export('torch_lstm_head', Net('LSTM'))
    export('torch_gru_batch_first', Net('GRU', bf=True), bf=True)
    export('torch_rnn_tanh', Net('RNN', head=False))
    export('torch_rnn_relu_sigmoid_head', Net('RNN', nonlinearity='relu', act='sigmoid'))
    export('torch_lstm_2layers', Net('LSTM', layers=2))
    export('torch_lstm_bidirectional', Net('LSTM', bi=True))
    export('torch_gru_opset9', Net('GRU', layers=2), opset=9)
    export('torch_lstm_opset7', Net('LSTM', bf=True), bf=True, opset=7)
    export_with_state()
    export_mixed()
    torch.manual_seed(8)
    export('torch_lstm_bi_2layers', Net('LSTM', layers=2, bi=True))
    export('torch_gru_bi_batch_first', Net('GRU', bi=True, bf=True), bf=True)
    export('torch_rnn_bi_2layers_relu', Net('RNN', layers=2, bi=True, nonlinearity='relu', head=False))
    torch.manual_seed(0)
    net = Last()
    x = torch.randn(5, 2, 3)
    with torch.no_grad():
        y = net(x)
    torch.onnx.export(net, (x,), os.path.join(OUT, 'torch_gru_classifier.onnx'), input_names=['input'], output_names=['probs'],
                      dynamic_axes={'input': {0: 'T', 1: 'B'}}, opset_version=11)
    save('torch_gru_classifier', 'torch', {'input': x.numpy()}, {'probs': y.numpy()}, 'float32')

    # Hand-built nodes for every attribute and input of the operator spec.
    build('lstm_default', 'LSTM')
    build('lstm_f64', 'LSTM', dtype=np.float64)
    build('lstm_no_bias', 'LSTM', bias=False, opset=7)
    build('lstm_peepholes', 'LSTM', peep=True)
    build('lstm_input_forget', 'LSTM', attrs={'input_forget': 1}, peep=True)
    build('lstm_reverse', 'LSTM', attrs={'direction': 'reverse'})
    build('lstm_layout1', 'LSTM', layout=1, h0='r', c0='r')
    build('lstm_initial_inputs', 'LSTM', h0_input=True, c0='r')
    build('lstm_initial_const', 'LSTM', h0=np.tile(rnd(1, 1, 4), (1, 2, 1)), c0=np.tile(rnd(1, 1, 4), (1, 2, 1)))
    build('lstm_activations', 'LSTM', attrs={'activations': ['Relu', 'Softplus', 'Sigmoid']})
    build('lstm_activations_alpha', 'LSTM', attrs={'activations': ['HardSigmoid', 'Tanh', 'ScaledTanh'], 'activation_alpha': [0.3, 1.5], 'activation_beta': [0.4, 0.7]})
    build('lstm_clip', 'LSTM', attrs={'clip': 0.4})
    build('lstm_clip_peepholes_f64', 'LSTM', dtype=np.float64, peep=True, attrs={'clip': 0.3, 'input_forget': 1})
    build('gru_affine_clip', 'GRU', attrs={'activations': ['HardSigmoid', 'Affine'], 'activation_alpha': [0.25, 0.5], 'activation_beta': [0.45, 0.1], 'clip': 0.7, 'linear_before_reset': 1})
    build('rnn_thresholded_clip', 'RNN', attrs={'activations': ['ThresholdedRelu'], 'activation_alpha': [0.1], 'clip': 0.9})
    build('lstm_leaky_elu_softsign', 'LSTM', attrs={'activations': ['LeakyRelu', 'Elu', 'Softsign'], 'activation_alpha': [0.2, 0.5]})
    build('gru_leaky_default_elu', 'GRU', attrs={'activations': ['LeakyRelu', 'Elu']})
    build('rnn_scaledtanh', 'RNN', attrs={'activations': ['ScaledTanh'], 'activation_alpha': [1.7], 'activation_beta': [0.6]})
    build('lstm_sequence_lens', 'LSTM', seq_lens=[5, 3], peep=True, h0='r', c0='r')
    build('gru_sequence_lens_input', 'GRU', Bn=3, seq_lens=[2, 5, 4], seq_lens_input=True, attrs={'linear_before_reset': 1})
    build('rnn_reverse_sequence_lens', 'RNN', seq_lens=[5, 3], attrs={'direction': 'reverse'})
    build('lstm_bidirectional', 'LSTM', D=2, attrs={'direction': 'bidirectional'})
    build('gru_lbr0', 'GRU', attrs={'linear_before_reset': 0})
    build('gru_lbr1', 'GRU', attrs={'linear_before_reset': 1})
    build('gru_lbr0_f64', 'GRU', dtype=np.float64)
    build('gru_reverse_layout1', 'GRU', layout=1, attrs={'direction': 'reverse', 'linear_before_reset': 1})
    build('gru_activations', 'GRU', attrs={'activations': ['Sigmoid', 'Relu']})
    build('rnn_tanh', 'RNN')
    build('rnn_relu_f64', 'RNN', dtype=np.float64, attrs={'activations': ['Relu']}, h0='r')
    build('rnn_reverse', 'RNN', attrs={'direction': 'reverse'}, h0_input=True)
    # sequence_lens with reverse and bidirectional passes: each backward pass starts at its sequence's own last step.
    build('lstm_bidirectional_sequence_lens', 'LSTM', D=2, Bn=3, seq_lens=[5, 2, 4], peep=True, h0='r', c0='r', attrs={'direction': 'bidirectional'})
    build('gru_reverse_sequence_lens_input', 'GRU', Bn=3, seq_lens=[3, 5, 1], seq_lens_input=True, h0='r', attrs={'direction': 'reverse', 'linear_before_reset': 1})
    build('gru_bidirectional_sequence_lens_input', 'GRU', D=2, Bn=3, seq_lens=[4, 1, 5], seq_lens_input=True, attrs={'direction': 'bidirectional'})
    build('rnn_bidirectional_sequence_lens', 'RNN', D=2, seq_lens=[2, 5], attrs={'direction': 'bidirectional'})
    # initial_h / initial_c as model inputs [D, B, H] of a bidirectional node, with sequence_lens.
    build('lstm_bidirectional_initial_inputs', 'LSTM', D=2, Bn=3, h0_input=True, c0='r', seq_lens=[4, 5, 2], attrs={'direction': 'bidirectional'})
    # Refused: the two directions of a bidirectional node with different activations (a layer's copies share one step graph).
    build('gru_bidirectional_mixed_activations', 'GRU', D=2, attrs={'direction': 'bidirectional', 'activations': ['Sigmoid', 'Tanh', 'Sigmoid', 'Relu']})


if __name__ == '__main__':
    main()
