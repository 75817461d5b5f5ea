"""A catalogue of malformed calls (issue 4, item 5): each exits 1 or 2 with exactly one
line on stderr, no traceback, nothing on stdout, and the database unchanged, compared as
a full SQL dump (or, for a file that is not a database, byte for byte).

Apart from the catalogue: SQL metacharacters in names are stored verbatim and harmless,
and a wrong role is *not* malformed input: it is recorded as a refused row.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers.actors import ADMIN, new_database
from helpers.casework import dump, fixed_clock, one_error_line
from click.testing import CliRunner, Result

from crossings.cli import cli
from crossings.service import Service

D = "1961-11-20"
OPEN = ["open", "--name", "Pak Sun-hui", "--crossed-on", "1961-10", "--place", "Badaogou",
        "--at", "1961-11-10"]
HAND = ["hand-over", "2", "--representative", "Kang Myong-chol", "--crossing-point", "Hyesan",
        "--at", D, "--as", "Kim"]
INVESTIGATE = ["investigate", "1", "--citizenship", "dprk", "--at", D]
HUGE = "9" * 25


@dataclass(frozen=True)
class Bad:
    id: str
    args: list[str]
    code: int
    says: str
    db: str = "crossings"  # crossings | junk | foreign | read-only | missing | directory
    env: dict[str, str | None] = field(default_factory=dict)


def bad(id: str, args: list[str], code: int, says: str, **kw: object) -> Bad:
    return Bad(id, args, code, says, **kw)  # type: ignore[arg-type]


CATALOGUE = [
    # case ids
    bad("unknown-case", ["investigate", "99", "--citizenship", "dprk", "--at", D], 1, "no case 99"),
    bad("non-numeric-id", ["investigate", "abc", "--citizenship", "dprk"], 2,
        "'abc' is not a case id"),
    bad("negative-id", ["investigate", "-1", "--citizenship", "dprk"], 2, "No such option"),
    bad("negative-id-after-dashes", ["investigate", "--citizenship", "dprk", "--at", D, "--", "-1"],
        1, "no case -1"),
    bad("zero-id", ["show", "0"], 1, "no case 0"),
    bad("fractional-id", ["show", "1.5"], 2, "is not a case id"),
    bad("huge-id", ["show", HUGE], 1, "too large"),
    bad("huge-id-in-trigger", ["investigate", HUGE, "--citizenship", "dprk", "--at", D], 1,
        "too large"),
    bad("huge-id-in-group", ["hand-over", HUGE, *HAND[2:]], 1, "too large"),
    bad("huge-accompanies", [*OPEN, "--accompanies", HUGE], 1, "too large"),
    # triggers and states
    bad("unknown-trigger-command", ["frobnicate", "1"], 2, "No such command 'frobnicate'"),
    bad("unknown-trigger-in-why", ["why", "1", "frobnicate"], 2, "unknown trigger 'frobnicate'"),
    bad("unknown-trigger-in-log", ["log", "--trigger", "frobnicate"], 1, "unknown trigger"),
    bad("trigger-in-wrong-state", ["persuade", "1", "--outcome", "agreed", "--at", D], 1,
        "can't persuade when case 1 is detained"),
    # dates
    bad("at-february-30", [*INVESTIGATE[:-2], "--at", "1961-02-30"], 1,
        "--at: 1961-02-30 is not a valid date"),
    bad("at-not-a-date", [*INVESTIGATE[:-2], "--at", "yesterday"], 1, "is not a date"),
    bad("at-in-the-future", [*INVESTIGATE[:-2], "--at", "2999-01-01"], 1, "in the future"),
    bad("at-before-detention", [*INVESTIGATE[:-2], "--at", "1961-11-01"], 1,
        "the latest event recorded for case 1"),
    bad("crossed-after-detention", [*OPEN[:4], "1961-12-01", *OPEN[5:]], 1,
        "after the detention date 1961-11-10"),
    bad("crossed-february-30", [*OPEN[:4], "1961-02-30", *OPEN[5:]], 1, "not a valid date"),
    bad("crossed-range-backwards", [*OPEN[:4], "1961-12/1961-01", *OPEN[5:]], 1,
        "ends before it starts"),
    bad("log-since-february-30", ["log", "--since", "1961-02-30"], 1, "--since"),
    bad("log-until-month-13", ["log", "--until", "1961-13-01"], 1, "--until"),
    # names and text
    bad("name-empty", [OPEN[0], "--name", "", *OPEN[3:]], 1, "--name: must not be blank"),
    bad("name-whitespace", [OPEN[0], "--name", " \t ", *OPEN[3:]], 1, "must not be blank"),
    bad("name-one-megabyte", [OPEN[0], "--name", "가" * 1_000_000, *OPEN[3:]], 1,
        "1000000 characters, at most 200"),
    bad("name-nul-byte", [OPEN[0], "--name", "Pak\x00Sun", *OPEN[3:]], 1, "NUL byte"),
    bad("name-lone-surrogate", [OPEN[0], "--name", "Pak\ud800", *OPEN[3:]], 1,
        "lone surrogate"),
    bad("name-control-character", [OPEN[0], "--name", "Pak\x07", *OPEN[3:]], 1,
        "control character"),
    bad("native-name-nul-byte", [*OPEN, "--native-name", "박\x00"], 1, "NUL byte"),
    bad("place-blank", [*OPEN[:5], "--place", " ", *OPEN[7:]], 1, "--place: must not be blank"),
    bad("note-one-megabyte", [*INVESTIGATE, "--note", "x" * 1_000_000], 1, "at most 10000"),
    bad("note-lone-surrogate", [*INVESTIGATE, "--note", "\udcff"], 1, "lone surrogate"),
    bad("question-nul-byte", ["request-guidance", "1", "--question", "why\x00", "--at", D], 1,
        "NUL byte"),
    bad("request-id-nul-byte", [*INVESTIGATE, "--request-id", "k\x00"], 1, "NUL byte"),
    bad("representative-blank", [*HAND[:2], "--representative", " ", *HAND[4:]], 1,
        "--representative: must not be blank"),
    bad("crossing-point-blank", [*HAND[:4], "--crossing-point", "", *HAND[6:]], 1,
        "--crossing-point: must not be blank"),
    # options and their values
    bad("unknown-option", [*INVESTIGATE, "--colour", "red"], 2, "No such option '--colour'"),
    bad("unknown-citizenship", ["investigate", "1", "--citizenship", "martian"], 2,
        "'martian' is not one of"),
    bad("unknown-outcome", ["persuade", "2", "--outcome", "maybe"], 2, "'maybe' is not one of"),
    bad("unknown-item", ["provide", "2", "--items", "food,bread", "--at", D], 1,
        "'bread' is not one of food, clothing"),
    bad("unknown-reply", ["consulate-reply", "2", "--reply", "perhaps"], 2, "is not one of"),
    bad("unknown-field", ["amend", "1", "--field", "shoe_size"], 2, "is not one of"),
    bad("amend-impossible-date", ["amend", "1", "--field", "crossed_on", "--value", "1961-02-30",
                                  "--reason", "r", "--at", D], 1, "not a valid date"),
    bad("amend-blank-name", ["amend", "1", "--field", "name", "--value", " ", "--reason", "r",
                             "--at", D], 1, "name cannot be blank"),
    bad("amend-accompanies-itself", ["amend", "1", "--field", "accompanies", "--value", "1",
                                     "--reason", "r", "--at", D], 1, "cannot accompany itself"),
    bad("accompanies-unknown-case", [*OPEN, "--accompanies", "99"], 1, "no case 99"),
    bad("accompanies-not-a-number", [*OPEN, "--accompanies", "mother"], 2,
        "is not a case id"),
    bad("open-without-place", OPEN[:5] + OPEN[7:], 2, "Missing option '--place'"),
    bad("open-without-crossing-date", OPEN[:3] + OPEN[5:], 2, "Missing option '--crossed-on'"),
    bad("hand-over-without-representative", HAND[:2] + HAND[4:], 2,
        "Missing option '--representative'"),
    bad("hand-over-without-cases", HAND[:1] + HAND[2:], 2, "Missing argument"),
    bad("hand-over-case-twice", [*HAND[:2], "2", *HAND[2:]], 1, "named twice"),
    bad("hand-over-unknown-case", [*HAND[:2], "99", *HAND[2:]], 1, "no case 99"),
    bad("list-unknown-state", ["list", "--state", "limbo"], 2, "'limbo' is not one of"),
    bad("log-unknown-outcome", ["log", "--outcome", "maybe"], 2, "'maybe' is not one of"),
    bad("log-unknown-clause", ["log", "--clause", "P9"], 1, "--clause: 'P9' is not one of"),
    bad("log-limit-zero", ["log", "--limit", "0"], 2, "--limit"),
    # SQL metacharacters in log filters are refused as values, never run
    bad("log-clause-sql", ["log", "--clause", "P1' OR '1'='1"], 1, "--clause"),
    bad("log-trigger-sql", ["log", "--trigger", "persuade'; DROP TABLE audit; --"], 1,
        "unknown trigger"),
    bad("log-since-sql", ["log", "--since", "1961-01-01' OR 1=1 --"], 1, "--since"),
    bad("log-case-sql", ["log", "--case", "1 OR 1=1"], 2, "is not a case id"),
    # actors
    bad("missing-actor", ["investigate", "1", "--citizenship", "dprk", "--at", D], 1,
        "no acting actor", env={"CROSSINGS_ACTOR": None}),
    bad("unknown-actor", [*INVESTIGATE, "--as", "Nobody"], 1, "unknown actor 'Nobody'"),
    bad("blank-actor", [*INVESTIGATE, "--as", "  "], 1, "no acting actor"),
    bad("actor-sql", [*INVESTIGATE, "--as", "Zhao' OR '1'='1"], 1, "unknown actor"),
    bad("actor-add-twice", ["actor", "add", "Zhao", "--role", "county-officer", "--as", ADMIN], 1,
        "already registered"),
    bad("actor-add-unknown-role", ["actor", "add", "Pang", "--role", "mayor", "--as", ADMIN], 2,
        "'mayor' is not one of"),
    bad("actor-add-blank-name", ["actor", "add", " ", "--role", "county-officer", "--as", ADMIN], 1,
        "must not be blank"),
    # settings
    bad("setting-not-a-number", ["setting", "set", "short_period_days", "fifteen", "--as", ADMIN], 1,
        "not a whole number"),
    bad("setting-impossible-date", ["setting", "set", "transfer_cutoff", "1960-02-30", "--as", ADMIN], 1,
        "not a valid date"),
    bad("setting-unknown", ["setting", "set", "colour", "red", "--as", ADMIN], 2, "'colour' is not one of"),
    bad("setting-blank", ["setting", "set", "consulate", " ", "--as", ADMIN], 1, "must not be blank"),
    # database files
    bad("junk-file-read", ["show", "1"], 1, "not a crossings database", db="junk"),
    bad("junk-file-trigger", INVESTIGATE, 1, "not a crossings database", db="junk"),
    bad("junk-file-actor-add", ["actor", "add", "Pang", "--role", "county-officer", "--as", ADMIN], 1,
        "not a crossings database", db="junk"),
    bad("other-sqlite-read", ["list"], 1, "not a crossings database", db="foreign"),
    bad("other-sqlite-actor-add", ["actor", "add", "Pang", "--role", "county-officer", "--as", ADMIN], 1,
        "not a crossings database", db="foreign"),
    bad("read-only-trigger", INVESTIGATE, 1, "read-only", db="read-only"),
    bad("read-only-actor-add", ["actor", "add", "Pang", "--role", "county-officer", "--as", ADMIN], 1,
        "read-only", db="read-only"),
    bad("missing-db-show", ["show", "1"], 1, "no database at", db="missing"),
    bad("missing-db-log", ["log"], 1, "no database at", db="missing"),
    bad("missing-db-list", ["list"], 1, "no database at", db="missing"),
    bad("missing-db-trigger", INVESTIGATE, 1, "no database at", db="missing"),
    bad("db-path-nul-byte", ["actor", "add", "Pang", "--role", "county-officer", "--as", ADMIN,
                             "--db", "crossings\x00.db"], 1, "NUL byte"),
    bad("db-is-a-directory", ["actor", "add", "Pang", "--role", "county-officer", "--as", ADMIN], 1,
        "no database at", db="directory"),
]


# -- databases ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Case 1 detained, case 2 persuading with an agreed attempt; WAL checkpointed."""
    path = tmp_path_factory.mktemp("template") / "crossings.db"
    svc = new_database(str(path), clock=fixed_clock)
    for name in ("Pak Sun-hui", "Kim Yong-su"):
        svc.fire("open", None, "Zhao", name=name, crossed_on="1961-10", place="Badaogou", at="1961-11-10")
    svc.fire("investigate", 2, "Zhao", at=D, citizenship="dprk")
    svc.fire("begin_persuasion", 2, "Zhao", at=D)
    svc.fire("persuade", 2, "Zhao", at=D, outcome="agreed")
    svc.close()
    return path


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file read-only, even for root (who ignores modes): chattr +i where needed."""
    os.chmod(path, 0o444)
    immutable = False
    try:
        if os.access(path, os.W_OK):
            if not shutil.which("chattr") or subprocess.run(
                    ["chattr", "+i", str(path)], capture_output=True).returncode:
                pytest.skip("running as root without chattr +i: no way to make a file read-only")
            immutable = True
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        os.chmod(path, 0o644)


@contextmanager
def database(kind: str, template: Path, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "crossings.db"
    if kind in ("crossings", "read-only"):
        shutil.copy(template, path)
    elif kind == "junk":
        path.write_bytes(b"Changbai county register, 1961 (not a database)\n" * 100)
    elif kind == "foreign":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE register (name TEXT)")
        conn.execute("INSERT INTO register VALUES ('Pak Sun-hui')")
        conn.commit()
        conn.close()
    elif kind == "directory":
        path.mkdir()
    if kind == "read-only":
        with read_only(path):
            yield path
    else:
        yield path


def fingerprint(path: Path) -> object:
    """What must not change: the SQL dump, the raw bytes of a non-database, or absence."""
    if not path.exists():
        return "absent"
    if path.is_dir():
        return sorted(p.name for p in path.iterdir())
    if path.read_bytes()[:16] != b"SQLite format 3\x00":
        return path.read_bytes()
    return dump(str(path))


def invoke(path: Path, args: list[str], env: dict[str, str | None] | None = None) -> Result:
    environ = {"CROSSINGS_DB": str(path), "CROSSINGS_ACTOR": "Zhao", **(env or {})}
    return CliRunner().invoke(cli, args, env=environ, catch_exceptions=False)


# -- the catalogue ----------------------------------------------------------------------------

def test_the_catalogue_holds_at_least_forty_malformed_calls() -> None:
    assert len(CATALOGUE) >= 40
    assert len({row.id for row in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("row", CATALOGUE, ids=lambda r: r.id)
def test_malformed_call_is_one_error_line_and_writes_nothing(template: Path, tmp_path: Path,
                                                             row: Bad) -> None:
    with database(row.db, template, tmp_path) as path:
        before = fingerprint(path)
        result = invoke(path, row.args, row.env)
        assert result.exit_code == row.code, result.stderr
        assert result.stdout == ""
        line = one_error_line(result.stderr)
        assert row.says in line
        assert fingerprint(path) == before


SCENARIO_WITH_A_SYNTAX_ERROR = """\
title: A broken scenario
actors:
  - {name: Zhao, role: county-officer
events:
  - {at: 1961-11-12, by: Zhao, do: open, case: choe, name: Choe Myong-ok}
"""


def test_scenario_file_with_a_syntax_error_is_one_error_line_and_writes_nothing(
        template: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "broken.yaml"
    scenario.write_text(SCENARIO_WITH_A_SYNTAX_ERROR, encoding="utf-8")
    with database("crossings", template, tmp_path) as path:
        before = fingerprint(path)
        result = invoke(path, ["replay", str(scenario), "--db", str(path)])
        assert result.exit_code in (1, 2)
        assert str(scenario) in one_error_line(result.stderr)
        assert fingerprint(path) == before


# -- the same through a real process: real argv bytes, real exit status ----------------------

@pytest.mark.parametrize("args, says", [
    ([b"open", b"--name", b"Pak\xff\xfe", b"--crossed-on", b"1961", b"--place", b"X",
      b"--at", b"1961-11-10", b"--as", b"Zhao"], b"lone surrogate"),
    ([b"show", b"1", b"--db", b"{junk}"], b"not a crossings database"),
])
def test_a_real_process_prints_one_line_and_no_traceback(template: Path, tmp_path: Path,
                                                         args: list[bytes], says: bytes) -> None:
    path = tmp_path / "crossings.db"
    shutil.copy(template, path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database\n" * 100)
    argv = [a.replace(b"{junk}", os.fsencode(junk)) for a in args]
    before = fingerprint(path)
    env = {**os.environ, "CROSSINGS_DB": str(path)}
    env.pop("CROSSINGS_ACTOR", None)
    done = subprocess.run([os.fsencode(sys.executable), b"-m", b"crossings", *argv],
                          capture_output=True, env=env)
    assert done.returncode == 1
    assert done.stdout == b""
    assert done.stderr.count(b"\n") == 1 and done.stderr.startswith(b"Error: ")
    assert says in done.stderr
    assert fingerprint(path) == before


# -- not malformed: stored verbatim, or recorded as a refusal ---------------------------------

@pytest.mark.parametrize("name", [
    "Robert'); DROP TABLE cases; --",
    "x' OR '1'='1",
    "%_\\ \"quoted\" [bracket] ;",
])
def test_sql_metacharacters_in_names_are_stored_verbatim_and_harmless(
        template: Path, tmp_path: Path, name: str) -> None:
    path = tmp_path / "crossings.db"
    shutil.copy(template, path)
    result = invoke(path, [OPEN[0], "--name", name, *OPEN[3:]])
    assert (result.exit_code, result.stdout) == (0, "3\n")
    with Service.open(str(path)) as svc:
        assert svc.show(3).name == name
        assert [c["id"] for c in svc.cases()] == [1, 2, 3]
        assert len(list(svc.log(actor=name))) == 0


def test_sql_metacharacters_in_an_actor_filter_match_nothing(template: Path,
                                                             tmp_path: Path) -> None:
    path = tmp_path / "crossings.db"
    shutil.copy(template, path)
    before = fingerprint(path)
    result = invoke(path, ["log", "--actor", "x' OR '1'='1", "--json"])
    assert (result.exit_code, result.stdout.strip()) == (0, "[]")
    assert fingerprint(path) == before


def test_a_wrong_role_is_not_malformed_it_is_recorded_as_refused(template: Path,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "crossings.db"
    shutil.copy(template, path)
    result = invoke(path, [*HAND[:-2], "--as", "Zhao"])
    assert result.exit_code == 1
    assert "only by border-defence" in one_error_line(result.stderr)
    with Service.open(str(path)) as svc:
        (row,) = svc.log(outcome="refused")
        assert (row["case_id"], row["trigger"], row["actor"]) == (2, "hand_over", "Zhao")
        assert svc.show(2).state == "persuading"


def test_a_setting_changed_as_an_unknown_actor_is_rejected_and_writes_nothing(run):
    before = dump(run.db)
    result = run("setting", "set", "short_period_days", "20", "--as", "Nobody")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Error: unknown actor 'Nobody': the administrator "
                                     "registers actors with 'crossings actor add'")
    assert dump(run.db) == before


def test_a_setting_changed_by_an_administrator_records_who_and_their_role(run):
    assert run("setting", "set", "short_period_days", "20", "--as", "Admin").exit_code == 0
    rows = json.loads(run("log", "--trigger", "setting", "--json").stdout)
    assert [(r["actor"], r["role"], r["outcome"]) for r in rows] == [
        ("Admin", "administrator", "applied")]


def test_a_blank_complaint_is_rejected_and_writes_nothing(run):
    """Version 2 records a complaint as a correction (version 3: record_complaint)."""
    run("open", "--name", "A", "--crossed-on", "1961", "--place", "X", "--at", "1961-11-12",
        "--policy", "jilin-1961@2", actor="Zhao")
    before = dump(run.db)
    result = run("amend", "1", "--field", "complaint", "--value", " ", "--reason", "r",
                 "--at", "1961-11-13", actor="Zhao")
    assert result.exit_code == 1
    assert "complaint cannot be blank" in result.stderr
    assert dump(run.db) == before


@pytest.mark.parametrize("args", [["checkpoint", "--out", "no-such-dir/cp.json"],
                                  ["diagram", "--output", "no-such-dir/d.mmd"]])
def test_an_output_file_that_cannot_be_written_is_one_error_line(run, args, tmp_path):
    result = run(*args[:-1], str(tmp_path / args[-1]), actor="Zhao")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: ") and "No such file or directory" in result.stderr


def test_a_checkpoint_with_a_non_numeric_row_count_is_rejected(run, tmp_path):
    bad = tmp_path / "cp.json"
    bad.write_text('{"rows": "5", "seq": 1, "hash": "x"}', encoding="utf-8")
    result = run("verify", "--checkpoint", str(bad))
    assert result.exit_code == 1
    assert "is not a signed checkpoint" in result.stderr and result.stderr.count("\n") == 1
