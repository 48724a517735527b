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

import time
from typing import Any, Dict, Iterator, List, Optional

from .ray import GlassboxCliError, _run, prepare_shards

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

    command, config, out, shard_args = prepare_shards(config, shards, out, data, checkpoint, k, sample, seed, cli)

    session = spark or SparkSession.builder.getOrCreate()

    def run_shards(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        for batch in batches:
            for index in batch["id"]:
                i = int(index) + 1
                t0 = time.perf_counter()
                row = {"shard": i, "rows": -1, "seconds": 0.0, "code": 0, "stderr": ""}
                try:
                    result = _run(command, shard_args(i))
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
