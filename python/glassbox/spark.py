"""Glassbox's per-row precompute on Spark: one `mapInPandas` task per shard, then one merge.

    from glassbox.spark import precompute
    merged = precompute("glassbox.json", shards=16, out="/shared/precompute", data="reference")
    merged["drift"], merged["importance"]["shares"], merged["suspects"]

The same map and merge as `glassbox.ray`: `mapInPandas` cannot hand the CLI a row range of the
original file, so the DataFrame mapped is one row per shard index (`spark.range(n)`, one
partition per row) and each task runs `glassbox precompute --shard i/n` on the shared data file.
Executors therefore need Node.js >= 20 and the Glassbox CLI (`glassbox` on PATH, `GLASSBOX_CLI`, or
`cli=`), and must see the config, the data, the checkpoint and `out` at the same paths (a shared
file system or a mount). The training side is prepared once on the driver (`glassbox precompute
--prepare`), and `glassbox merge` runs on the driver over the small shard files, refusing a set
that does not cover the data or mixes runs.

A refusal of the CLI (exit 2: bad input, one line) is returned by the task rather than raised, so
Spark does not retry a deterministic error, and the driver raises it as `GlassboxCliError` with
the CLI's message; a crash (another exit code) is raised the same way.

PySpark is imported only when `precompute` is called: `import glassbox.spark` costs nothing.
"""
from __future__ import annotations

import os
import time
from typing import Any, Dict, Iterator, List, Optional

from .ray import GlassboxCliError, _run, cli_command

__all__ = ["precompute", "GlassboxCliError"]


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
    spark: Any = None,
    timings: Optional[List[Dict[str, Any]]] = None,
) -> Dict[str, Any]:
    """Runs `shards` precompute tasks on Spark and returns the merged result (`glassbox merge --json`).

    Args:
        config: path of glassbox.json (as the executors see it).
        shards: number of shards; each becomes one Spark task.
        out: directory the shard files go to (shared by the executors and the driver); must hold
            no shard files yet.
        data: `train`, `test` or `reference`.
        checkpoint, k, sample, seed: as `glassbox precompute` takes them.
        cli: the CLI to run (see `glassbox.ray.cli_command`).
        spark: the SparkSession (default: `SparkSession.builder.getOrCreate()`).
        timings: if a list, each task's {"shard", "rows", "seconds"} is appended to it.
    """
    from pyspark.sql import SparkSession  # imported here: PySpark is an optional dependency

    if shards < 1:
        raise ValueError(f"shards must be >= 1, got {shards}")
    command = cli_command(cli)
    config = os.path.abspath(config)
    out = os.path.abspath(out)
    os.makedirs(out, exist_ok=True)
    stale = [f for f in os.listdir(out) if f.startswith("shard-") and f.endswith(".json")]
    if stale:
        raise FileExistsError(f"{out} already holds shard files ({stale[0]}, ...): use an empty directory per run")
    extra: List[str] = ["--data", data]
    for flag, value in (("--checkpoint", checkpoint), ("--k", k), ("--sample", sample), ("--seed", seed)):
        if value is not None:
            extra += [flag, str(value)]

    prepare_args = ["precompute", "--prepare", "--json", "--config", config, "--out", out]
    if seed is not None:
        prepare_args += ["--seed", str(seed)]
    _run(command, prepare_args)

    session = spark or SparkSession.builder.getOrCreate()

    def run_shards(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        for batch in batches:
            for index in batch["id"]:
                i = int(index) + 1
                t0 = time.perf_counter()
                row = {"shard": i, "rows": -1, "seconds": 0.0, "code": 0, "stderr": ""}
                try:
                    result = _run(command, ["precompute", "--json", "--config", config, "--shard", f"{i}/{shards}", "--out", out] + extra)
                    row["rows"] = int(result["rows"])
                except GlassboxCliError as e:
                    row["code"], row["stderr"] = e.code, e.stderr
                row["seconds"] = time.perf_counter() - t0
                yield pd.DataFrame([row])

    schema = "shard long, rows long, seconds double, code long, stderr string"
    tasks = session.range(shards).repartition(shards).mapInPandas(run_shards, schema=schema).collect()
    done = sorted((r.asDict() for r in tasks), key=lambda r: r["shard"])
    failed = [r for r in done if r["code"] != 0]
    if failed:
        first = failed[0]
        raise GlassboxCliError(["precompute", "--shard", f"{first['shard']}/{shards}"], first["code"], first["stderr"])
    if timings is not None:
        timings.extend({"shard": r["shard"], "rows": r["rows"], "seconds": r["seconds"]} for r in done)
    return _run(command, ["merge", "--json", out])
