"""PyTorch: a `torch.nn.Module` becomes `model.onnx` (one input `input` of shape [batch, width],
one output `output`, batch axis dynamic), and `Callback` saves one checkpoint per validation epoch.

Options: `example_input` (a tensor, batch of any size; used as is), `input_width` (an int: zeros of
shape [1, width] are traced), `opset` (default 13). Without either, the width is the
`in_features` of the model's first `nn.Linear`. The model is put in eval mode for tracing (dropout
and batch norm as at inference) and its previous mode restored afterwards.
"""
import torch

from . import onnx_meta, positive_every

DEFAULT_OPSET = 13


def example_input_for(model, options):
    if options.get("example_input") is not None:
        return options["example_input"]
    param = next(model.parameters(), None)
    device = param.device if param is not None else torch.device("cpu")
    width = options.get("input_width")
    first = next((m for m in model.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Embedding))), None)
    if isinstance(first, torch.nn.Embedding):
        # An embedding takes category indices: a width cannot be read off the layer.
        if width is None:
            raise ValueError(
                f"cannot tell the input width of {type(model).__name__}: its first layer is an nn.Embedding; "
                "pass input_width= (number of index columns) or example_input= to Checkpoints or save()"
            )
        return torch.zeros((1, int(width)), dtype=torch.long, device=device)
    if width is None:
        if first is None:
            raise ValueError(f"cannot tell the input width of {type(model).__name__}: it has no nn.Linear layer; pass input_width= or example_input=")
        width = first.in_features
    return torch.zeros((1, int(width)), dtype=torch.float32, device=device)


def save(model, directory, options, meta):
    import os

    path = os.path.join(directory, "model.onnx")
    example = example_input_for(model, options)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            torch.onnx.export(
                model,
                (example,),
                path,
                input_names=["input"],
                output_names=["output"],
                dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                opset_version=int(options.get("opset", DEFAULT_OPSET)),
            )
    finally:
        model.train(was_training)
    onnx_meta.add(path, meta)
    return {"inputWidth": int(example.shape[1]) if example.dim() > 1 else 1}


def _base():
    # A Lightning callback when Lightning is installed, so `Trainer(callbacks=[...])` accepts it.
    for name in ("lightning.pytorch", "pytorch_lightning"):
        try:
            module = __import__(name, fromlist=["Callback"])
            return module.Callback
        except ImportError:
            continue
    return object


class Callback(_base()):
    """Saves a checkpoint at the end of every `every`-th validation epoch.

    With PyTorch Lightning: `Trainer(callbacks=[glassbox.torch.Callback(checkpoints)])`; metrics are
    the trainer's `callback_metrics`, the learning rate the first optimizer's. In a plain loop call
    `callback.on_validation_epoch_end(None, model, epoch=e, metrics={...}, learning_rate=lr)`.
    """

    def __init__(self, checkpoints, every=1, **save_options):
        super().__init__()
        every = positive_every(every, "epochs")
        self.checkpoints = checkpoints
        self.every = every
        self.save_options = save_options
        self.saved = []

    def on_validation_epoch_end(self, trainer, pl_module, epoch=None, metrics=None, learning_rate=None):
        if trainer is not None:
            if getattr(trainer, "sanity_checking", False):
                return
            epoch = trainer.current_epoch if epoch is None else epoch
            step = getattr(trainer, "global_step", None)
            if metrics is None:
                metrics = {k: float(v) for k, v in getattr(trainer, "callback_metrics", {}).items() if _scalar(v)}
            if learning_rate is None and getattr(trainer, "optimizers", None):
                learning_rate = trainer.optimizers[0].param_groups[0].get("lr")
        else:
            step = None
        if epoch is None:
            raise ValueError("on_validation_epoch_end needs epoch= when called without a trainer")
        if (int(epoch) + 1) % self.every != 0:
            return
        path = self.checkpoints.save(pl_module, epoch=epoch, step=step, metrics=metrics, learning_rate=learning_rate, **self.save_options)
        self.saved.append(path)


def _scalar(v):
    try:
        return v.numel() == 1
    except AttributeError:
        return isinstance(v, (int, float))
