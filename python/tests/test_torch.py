"""PyTorch -> model.onnx, checked with onnxruntime against the module itself."""
import json
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import glassbox  # noqa: E402


def mlp(width=5, classes=2):
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(width, 16), torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.BatchNorm1d(16), torch.nn.Linear(16, classes)
    )


def run_onnx(path, X):
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X.astype(np.float32)})[0]


def test_exports_an_onnx_model_that_predicts_like_the_module(tmp_path, adult_xy):
    X, y = adult_xy
    model = mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(20):  # enough training that batch-norm statistics and weights are not the init
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(X[:512])), torch.from_numpy(y[:512]).long())
        loss.backward()
        optimizer.step()
    model.train()
    path = glassbox.Checkpoints(tmp_path).save(model, epoch=4, step=80, learning_rate=1e-2, metrics={"loss": float(loss)})
    assert model.training, "the model's mode is restored after export"
    model.eval()
    with torch.no_grad():
        want = model(torch.from_numpy(X[:300])).numpy()
    # Any batch size: the batch axis is dynamic.
    for rows in (300, 7, 1):
        np.testing.assert_allclose(run_onnx(os.path.join(path, "model.onnx"), X[:rows]), want[:rows], rtol=1e-5, atol=1e-5)
    props = {p.key: p.value for p in onnx.load(os.path.join(path, "model.onnx")).metadata_props}
    assert props == {"epoch": "4", "step": "80", "learningRate": "0.01"}
    meta = json.load(open(os.path.join(path, "glassbox-meta.json")))
    assert (meta["framework"], meta["inputWidth"], meta["epoch"]) == ("pytorch", 5, 4)


def test_input_width_from_options_and_eval_mode_restored(tmp_path):
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.ones(3))

        def forward(self, x):
            return (x * self.scale).sum(1, keepdim=True)

    net = Net().eval()
    with pytest.raises(ValueError, match="has no nn.Linear layer; pass input_width="):
        glassbox.Checkpoints(tmp_path).save(net, epoch=0)
    path = glassbox.Checkpoints(tmp_path, input_width=3).save(net, epoch=1)
    assert not net.training
    x = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)
    np.testing.assert_allclose(run_onnx(os.path.join(path, "model.onnx"), x), [[6], [15]])
    path = glassbox.Checkpoints(tmp_path).save(net, epoch=2, example_input=torch.zeros(4, 3))
    np.testing.assert_allclose(run_onnx(os.path.join(path, "model.onnx"), x), [[6], [15]])


def test_embedding_first_needs_a_width(tmp_path):
    model = torch.nn.Sequential(torch.nn.Embedding(10, 4), torch.nn.Flatten(), torch.nn.Linear(8, 1))
    with pytest.raises(ValueError, match="first layer is an nn.Embedding; pass input_width="):
        glassbox.Checkpoints(tmp_path).save(model, epoch=0)
    path = glassbox.Checkpoints(tmp_path).save(model, epoch=1, input_width=2)
    session = ort.InferenceSession(os.path.join(path, "model.onnx"), providers=["CPUExecutionProvider"])
    idx = np.array([[1, 2], [3, 9]], dtype=np.int64)
    with torch.no_grad():
        np.testing.assert_allclose(session.run(None, {"input": idx})[0], model(torch.from_numpy(idx)).numpy(), rtol=1e-6)


def test_callback_in_a_plain_loop_saves_every_n_epochs(tmp_path):
    model = mlp()
    callback = glassbox.torch.Callback(glassbox.Checkpoints(tmp_path), every=2)
    for epoch in range(5):
        callback.on_validation_epoch_end(None, model, epoch=epoch, metrics={"val_loss": 1.0 / (epoch + 1)}, learning_rate=0.1)
    assert [os.path.basename(p) for p in callback.saved] == ["epoch-1", "epoch-3"]
    meta = json.load(open(os.path.join(callback.saved[1], "glassbox-meta.json")))
    assert (meta["epoch"], meta["metrics"], meta["learningRate"]) == (3, {"val_loss": 0.25}, 0.1)
    with pytest.raises(ValueError, match="needs epoch="):
        callback.on_validation_epoch_end(None, model)


def test_callback_reads_a_lightning_like_trainer(tmp_path):
    class Trainer:
        sanity_checking = False
        current_epoch = 0
        global_step = 120
        callback_metrics = {"val_loss": torch.tensor(0.5), "hist": torch.ones(3)}
        optimizers = [torch.optim.SGD(mlp().parameters(), lr=0.05)]

    callback = glassbox.torch.Callback(glassbox.Checkpoints(tmp_path))
    trainer = Trainer()
    trainer.sanity_checking = True
    callback.on_validation_epoch_end(trainer, mlp())
    assert callback.saved == []
    trainer.sanity_checking = False
    callback.on_validation_epoch_end(trainer, mlp())
    meta = json.load(open(os.path.join(callback.saved[0], "glassbox-meta.json")))
    assert (meta["epoch"], meta["step"], meta["metrics"], meta["learningRate"]) == (0, 120, {"val_loss": 0.5}, 0.05)
