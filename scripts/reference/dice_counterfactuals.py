"""DiCE's side of the counterfactual benchmark (server/bench/counterfactual.bench.ts).

Runs DiCE (dice-ml, Mothilal et al. 2020) on the reference Adult MLP: the TF.js checkpoint's
float32 weights evaluated in numpy, behind the exact encoding of server/test/anchors/encoding.json,
so DiCE queries the same function Glassbox explains. Prints one JSON object on stdout: per query
row the counterfactual rows DiCE returned (raw values) and its wall time; the benchmark scores
them with Glassbox's own metrics (validity through Glassbox's `predict`, features changed,
distance, plausibility), so both sides are measured the same way.

    python scripts/reference/dice_counterfactuals.py --rows 200 --total 3 --method random \
        --immutable sex,race

Deterministic: DiCE's random and genetic methods take `random_seed`; numpy is seeded too.
"""

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ANCHORS = os.path.join(ROOT, "server", "test", "anchors")


def load_mlp(model_dir):
    """Dense layers (kernel, bias, activation) of a TF.js layers-model checkpoint."""
    with open(os.path.join(model_dir, "model.json")) as f:
        spec = json.load(f)
    blob = b"".join(open(os.path.join(model_dir, p), "rb").read() for g in spec["weightsManifest"] for p in g["paths"])
    weights, offset = {}, 0
    for g in spec["weightsManifest"]:
        for w in g["weights"]:
            n = int(np.prod(w["shape"]))
            weights[w["name"]] = np.frombuffer(blob, dtype="<f4", count=n, offset=offset).reshape(w["shape"])
            offset += 4 * n
    layers = []
    for layer in spec["modelTopology"]["config"]["layers"]:
        cfg = layer["config"]
        if layer["class_name"] != "Dense":
            raise SystemExit(f"unsupported layer {layer['class_name']}")
        layers.append((weights[f"{cfg['name']}/kernel"], weights[f"{cfg['name']}/bias"], cfg["activation"]))
    return layers


class AnchorModel:
    """predict_proba on raw DataFrames: the anchor encoding, then the MLP (softmax of its logits)."""

    def __init__(self, encoding, layers):
        self.features = encoding["features"]
        self.width = max(f["columns"][1] for f in self.features)
        self.layers = layers

    def encode(self, df):
        X = np.zeros((len(df), self.width), dtype=np.float32)
        for f in self.features:
            s, e = f["columns"]
            col = df[f["name"]]
            if f["type"] == "numeric":
                X[:, s] = ((col.astype(np.float64).to_numpy() - f["mean"]) / f["std"]).astype(np.float32)
            else:
                index = {c: i for i, c in enumerate(f["categories"])}
                for r, v in enumerate(col.astype(str).to_numpy()):
                    k = index.get(v)
                    if k is not None:
                        X[r, s + k] = 1.0
        return X

    def predict_proba(self, df):
        h = self.encode(df)
        for kernel, bias, act in self.layers:
            h = h @ kernel + bias
            if act == "relu":
                h = np.maximum(h, 0)
            elif act != "linear":
                raise SystemExit(f"unsupported activation {act}")
        z = h - h.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, df):
        return self.predict_proba(df).argmax(axis=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=200, help="first N rows of the test data")
    ap.add_argument("--total", type=int, default=3, help="counterfactuals per row (DiCE total_CFs)")
    ap.add_argument("--method", default="random", choices=["random", "genetic", "kdtree"])
    ap.add_argument("--immutable", default="", help="comma-separated features DiCE may not vary")
    ap.add_argument("--checkpoint", default=os.path.join(ANCHORS, "adult-mlp", "checkpoints", "epoch-5"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import dice_ml  # imported here so a missing package is one clear line from the caller

    warnings.filterwarnings("ignore")
    np.random.seed(args.seed)
    with open(os.path.join(ANCHORS, "encoding.json")) as f:
        encoding = json.load(f)
    data_dir = os.path.join(ROOT, "test-workspace", "data")
    label = encoding["label"]["name"] if isinstance(encoding.get("label"), dict) else "income"
    names = [f["name"] for f in encoding["features"]]
    numeric = [f["name"] for f in encoding["features"] if f["type"] == "numeric"]
    read = lambda p: pd.read_csv(p, dtype={n: str for n in names if n not in numeric}, keep_default_na=False)
    train = read(os.path.join(data_dir, "adult_train.csv"))
    test = read(os.path.join(data_dir, "adult_test.csv"))
    model = AnchorModel(encoding, load_mlp(args.checkpoint))
    train = train[names + [label]].copy()
    # DiCE's outcome is the model's class (it checks counterfactuals against the model, not labels).
    train[label] = model.predict(train[names])
    immutable = [s for s in args.immutable.split(",") if s]
    vary = [n for n in names if n not in immutable]
    data = dice_ml.Data(dataframe=train, continuous_features=numeric, outcome_name=label)
    dice = dice_ml.Dice(data, dice_ml.Model(model=model, backend="sklearn"), method=args.method)
    queries = test[names].iloc[: args.rows].reset_index(drop=True)
    out = []
    for i in range(len(queries)):
        q = queries.iloc[[i]]
        t0 = time.perf_counter()
        cfs = []
        error = None
        try:
            kwargs = {"total_CFs": args.total, "desired_class": "opposite", "features_to_vary": vary, "verbose": False}
            if args.method in ("random", "genetic"):
                kwargs["random_seed"] = args.seed
            res = dice.generate_counterfactuals(q, **kwargs)
            df = res.cf_examples_list[0].final_cfs_df
            if df is not None:
                for _, r in df.iterrows():
                    cfs.append({n: (float(r[n]) if n in numeric else str(r[n])) for n in names})
        except Exception as e:  # DiCE raises when it finds nothing; that row counts as invalid
            error = str(e).split("\n")[0][:200]
        out.append({"row": i, "seconds": time.perf_counter() - t0, "counterfactuals": cfs, **({"error": error} if error else {})})
    json.dump({"method": args.method, "total": args.total, "immutable": immutable, "rows": out}, sys.stdout)


if __name__ == "__main__":
    main()
