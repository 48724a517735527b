"""Shared by the examples: the Adult data and the `glassbox` import from this checkout when the
package is not installed (`pip install ../python` makes this unnecessary)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "test-workspace", "data")
LABEL = "income"
NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
CATEGORICAL = ["workclass", "marital_status", "occupation", "relationship", "race", "sex"]

try:
    import glassbox  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(HERE, "..", "python"))


def load():
    import pandas as pd

    train = pd.read_csv(os.path.join(DATA, "adult_train.csv"))
    test = pd.read_csv(os.path.join(DATA, "adult_test.csv"))
    return train, test
