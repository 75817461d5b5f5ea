"""A casebook: one database with a case for every clause, built once per test session.

Built by replaying ``tests/cases/casebook.yaml`` (a scenario file like the others, so the
commands are tested on a database made by replay). Tests that read it must not write to
it; tests that change it work on a copy (:func:`copy_of`).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from crossings.cli import cli
from crossings.replay import replay_paths
from helpers.actors import ADMIN, new_database

from helpers.casework import ACTORS  # noqa: E402,F401  (re-exported: test_docs reads it here)

# Case ids, in the order the casebook opens them (ODONG: O Dong-il; ruff reads a bare O as 0).
VISITOR, KIM, PAK, RI, CHOE, HAN, JIN, YUN, ODONG, LI = range(1, 11)
NAMES = {PAK: "Pak Sun-hui", RI: "Ri Chol", KIM: "Kim Yong-su", CHOE: "Choe Myong-ok",
         HAN: "Han Ok-sun", VISITOR: "Ri Yong-nam", JIN: "Jin Chun-ja", YUN: "Yun Sang-ho",
         ODONG: "O Dong-il", LI: "Li Guiying"}
COMPLAINT = "shouted at during the second session"
SCENARIO = Path(__file__).parent.parent / "cases" / "casebook.yaml"

_built: dict[str, str] = {}


def build(path: str) -> str:
    """Replay the casebook scenario into ``path`` (one transaction); returns the path."""
    new_database(path).close()
    run = replay_paths([SCENARIO], db=path, admin=ADMIN)
    assert run.ok, [str(d) for f in run.files for d in f.divergences]
    return path


def casebook(tmp_path_factory: Any) -> str:
    """The session's casebook database (built on first use)."""
    if "path" not in _built:
        folder = tmp_path_factory.mktemp("casebook")
        _built["path"] = build(str(folder / "casebook.db"))
    return _built["path"]


def copy_of(path: str, folder: Path) -> str:
    """A copy of the casebook that a test may change."""
    target = folder / "copy.db"
    shutil.copyfile(path, target)
    return str(target)


def run(db: str, *args: str, env: dict[str, str] | None = None) -> Result:
    """``crossings ARGS`` in-process on ``db``; stdout and stderr apart."""
    environ = {"CROSSINGS_DB": db, **(env or {})}
    return CliRunner().invoke(cli, list(args), env=environ, catch_exceptions=False)
