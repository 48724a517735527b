"""Keras: a model becomes `model.onnx` through tf2onnx (one float input [batch, width]);
`Callback` saves a checkpoint at the end of every N epochs."""
import os

from . import onnx_meta
from . import positive_every

DEFAULT_OPSET = 13


def _tf2onnx():
    try:
        import tf2onnx  # noqa: F401
    except ImportError as e:
        raise ImportError(
            "saving a Keras model for Glassbox converts it to ONNX with tf2onnx, which is not installed: "
            "pip install tf2onnx (or pip install 'glassbox[keras]')"
        ) from e
    return tf2onnx


def save(model, directory, options, meta):
    tf2onnx = _tf2onnx()
    import tensorflow as tf

    width = options.get("input_width") or model.inputs[0].shape[-1]
    if width is None:
        raise ValueError(f"cannot tell the input width of {model.name}; pass input_width=")
    spec = (tf.TensorSpec((None, int(width)), tf.float32, name="input"),)
    path = os.path.join(directory, "model.onnx")
    tf2onnx.convert.from_keras(model, input_signature=spec, opset=int(options.get("opset", DEFAULT_OPSET)), output_path=path)
    onnx_meta.add(path, meta)
    return {"inputWidth": int(width)}


def _base():
    for name in ("keras", "tensorflow.keras"):
        try:
            return __import__(name, fromlist=["callbacks"]).callbacks.Callback
        except ImportError:
            continue
    return object


class Callback(_base()):
    """`model.fit(..., callbacks=[glassbox.keras.Callback(checkpoints)])`: a checkpoint `epoch-<n>`
    (n counted from 0 like Keras' `epoch`) every `every` epochs with the epoch's logs as metrics."""

    def __init__(self, checkpoints, every=1, **save_options):
        super().__init__()
        every = positive_every(every, "epochs")
        self.checkpoints = checkpoints
        self.every = every
        self.save_options = save_options
        self.saved = []

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every != 0:
            return
        lr = None
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "learning_rate"):
            try:
                lr = float(optimizer.learning_rate.numpy() if hasattr(optimizer.learning_rate, "numpy") else optimizer.learning_rate)
            except (TypeError, ValueError):
                lr = None
        metrics = {k: float(v) for k, v in (logs or {}).items()}
        self.saved.append(self.checkpoints.save(self.model, epoch=epoch, metrics=metrics, learning_rate=lr, **self.save_options))
