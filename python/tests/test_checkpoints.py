"""Checkpoints: atomic directories, metadata, the daemon announcement, refusals."""
import base64
import hashlib
import json
import os
import socket
import struct
import threading
import time
import uuid

import pytest

import glassbox
from glassbox import frameworks
from glassbox.checkpoints import META_FILE


class SlowModel:
    """A model whose writer takes a while and writes several files, to catch partial directories."""


def _slow_writer(model, directory, options, meta):
    for i in range(4):
        with open(os.path.join(directory, f"part-{i}.bin"), "wb") as f:
            f.write(os.urandom(2048))
        time.sleep(0.01)
    return {"parts": 4}


class FailingModel:
    pass


def _failing_writer(model, directory, options, meta):
    with open(os.path.join(directory, "half.bin"), "wb") as f:
        f.write(b"x")
    raise RuntimeError("disk full")


@pytest.fixture
def fake_frameworks(monkeypatch):
    real = frameworks.writer_for

    def writer_for(model):
        if isinstance(model, SlowModel):
            return frameworks.Writer("test", _slow_writer)
        if isinstance(model, FailingModel):
            return frameworks.Writer("test", _failing_writer)
        return real(model)

    monkeypatch.setattr(frameworks, "writer_for", writer_for)


def test_a_reader_polling_during_saves_never_sees_a_partial_checkpoint(tmp_path, fake_frameworks):
    directory = tmp_path / "checkpoints"
    checkpoints = glassbox.Checkpoints(directory, project=tmp_path)
    stop = threading.Event()
    seen, partial = set(), []

    def poll():
        while not stop.is_set():
            if not directory.exists():
                continue
            for entry in os.listdir(directory):
                if entry.startswith("."):
                    continue  # temporary names: the daemon ignores them
                seen.add(entry)
                files = set(os.listdir(directory / entry)) if (directory / entry).exists() else {"gone"}
                if files != {"gone"} and files != {f"part-{i}.bin" for i in range(4)} | {META_FILE}:
                    partial.append((entry, sorted(files)))

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        for epoch in range(12):
            checkpoints.save(SlowModel(), epoch=epoch % 6)  # the second half overwrites the first
    finally:
        stop.set()
        reader.join()
    assert partial == []
    assert seen == {f"epoch-{e}" for e in range(6)}
    assert sorted(os.listdir(directory)) == [f"epoch-{e}" for e in range(6)]  # no temporary leftovers


def test_a_failed_save_leaves_nothing_behind(tmp_path, fake_frameworks):
    checkpoints = glassbox.Checkpoints(tmp_path / "c")
    with pytest.raises(RuntimeError, match="disk full"):
        checkpoints.save(FailingModel(), epoch=1)
    assert os.listdir(tmp_path / "c") == []


def test_metadata(tmp_path, fake_frameworks):
    a = glassbox.Checkpoints(tmp_path / "c")
    first = a.save(SlowModel(), epoch=2, step=340, metrics={"loss": 0.25, "accuracy": 0.875, "diverged": float("nan")}, learning_rate=3e-4)
    second = a.save(SlowModel(), step=400)
    other = glassbox.Checkpoints(tmp_path / "c").save(SlowModel(), name="final")
    metas = [json.loads(open(os.path.join(p, META_FILE)).read()) for p in (first, second, other)]
    m = metas[0]
    assert os.path.basename(first) == "epoch-2" and os.path.basename(second) == "step-400" and os.path.basename(other) == "final"
    assert (m["epoch"], m["step"], m["learningRate"], m["framework"], m["parts"]) == (2, 340, 3e-4, "test", 4)
    assert m["metrics"] == {"loss": 0.25, "accuracy": 0.875, "diverged": None}
    assert m["createdAt"].endswith("Z") and m["createdAt"][:4].isdigit()
    assert uuid.UUID(m["runId"]).version == 4
    assert metas[1]["runId"] == m["runId"] and metas[2]["runId"] != m["runId"]
    assert metas[1]["epoch"] is None and metas[1]["learningRate"] is None


