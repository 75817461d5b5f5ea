"""``crossings copy``: a whole trail moved between stores, every row, hash and signature
identical, ``verify`` clean on each copy, one head hash printed for both; a target that
holds a database, or a source whose chain is broken, leaves nothing written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from helpers.casebook import casebook, run
from helpers.chain import audit_rows, connect


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> str:
    return casebook(tmp_path_factory)


def _rows(db: str) -> list[dict]:
    result = run(db, "log", "--json", "--limit", "100000")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _copy(source: str, target: str) -> list[str]:
    result = run(source, "copy", "--from", source, "--to", target)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].split("head ")[1] == lines[1].split("head ")[1], lines
    return lines


def _verified(db: str) -> str:
    result = run(db, "verify")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("no problems"), result.stdout
    return result.stdout


def test_a_copy_has_every_row_hash_and_signature_of_the_original(book: str, tmp_path: Path) -> None:
    target = str(tmp_path / "copy.db")
    lines = _copy(book, target)
    with connect(book) as a, connect(target) as b:
        original, copied = list(audit_rows(a)), list(audit_rows(b))
        assert copied == original and len(original) > 50
        for table in ("actors", "settings"):
            assert b.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() == \
                a.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        assert b.execute("SELECT * FROM cases ORDER BY id").fetchall() == \
            a.execute("SELECT * FROM cases ORDER BY id").fetchall()
    head = original[-1]["hash"]
    assert all(line.endswith(head) for line in lines)
    _verified(target)
    for args in (("report", "summary", "--json"), ("list", "--json"), ("names", "--json")):
        assert run(target, *args).stdout == run(book, *args).stdout, args
    assert run(target, "search", "Choi", "--json").stdout == run(book, "search", "Choi", "--json").stdout


def test_a_copy_of_a_copy_is_the_original(book: str, tmp_path: Path) -> None:
    first, second = str(tmp_path / "one.db"), str(tmp_path / "two.db")
    _copy(book, first)
    _copy(first, second)
    assert _rows(second) == _rows(book)
    _verified(second)


def test_a_target_that_holds_a_database_is_refused_and_left_as_it_was(book: str, tmp_path: Path) -> None:
    target = str(tmp_path / "copy.db")
    _copy(book, target)
    before = Path(target).read_bytes()
    result = run(book, "copy", "--from", book, "--to", target)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target} already holds a crossings database\n"
    assert Path(target).read_bytes() == before


def test_a_broken_chain_is_not_copied_and_leaves_no_target(book: str, tmp_path: Path) -> None:
    source = str(tmp_path / "broken.db")
    conn = sqlite3.connect(book)
    conn.execute(f"VACUUM INTO '{source}'")
    conn.close()
    with connect(source) as db:  # a row altered behind the trigger's back
        db.execute("DROP TRIGGER audit_no_update")
        db.execute("UPDATE audit SET actor = 'Mallory' WHERE seq = 20")
    target = str(tmp_path / "copy.db")
    result = run(source, "copy", "--from", source, "--to", target)
    assert result.exit_code == 1
    assert result.stderr == ("Error: audit row 20: its hash is not that of its contents; "
                             "nothing was copied\n")
    assert not list(tmp_path.glob("copy.db*"))


def test_copy_prints_both_heads_as_json(book: str, tmp_path: Path) -> None:
    result = run(book, "copy", "--from", book, "--to", str(tmp_path / "c.db"), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    with connect(book) as conn:
        last = list(audit_rows(conn))[-1]
    expected = {"rows": last["seq"], "seq": last["seq"], "hash": last["hash"]}
    assert data["heads"] == {"from": expected, "to": expected}
    assert data["rows"] == last["seq"] and data["cases"] == 10


@pytest.mark.postgresql
def test_the_casebook_goes_to_postgresql_and_back_with_every_hash_and_verify_clean(
        book: str, pg_database: str, tmp_path: Path) -> None:
    """SQLite -> PostgreSQL -> SQLite: identical rows and heads, verify clean at each step,
    and the commands answer the same on the server as on the file."""
    _verified(book)
    on_server = _copy(book, pg_database)
    _verified(pg_database)
    back = str(tmp_path / "back.db")
    returned = _copy(pg_database, back)
    _verified(back)
    head = on_server[0].split("head ")[1]
    assert {line.split("head ")[1] for line in [*on_server, *returned]} == {head}
    assert _rows(pg_database) == _rows(book) == _rows(back)
    with connect(book) as a, connect(back) as b:
        assert list(audit_rows(b)) == list(audit_rows(a))
        assert b.execute("SELECT * FROM cases ORDER BY id").fetchall() == \
            a.execute("SELECT * FROM cases ORDER BY id").fetchall()
    for args in (("report", "summary", "--json"), ("list", "--json"), ("names", "--json"),
                 ("search", "Choi", "--json"), ("sources", "--json"), ("show", "5", "--json")):
        assert run(pg_database, *args).stdout == run(book, *args).stdout, args
