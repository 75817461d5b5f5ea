"""A damaged database is one ``Error:`` line for every command, never a traceback; and a
read command never writes, so an empty or foreign file is reported, not converted."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.casebook import VISITOR, casebook

from crossings.cli import cli

COMMANDS = [["show", "1"], ["show", "3", "--timeline"], ["list"], ["log", "--json"],
            ["why", "2", "refer"], ["next", "5"], ["name-list", "--referred"], ["handovers"],
            ["report", "compliance"], ["report", "summary", "--by", "clause"],
            ["verify", "--jobs", "1"], ["persuade", str(VISITOR), "--outcome", "refused",
                                        "--at", "1962-04-01", "--as", "Zhao"]]
FLIPS = 40  # random byte flips, each tried with every command


def _run(db: Path, args: list[str]) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(cli, [*args, "--db", str(db)], catch_exceptions=True)
    crashed = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.stderr, crashed


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(casebook(tmp_path_factory))


def test_every_command_on_a_database_with_flipped_bytes_ends_in_one_line(book, tmp_path):
    rng = random.Random(1961)
    size = book.stat().st_size
    for flip in range(FLIPS):
        damaged = tmp_path / f"damaged-{flip}.db"
        shutil.copy(book, damaged)
        data = bytearray(damaged.read_bytes())
        for _ in range(3):
            data[rng.randrange(100, size)] ^= 1 << rng.randrange(8)
        damaged.write_bytes(bytes(data))
        for args in COMMANDS:
            code, stderr, crashed = _run(damaged, args)
            assert crashed is None, f"flip {flip}, {args}: {crashed!r}"
            assert "Traceback" not in stderr
            if code != 0 and "--json" in args:  # an error as one JSON line (README)
                assert json.loads(stderr)["exit"] == code, (flip, args, stderr)
            elif code != 0:
                assert stderr.startswith("Error: "), (flip, args, stderr)


@pytest.mark.parametrize("args", [["list"], ["show", "1"], ["log"], ["verify"]])
def test_a_read_command_on_an_empty_file_reports_it_and_leaves_it_empty(tmp_path, args):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    code, stderr, crashed = _run(empty, args)
    assert (code, crashed) == (1, None)
    assert "is empty, not a crossings database" in stderr
    assert empty.read_bytes() == b""


def test_a_read_command_on_another_sqlite_file_reports_it_and_leaves_it(tmp_path):
    import sqlite3

    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (text)")
    before = foreign.read_bytes()
    code, stderr, _ = _run(foreign, ["list"])
    assert code == 1 and "not a crossings database" in stderr
    assert foreign.read_bytes() == before


@pytest.mark.parametrize("damage", [
    "json_set(facts, '$.attempts[0]', 'abc')",  # an entry that is not a record
    "json_set(facts, '$.attempts', 'abc')",  # the list that is not a list
    "json_set(facts, '$.attempts[0].at', 1000)",  # a date that is not text: counted as text
    "json_set(facts, '$.consulate_reply', json('[1]'))",  # a reply that is not a record
])
@pytest.mark.parametrize("args", [["name-list", "--referred"], ["name-list", "--format", "json"],
                                  ["name-list", "--referred", "--format", "csv"]])
def test_a_name_list_over_a_damaged_fact_is_one_line_or_the_list(book, tmp_path, damage, args):
    import sqlite3

    damaged = tmp_path / "damaged.db"
    shutil.copy(book, damaged)
    with sqlite3.connect(damaged) as conn:  # every case: the referred ones among them
        conn.execute(f"UPDATE cases SET facts = {damage} "
                     "WHERE json_extract(facts, '$.attempts[0]') IS NOT NULL")
    code, stderr, crashed = _run(damaged, args)
    assert crashed is None and "Traceback" not in stderr
    if "1000" in damage or ("consulate_reply" in damage and "--referred" not in args):
        assert code == 0 and stderr == ""  # the register reads no reply
    else:
        assert code == 1 and stderr.startswith("Error: the database is damaged: "), stderr
        assert stderr.count("\n") == 1



@pytest.mark.parametrize("facts", ["null", "[1]", "3"])
@pytest.mark.parametrize("args", [["show", "1"], ["show", "1", "--json"], ["why", "1", "refer"],
                                  ["persuade", str(VISITOR), "--outcome", "refused",
                                   "--at", "1962-04-01", "--as", "Zhao"]])
def test_facts_that_are_no_json_object_are_damage_not_an_empty_case(book, tmp_path, facts,
                                                                     args):
    import sqlite3

    damaged = tmp_path / "damaged.db"
    shutil.copy(book, damaged)
    with sqlite3.connect(damaged) as conn:
        conn.execute("UPDATE cases SET facts = ?", (facts,))
    before = damaged.read_bytes()
    code, stderr, crashed = _run(damaged, args)
    assert (code, crashed) == (1, None)
    assert "the database is damaged: the facts of case 1 are not a JSON object" in stderr
    assert stderr.count("\n") == 1 and damaged.read_bytes() == before
