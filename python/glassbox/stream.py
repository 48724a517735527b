"""Tell a running Glassbox daemon about checkpoints and metrics from a Python training loop.

Standard library only. Finds the daemon through <project>/.glassbox/stream.json; when no daemon
runs, every call does nothing, so training never depends on the editor.

    from glassbox.stream import connect
    glassbox = connect(".")                      # the folder holding glassbox.json
    ...
    glassbox.checkpoint("checkpoints/epoch-3")
    glassbox.metrics(3, {"loss": 0.31, "accuracy": 0.85})
    glassbox.close()

`glassbox.Checkpoints` calls this itself after each checkpoint it writes. The module imports nothing
outside the standard library, so it also works copied on its own (see ../glassbox_stream.py).
"""
import base64
import json
import os
import socket
import struct
from urllib.parse import urlparse


__all__ = ["GlassboxStream", "connect"]


class _Noop:
    def checkpoint(self, path):
        pass

    def metrics(self, step, values):
        pass

    def close(self):
        pass


class GlassboxStream:
    def __init__(self, url, token):
        u = urlparse(url)
        self._sock = socket.create_connection((u.hostname, u.port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /?token={token} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self._sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self._sock.recv(1024)
            if not chunk:
                raise ConnectionError("the Glassbox daemon closed the connection")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError("the Glassbox daemon refused the connection (stale stream.json?)")
        self._buffer = head.split(b"\r\n\r\n", 1)[1]

    def _send(self, message):
        payload = json.dumps(message).encode()
        header = bytes([0x81])  # final frame, text
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        self._sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        return self._receive()

    def _read(self, n):
        while len(self._buffer) < n:
            chunk = self._sock.recv(4096)
            if not chunk:
                raise ConnectionError("the Glassbox daemon closed the connection")
            self._buffer += chunk
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def _receive(self):
        _, second = self._read(2)
        n = second & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read(8))[0]
        return json.loads(self._read(n).decode())

    def checkpoint(self, path):
        return self._send({"type": "checkpoint", "path": os.path.abspath(path)})

    def metrics(self, step, values):
        return self._send({"type": "metrics", "step": step, "values": {k: float(v) for k, v in values.items()}})

    def close(self):
        try:
            self._sock.sendall(bytes([0x88, 0x80]) + os.urandom(4))
        finally:
            self._sock.close()


def connect(project_root="."):
    try:
        with open(os.path.join(project_root, ".glassbox", "stream.json"), encoding="utf-8") as f:
            info = json.load(f)
        return GlassboxStream(info["url"], info["token"])
    except (OSError, ValueError, KeyError, ConnectionError):
        return _Noop()
