"""scikit-learn: tree models become `glassbox-trees.json`, linear models `glassbox-linear.json`
(both in docs/model-formats.md), and a `Pipeline(preprocessor, estimator)` additionally writes its
preprocessor as `encoding.json` (a Glassbox encoding, see glassbox.encoding)."""
import math
import os

import numpy as np

from .. import encoding as _encoding

TREE_FILE = "glassbox-trees.json"
LINEAR_FILE = "glassbox-linear.json"
ENCODING_FILE = "encoding.json"


def save(model, directory, options, meta):
    from sklearn.pipeline import Pipeline

    extra = {}
    feature_names = None
    if isinstance(model, Pipeline):
        estimator = model.steps[-1][1]
        if len(model.steps) > 1:
            pre = model[:-1]
            spec = _encoding.encoding_from(pre)
            _encoding.write_json(os.path.join(directory, ENCODING_FILE), spec)
            extra["encoding"] = ENCODING_FILE
            feature_names = _encoding.column_names(spec)
    else:
        estimator = model
    if feature_names is None and hasattr(estimator, "feature_names_in_"):
        feature_names = [str(n) for n in estimator.feature_names_in_]
    kind = type(estimator).__name__
    if kind in TREE_MODELS:
        doc = trees_json(estimator, feature_names)
        _encoding.write_json(os.path.join(directory, TREE_FILE), doc)
        return {**extra, "estimator": kind}
    if kind in LINEAR_MODELS:
        doc = linear_json(estimator, feature_names)
        _encoding.write_json(os.path.join(directory, LINEAR_FILE), doc)
        return {**extra, "estimator": kind}
    from . import SUPPORTED

    raise TypeError(f"glassbox cannot save a scikit-learn {kind}; supported: {SUPPORTED}")


# ---------------------------------------------------------------------------------------------
# Linear models


LINEAR_MODELS = {
    "LogisticRegression", "LogisticRegressionCV", "LinearRegression", "Ridge", "RidgeCV", "Lasso", "LassoCV",
    "ElasticNet", "ElasticNetCV", "SGDClassifier", "SGDRegressor", "LinearSVC", "LinearSVR", "RidgeClassifier",
}


def _ovr_logistic(est):
    kind = type(est).__name__
    if kind == "SGDClassifier":
        return True  # SGD is always one-vs-rest
    multi = getattr(est, "multi_class", "auto")
    if multi == "deprecated":
        multi = "auto"
    return multi == "ovr" or (multi == "auto" and getattr(est, "solver", "lbfgs") == "liblinear")


def linear_json(est, feature_names=None):
    """The glassbox-linear document of a fitted linear estimator: `output = link(X @ coef.T + intercept)`."""
    kind = type(est).__name__
    coef = np.atleast_2d(np.asarray(est.coef_, dtype=np.float64))
    intercept = np.atleast_1d(np.asarray(est.intercept_, dtype=np.float64)) * np.ones(coef.shape[0])
    doc = {"format": "glassbox-linear", "version": 1, "objective": f"sklearn:{kind}", "numFeatures": int(coef.shape[1])}
    classes = getattr(est, "classes_", None)
    if classes is not None:
        classes = [_plain(c) for c in classes]
        task = "binary" if len(classes) == 2 else "multiclass"
        probabilistic = kind in ("LogisticRegression", "LogisticRegressionCV") or (kind == "SGDClassifier" and est.loss == "log_loss")
        if not probabilistic:
            link = "identity"  # decision-function scores (hinge, ridge classifiers, LinearSVC)
        elif task == "binary" or _ovr_logistic(est):
            link = "logistic"  # K > 1 outputs: one-vs-rest sigmoids, normalised to sum 1 by the reader
        else:
            link = "softmax"
        doc.update(task=task, link=link, classes=classes)
    else:
        doc.update(task="regression", link="identity")
    doc.update(coef=coef.tolist(), intercept=intercept.tolist())
    if feature_names is not None:
        doc["featureNames"] = list(feature_names)
    return doc


