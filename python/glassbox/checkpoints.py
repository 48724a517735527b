"""Checkpoint directories the Glassbox daemon picks up while training runs.

Contract of a checkpoint written here (docs/model-formats.md, "Checkpoint metadata"):
- `<dir>/<name>/` holds the model file (`model.onnx`, `xgboost.json`, `lightgbm.txt`,
  `glassbox-trees.json` or `glassbox-linear.json`), `glassbox-meta.json`, and for a scikit-learn
  Pipeline also `encoding.json` (its preprocessor as a Glassbox encoding).
- The directory appears whole or not at all: everything is written into `<dir>/.<name>.tmp-<pid>`
  (a name the daemon ignores), flushed, then renamed into place. Saving under an existing name
  swaps the new directory in and removes the old one afterwards.
- After the rename, a running daemon is told through `glassbox.stream`; without one nothing happens,
  and a daemon that goes away mid-training never interrupts training.
"""
import datetime
import json
import math
import os
import re
import shutil
import uuid

from . import frameworks
from .stream import connect

META_FILE = "glassbox-meta.json"
_NAME = re.compile(r"^[^./\\][^/\\]*$")


class Checkpoints:
    """Writes checkpoints of one training run into `directory`.

    `project` is the folder holding glassbox.json (where the daemon's `.glassbox/stream.json` is).
    Every checkpoint of this object carries the same `runId` (a uuid4), so the daemon tells a
    restarted run from the continuation of an old one. Framework options (e.g. `example_input`,
    `input_width`, `opset` for PyTorch and Keras) given here apply to every save and can be
    overridden per save.
    """

    def __init__(self, directory, project=".", **options):
        self.directory = os.fspath(directory)
        self.project = os.fspath(project)
        self.run_id = str(uuid.uuid4())
        self.options = options
        self._stream = None

    def save(self, model, epoch=None, step=None, metrics=None, learning_rate=None, name=None, **options):
        """Saves `model` as one checkpoint and returns the checkpoint directory's path.

        The name is `name`, else `epoch-<epoch>`, else `step-<step>`. `metrics` are numbers
        (loss, accuracy, ...) stored in the metadata and sent to the daemon. Extra keyword
        arguments go to the framework's writer (see `Checkpoints`).
        """
        if name is None:
            if epoch is not None:
                name = f"epoch-{epoch}"
            elif step is not None:
                name = f"step-{step}"
            else:
                raise ValueError("Checkpoints.save needs epoch=, step= or name= to name the checkpoint")
        name = str(name)
        if not _NAME.match(name):
            raise ValueError(f"checkpoint name {name!r} must be one path component that does not start with '.'")
        writer = frameworks.writer_for(model)
        values = _numbers(metrics or {}, "metrics")

        os.makedirs(self.directory, exist_ok=True)
        final = os.path.join(self.directory, name)
        tmp = os.path.join(self.directory, f".{name}.tmp-{os.getpid()}")
        if os.path.exists(tmp):
            shutil.rmtree(tmp)
        os.mkdir(tmp)
        try:
            extra = writer.write(model, tmp, {**self.options, **options}, {"epoch": epoch, "step": step, "learningRate": learning_rate}) or {}
            meta = {
                "epoch": epoch,
                "step": step,
                "learningRate": None if learning_rate is None else float(learning_rate),
                # JSON has no NaN: a diverged loss is stored as null.
                "metrics": {k: (v if math.isfinite(v) else None) for k, v in values.items()},
                "framework": writer.framework,
                "createdAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "runId": self.run_id,
                **extra,
            }
            _write_json(os.path.join(tmp, META_FILE), meta)
            _fsync_tree(tmp)
            _swap_in(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._announce(final, epoch if epoch is not None else step, values)
        return final

    def close(self):
        """Closes the connection to the daemon (if any); later saves reconnect."""
        if self._stream is not None:
            try:
                self._stream.close()
            except OSError:
                pass
            self._stream = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _announce(self, path, step, metrics):
        try:
            if self._stream is None:
                self._stream = connect(self.project)
            self._stream.checkpoint(path)
            finite = {k: v for k, v in metrics.items() if math.isfinite(v)}
            if finite and step is not None:
                self._stream.metrics(step, finite)
        except (OSError, ValueError, ConnectionError):
            # The daemon went away: keep training; the file watcher still sees the checkpoint.
            self._stream = None


def _numbers(values, what):
    out = {}
    for k, v in dict(values).items():
        try:
            out[str(k)] = float(v)
        except (TypeError, ValueError):
            raise TypeError(f"{what}[{k!r}] is {type(v).__name__}, expected a number") from None
    return out


def _write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, allow_nan=False)
        f.write("\n")


def _fsync_tree(directory):
    # A crash right after the rename must not leave a directory of empty files behind.
    for entry in os.scandir(directory):
        if entry.is_file():
            fd = os.open(entry.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _swap_in(tmp, final):
    if not os.path.exists(final):
        os.rename(tmp, final)
        return
    # rename() cannot replace a non-empty directory: move the old one aside (a name the daemon
    # ignores), put the new one in place, then delete the old one.
    old = os.path.join(os.path.dirname(final), f".{os.path.basename(final)}.old-{os.getpid()}")
    if os.path.exists(old):
        shutil.rmtree(old)
    os.rename(final, old)
    os.rename(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
