"""Keras needs tf2onnx (TensorFlow is not installable here): the message must say how to get it."""
import pytest

import glassbox


def keras_like(module):
    return type("Sequential", (), {"__module__": module})()


@pytest.mark.parametrize("module", ["keras.src.models.sequential", "tf_keras.src.engine.sequential", "tensorflow.python.keras.engine.sequential"])
def test_without_tf2onnx_the_error_says_pip_install_tf2onnx(tmp_path, module):
    try:
        import tf2onnx  # noqa: F401

        pytest.skip("tf2onnx is installed")
    except ImportError:
        pass
    with pytest.raises(ImportError, match=r"pip install tf2onnx"):
        glassbox.Checkpoints(tmp_path).save(keras_like(module), epoch=0)
    assert list(tmp_path.iterdir()) == []


def test_callback_saves_at_the_end_of_every_n_epochs(tmp_path, monkeypatch):
    from glassbox import frameworks

    written = []
    monkeypatch.setattr(frameworks, "writer_for", lambda model: frameworks.Writer("keras", lambda m, d, o, meta: written.append(meta) or {}))
    callback = glassbox.keras.Callback(glassbox.Checkpoints(tmp_path), every=2)
    callback.model = keras_like("keras.src.models.sequential")
    for epoch in range(4):
        callback.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1), "val_accuracy": 0.5})
    assert [p.rsplit("/", 1)[1] for p in callback.saved] == ["epoch-1", "epoch-3"]
    assert written == [{"epoch": 1, "step": None, "learningRate": None}, {"epoch": 3, "step": None, "learningRate": None}]