def predict_linear(doc, X):
    """What a reader of glassbox-linear.json computes: probabilities for logistic/softmax links,
    scores for identity. The tests compare it with the estimator's own predictions."""
    z = np.asarray(X, dtype=np.float64) @ np.asarray(doc["coef"]).T + np.asarray(doc["intercept"])
    if doc["link"] == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if doc["link"] == "logistic":
        p = 1 / (1 + np.exp(-z))
        if p.shape[1] == 1:
            return np.hstack([1 - p, p])
        return p / p.sum(axis=1, keepdims=True)
    return z[:, 0] if z.shape[1] == 1 else z


# ---------------------------------------------------------------------------------------------
# Tree models


TREE_MODELS = {
    "DecisionTreeClassifier", "DecisionTreeRegressor", "ExtraTreeClassifier", "ExtraTreeRegressor",
    "RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier", "ExtraTreesRegressor",
    "GradientBoostingClassifier", "GradientBoostingRegressor",
    "HistGradientBoostingClassifier", "HistGradientBoostingRegressor",
}


def _tree(t, value, output):
    n = t.node_count
    leaf = t.children_left == -1
    missing_left = getattr(t, "missing_go_to_left", None)
    if missing_left is None:  # sklearn < 1.3: NaN is not accepted at prediction time at all
        missing_left = np.ones(n, dtype=np.uint8)
    return {
        "output": int(output),
        "decision": "<=",
        "left": t.children_left.astype(int).tolist(),
        "right": t.children_right.astype(int).tolist(),
        "feature": np.where(leaf, -1, t.feature).astype(int).tolist(),
        "threshold": [_finite(v) for v in np.where(leaf, 0.0, t.threshold)],
        "defaultLeft": [int(v) for v in np.asarray(missing_left).astype(int)],
        "value": [float(v) for v in value],
        "cover": [float(v) for v in t.weighted_n_node_samples],
    }


def _class_fractions(t):
    v = t.value[:, 0, :]
    return v / v.sum(axis=1, keepdims=True)


def trees_json(est, feature_names=None):
    """The glassbox-trees document of a fitted scikit-learn tree model (docs/model-formats.md)."""
    kind = type(est).__name__
    if getattr(est, "n_outputs_", 1) != 1:
        raise ValueError(f"{kind} has {est.n_outputs_} outputs; glassbox-trees holds single-output models only")
    trees = []
    if kind.startswith("HistGradientBoosting"):
        return _hist_json(est, feature_names)
    if kind.startswith("GradientBoosting"):
        K = est.estimators_.shape[1]
        for stage in est.estimators_:
            for k, reg in enumerate(stage):
                trees.append(_tree(reg.tree_, est.learning_rate * reg.tree_.value[:, 0, 0], k))
        base = _gb_baseline(est)
        doc = {"outputs": K, "baseScore": base, "aggregate": "sum"}
        if kind.endswith("Classifier"):
            doc["link"] = "logistic" if K == 1 else "softmax"
        else:
            doc["link"] = "identity"
    else:
        estimators = est.estimators_ if hasattr(est, "estimators_") else [est]
        if kind.endswith("Classifier"):
            C = len(est.classes_)
            for e in estimators:
                p = _class_fractions(e.tree_)
                for k in range(C):
                    trees.append(_tree(e.tree_, p[:, k], k))
            doc = {"outputs": C, "baseScore": [0.0] * C, "aggregate": "mean", "link": "identity"}
        else:
            for e in estimators:
                trees.append(_tree(e.tree_, e.tree_.value[:, 0, 0], 0))
            doc = {"outputs": 1, "baseScore": [0.0], "aggregate": "mean", "link": "identity"}
    return _tree_doc(est, doc, trees, feature_names)


def _tree_doc(est, doc, trees, feature_names):
    kind = type(est).__name__
    out = {"format": "glassbox-trees", "version": 1, "numFeatures": int(est.n_features_in_), **doc, "objective": f"sklearn:{kind}"}
    if feature_names is not None:
        out["featureNames"] = list(feature_names)
    metadata = {"library": "scikit-learn"}
    try:
        import sklearn

        metadata["version"] = sklearn.__version__
    except ImportError:
        pass
    if hasattr(est, "classes_"):
        metadata["classes"] = [_plain(c) for c in est.classes_]
    out["metadata"] = metadata
    out["trees"] = trees
    return out


