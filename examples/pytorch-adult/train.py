"""A PyTorch MLP on UCI Adult with scikit-learn preprocessing. Two lines are Glassbox's: the
encoding written once from the fitted ColumnTransformer, and a checkpoint saved every epoch.

    python train.py [--epochs 5]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from _adult import CATEGORICAL, LABEL, NUMERIC, load  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

import glassbox  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()
    torch.manual_seed(0)

    train, test = load()
    pre = ColumnTransformer([
        ("numeric", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), NUMERIC),
        ("categorical", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
    ], sparse_threshold=0).fit(train)
    glassbox.write_encoding(pre, os.path.join(HERE, "encoding.json"), data=train)

    X = torch.tensor(pre.transform(train), dtype=torch.float32)
    y = torch.tensor(train[LABEL].to_numpy(), dtype=torch.long)
    Xt = torch.tensor(pre.transform(test), dtype=torch.float32)
    yt = torch.tensor(test[LABEL].to_numpy(), dtype=torch.long)
    model = torch.nn.Sequential(torch.nn.Linear(X.shape[1], 32), torch.nn.ReLU(), torch.nn.Linear(32, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    checkpoints = glassbox.Checkpoints(os.path.join(HERE, "checkpoints"), project=HERE)

    for epoch in range(args.epochs):
        model.train()
        for batch in torch.randperm(len(X)).split(256):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(X[batch]), y[batch])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model(Xt)
            metrics = {"val_loss": float(torch.nn.functional.cross_entropy(logits, yt)), "val_accuracy": float((logits.argmax(1) == yt).float().mean())}
        path = checkpoints.save(model, epoch=epoch, metrics=metrics, learning_rate=args.lr)
        print(f"epoch {epoch}: {metrics} -> {os.path.relpath(path, HERE)}")
    checkpoints.close()


if __name__ == "__main__":
    main()
