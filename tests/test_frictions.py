"""Small frictions of issue 12, each gone: why's did-you-mean, JSON errors, verify's
summary on stdout, browse's error before any address."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.casebook import CHOE, casebook, run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return casebook(tmp_path_factory)


def test_why_with_a_mistyped_trigger_offers_the_one_meant_and_is_a_usage_error(db: str) -> None:
    result = run(db, "why", str(CHOE), "refr")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: unknown trigger 'refr'; did you mean refer?")
    assert result.stderr.count("\n") == 1


def test_why_with_a_trigger_like_none_offers_nothing_but_the_list(db: str) -> None:
    result = run(db, "why", str(CHOE), "xyzzy")
    assert result.exit_code == 2 and "did you mean" not in result.stderr
    assert "(triggers: open, investigate" in result.stderr


@pytest.mark.parametrize("args, code, kind", [
    (["why", str(CHOE), "refr", "--json"], 2, "UsageError"),
    (["show", "99", "--json"], 1, "NotFound"),
    (["show", "x", "--json"], 2, "usage"),
    (["log", "--bogus", "--json"], 2, "usage"),
    (["persuade", str(CHOE), "--outcome", "refused", "--at", "1961-12-01", "--as", "Nobody",
      "--json"], 1, "NotFound"),
])
def test_with_json_an_error_is_one_json_line_on_stderr(db: str, args: list[str], code: int,
                                                       kind: str) -> None:
    result = run(db, *args)
    assert result.exit_code == code and result.stdout == ""
    error = json.loads(result.stderr)
    assert error["exit"] == code and error["type"] == kind and error["error"]
    assert result.stderr.count("\n") == 1


def test_without_json_the_same_error_is_the_usual_line(db: str) -> None:
    assert run(db, "show", "99").stderr == "Error: no case 99\n"


def test_verify_prints_its_summary_on_stdout(db: str) -> None:
    result = run(db, "verify")
    assert result.exit_code == 0
    assert result.stdout.startswith("verified ") and result.stdout.endswith(": no problems\n")
    assert result.stdout.count("\n") == 1


def test_verify_with_json_keeps_stdout_for_the_json(db: str) -> None:
    result = run(db, "verify", "--json")
    assert json.loads(result.stdout)["ok"] is True
    assert result.stderr.startswith("verified ")


def test_browse_without_datasette_prints_the_error_and_no_address(db: str, tmp_path: Path) -> None:
    blocked = tmp_path / "no-datasette"
    (blocked / "datasette").mkdir(parents=True)
    (blocked / "datasette" / "__init__.py").write_text(
        "raise ImportError('No module named datasette', name='datasette')\n", encoding="utf-8")
    env = {"PYTHONPATH": str(blocked), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "crossings", "browse", "--db", db],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == ("Error: Datasette is not installed: pip install 'crossings[browse]' "
                           "(or pip install datasette)\n")


def test_output_cut_short_by_its_reader_ends_quietly(db: str) -> None:
    # `crossings log --json | head -c 10`: the reader closes the pipe after ten bytes, the
    # command's next write fails; it stops with exit 1 and nothing on stderr (it printed
    # "Error: Broken pipe", as if the database or a file had failed)
    whole = subprocess.run([sys.executable, "-m", "crossings", "log", "--json", "--db", db],
                           capture_output=True, check=True).stdout
    assert len(whole) > 1 << 16  # more than a pipe holds (64 KiB): the write cannot finish unread
    cut = subprocess.Popen([sys.executable, "-m", "crossings", "log", "--json", "--db", db],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert cut.stdout is not None and cut.stderr is not None
    assert cut.stdout.read(10) == whole[:10]
    cut.stdout.close()
    with cut.stderr:
        stderr = cut.stderr.read()
    assert (cut.wait(), stderr) == (1, b"")
