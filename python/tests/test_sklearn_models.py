"""scikit-learn trees and linear models: the written JSON, evaluated as its format says
(docs/model-formats.md), gives the estimator's own predictions."""
import json
import os

import numpy as np
import pytest
from sklearn import ensemble, linear_model, svm, tree
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import glassbox
from glassbox.frameworks.sklearn import predict_linear, predict_trees


@pytest.fixture(scope="module")
def data(adult_xy):
    X, y = adult_xy
    X = X.copy()
    y3 = np.digitize(X[:, 0], [-0.5, 0.5])  # three classes
    reg = X[:, 4] * 2 + X[:, 1] + np.sin(X[:, 0])
    Xnan = X.copy()
    Xnan[np.random.default_rng(0).random(X.shape) < 0.05] = np.nan
    return X, Xnan, y, y3, reg


def saved(tmp_path, model, filename):
    path = glassbox.Checkpoints(tmp_path).save(model, name=type(model).__name__)
    meta = json.load(open(os.path.join(path, "glassbox-meta.json")))
    assert meta["framework"] == "sklearn" and meta["estimator"] == type(model).__name__
    return json.load(open(os.path.join(path, filename)))


CLASSIFIERS = [
    tree.DecisionTreeClassifier(max_depth=5, random_state=0),
    ensemble.RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0),
    ensemble.ExtraTreesClassifier(n_estimators=8, max_depth=4, random_state=0),
    ensemble.GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0),
    ensemble.HistGradientBoostingClassifier(max_iter=10, random_state=0),
]
REGRESSORS = [
    tree.DecisionTreeRegressor(max_depth=5, random_state=0),
    ensemble.RandomForestRegressor(n_estimators=8, max_depth=4, random_state=0),
    ensemble.ExtraTreesRegressor(n_estimators=8, max_depth=4, random_state=0),
    ensemble.GradientBoostingRegressor(n_estimators=10, max_depth=2, random_state=0),
    ensemble.HistGradientBoostingRegressor(max_iter=10, random_state=0),
]


@pytest.mark.parametrize("est", CLASSIFIERS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("classes", [2, 3])
def test_tree_classifiers(tmp_path, data, est, classes):
    X, Xnan, y, y3, _ = data
    nan_ok = not isinstance(est, (ensemble.GradientBoostingClassifier, ensemble.RandomForestClassifier, ensemble.ExtraTreesClassifier))
    Xf = Xnan if nan_ok else X
    target = y if classes == 2 else y3
    est.fit(Xf, target)
    doc = saved(tmp_path, est, "glassbox-trees.json")
    assert (doc["format"], doc["version"], doc["numFeatures"]) == ("glassbox-trees", 1, 5)
    got = predict_trees(doc, Xf)
    want = est.predict_proba(Xf)
    if got.shape[1] == 1:  # binary boosting: one logistic output for class 1
        got = np.hstack([1 - got, got])
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("est", REGRESSORS, ids=lambda e: type(e).__name__)
def test_tree_regressors(tmp_path, data, est):
    X, Xnan, _, _, reg = data
    Xf = Xnan if isinstance(est, (tree.DecisionTreeRegressor, ensemble.HistGradientBoostingRegressor)) else X
    est.fit(Xf, reg)
    doc = saved(tmp_path, est, "glassbox-trees.json")
    np.testing.assert_allclose(predict_trees(doc, Xf)[:, 0], est.predict(Xf), rtol=1e-9, atol=1e-9)


LINEAR = [
    (linear_model.LogisticRegression(max_iter=500), "binary", "logistic"),
    (linear_model.LogisticRegression(max_iter=500), "multiclass", "softmax"),
    (linear_model.LogisticRegression(solver="liblinear"), "multiclass", "logistic"),
    (linear_model.SGDClassifier(loss="log_loss", random_state=0), "binary", "logistic"),
    (linear_model.SGDClassifier(loss="log_loss", random_state=0), "multiclass", "logistic"),
    (linear_model.SGDClassifier(loss="hinge", random_state=0), "multiclass", "identity"),
    (svm.LinearSVC(dual="auto"), "binary", "identity"),
    (svm.LinearSVC(dual="auto"), "multiclass", "identity"),
    (linear_model.LinearRegression(), "regression", "identity"),
    (linear_model.Ridge(alpha=2.0), "regression", "identity"),
    (linear_model.Lasso(alpha=0.01), "regression", "identity"),
    (linear_model.ElasticNet(alpha=0.01, l1_ratio=0.3), "regression", "identity"),
    (linear_model.SGDRegressor(random_state=0), "regression", "identity"),
]


@pytest.mark.parametrize("est, task, link", LINEAR, ids=lambda v: type(v).__name__ if not isinstance(v, str) else v)
def test_linear_models(tmp_path, data, est, task, link):
    X, _, y, y3, reg = data
    X = X.astype(np.float64)  # float32 input makes sklearn predict in float32
    target = {"binary": y, "multiclass": y3, "regression": reg}[task]
    est.fit(X, target)
    doc = saved(tmp_path, est, "glassbox-linear.json")
    assert (doc["format"], doc["version"], doc["task"], doc["link"]) == ("glassbox-linear", 1, task, link)
    got = predict_linear(doc, X)
    if link == "identity" and task != "regression":
        want = est.decision_function(X)
        got = got if want.ndim == 2 else got.ravel() if got.ndim == 2 else got
    elif task == "regression":
        want = est.predict(X)
    else:
        want = est.predict_proba(X)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    if task != "regression":
        assert doc["classes"] == sorted(set(int(v) for v in target))


def test_pipeline_writes_the_preprocessor_as_encoding_and_the_estimator_as_model(tmp_path, adult):
    pre = ColumnTransformer([("num", StandardScaler(), ["age", "hours_per_week"]), ("cat", OneHotEncoder(handle_unknown="ignore"), ["race", "sex"])], sparse_threshold=0)
    pipe = Pipeline([("pre", pre), ("model", linear_model.LogisticRegression(max_iter=500))]).fit(adult, adult["income"])
    path = glassbox.Checkpoints(tmp_path).save(pipe, epoch=0)
    assert sorted(os.listdir(path)) == ["encoding.json", "glassbox-linear.json", "glassbox-meta.json"]
    doc = json.load(open(os.path.join(path, "glassbox-linear.json")))
    encoding = json.load(open(os.path.join(path, "encoding.json")))
    assert doc["featureNames"] == glassbox.encoding.column_names(encoding)
    assert doc["numFeatures"] == encoding["width"] == 9
    np.testing.assert_allclose(predict_linear(doc, pre.transform(adult)), pipe.predict_proba(adult), rtol=1e-9)
    assert json.load(open(os.path.join(path, "glassbox-meta.json")))["encoding"] == "encoding.json"


def test_unsupported_sklearn_models(tmp_path, data):
    X, _, y, _, _ = data
    with pytest.raises(TypeError, match=r"cannot save a scikit-learn SVC; supported: .*RandomForest"):
        glassbox.Checkpoints(tmp_path).save(svm.SVC().fit(X[:200], y[:200]), epoch=0)
    multi = tree.DecisionTreeRegressor(max_depth=2).fit(X, np.stack([X[:, 0], X[:, 1]], 1))
    with pytest.raises(ValueError, match="has 2 outputs"):
        glassbox.Checkpoints(tmp_path).save(multi, epoch=1)
    assert os.listdir(tmp_path) == []
