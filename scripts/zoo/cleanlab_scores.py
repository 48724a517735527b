"""cleanlab's verdict on a zoo project's training labels, the baseline `npm run bench -- checks`
measures Glassbox's suspects against, in the same run.

    .venv/bin/python scripts/zoo/cleanlab_scores.py <project folder> [--folds 5]

Out-of-fold probabilities (cleanlab's recommended input) come from the project's own architecture
and schedule (the MLP of make_zoo.py, same epochs, learning rate and preprocessing), refitted on
each of `folds` stratified folds. Writes `<project>/cleanlab.json`:
    {"issues": rows of cleanlab.filter.find_label_issues ranked by self-confidence (most suspect first),
     "score": per row, higher = more suspect: 1 - label quality (self-confidence), plus 1 for the
              rows find_label_issues flags, so its set comes first and the rest keep their order,
     "folds", "version"}
"""
import argparse
import json
import os
import sys

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import StratifiedKFold

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from datasets import LOADERS, adult  # noqa: E402
from make_zoo import network, preprocessor, PlantedData  # noqa: E402

torch.set_num_threads(1)


def fit_predict(data, train, test, epochs, lr, seed, arch):
    pre = preprocessor(PlantedData(data, train)).fit(train)
    X = torch.tensor(pre.transform(train), dtype=torch.float32)
    Xt = torch.tensor(pre.transform(test), dtype=torch.float32)
    y = torch.tensor(train[data.label].to_numpy().astype(np.int64))
    model = network(X.shape[1], len(data.class_names), arch, seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        model.train()
        for b in torch.randperm(len(X), generator=gen).split(64):
            optimiser.zero_grad()
            torch.nn.functional.cross_entropy(model(X[b]), y[b]).backward()
            optimiser.step()
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(Xt), 1).numpy()


def main():
    import cleanlab
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    parser = argparse.ArgumentParser()
    parser.add_argument("project")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    truth = json.load(open(os.path.join(args.project, "zoo.json")))
    seed = truth["seed"]
    data = adult(seed) if truth["id"].startswith("mislabel-adult") else LOADERS[truth["dataset"]](seed)
    train = pd.read_csv(os.path.join(args.project, "data", "train.csv"))
    epochs, lr = truth["epochs"], truth["lr"]
    labels = train[data.label].to_numpy().astype(int)
    probs = np.zeros((len(train), len(data.class_names)))
    for k, (fit, held) in enumerate(StratifiedKFold(args.folds, shuffle=True, random_state=seed).split(train, labels)):
        probs[held] = fit_predict(data, train.iloc[fit], train.iloc[held], epochs, lr, seed + k, truth.get("arch", "plain"))
    issues = find_label_issues(labels, probs, return_indices_ranked_by="self_confidence")
    quality = get_label_quality_scores(labels, probs, method="self_confidence")
    score = 1 - quality
    score[issues] += 1
    with open(os.path.join(args.project, "cleanlab.json"), "w") as f:
        json.dump({"issues": [int(i) for i in issues], "score": [round(float(s), 6) for s in score], "folds": args.folds, "version": cleanlab.__version__}, f)
    print(f"cleanlab {cleanlab.__version__}: {len(issues)} issue(s) of {len(train)} rows")


if __name__ == "__main__":
    main()
