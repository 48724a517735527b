"""The bug zoo: Glassbox projects with planted bugs and healthy negatives, trained for real in PyTorch
(checkpoints exported to ONNX by the project's Python package), for `npm run bench -- checks`.

    .venv/bin/python scripts/zoo/make_zoo.py [--out .cache/zoo] [--only KIND] [--quick]

Each project is a folder `<out>/<id>/` with `data/*.csv`, `encoding.json`, `checkpoints/epoch-*`,
`glassbox.json` and `zoo.json`, the ground truth the benchmark scores against:
    {"id", "dataset", "task", "seed", "kind": "healthy" | "bug", "bug": <name> | null,
     "detector": <check id or "drift">, "flips": [0-based training rows whose label was flipped],
     "features": [planted feature(s)], "notes": "..."}

Healthy and label-noise projects train for the epochs early stopping picks on a held-out fifth of
their own training rows (`early_stopping_epochs`); the other planted cases a fixed budget.

Everything is seeded (numpy, torch), so the same command writes the same data and, on the same
machine, the same weights. The output folder is git-ignored (`.cache/`); only this script is kept.
"""
import argparse
import copy
import json
import os
import shutil
import sys

import numpy as np
import pandas as pd
import torch
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
import glassbox  # noqa: E402
from datasets import LOADERS, ROOT, adult  # noqa: E402

torch.set_num_threads(1)

# The feature each data set's drift cases shift: one the models rely on, so "act" is the right call.
SHIFT = {
    "adult": ("education_num", "marital_status"),
    "german": ("duration", "checking_status"),
    "breast_cancer": ("worst_radius", None),
    "wine": ("proline", None),
    "diabetes": ("bmi", None),
}


# Data sets where a healthy model is wrong often enough (held-out accuracy 75-86%) that scaling its
# logits makes it overconfident. On breast cancer and wine the healthy models reach 94-98%: logits x4
# can add at most their error rate to the ECE (measured 0.025-0.040), which is no calibration bug a
# user would act on, and training them on flipped labels first lowers their confidence as much as
# their accuracy (measured: ECE 0.03-0.10 at p 0.005-0.78). So those two get no overconfident case.
ROOM_TO_BE_OVERCONFIDENT = ("adult", "german")


# ---------------------------------------------------------------------------------------------
# Training

def preprocessor(data):
    parts = [("numeric", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), data.numeric)]
    if data.categorical:
        parts.append(("categorical", OneHotEncoder(handle_unknown="ignore"), data.categorical))
    return ColumnTransformer(parts, sparse_threshold=0)


def network(width, outputs, arch, seed):
    torch.manual_seed(seed)
    if arch == "bn-dropout":
        return torch.nn.Sequential(
            torch.nn.Linear(width, 32), torch.nn.BatchNorm1d(32), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(32, outputs)
        )
    hidden = 256 if arch == "wide" else 32
    return torch.nn.Sequential(torch.nn.Linear(width, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, outputs))


def targets(data, frame):
    y = frame[data.label].to_numpy()
    if data.task == "regression":
        y = y.astype(np.float32)
        return torch.tensor((y - MEAN[data.name]) / STD[data.name])
    return torch.tensor(y.astype(np.int64))


# Regression targets are learnt standardised and the last layer maps back to label units, so the
# exported model predicts the label itself.
MEAN, STD = {}, {}