def test_refusals(tmp_path):
    checkpoints = glassbox.Checkpoints(tmp_path)
    with pytest.raises(ValueError, match="needs epoch=, step= or name="):
        checkpoints.save(object())
    with pytest.raises(ValueError, match="one path component"):
        checkpoints.save(object(), name="../escape")
    with pytest.raises(ValueError, match="one path component"):
        checkpoints.save(object(), name=".hidden")
    with pytest.raises(TypeError, match=r"cannot save a builtins\.dict; supported: torch\.nn\.Module .*xgboost.*lightgbm.*LogisticRegression.*keras"):
        checkpoints.save({}, epoch=1)
    assert os.listdir(tmp_path) == []


class FakeDaemon:
    """The daemon's streaming endpoint as glassbox.stream speaks to it: one WebSocket, JSON text
    frames, an ack per message. Records what it got."""

    def __init__(self, project):
        self.token = "t0ken"
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        port = self.server.getsockname()[1]
        os.makedirs(os.path.join(project, ".glassbox"), exist_ok=True)
        with open(os.path.join(project, ".glassbox", "stream.json"), "w") as f:
            json.dump({"url": f"ws://127.0.0.1:{port}/", "token": self.token}, f)
        self.messages = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.server.accept()
        head = b""
        while b"\r\n\r\n" not in head:
            head += conn.recv(1024)
        assert f"token={self.token}".encode() in head
        key = [line.split(b": ", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"sec-websocket-key")][0]
        accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        buf = b""

        def read(n):
            nonlocal buf
            while len(buf) < n:
                chunk = conn.recv(4096)
                if not chunk:
                    raise EOFError
                buf += chunk
            out, buf = buf[:n], buf[n:]
            return out

        try:
            while True:
                first, second = read(2)
                n = second & 0x7F
                if n == 126:
                    n = struct.unpack("!H", read(2))[0]
                elif n == 127:
                    n = struct.unpack("!Q", read(8))[0]
                mask = read(4)
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(read(n)))
                if first & 0x0F == 0x8:
                    break
                self.messages.append(json.loads(payload))
                ack = json.dumps({"type": "ack"}).encode()
                conn.sendall(bytes([0x81, len(ack)]) + ack)
        except EOFError:
            pass
        conn.close()


def test_announces_each_checkpoint_and_its_metrics_to_a_running_daemon(tmp_path, fake_frameworks):
    daemon = FakeDaemon(tmp_path)
    with glassbox.Checkpoints(tmp_path / "checkpoints", project=tmp_path) as checkpoints:
        path = checkpoints.save(SlowModel(), epoch=1, metrics={"loss": 0.5, "nan": float("nan")})
        checkpoints.save(SlowModel(), name="best")
    daemon.thread.join(5)
    assert daemon.messages == [
        {"type": "checkpoint", "path": os.path.abspath(path)},
        {"type": "metrics", "step": 1, "values": {"loss": 0.5}},
        {"type": "checkpoint", "path": os.path.abspath(tmp_path / "checkpoints" / "best")},
    ]


def test_without_a_daemon_saving_works_and_announces_nothing(tmp_path, fake_frameworks):
    checkpoints = glassbox.Checkpoints(tmp_path / "c", project=tmp_path)
    assert os.path.isdir(checkpoints.save(SlowModel(), epoch=0))
    # A stale stream.json (daemon gone) is no different.
    os.makedirs(tmp_path / ".glassbox")
    (tmp_path / ".glassbox" / "stream.json").write_text(json.dumps({"url": "ws://127.0.0.1:9/", "token": "x"}))
    assert os.path.isdir(glassbox.Checkpoints(tmp_path / "c", project=tmp_path).save(SlowModel(), epoch=1))


def test_the_old_module_name_still_works():
    import glassbox_stream

    assert glassbox_stream.connect is glassbox.stream.connect
    assert glassbox_stream.connect("/nonexistent").checkpoint("x") is None
