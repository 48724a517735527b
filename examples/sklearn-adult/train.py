"""A scikit-learn Pipeline (ColumnTransformer + LogisticRegression) on UCI Adult, one checkpoint
per regularisation strength. Saving the Pipeline writes the model (glassbox-linear.json) and its
preprocessor (encoding.json) into the checkpoint; the project-level encoding.json is the same.

    python train.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from _adult import CATEGORICAL, LABEL, NUMERIC, load  # noqa: E402

from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder  # noqa: E402

import glassbox  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    train, test = load()
    checkpoints = glassbox.Checkpoints(os.path.join(HERE, "checkpoints"), project=HERE)
    for step, C in enumerate([0.01, 0.1, 1.0]):
        pipe = Pipeline([
            ("pre", ColumnTransformer([
                ("numeric", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", MinMaxScaler())]), NUMERIC),
                ("categorical", OneHotEncoder(handle_unknown="ignore", drop="if_binary"), CATEGORICAL),
            ])),
            ("model", LogisticRegression(C=C, max_iter=1000)),
        ]).fit(train, train[LABEL])
        metrics = {"val_loss": log_loss(test[LABEL], pipe.predict_proba(test)), "val_accuracy": pipe.score(test, test[LABEL]), "C": C}
        path = checkpoints.save(pipe, step=step, metrics=metrics)
        print(f"C={C}: {metrics} -> {os.path.relpath(path, HERE)}")
    glassbox.write_encoding(pipe, os.path.join(HERE, "encoding.json"), data=train)
    checkpoints.close()


if __name__ == "__main__":
    main()
