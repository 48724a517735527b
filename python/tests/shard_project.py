"""What the shard runners' tests (Ray, Spark) share: the CLI they run, a project over the XGBoost
Adult fixture with a chosen reference file, and the CLI run in a single process to compare with."""
import json
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CLI = os.path.join(REPO, "bin", "glassbox.js")
XGB = os.path.join(REPO, "server", "test", "fixtures", "projects", "xgboost-adult")
DATA = os.path.join(REPO, "test-workspace", "data")
PARQUET = os.path.join(REPO, "server", "test", "fixtures", "parquet")


def cli_built():
    """Whether the CLI can run here (built by `npm run build`, node on PATH)."""
    return os.path.exists(os.path.join(REPO, "dist", "cli.js")) and shutil.which("node") is not None


def make_project(tmp_path, reference):
    config = tmp_path / "glassbox.json"
    config.write_text(json.dumps({
        "task": "binary",
        "data": {"train": os.path.join(DATA, "adult_train.csv"), "reference": reference, "allowOutsideProject": True},
        "label": "income",
        "classNames": ["<=50K", ">50K"],
        "encoding": os.path.join(XGB, "encoding.json"),
        "checkpoints": {"path": os.path.join(XGB, "checkpoints")},
    }))
    return str(config)


def cli(*args):
    proc = subprocess.run(["node", CLI, *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
