"""Glassbox's per-row precompute on a Ray cluster: one Ray task per shard, then one merge.

    from glassbox.ray import precompute
    merged = precompute("glassbox.json", shards=16, out="/shared/precompute", data="reference")
    merged["drift"], merged["importance"]["shares"], merged["suspects"]

Each task runs the Glassbox CLI on its shard (`glassbox precompute --shard i/n --out DIR`), so
every worker node needs Node.js >= 20 and the Glassbox CLI (the `glassbox` command, or the path in
`cli=` / the `GLASSBOX_CLI` environment variable), and must see the config, the data, the
checkpoint and `out` at the same paths (a shared file system or object-store mount). Parquet shards
are whole row groups: a file of many row groups spreads best. The training side (schema, bins,
background) is prepared once where this function is called (`glassbox precompute --prepare`) and
read by every shard. The merge (`glassbox merge`) runs
where this function is called, reads only the small shard files, and refuses a set that does not
cover the data or mixes runs, so a failed or duplicated task never yields a silent partial result.

Ray itself is imported only when `precompute` is called: `import glassbox.ray` costs nothing.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

__all__ = ["precompute", "cli_command", "GlassboxCliError"]


class GlassboxCliError(RuntimeError):
    """The CLI refused its input (exit 2: the one-line message says what to fix) or crashed."""

    def __init__(self, args: Sequence[str], code: int, stderr: str):
        super().__init__(f"glassbox {' '.join(args[:1])} failed (exit {code}): {stderr.strip()}")
        self.cli_args = list(args)
        self.code = code
        self.stderr = stderr

    def __reduce__(self):
        # Raised inside a Ray task: pickled back to the caller with the constructor's arguments.
        return (GlassboxCliError, (self.cli_args, self.code, self.stderr))


def cli_command(cli: Optional[str] = None) -> List[str]:
    """The command line that runs the Glassbox CLI: `cli`, $GLASSBOX_CLI, or `glassbox` on PATH.

    A path ending in `.js` is run with `node`.
    """
    target = cli or os.environ.get("GLASSBOX_CLI") or shutil.which("glassbox")
    if not target:
        raise FileNotFoundError("the Glassbox CLI was not found: install it (npm i -g glassbox), or pass cli= or set GLASSBOX_CLI to bin/glassbox.js")
    return ["node", target] if target.endswith(".js") else [target]


def _run(command: List[str], args: List[str], cwd: Optional[str] = None) -> Dict[str, Any]:
    proc = subprocess.run(command + args, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise GlassboxCliError(args, proc.returncode, proc.stderr)
    return json.loads(proc.stdout)


def prepare_shards(
    config: str,
    shards: int,
    out: str,
    data: str,
    checkpoint: Optional[str],
    k: Optional[int],
    sample: Optional[int],
    seed: Optional[int],
    cli: Optional[str],
) -> Tuple[List[str], str, str, Callable[[int], List[str]]]:
    """What every runner (Ray, Spark) does before mapping shards: checks the arguments, refuses an
    `out` that already holds shard files, prepares the training side once (`glassbox precompute
    --prepare`: schema, bins, background, read by every shard instead of the training file), and
    returns the CLI command, the absolute config and out paths, and the CLI arguments of shard i
    (1-based)."""
    if shards < 1:
        raise ValueError(f"shards must be >= 1, got {shards}")
    command = cli_command(cli)
    config = os.path.abspath(config)
    out = os.path.abspath(out)
    os.makedirs(out, exist_ok=True)
    stale = [f for f in os.listdir(out) if f.startswith("shard-") and f.endswith(".json")]
    if stale:
        # A leftover shard of another run would be refused by the merge anyway; say so up front.
        raise FileExistsError(f"{out} already holds shard files ({stale[0]}, ...): use an empty directory per run")
    extra: List[str] = ["--data", data]
    for flag, value in (("--checkpoint", checkpoint), ("--k", k), ("--sample", sample), ("--seed", seed)):
        if value is not None:
            extra += [flag, str(value)]
    prepare_args = ["precompute", "--prepare", "--json", "--config", config, "--out", out]
    if seed is not None:
        prepare_args += ["--seed", str(seed)]
    _run(command, prepare_args)

    def shard_args(i: int) -> List[str]:
        return ["precompute", "--json", "--config", config, "--shard", f"{i}/{shards}", "--out", out] + extra

    return command, config, out, shard_args


def precompute(
    config: str,
    shards: int,
    out: str,
    *,
    data: str = "train",
    checkpoint: Optional[str] = None,
    k: Optional[int] = None,
    sample: Optional[int] = None,
    seed: Optional[int] = None,
    cli: Optional[str] = None,
    num_cpus: float = 1,
    address: Optional[str] = None,
    timings: Optional[List[Dict[str, Any]]] = None,
) -> Dict[str, Any]:
    """Runs `shards` precompute tasks on Ray and returns the merged result (`glassbox merge --json`).

    Args:
        config: path of glassbox.json (as the workers see it).
        shards: number of shards; each becomes one Ray task.
        out: directory the shard files go to (shared by the workers and the caller).
        data: `train`, `test` or `reference`.
        checkpoint, k, sample, seed: as `glassbox precompute` takes them.
        cli: the CLI to run (see `cli_command`).
        num_cpus: CPUs Ray reserves per task (Node runs the model on one thread per task).
        address: a Ray cluster to join; without it a running cluster is used, or a local one started.
        timings: if a list, each task's {"shard", "rows", "seconds"} is appended to it.
    """
    import ray  # imported here: Ray is an optional dependency

    command, config, out, shard_args = prepare_shards(config, shards, out, data, checkpoint, k, sample, seed, cli)

    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)

    @ray.remote(num_cpus=num_cpus, max_retries=1)
    def shard_task(i: int) -> Dict[str, Any]:
        t0 = time.perf_counter()
        result = _run(command, shard_args(i))
        return {"shard": i, "rows": result["rows"], "seconds": time.perf_counter() - t0}

    done = ray.get([shard_task.remote(i) for i in range(1, shards + 1)])
    if timings is not None:
        timings.extend(done)
    return _run(command, ["merge", "--json", out])
