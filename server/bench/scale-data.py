"""Data for server/bench/scale.bench.ts: ROWS x 50 features (40 numeric, 10 categorical) in Parquet
row groups of 262,144 rows, a logistic model over them saved as a Glassbox checkpoint, and
glassbox.json. The reference file has the same rows with a shift in two features (drift to find).
Deterministic (seeded). Usage: python scale-data.py OUT_DIR ROWS"""
import json
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import glassbox  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

out, rows = sys.argv[1], int(sys.argv[2])
GROUP = 262_144
NUM, CAT = 40, 10
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(19)
w = rng.normal(0, 1, NUM)
cat_w = rng.normal(0, 1, (CAT, 5))


def batch(start, n, shift):
    r = np.random.default_rng([19, start, shift])
    x = r.normal(0, 1, (n, NUM)).astype(np.float32)
    if shift:
        x[:, 0] += 0.5
        x[:, 1] *= 1.5
    c = r.integers(0, 5, (n, CAT))
    logit = x @ w + cat_w[np.arange(CAT), c].sum(1)
    y = (r.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    cols = {f"x{i}": pa.array(x[:, i]) for i in range(NUM)}
    for j in range(CAT):
        cols[f"c{j}"] = pa.DictionaryArray.from_arrays(pa.array(c[:, j].astype(np.int32)), pa.array([f"v{k}" for k in range(5)]))
    cols["label"] = pa.array(y)
    return pa.table(cols), x, c, y


for name, shift in (("train.parquet", 0), ("reference.parquet", 1)):
    path = os.path.join(out, name)
    writer = None
    for start in range(0, rows, GROUP):
        t, *_ = batch(start, min(GROUP, rows - start), shift)
        writer = writer or pq.ParquetWriter(path, t.schema, compression="snappy")
        writer.write_table(t, row_group_size=GROUP)
    writer.close()

# The model: logistic regression on 20,000 standardised training rows, one-hot categories.
t, x, c, y = batch(0, 20_000, 0)
onehot = np.concatenate([np.eye(5)[c[:, j]] for j in range(CAT)], axis=1)
model = LogisticRegression(max_iter=500).fit(np.concatenate([(x - x.mean(0)) / x.std(0), onehot], axis=1), y)
glassbox.Checkpoints(os.path.join(out, "checkpoints"), project=out).save(model, epoch=1)
features = {f"x{i}": {"type": "numeric"} for i in range(NUM)}
features.update({f"c{j}": {"type": "categorical", "categories": [f"v{k}" for k in range(5)]} for j in range(CAT)})
with open(os.path.join(out, "glassbox.json"), "w") as f:
    json.dump({"task": "binary", "data": {"train": "train.parquet", "reference": "reference.parquet"}, "label": "label",
               "features": features, "checkpoints": {"path": "checkpoints"}}, f)
print(json.dumps({"rows": rows, "dir": out}))
