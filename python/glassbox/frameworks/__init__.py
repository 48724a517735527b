"""Which writer saves a model: decided from the model's class and its bases by module name, so no
framework is imported before a model of it is saved."""
import importlib

SUPPORTED = (
    "torch.nn.Module (-> model.onnx); "
    "xgboost Booster/XGBClassifier/XGBRegressor (-> xgboost.json); "
    "lightgbm Booster/LGBMClassifier/LGBMRegressor (-> lightgbm.txt); "
    "scikit-learn DecisionTree*/RandomForest*/ExtraTrees*/GradientBoosting* (-> glassbox-trees.json), "
    "LogisticRegression/LinearRegression/Ridge/Lasso/ElasticNet/SGDClassifier/SGDRegressor/LinearSVC/LinearSVR "
    "(-> glassbox-linear.json), and a Pipeline ending in one of them; "
    "keras Model (-> model.onnx, needs tf2onnx)"
)


class Writer:
    """`write(model, directory, options, meta)` saves the model into `directory` and returns extra
    metadata for glassbox-meta.json (e.g. `round` for boosted trees)."""

    def __init__(self, framework, write):
        self.framework = framework
        self.write = write


def _modules(model):
    return [f"{c.__module__}.{c.__qualname__}" for c in type(model).__mro__]


def writer_for(model):
    names = _modules(model)
    top = {n.split(".", 1)[0] for n in names}
    if "torch" in top:
        return Writer("pytorch", importlib.import_module(".torch", __name__).save)
    if "xgboost" in top:
        return Writer("xgboost", importlib.import_module(".xgboost", __name__).save)
    if "lightgbm" in top:
        return Writer("lightgbm", importlib.import_module(".lightgbm", __name__).save)
    if "sklearn" in top:
        return Writer("sklearn", importlib.import_module(".sklearn", __name__).save)
    if "keras" in top or "tf_keras" in top or any(n.startswith("tensorflow.") and "keras" in n for n in names):
        return Writer("keras", importlib.import_module(".keras", __name__).save)
    raise TypeError(f"glassbox cannot save a {type(model).__module__}.{type(model).__qualname__}; supported: {SUPPORTED}")


def positive_every(every, unit):
    """The callbacks' `every` as a positive int, or a ValueError naming the unit (epochs, rounds)."""
    if int(every) < 1:
        raise ValueError(f"every must be a positive number of {unit}, got {every}")
    return int(every)
