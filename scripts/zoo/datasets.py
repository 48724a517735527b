"""The data sets the bug zoo plants bugs into, each as raw frames plus what Glassbox needs to know.

Different shapes on purpose: Adult (binary, mixed types, 32k rows, natural label noise), German
Credit (binary, 1,000 rows, mostly categorical), breast cancer (binary, 30 numeric features, 569
rows), wine (3 classes, 178 rows) and diabetes (regression, 442 rows). The last three ship with
scikit-learn (no network); the first two are the project's copies (test-workspace/data, provenance
in test-workspace/data/DATA.md and ../shared/data/DATA.md).
"""
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "test-workspace", "data")


@dataclass
class Data:
    name: str
    task: str  # binary | multiclass | regression
    label: str
    train: pd.DataFrame
    test: pd.DataFrame
    numeric: list
    categorical: list
    class_names: list = field(default_factory=list)


def _split(df, seed, test_fraction=0.3):
    """A seeded IID split: the healthy negative a drift check must not call drift."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(df))
    cut = int(round(len(df) * (1 - test_fraction)))
    return df.iloc[order[:cut]].reset_index(drop=True), df.iloc[order[cut:]].reset_index(drop=True)


def adult(seed, rows=None):
    train = pd.read_csv(os.path.join(DATA, "adult_train.csv"))
    test = pd.read_csv(os.path.join(DATA, "adult_test.csv"))
    if rows:  # a seeded subsample keeps most zoo cases quick; the mislabel benchmark uses every row
        train = train.sample(n=rows, random_state=seed).reset_index(drop=True)
        test = test.sample(n=rows // 2, random_state=seed + 1).reset_index(drop=True)
    numeric = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
    categorical = ["workclass", "marital_status", "occupation", "relationship", "race", "sex"]
    keep = numeric + categorical + ["income"]
    return Data("adult", "binary", "income", train[keep], test[keep], numeric, categorical, ["<=50K", ">50K"])


def german(seed):
    df = pd.read_csv(os.path.join(DATA, "german_credit.csv"))
    numeric = ["duration", "credit_amount", "installment_commitment", "residence_since", "age", "existing_credits", "num_dependents"]
    categorical = [c for c in df.columns if c not in numeric and c != "credit_risk"]
    train, test = _split(df, seed)
    return Data("german", "binary", "credit_risk", train, test, numeric, categorical, ["good", "bad"])


def _sklearn(name, loader, task, seed, class_names=()):
    bunch = loader(as_frame=True)
    df = bunch.frame.copy()
    df.columns = [str(c).replace(" ", "_") for c in df.columns]
    label = "target"
    numeric = [c for c in df.columns if c != label]
    train, test = _split(df, seed)
    return Data(name, task, label, train, test, numeric, [], list(class_names))


def breast_cancer(seed):
    from sklearn.datasets import load_breast_cancer

    return _sklearn("breast_cancer", load_breast_cancer, "binary", seed, ["malignant", "benign"])


def wine(seed):
    from sklearn.datasets import load_wine

    return _sklearn("wine", load_wine, "multiclass", seed, ["class_0", "class_1", "class_2"])


def diabetes(seed):
    from sklearn.datasets import load_diabetes

    return _sklearn("diabetes", load_diabetes, "regression", seed)


LOADERS = {
    "adult": lambda seed: adult(seed, rows=4000),
    "german": german,
    "breast_cancer": breast_cancer,
    "wine": wine,
    "diabetes": diabetes,
}
