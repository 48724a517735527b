"""XGBoost and LightGBM: the saved file loads back in the library and predicts the same; callbacks
save every N rounds."""
import json
import os

import numpy as np
import pytest

import glassbox

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")


def meta(path):
    return json.load(open(os.path.join(path, "glassbox-meta.json")))


def test_xgboost_classifier_and_booster_round_trip(tmp_path, adult_xy):
    X, y = adult_xy
    clf = xgb.XGBClassifier(n_estimators=15, max_depth=3, learning_rate=0.3).fit(X, y)
    path = glassbox.Checkpoints(tmp_path).save(clf, name="clf")
    loaded = xgb.XGBClassifier()
    loaded.load_model(os.path.join(path, "xgboost.json"))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert (meta(path)["framework"], meta(path)["round"]) == ("xgboost", 15)

    yk = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    booster = xgb.train({"objective": "multi:softprob", "num_class": 3, "max_depth": 2}, xgb.DMatrix(X, yk), num_boost_round=6)
    path = glassbox.Checkpoints(tmp_path).save(booster, name="booster")
    back = xgb.Booster(model_file=os.path.join(path, "xgboost.json"))
    np.testing.assert_array_equal(back.predict(xgb.DMatrix(X)), booster.predict(xgb.DMatrix(X)))
    assert meta(path)["round"] == 6


def test_xgboost_callback_every_n_rounds(tmp_path, adult_xy):
    X, y = adult_xy
    callback = glassbox.xgboost.Callback(glassbox.Checkpoints(tmp_path), every=4)
    train, valid = xgb.DMatrix(X[:2000], y[:2000]), xgb.DMatrix(X[2000:], y[2000:])
    booster = xgb.train({"objective": "binary:logistic", "eta": 0.2, "eval_metric": "logloss"}, train, num_boost_round=10, evals=[(valid, "valid")], callbacks=[callback], verbose_eval=False)
    assert [os.path.basename(p) for p in callback.saved] == ["round-4", "round-8"]
    m = meta(callback.saved[1])
    assert (m["step"], m["round"], m["learningRate"]) == (8, 8, pytest.approx(0.2))
    assert set(m["metrics"]) == {"valid-logloss"}
    # The round-8 checkpoint is the model after 8 rounds.
    back = xgb.Booster(model_file=os.path.join(callback.saved[1], "xgboost.json"))
    np.testing.assert_allclose(back.predict(valid), booster.predict(valid, iteration_range=(0, 8)), rtol=1e-6)


def test_lightgbm_classifier_and_booster_round_trip(tmp_path, adult_xy):
    X, y = adult_xy
    clf = lgb.LGBMClassifier(n_estimators=12, num_leaves=8, verbose=-1).fit(X, y)
    path = glassbox.Checkpoints(tmp_path).save(clf, name="clf")
    back = lgb.Booster(model_file=os.path.join(path, "lightgbm.txt"))
    np.testing.assert_allclose(back.predict(X), clf.predict_proba(X)[:, 1], rtol=1e-12)
    assert (meta(path)["framework"], meta(path)["round"]) == ("lightgbm", 12)


def test_lightgbm_callback_every_n_rounds(tmp_path, adult_xy):
    X, y = adult_xy
    callback = glassbox.lightgbm.callback(glassbox.Checkpoints(tmp_path), every=3)
    train, valid = lgb.Dataset(X[:2000], y[:2000]), lgb.Dataset(X[2000:], y[2000:])
    booster = lgb.train({"objective": "binary", "learning_rate": 0.1, "num_leaves": 7, "verbose": -1}, train, num_boost_round=7, valid_sets=[valid], valid_names=["valid"], callbacks=[callback])
    assert [os.path.basename(p) for p in callback.saved] == ["round-3", "round-6"]
    m = meta(callback.saved[1])
    assert (m["step"], m["round"], m["learningRate"]) == (6, 6, 0.1)
    assert set(m["metrics"]) == {"valid-binary_logloss"}
    back = lgb.Booster(model_file=os.path.join(callback.saved[1], "lightgbm.txt"))
    np.testing.assert_allclose(back.predict(X[2000:]), booster.predict(X[2000:], num_iteration=6), rtol=1e-12)
