"""Glassbox for Python training code: checkpoints and feature encodings the Glassbox daemon reads.

    import glassbox
    checkpoints = glassbox.Checkpoints("checkpoints")        # one per training run
    checkpoints.save(model, epoch=3, metrics={"loss": 0.31})  # torch, sklearn, xgboost, lightgbm, keras
    glassbox.write_encoding(column_transformer, "encoding.json")

One-line training-loop hooks: `glassbox.torch.Callback`, `glassbox.xgboost.Callback`,
`glassbox.lightgbm.callback`, `glassbox.keras.Callback`. Nothing here imports a framework until a
model of that framework is saved or its hook is used, so `import glassbox` needs only the standard
library.
"""
import importlib

from .checkpoints import Checkpoints
from .encoding import write_encoding, encoding_from
from .stream import connect

__all__ = ["Checkpoints", "write_encoding", "encoding_from", "connect", "torch", "sklearn", "xgboost", "lightgbm", "keras"]
__version__ = "0.1.0"

_FRAMEWORKS = ("torch", "sklearn", "xgboost", "lightgbm", "keras")


def __getattr__(name):
    # `glassbox.xgboost.Callback` imports xgboost only when first touched.
    if name in _FRAMEWORKS:
        module = importlib.import_module(f".frameworks.{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'glassbox' has no attribute {name!r}")
