"""XGBoost: a `Booster` or `XGBClassifier`/`XGBRegressor` becomes `xgboost.json` (XGBoost's own JSON
model, `save_model`), and `Callback` saves a checkpoint every N boosting rounds."""
import os

import xgboost
from . import positive_every


def _booster(model):
    return model if isinstance(model, xgboost.Booster) else model.get_booster()


def save(model, directory, options, meta):
    # XGBModel.save_model also stores the scikit-learn wrapper's attributes (classes, objective).
    model.save_model(os.path.join(directory, "xgboost.json"))
    return {"round": int(_booster(model).num_boosted_rounds())}


class Callback(xgboost.callback.TrainingCallback):
    """`xgboost.train(..., callbacks=[glassbox.xgboost.Callback(checkpoints, every=10)])`, or
    `XGBClassifier(callbacks=[...])`: after every `every`-th round, a checkpoint `round-<n>` with
    step = round = n and the latest value of every evaluation metric (`<data>-<metric>`)."""

    def __init__(self, checkpoints, every=1, learning_rate=None):
        super().__init__()
        every = positive_every(every, "rounds")
        self.checkpoints = checkpoints
        self.every = every
        self.learning_rate = learning_rate
        self.saved = []

    def after_iteration(self, model, epoch, evals_log):
        rounds = epoch + 1
        if rounds % self.every == 0:
            metrics = {}
            for data, values in evals_log.items():
                for metric, history in values.items():
                    last = history[-1]
                    metrics[f"{data}-{metric}"] = float(last[0] if isinstance(last, tuple) else last)
            lr = self.learning_rate if self.learning_rate is not None else _learning_rate(model)
            self.saved.append(self.checkpoints.save(model, step=rounds, name=f"round-{rounds}", metrics=metrics, learning_rate=lr))
        return False  # never stops training


def _learning_rate(booster):
    import json

    try:
        config = json.loads(booster.save_config())
        return float(config["learner"]["gradient_booster"]["tree_train_param"]["eta"])
    except (KeyError, TypeError, ValueError):
        return None
