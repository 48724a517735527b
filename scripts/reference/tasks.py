"""Reference workloads for the benchmarks (see runner.py for the protocol). Each task takes its
inputs from float32 files written by the benchmark, times only the computation with
time.perf_counter, and returns {"seconds": ..., plus whatever the benchmark compares}.
"""
import json
import os
import time

import numpy as np
import torch

_MODELS = {}


def hello(threads=1):
    torch.set_num_threads(int(threads))
    versions = {'torch': torch.__version__, 'numpy': np.__version__}
    for name in ('captum', 'shap', 'xgboost', 'cleanlab'):
        try:
            versions[name] = __import__(name).__version__
        except ImportError as e:  # the benchmark names what is missing
            versions[name] = None
            versions[f'{name}_error'] = str(e)
    # The rate of a 32768 x 64 x 64 float32 product: what torch's BLAS reaches on this machine.
    a, w = torch.randn(32768, 64), torch.randn(64, 64)
    best = min(_timed(lambda: a @ w)[0] for _ in range(5))
    blas = 'openblas' if 'openblas' in _loaded_libs() else 'mkl' if torch.backends.mkl.is_available() else 'system (reference BLAS unless an optimised one is installed)'
    return {'versions': versions, 'threads': torch.get_num_threads(), 'blas': blas, 'sgemmGflops': 2 * 32768 * 64 * 64 / best / 1e9}


def _loaded_libs():
    try:
        with open('/proc/self/maps') as f:
            return f.read()
    except OSError:
        return ''


def read_f32(path, cols):
    a = np.fromfile(path, dtype='<f4')
    return a.reshape(-1, cols)


def load_mlp(checkpoint_dir):
    """A TF.js layers-model checkpoint of a Dense stack as a torch Sequential (float32, eval)."""
    if checkpoint_dir in _MODELS:
        return _MODELS[checkpoint_dir]
    with open(os.path.join(checkpoint_dir, 'model.json')) as f:
        manifest = json.load(f)
    layers_cfg = manifest['modelTopology']['config']['layers']
    weights = {}
    for group in manifest['weightsManifest']:
        blob = b''.join(open(os.path.join(checkpoint_dir, p), 'rb').read() for p in group['paths'])
        off = 0
        for w in group['weights']:
            assert w['dtype'] == 'float32', w
            size = int(np.prod(w['shape']))
            weights[w['name']] = np.frombuffer(blob, dtype='<f4', count=size, offset=off).reshape(w['shape'])
            off += size * 4
    mods = []
    acts = {'relu': torch.nn.ReLU, 'tanh': torch.nn.Tanh, 'sigmoid': torch.nn.Sigmoid}
    for layer in layers_cfg:
        cfg = layer['config']
        kernel = weights[f"{cfg['name']}/kernel"]
        lin = torch.nn.Linear(kernel.shape[0], kernel.shape[1], bias=cfg.get('use_bias', True))
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(kernel.T.copy()))
            if cfg.get('use_bias', True):
                lin.bias.copy_(torch.from_numpy(weights[f"{cfg['name']}/bias"].copy()))
        mods.append(lin)
        if cfg['activation'] != 'linear':
            mods.append(acts[cfg['activation']]())
    model = torch.nn.Sequential(*mods).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    _MODELS[checkpoint_dir] = model
    return model


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _inputs(model, x, width, target):
    X = torch.from_numpy(read_f32(x, width).copy())
    t = target if isinstance(target, int) else torch.from_numpy(np.asarray(target, dtype=np.int64))
    return load_mlp(model), X, t


# --- gradient attributions (Captum) -------------------------------------------------------------

def captum_saliency(model, x, width, target):
    from captum.attr import Saliency
    m, X, t = _inputs(model, x, width, target)
    s, a = _timed(lambda: Saliency(m).attribute(X, target=t, abs=False))
    return {'seconds': s, 'rows': X.shape[0], 'checksum': float(a.double().sum())}


def captum_ig(model, x, width, target, baseline, steps=50, method='gausslegendre'):
    from captum.attr import IntegratedGradients
    m, X, t = _inputs(model, x, width, target)
    b = torch.from_numpy(read_f32(baseline, width).copy())
    s, a = _timed(lambda: IntegratedGradients(m).attribute(X, baselines=b, target=t, n_steps=steps, method=method))
    return {'seconds': s, 'rows': X.shape[0], 'checksum': float(a.double().sum())}


