"""LightGBM: a `Booster` or `LGBMClassifier`/`LGBMRegressor` becomes `lightgbm.txt` (LightGBM's text
model, `save_model`), and `callback` saves a checkpoint every N boosting rounds."""
import os

import lightgbm
from . import positive_every


def _booster(model):
    return model if isinstance(model, lightgbm.Booster) else model.booster_


def save(model, directory, options, meta):
    booster = _booster(model)
    # num_iteration=-1: every tree so far, also mid-training (the default would cut at best_iteration).
    booster.save_model(os.path.join(directory, "lightgbm.txt"), num_iteration=-1)
    return {"round": int(booster.current_iteration())}


def callback(checkpoints, every=1, learning_rate=None):
    """`lightgbm.train(..., callbacks=[glassbox.lightgbm.callback(checkpoints, every=10)])`, or
    `LGBMClassifier().fit(..., callbacks=[...])`: after every `every`-th round, a checkpoint
    `round-<n>` with step = round = n and the latest value of every validation metric."""
    every = positive_every(every, "rounds")

    def _callback(env):
        rounds = env.iteration + 1
        if rounds % every != 0:
            return
        metrics = {f"{data}-{name}": float(value) for data, name, value, *_ in env.evaluation_result_list or []}
        lr = learning_rate if learning_rate is not None else env.params.get("learning_rate")
        _callback.saved.append(checkpoints.save(env.model, step=rounds, name=f"round-{rounds}", metrics=metrics, learning_rate=lr))

    _callback.order = 40  # after LightGBM's own recording/early-stopping callbacks
    _callback.saved = []
    return _callback
