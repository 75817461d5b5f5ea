"""A command imports only what it needs (issue 5: the CLI answers at once). Read in a
real subprocess, as click's own test_imports does; no timing is asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

# Never needed to read a case: the state machine library (only when firing), the schema
# library (only when creating or migrating), hashing and signing (only when writing), and
# the heavy optional dependencies of other commands (replay files, diagrams, browsing).
# A trigger signs with libsodium (nacl); cryptography only writes key files.
# Nor dataclasses: a @dataclass compiles its methods at every start (workflow.record).
NOT_FOR_READS = {"transitions", "sqlite_utils", "hashlib", "yaml", "datasette", "jinja2",
                 "graphviz", "importlib.metadata", "pkg_resources", "csv", "psycopg", "nacl",
                 "cryptography", "dataclasses"}
NOT_FOR_TRIGGERS = {"sqlite_utils", "yaml", "datasette", "jinja2", "graphviz",
                    "importlib.metadata", "pkg_resources", "psycopg",  # psycopg: servers only
                    "cryptography", "dataclasses"}

# The command line's shared modules: a command imports these and its own module, no other
# command module (``crossings.cli.MODULES``); a trigger's module is ``triggers``.
CLI_LEAVES = {"crossings.cli.base", "crossings.cli.types", "crossings.cli.triggers"}

PROBE = """
import sys
from crossings.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="crossings")
except SystemExit as exit:
    assert not exit.code, exit.code
print(" ".join(sorted(sys.modules)))
"""


def modules_loaded_by(db_path: str, *args: str) -> set[str]:
    env = {**os.environ, "CROSSINGS_DB": db_path, "CROSSINGS_ACTOR": "Zhao"}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split("\n")[-2].split())


@pytest.fixture
def persuading_case(service: Any, db_path: str) -> str:
    case = service.fire("open", None, "Zhao", at="1961-11-12", name="Choe Myong-ok",
                             crossed_on="1961-03", place="Badaogou")
    service.fire("investigate", case.id, "Zhao", at="1961-11-13", citizenship="dprk")
    service.fire("begin_persuasion", case.id, "Zhao", at="1961-11-13")
    return str(case.id)


@pytest.mark.parametrize("command", [["show"], ["log", "--case"], ["next"],
                                     ["why", "{case}", "refer"], ["list"]])
def test_read_commands_do_not_import_what_only_writes_or_other_commands_need(
        db_path: str, persuading_case: str, command: list[str]) -> None:
    args = [a.replace("{case}", persuading_case) for a in command]
    if "{case}" not in command and command != ["list"]:
        args.append(persuading_case)
    loaded = modules_loaded_by(db_path, *args)
    assert not loaded & NOT_FOR_READS
    assert {m for m in loaded if m.startswith("crossings.cli.")} <= CLI_LEAVES | {
        "crossings.cli.cases"}


def test_a_trigger_command_imports_transitions_but_no_schema_or_optional_library(
        db_path: str, persuading_case: str) -> None:
    loaded = modules_loaded_by(db_path, "persuade", persuading_case, "--outcome", "refused",
                               "--at", "1961-11-14")
    assert {"transitions", "nacl"} <= loaded
    assert not loaded & NOT_FOR_TRIGGERS
    assert {m for m in loaded if m.startswith("crossings.cli.")} <= CLI_LEAVES


@pytest.mark.parametrize("query, transliterates", [("최명옥", False), ("명옥", False),
                                                   ("崔明玉", True), ("Choi", False)])
def test_a_search_loads_anyascii_only_for_a_script_other_than_latin_or_hangul(
        db_path: str, persuading_case: str, query: str, transliterates: bool) -> None:
    """A Hangul syllable is romanised by its jamo (``workflow.names``): 45 ms of anyascii's
    import and first look-up spared; Hanja still needs its table."""
    assert ("anyascii" in modules_loaded_by(db_path, "search", query)) is transliterates


@pytest.mark.parametrize("entry, frozen", [("run", True), ("main", False)])
def test_the_program_freezes_its_start_up_out_of_the_collector_and_a_caller_is_left_alone(
        db_path: str, persuading_case: str, entry: str, frozen: bool) -> None:
    """``crossings`` (``run``) moves what it loaded to gc's permanent generation before the
    command; ``main``, what a Python caller calls, does not touch the caller's collector."""
    code = (f"import gc, sys\nfrom crossings.cli import {entry}\n"
            f"sys.argv = ['crossings', 'show', {persuading_case!r}]\n"
            f"try:\n    {entry}()\nexcept SystemExit:\n    pass\n"
            "print('frozen', gc.get_freeze_count())\n")
    env = {**os.environ, "CROSSINGS_DB": db_path, "CROSSINGS_ACTOR": "Zhao"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    count = int(done.stdout.split("frozen ")[-1])
    assert (count > 10_000) is frozen, count