def captum_noise_tunnel(model, x, width, target, nt_type='smoothgrad', samples=50, stdev=0.1):
    from captum.attr import NoiseTunnel, Saliency
    m, X, t = _inputs(model, x, width, target)
    nt = NoiseTunnel(Saliency(m))
    torch.manual_seed(0)
    s, a = _timed(lambda: nt.attribute(X, nt_type=nt_type, nt_samples=samples, stdevs=stdev, target=t, abs=False))
    return {'seconds': s, 'rows': X.shape[0], 'checksum': float(a.double().sum())}


def captum_gradient_shap(model, x, width, target, background, samples=200):
    from captum.attr import GradientShap
    m, X, t = _inputs(model, x, width, target)
    B = torch.from_numpy(read_f32(background, width).copy())
    torch.manual_seed(0)
    s, a = _timed(lambda: GradientShap(m).attribute(X, baselines=B, n_samples=samples, stdevs=0.0, target=t))
    return {'seconds': s, 'rows': X.shape[0], 'checksum': float(a.double().sum())}


# --- Shapley values -----------------------------------------------------------------------------

def _shapley_weights(F):
    """C x F matrix W with phi = v @ W: +w(|S|-1) where i in S, -w(|S|) where i not in S."""
    from math import comb
    C = 1 << F
    S = np.arange(C)
    bits = ((S[:, None] >> np.arange(F)[None, :]) & 1).astype(np.float64)
    size = bits.sum(1).astype(int)
    w = np.array([1.0 / (F * comb(F - 1, s)) for s in range(F)])
    W = np.where(bits == 1, w[np.maximum(size - 1, 0)][:, None], -w[np.minimum(size, F - 1)][:, None])
    return bits, W


def torch_exact_shapley(model, x, width, target, baseline, column_feature):
    """Batched enumeration: per row, all 2^F composite rows in one forward pass, then phi = v @ W."""
    m, X, t = _inputs(model, x, width, target)
    b = torch.from_numpy(read_f32(baseline, width).copy())[0]
    col = np.asarray(column_feature)
    F = int(col.max()) + 1
    bits, W = _shapley_weights(F)
    colmask = torch.from_numpy(bits[:, col].astype(np.float32))  # C x width
    Wt = torch.from_numpy(W)

    def run():
        out = []
        with torch.no_grad():
            for r in range(X.shape[0]):
                Z = b + colmask * (X[r] - b)
                v = m(Z)[:, t].double()
                out.append(v @ Wt)
        return torch.stack(out)

    s, phi = _timed(run)
    return {'seconds': s, 'rows': X.shape[0], 'coalitions': 1 << F, 'phi': phi.numpy()}


def shap_kernel_explainer(model, x, width, target, baseline, column_feature, samples, l1_reg='auto', seed=0):
    """shap.KernelExplainer on raw-feature groups (its legacy DenseData groups), one background row."""
    import warnings
    import shap
    from shap.utils._legacy import DenseData
    m, X, t = _inputs(model, x, width, target)
    b = read_f32(baseline, width).astype(np.float64)
    col = np.asarray(column_feature)
    F = int(col.max()) + 1
    groups = [list(np.nonzero(col == f)[0]) for f in range(F)]

    def f(Z):
        with torch.no_grad():
            return m(torch.from_numpy(np.asarray(Z, dtype=np.float32)))[:, t].double().numpy()

    ex = shap.KernelExplainer(f, DenseData(b, [str(g) for g in range(F)], groups))
    np.random.seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        s, phi = _timed(lambda: ex.shap_values(X.numpy().astype(np.float64), nsamples=samples, l1_reg=l1_reg if l1_reg != 'false' else False, silent=True))
    return {'seconds': s, 'rows': X.shape[0], 'phi': np.asarray(phi)}


def shap_tree_explainer(model_file, x, width, repeat=1):
    """shap.TreeExplainer (path-dependent, its C++ TreeSHAP) on an XGBoost or LightGBM model file,
    rows repeated `repeat` times; the explainer (model conversion) is built outside the timing."""
    import shap
    if model_file.endswith('.txt'):
        import lightgbm as lgb
        booster = lgb.Booster(model_file=model_file)
    else:
        import xgboost as xgb
        booster = xgb.Booster()
        booster.load_model(model_file)
    X = np.tile(read_f32(x, width), (int(repeat), 1))
    ex = shap.TreeExplainer(booster, feature_perturbation='tree_path_dependent')
    s, phi = _timed(lambda: ex.shap_values(X))
    return {'seconds': s, 'rows': X.shape[0], 'checksum': float(np.asarray(phi, dtype=np.float64).sum())}