def _gb_baseline(est):
    init = est.init_
    K = est.estimators_.shape[1]
    if init == "zero":
        return [0.0] * K
    kind = type(init).__name__
    if kind == "DummyRegressor" and init.strategy in ("mean", "quantile", "median"):
        return [float(np.ravel(init.constant_)[0])]
    if kind == "DummyClassifier" and init.strategy == "prior":
        # As sklearn's loss.fit_intercept_only: clipped prior, logit (binary) or log (multiclass).
        eps = np.finfo(np.float64).eps
        p = np.clip(np.asarray(init.class_prior_, dtype=np.float64), eps, 1 - eps)
        if K == 1:
            return [float(np.log(p[1] / (1 - p[1])))]
        return [float(v) for v in np.log(p)]
    raise ValueError(f"{type(est).__name__} with init={type(init).__name__} cannot be written: glassbox-trees needs the default (prior) init or 'zero'")


def _hist_json(est, feature_names):
    kind = type(est).__name__
    link = "identity"
    loss = getattr(est, "loss", "")
    if kind.endswith("Classifier"):
        K = len(est.classes_)
        link = "logistic" if K == 2 else "softmax"
    elif loss in ("poisson", "gamma"):
        link = "exp"
    elif loss not in ("squared_error", "absolute_error", "quantile"):
        raise ValueError(f"{kind} with loss={loss!r} cannot be written to glassbox-trees")
    trees = []
    for predictors in est._predictors:
        for k, predictor in enumerate(predictors):
            nodes = predictor.nodes
            if np.any(nodes["is_categorical"]):
                raise ValueError(f"{kind} has categorical splits, which glassbox-trees does not support")
            leaf = nodes["is_leaf"].astype(bool)
            trees.append({
                "output": k,
                "decision": "<=",
                "left": np.where(leaf, -1, nodes["left"]).astype(int).tolist(),
                "right": np.where(leaf, -1, nodes["right"]).astype(int).tolist(),
                "feature": np.where(leaf, -1, nodes["feature_idx"]).astype(int).tolist(),
                "threshold": [_finite(v) for v in np.where(leaf, 0.0, nodes["num_threshold"])],
                "defaultLeft": nodes["missing_go_to_left"].astype(int).tolist(),
                "value": nodes["value"].astype(float).tolist(),
                "cover": nodes["count"].astype(float).tolist(),
            })
    base = np.ravel(est._baseline_prediction).astype(float).tolist()
    doc = {"outputs": len(base), "baseScore": base, "aggregate": "sum", "link": link}
    return _tree_doc(est, doc, trees, feature_names)


def predict_trees(doc, X):
    """What a reader of glassbox-trees.json computes (margins through the link); used by the tests."""
    X = np.asarray(X, dtype=np.float32)
    n, K = X.shape[0], doc["outputs"]
    total = np.zeros((n, K))
    counts = np.zeros(K)
    for t in doc["trees"]:
        left, right, feature = np.array(t["left"]), np.array(t["right"]), np.array(t["feature"])
        threshold, value, default_left = np.array(t["threshold"]), np.array(t["value"]), np.array(t["defaultLeft"], dtype=bool)
        node = np.zeros(n, dtype=int)
        active = left[node] != -1
        while active.any():
            i = np.nonzero(active)[0]
            x = X[i, feature[node[i]]].astype(np.float64)
            th = threshold[node[i]]
            go_left = np.where(np.isnan(x), default_left[node[i]], (x < th) if t["decision"] == "<" else (x <= th))
            node[i] = np.where(go_left, left[node[i]], right[node[i]])
            active = left[node] != -1
        total[:, t["output"]] += value[node]
        counts[t["output"]] += 1
    margin = np.asarray(doc["baseScore"]) + (total / counts if doc["aggregate"] == "mean" else total)
    link = doc["link"]
    if link == "logistic":
        return 1 / (1 + np.exp(-margin))
    if link == "softmax":
        e = np.exp(margin - margin.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if link == "exp":
        return np.exp(margin)
    return margin


def _finite(v):
    v = float(v)
    if math.isinf(v):
        return 1e308 if v > 0 else -1e308
    return v


def _plain(v):
    if isinstance(v, np.generic):
        v = v.item()
    return v if isinstance(v, (int, float, str)) and not isinstance(v, bool) else str(v)


__all__ = ["save", "linear_json", "trees_json", "predict_linear", "predict_trees"]
