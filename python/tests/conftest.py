import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))  # python/, so the tests use this checkout's glassbox

DATA = os.path.join(REPO, "test-workspace", "data")
NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]


@pytest.fixture(scope="session")
def adult():
    pd = pytest.importorskip("pandas")
    return pd.read_csv(os.path.join(DATA, "adult_train.csv"), nrows=3000)


@pytest.fixture(scope="session")
def adult_xy(adult):
    """Standardised numeric columns (float32) and the label: enough for any model family."""
    import numpy as np

    X = adult[NUMERIC].to_numpy(dtype=np.float64)
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    return X, adult["income"].to_numpy()