def train_model(data, train, X, arch, epochs, seed, lr, checkpoints_dir, saves=5, batch=64, post=None):
    """Trains and saves `saves` checkpoints spread over the epochs; `post(model)` edits a copy of the
    final model that is saved as one more checkpoint (a planted re-initialisation, say)."""
    regression = data.task == "regression"
    outputs = 1 if regression else len(data.class_names)
    y = targets(data, train)
    model = network(X.shape[1], outputs, arch, seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    checkpoints = glassbox.Checkpoints(checkpoints_dir, project=os.path.dirname(checkpoints_dir))
    at = sorted(set(int(round(e)) for e in np.linspace(0, epochs - 1, saves)))
    for epoch in range(epochs):
        model.train()
        for b in torch.randperm(len(X), generator=gen).split(batch):
            if len(b) < 2 and arch == "bn-dropout":
                continue
            optimiser.zero_grad()
            out = model(X[b])
            loss = torch.nn.functional.mse_loss(out[:, 0], y[b]) if regression else torch.nn.functional.cross_entropy(out, y[b])
            loss.backward()
            optimiser.step()
        if epoch in at:
            checkpoints.save(export(model, data), epoch=epoch, learning_rate=lr)
    final = export(model, data)
    if post is not None:
        edited = post(copy.deepcopy(final), seed)
        checkpoints.save(edited, epoch=epochs, learning_rate=lr)
    checkpoints.close()
    return final


def early_stopping_epochs(data, train, pre, arch, seed, lr, patience=5, most=60, batch=64):
    """The epoch count a user would pick: train on a seeded 80% of the rows, keep the epoch with the
    lowest loss on the other 20% (stopping `patience` epochs after it), at least 4."""
    rng = np.random.default_rng(seed + 4000)
    order = rng.permutation(len(train))
    cut = int(round(0.8 * len(train)))
    fit, held = train.iloc[order[:cut]], train.iloc[order[cut:]]
    X = torch.tensor(pre.transform(fit), dtype=torch.float32)
    Xh = torch.tensor(pre.transform(held), dtype=torch.float32)
    y, yh = targets(data, fit), targets(data, held)
    regression = data.task == "regression"
    model = network(X.shape[1], 1 if regression else len(data.class_names), arch, seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    best, best_epoch = float("inf"), 0
    for epoch in range(most):
        model.train()
        for b in torch.randperm(len(X), generator=gen).split(batch):
            if len(b) < 2 and arch == "bn-dropout":
                continue
            optimiser.zero_grad()
            out = model(X[b])
            loss = torch.nn.functional.mse_loss(out[:, 0], y[b]) if regression else torch.nn.functional.cross_entropy(out, y[b])
            loss.backward()
            optimiser.step()
        model.eval()
        with torch.no_grad():
            out = model(Xh)
            held_loss = float(torch.nn.functional.mse_loss(out[:, 0], yh) if regression else torch.nn.functional.cross_entropy(out, yh))
        if held_loss < best:
            best, best_epoch = held_loss, epoch
        elif epoch - best_epoch >= patience:
            break
    return max(4, best_epoch + 1)


def export(model, data):
    """The model as saved: eval mode; regression outputs mapped back to label units."""
    m = copy.deepcopy(model).eval()
    if data.task == "regression":
        last = m[-1]
        with torch.no_grad():
            last.weight.mul_(STD[data.name])
            last.bias.mul_(STD[data.name]).add_(MEAN[data.name])
    return m


# ---------------------------------------------------------------------------------------------
# Planted edits of a trained model

def reinit_layer(which, fraction=1.0):
    def edit(model, seed):
        layers = [m for m in model if isinstance(m, torch.nn.Linear)]
        layer = layers[-1] if which == "last" else layers[0]
        g = torch.Generator().manual_seed(seed + 99)
        with torch.no_grad():
            fresh = torch.empty_like(layer.weight)
            bound = (6 / (layer.weight.shape[0] + layer.weight.shape[1])) ** 0.5
            fresh.uniform_(-bound, bound, generator=g)
            rows = int(round(fraction * layer.weight.shape[0]))
            layer.weight[:rows] = fresh[:rows]
            layer.bias[:rows] = 0
        return model

    return edit


def overconfident(factor):
    """Multiplies the logits by `factor`: the same ranking, probabilities pushed to 0 and 1."""

    def edit(model, seed):
        with torch.no_grad():
            model[-1].weight.mul_(factor)
            model[-1].bias.mul_(factor)
        return model

    return edit


# ---------------------------------------------------------------------------------------------
# Planted data bugs

def flip_labels(data, train, rate, seed, mode):
    """Flips labels: symmetric (`rate` of all rows, each to another class uniformly), class
    (`rate` of the rows of class 1 become class 0) or weighted (`rate` of all rows, a row of class 1
    three times as likely to be flipped as a row of class 0: a class-conditional transition matrix
    whose off-diagonal differs per class, the case confident learning is built for). Returns the
    frame and the flipped rows."""
    rng = np.random.default_rng(seed + 1000)
    y = train[data.label].to_numpy().copy()
    K = len(data.class_names)
    n = len(y)
    if mode == "weighted":
        weight = np.where(y == 1, 3.0, 1.0)
        k = int(round(rate * n))
        rows = np.sort(rng.choice(n, size=k, replace=False, p=weight / weight.sum()))
        y[rows] = 1 - y[rows]
        train = train.copy()
        train[data.label] = y
        return train, rows
    pool = np.arange(n) if mode == "symmetric" else np.flatnonzero(y == 1)
    k = int(round(rate * len(pool)))
    rows = np.sort(rng.choice(pool, size=min(k, len(pool)), replace=False))
    for r in rows:
        if mode == "symmetric":
            y[r] = (y[r] + rng.integers(1, K)) % K
        else:
            y[r] = 0
    train = train.copy()
    train[data.label] = y
    return train, rows


def leak_column(data, frame, seed, agreement, labelled_truth=True):
    """A numeric column that equals the label (plus noise) on `agreement` of the rows; elsewhere,
    and wherever `labelled_truth` is False (held-out data where the leak no longer holds), noise."""
    rng = np.random.default_rng(seed + 2000)
    y = frame[data.label].to_numpy().astype(float)
    noise = rng.normal(0, 0.05, len(y))
    if data.task == "regression":
        y = (y - y.mean()) / y.std()
    if not labelled_truth:
        return rng.permutation(y) + noise
    hit = rng.random(len(y)) < agreement
    other = rng.permutation(y)
    return np.where(hit, y, other) + noise


def shifted(data, frame, seed, how):
    rng = np.random.default_rng(seed + 3000)
    num, cat = SHIFT[data.name]
    out = frame.copy()
    if how == "mean":
        col = out[num].astype(float)
        out[num] = col + 1.0 * data.train[num].std()
    elif how == "scale":
        col = out[num].astype(float)
        out[num] = data.train[num].mean() + 2.0 * (col - data.train[num].mean())
    elif how == "category":
        # Mostly the category that is rarest in training among the common ones.
        counts = data.train[cat].value_counts()
        target = counts.index[min(2, len(counts) - 1)]
        swap = rng.random(len(out)) < 0.5
        out.loc[swap, cat] = target
    if data.numeric and how in ("mean", "scale") and pd.api.types.is_integer_dtype(frame[num]):
        out[num] = out[num].round().astype(int)
    return out


# ---------------------------------------------------------------------------------------------
# Projects

def write_project(out, case, data, train, *, test=None, reference=None, arch="plain", epochs=None, lr=1e-3,
                  post=None, truth=None, checkpoints_from=None):
    """Writes one project; returns its folder. `checkpoints_from` reuses another case's model."""
    folder = os.path.join(out, case)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(os.path.join(folder, "data"))
    files = {"train": "data/train.csv"}
    train.to_csv(os.path.join(folder, files["train"]), index=False)
    if test is not None:
        files["test"] = "data/test.csv"
        test.to_csv(os.path.join(folder, files["test"]), index=False)
    if reference is not None:
        files["reference"] = "data/reference.csv"
        reference.to_csv(os.path.join(folder, files["reference"]), index=False)
    config = {"task": data.task, "data": files, "label": data.label, "checkpoints": {"path": "checkpoints", "learningRate": lr}}
    if data.class_names:
        config["classNames"] = data.class_names
    if checkpoints_from:
        config["encoding"] = f"../{checkpoints_from}/encoding.json"
        config["checkpoints"]["path"] = f"../{checkpoints_from}/checkpoints"
    else:
        config["encoding"] = "encoding.json"
        pre = preprocessor(PlantedData(data, train)).fit(train)
        glassbox.write_encoding(pre, os.path.join(folder, "encoding.json"), data=train)
        X = torch.tensor(pre.transform(train), dtype=torch.float32)
        if epochs == "early-stop":
            epochs = early_stopping_epochs(data, train, pre, arch, truth["seed"], lr)
        elif epochs is None:
            epochs = max(4, min(60, int(6000 / max(1, len(train)) * 4)))
        train_model(data, train, X, arch, epochs, truth["seed"], lr, os.path.join(folder, "checkpoints"), post=post)
    with open(os.path.join(folder, "glassbox.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(folder, "zoo.json"), "w") as f:
        json.dump({"id": case, "dataset": data.name, "task": data.task, "arch": arch, "epochs": epochs, "lr": lr, **truth}, f, indent=2)
    return folder


class PlantedData:
    """`data` with the columns of a planted frame (an added leak column is numeric)."""

    def __init__(self, data, frame):
        self.numeric = [c for c in frame.columns if c != data.label and c not in data.categorical]
        self.categorical = [c for c in data.categorical if c in frame.columns]


def truth(seed, kind, bug=None, detector=None, flips=(), features=(), notes=""):
    return {"seed": seed, "kind": kind, "bug": bug, "detector": detector, "flips": [int(r) for r in flips], "features": list(features), "notes": notes}


def standardise_stats(data):
    if data.task == "regression":
        y = data.train[data.label].to_numpy().astype(float)
        MEAN[data.name], STD[data.name] = float(y.mean()), float(y.std())


def cases(out, seeds, only):
    def want(kind):
        return only is None or kind in only

    made = []
    for name, load in LOADERS.items():
        for seed in seeds:
            data = load(seed)
            standardise_stats(data)
            base = f"{name}-s{seed}"
            if want("healthy"):
                for arch in ("plain", "bn-dropout"):
                    # IID test split doubles as the reference: the drift negative on small data.
                    # Trained as a careful user would (epochs by early stopping): a healthy negative
                    # must be healthy, and the fixed budget the planted cases get overfits small sets
                    # (German Credit, 700 rows, 34 epochs: a BatchNorm network memorised it).
                    made.append(write_project(out, f"healthy-{arch}-{base}", data, data.train, test=data.test, reference=data.test.drop(columns=[data.label]),
                                              arch=arch, epochs="early-stop", truth=truth(seed, "healthy", notes="IID split; reference = test rows without labels; epochs by early stopping")))
            if want("shift"):
                src = f"healthy-plain-{base}"
                if os.path.isdir(os.path.join(out, src)):
                    num, cat = SHIFT[name]
                    for how in ("mean", "scale") + (("category",) if cat else ()):
                        ref = shifted(data, data.test, seed, how)
                        made.append(write_project(out, f"shift-{how}-{base}", data, data.train, test=data.test, reference=ref.drop(columns=[data.label]),
                                                  checkpoints_from=src, truth=truth(seed, "bug", f"shift-{how}", "drift", features=[cat if how == "category" else num])))
            if want("leak") and data.task != "regression":
                for agreement, labelled, bug in ((0.97, True, "leak"), (0.97, False, "leak-unlabelled"), (0.9, True, "spurious")):
                    tr = data.train.copy()
                    tr["record_code"] = leak_column(data, tr, seed, agreement)
                    te = data.test.copy()
                    te["record_code"] = leak_column(data, te, seed + 1, agreement, labelled_truth=False)
                    kwargs = {"test": te} if labelled else {"reference": te.drop(columns=[data.label])}
                    made.append(write_project(out, f"{bug}-{base}", data, tr, **kwargs,
                                              truth=truth(seed, "bug", bug, "leakage", features=["record_code"], notes=f"label agreement {agreement} in training only")))
            if want("reinit") and seed == seeds[0] and data.task != "regression":
                for which, fraction in (("last", 1.0), ("first", 1.0), ("first", 0.5)):
                    made.append(write_project(out, f"reinit-{which}-{int(fraction * 100)}-{base}", data, data.train, test=data.test, post=reinit_layer(which, fraction),
                                              truth=truth(seed, "bug", f"reinit-{which}-{int(fraction * 100)}", "checkpoint-reset")))
            if want("overfit") and name != "adult":
                # 150 rows memorised by a wide network. On the easy sets (breast cancer, wine) 150 clean
                # rows already generalise to 94-98%, which is no overfit; a fifth of them with a wrong
                # label, memorised, is: 100% on training rows, clearly less on held-out ones.
                small = data.train.sample(n=min(len(data.train), 150), random_state=seed).reset_index(drop=True)
                note = "150 training rows, 256 hidden units, 400 epochs"
                if data.task != "regression":
                    small, _ = flip_labels(data, small, 0.2, seed, "symmetric")
                    note += ", 20% of the labels flipped and memorised"
                made.append(write_project(out, f"overfit-{base}", data, small, test=data.test, arch="wide", epochs=400, lr=3e-3,
                                          truth=truth(seed, "bug", "overfit", "generalisation-gap", notes=note)))
            if want("calibration") and data.task != "regression" and name in ROOM_TO_BE_OVERCONFIDENT:
                made.append(write_project(out, f"overconfident-{base}", data, data.train, test=data.test, post=overconfident(4.0),
                                          truth=truth(seed, "bug", "overconfident", "calibration", notes="logits x4 in the last checkpoint")))
            if want("noise") and data.task != "regression":
                for rate, mode in ((0.02, "symmetric"), (0.05, "symmetric"), (0.1, "symmetric"), (0.2, "symmetric"), (0.1, "class")):
                    if mode == "class" and data.task != "binary":
                        continue
                    tr, rows = flip_labels(data, data.train, rate, seed, mode)
                    # Trained as the healthy negatives are (early stopping, on the noisy labels as a
                    # user would): the planted flips are the only difference the check may see.
                    made.append(write_project(out, f"noise-{mode}-{int(rate * 100)}-{base}", data, tr, test=data.test, epochs="early-stop",
                                              truth=truth(seed, "bug", f"noise-{mode}-{int(rate * 100)}", "label-suspects", flips=rows)))
    if want("mislabel"):
        # The comparison with cleanlab: every Adult training row, 0% / 5% / 10% flipped.
        data = adult(0)
        for rate in (0.0, 0.05, 0.1):
            tr, rows = flip_labels(data, data.train, rate, 0, "symmetric") if rate else (data.train, [])
            made.append(write_project(out, f"mislabel-adult-{int(rate * 100)}", data, tr, test=data.test, epochs=8,
                                      truth=truth(0, "bug" if rate else "healthy", f"noise-symmetric-{int(rate * 100)}" if rate else None,
                                                  "label-suspects" if rate else None, flips=rows, notes="full Adult; side by side with cleanlab")))
    if want("mislabel-weighted"):
        # The same comparison under class-dependent noise: 5% / 10% of every Adult row flipped,
        # a >50K row three times as likely as a <=50K one (for 10%: 20% of >50K, 7% of <=50K).
        data = adult(0)
        for rate in (0.05, 0.1):
            tr, rows = flip_labels(data, data.train, rate, 0, "weighted")
            made.append(write_project(out, f"mislabel-adult-weighted-{int(rate * 100)}", data, tr, test=data.test, epochs=8,
                                      truth=truth(0, "bug", f"noise-weighted-{int(rate * 100)}", "label-suspects", flips=rows,
                                                  notes="full Adult, class-dependent flips; side by side with cleanlab")))
    return made


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, ".cache", "zoo"))
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="kinds: healthy shift leak reinit overfit calibration noise mislabel mislabel-weighted")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    made = cases(args.out, list(range(args.seeds)), set(args.only) if args.only else None)
    index = sorted(d for d in os.listdir(args.out) if os.path.isfile(os.path.join(args.out, d, "zoo.json")))
    with open(os.path.join(args.out, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
    print(f"{len(made)} project(s) written, {len(index)} in {args.out}")


if __name__ == "__main__":
    main()
