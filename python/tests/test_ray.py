"""glassbox.ray on a local Ray cluster: the merged result of shards run as Ray tasks equals the
single-process run of the CLI (`glassbox precompute --shard 1/1` + `glassbox merge`)."""
import json
import os

import pytest
from shard_project import CLI, DATA, cli, cli_built, make_project

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install ray, pinned in requirements-test.txt)")
if not cli_built():
    pytest.skip("the Glassbox CLI is not built (npm run build) or node is not on PATH", allow_module_level=True)

from glassbox.ray import GlassboxCliError, precompute  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    try:
        ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False)
    except Exception as e:  # a sandbox without shared memory or sockets cannot host Ray
        pytest.skip(f"a local Ray cluster cannot start here: {e}")
    yield
    ray.shutdown()


def test_ray_shards_merge_to_the_single_process_result(cluster, tmp_path):
    config = make_project(tmp_path, os.path.join(DATA, "adult_test.csv"))
    single_dir = tmp_path / "single"
    cli("precompute", "--config", config, "--data", "reference", "--shard", "1/1", "--out", str(single_dir), "--k", "20", "--sample", "200")
    single = json.loads(cli("merge", "--json", str(single_dir)))

    timings = []
    merged = precompute(config, shards=4, out=str(tmp_path / "ray"), data="reference", k=20, sample=200, cli=CLI, timings=timings)
    assert merged["shards"] == 4
    assert sorted(t["shard"] for t in timings) == [1, 2, 3, 4]
    assert sum(t["rows"] for t in timings) == single["rows"] == 16281
    merged["shards"] = 1
    assert merged == single


def test_ray_refuses_a_reused_directory_and_reports_cli_errors(cluster, tmp_path):
    config = make_project(tmp_path, os.path.join(DATA, "adult_test.csv"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "shard-1-of-2.json").write_text("{}")
    with pytest.raises(FileExistsError, match="already holds shard files"):
        precompute(config, shards=2, out=str(out), data="reference", cli=CLI)
    with pytest.raises(GlassboxCliError, match="glassbox.json names no 'test' data"):
        precompute(config, shards=2, out=str(tmp_path / "empty"), data="test", cli=CLI)
