"""XGBoost on UCI Adult with ordinal-encoded categories. Glassbox's part: the encoding written from
the fitted ColumnTransformer, and a callback that saves a checkpoint every 10 boosting rounds.

    python train.py [--rounds 50]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from _adult import CATEGORICAL, LABEL, NUMERIC, load  # noqa: E402

import xgboost as xgb  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.preprocessing import OrdinalEncoder  # noqa: E402

import glassbox  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()

    train, test = load()
    pre = ColumnTransformer([
        ("numeric", "passthrough", NUMERIC),
        ("categorical", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), CATEGORICAL),
    ]).fit(train)
    glassbox.write_encoding(pre, os.path.join(HERE, "encoding.json"), data=train)

    checkpoints = glassbox.Checkpoints(os.path.join(HERE, "checkpoints"), project=HERE)
    model = xgb.XGBClassifier(
        n_estimators=args.rounds, max_depth=4, learning_rate=0.2, eval_metric="logloss",
        callbacks=[glassbox.xgboost.Callback(checkpoints, every=10)],
    )
    model.fit(pre.transform(train), train[LABEL], eval_set=[(pre.transform(test), test[LABEL])], verbose=False)
    accuracy = (model.predict(pre.transform(test)) == test[LABEL]).mean()
    print(f"test accuracy {accuracy:.4f}; checkpoints: {sorted(os.listdir(os.path.join(HERE, 'checkpoints')))}")
    checkpoints.close()


if __name__ == "__main__":
    main()
