"""glassbox.spark on a local Spark session (PySpark from PyPI, Java on the machine): the merged
result of shards run as mapInPandas tasks equals the single-process run of the CLI, and a CLI
refusal comes back as GlassboxCliError with its one-line message, nothing merged."""
import json
import os
import shutil
import sys

import pytest
from shard_project import CLI, PARQUET, cli, cli_built, make_project

pyspark = pytest.importorskip("pyspark", reason="PySpark is not installed (pinned in requirements-test.txt)")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java on PATH", allow_module_level=True)
if not cli_built():
    pytest.skip("the Glassbox CLI is not built (npm run build) or node is not on PATH", allow_module_level=True)

from glassbox.spark import GlassboxCliError, precompute  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # Python workers run this interpreter (the venv's pandas and pyarrow), not the system python3.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        session = (
            SparkSession.builder.master("local[2]").appName("glassbox-test")
            .config("spark.ui.enabled", "false").config("spark.pyspark.python", sys.executable).getOrCreate()
        )
    except Exception as e:  # a sandbox without a JVM that can start cannot host Spark
        pytest.skip(f"a local Spark session cannot start here: {e}")
    yield session
    session.stop()


def test_spark_shards_merge_to_the_single_process_result(spark, tmp_path):
    # Parquet reference data: 400 rows in row groups of 256, so 2 shards of real rows and 1 empty.
    config = make_project(tmp_path, os.path.join(PARQUET, "test.parquet"))
    single_dir = tmp_path / "single"
    cli("precompute", "--config", config, "--data", "reference", "--shard", "1/1", "--out", str(single_dir), "--k", "20", "--sample", "100")
    single = json.loads(cli("merge", "--json", str(single_dir)))

    timings = []
    merged = precompute(config, shards=3, out=str(tmp_path / "spark"), data="reference", k=20, sample=100, cli=CLI, spark=spark, timings=timings)
    assert merged["shards"] == 3
    assert [t["shard"] for t in timings] == [1, 2, 3]
    assert [t["rows"] for t in timings] == [256, 144, 0]
    assert single["rows"] == 400
    merged["shards"] = 1
    assert merged == single


def test_spark_reports_a_cli_refusal_and_merges_nothing(spark, tmp_path):
    config = make_project(tmp_path, os.path.join(PARQUET, "test-nested.parquet"))
    out = tmp_path / "out"
    with pytest.raises(GlassboxCliError, match=r"column 'tags' is nested"):
        precompute(config, shards=2, out=str(out), data="reference", cli=CLI, spark=spark)
    assert not [f for f in os.listdir(out) if f.startswith("shard-")]
