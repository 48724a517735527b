"""The reference side of `npm run bench`: the same workloads in the reference libraries (PyTorch,
Captum, SHAP), run on request so the benchmark can alternate Glassbox and the reference in one
process pair and one machine state.

Protocol: one JSON object per line on stdin, one JSON object per line on stdout.
  {"op": "hello"}                         -> {"ok": true, "versions": {...}, "threads": 1}
  {"op": "run", "task": NAME, ...params}  -> {"ok": true, "seconds": wall seconds of the
                                              computation only (inputs already in memory), ...}
  failures                                -> {"ok": false, "error": "..."}
Matrices are exchanged as raw little-endian float32 files (`*.f32`, row-major) written by the
benchmark, so both sides compute on identical bytes; results come back as nested lists.

Conventions match Glassbox's anchors (server/test/anchors/README.md): the Adult MLP's float32
weights read from the TF.js checkpoint, the class logit as target, torch with as many threads as
the benchmark says Glassbox uses (1 for the one-threaded wasm backend).

Run by server/bench/reference.ts; by hand: `.venv/bin/python scripts/reference/runner.py`.
"""
import json
import os
import sys
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tasks  # noqa: E402


def main():
    out = sys.stdout
    # Libraries that print (warnings, progress bars) must not corrupt the protocol stream.
    sys.stdout = sys.stderr
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            op = req.pop('op')
            if op == 'hello':
                res = tasks.hello(req.get('threads', 1))
            elif op == 'run':
                fn = tasks.TASKS[req.pop('task')]
                res = fn(**req)
            elif op == 'exit':
                return
            else:
                raise ValueError(f'unknown op {op}')
            res = {'ok': True, **res}
        except Exception as e:  # reported to the benchmark, which prints it and goes on
            res = {'ok': False, 'error': f'{type(e).__name__}: {e}', 'trace': traceback.format_exc()}
        out.write(json.dumps(res, default=_jsonable) + '\n')
        out.flush()


def _jsonable(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    raise TypeError(type(x).__name__)


if __name__ == '__main__':
    main()