# --- influence ----------------------------------------------------------------------------------

def _mlp_layers(m):
    return [mod for mod in m if isinstance(mod, torch.nn.Linear)]


def torch_self_influence(checkpoints, x, width, labels):
    """Closed-form TracInCP self-influence with every weight and bias, summed over checkpoints with
    weight 1: per layer |grad W|^2 + |grad b|^2 = (|a_in|^2 + 1) |delta|^2 for each row."""
    X = torch.from_numpy(read_f32(x, width).copy())
    y = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    models = [load_mlp(c) for c in checkpoints]

    def run():
        total = torch.zeros(X.shape[0], dtype=torch.float64)
        for m in models:
            lins = _mlp_layers(m)
            acts = [X]
            pres = []
            h = X
            for mod in m:
                h = mod(h)
                if isinstance(mod, torch.nn.Linear):
                    h.requires_grad_(True)
                    h.retain_grad()
                    pres.append(h)
                else:
                    acts.append(h)
            loss = torch.nn.functional.cross_entropy(h, y, reduction='sum')
            grads = torch.autograd.grad(loss, pres)
            for a, d in zip(acts[:len(lins)], grads):
                total += ((a.detach().pow(2).sum(1) + 1) * d.pow(2).sum(1)).double()
        return total

    s, si = _timed(run)
    return {'seconds': s, 'rows': X.shape[0], 'checksum': float(si.sum())}


def captum_tracincp_self(checkpoints, x, width, labels, batch_size=512):
    """Captum TracInCP self-influence over all weights and biases, its fast per-sample gradients
    (sample_wise_grads_per_batch, which needs a summed loss)."""
    from captum.influence import TracInCP
    X = torch.from_numpy(read_f32(x, width).copy())
    y = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    ds = torch.utils.data.TensorDataset(X, y)
    net = _trainable_copy(checkpoints[0])
    tr = TracInCP(net, ds, checkpoints, checkpoints_load_func=_load_into,
                  loss_fn=torch.nn.CrossEntropyLoss(reduction='sum'), batch_size=batch_size, sample_wise_grads_per_batch=True)
    s, si = _timed(lambda: tr.self_influence(outer_loop_by_checkpoints=True))
    return {'seconds': s, 'rows': X.shape[0], 'checksum': float(si.double().sum())}


def captum_tracincp_proponents(checkpoints, x, width, labels, query, query_labels, k=10, batch_size=512):
    """Captum TracInCP: the top-k proponents of each query row among all training rows."""
    from captum.influence import TracInCP
    X = torch.from_numpy(read_f32(x, width).copy())
    y = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    Q = torch.from_numpy(read_f32(query, width).copy())
    qy = torch.from_numpy(np.asarray(query_labels, dtype=np.int64))
    ds = torch.utils.data.TensorDataset(X, y)
    net = _trainable_copy(checkpoints[0])
    tr = TracInCP(net, ds, checkpoints, checkpoints_load_func=_load_into,
                  loss_fn=torch.nn.CrossEntropyLoss(reduction='sum'), batch_size=batch_size, sample_wise_grads_per_batch=True)
    s, res = _timed(lambda: tr.influence((Q, qy), k=k, proponents=True, show_progress=False))
    return {'seconds': s, 'rows': Q.shape[0], 'indices': res[0].numpy()}


def _trainable_copy(checkpoint):
    import copy
    net = copy.deepcopy(load_mlp(checkpoint))
    for p in net.parameters():
        p.requires_grad_(True)
    return net


def _load_into(net, checkpoint):
    src = load_mlp(checkpoint)
    with torch.no_grad():
        for p, q in zip(net.parameters(), src.parameters()):
            p.copy_(q)
    return 1.0


TASKS = {
    'captum_saliency': captum_saliency,
    'captum_ig': captum_ig,
    'captum_noise_tunnel': captum_noise_tunnel,
    'captum_gradient_shap': captum_gradient_shap,
    'torch_exact_shapley': torch_exact_shapley,
    'shap_kernel_explainer': shap_kernel_explainer,
    'shap_tree_explainer': shap_tree_explainer,
    'torch_self_influence': torch_self_influence,
    'captum_tracincp_self': captum_tracincp_self,
    'captum_tracincp_proponents': captum_tracincp_proponents,
}
