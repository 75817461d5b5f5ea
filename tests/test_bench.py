"""scripts/bench keeps working: its every code path on tiny inputs (never a timing check),
and the databases its bulk builder makes hold a valid hash chain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from store import open_store
from workflow.audit import GENESIS, row_hash
from workflow.policies import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}  # as scripts/bench runs it


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "benchmark", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=300)


def test_bench_prints_one_table_with_every_section_and_target(tmp_path: Path) -> None:
    done = bench("--tiny", "--workdir", str(tmp_path), "--markdown", str(tmp_path / "t.md"))
    assert done.returncode == 0, done.stderr
    for section in ("1 per trigger", "2 batch", "3 handover", "4 CLI latency", "5 scale",
                    "6 memory"):
        assert section in done.stdout
    for target in (">= 0.85x", ">= 0.5x", ">= 0.4x", ">= 20,000 cases/s", "<= 0.5x",
                   "<= 0.75x", "<= 1.5x", "<= +10 MB"):
        assert target in done.stdout
    assert (tmp_path / "t.md").read_text().startswith("| section | figure |")


def test_bulk_built_database_has_a_valid_hash_chain_and_cases(tmp_path: Path) -> None:
    path = tmp_path / "built.db"
    args = {"path": str(path), "n": 40, "mix": ["resident", "referred", "ready", "detained"]}
    done = subprocess.run([sys.executable, "-m", "benchmark.child", "build", json.dumps(args)],
                          cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    store = open_store(str(path), CATALOGUE)
    prev = GENESIS
    for row in store.audit_stream():
        assert row["prev_hash"] == prev and row_hash(row) == row["hash"], row["seq"]
        prev = row["hash"]
    assert store.head()["hash"] == prev
    states = {row["state"] for row in store.cases()}
    assert states == {"resident", "referred", "persuading", "detained"}
    store.close()
