"""Docs that cannot drift, and the command line's polish: help, completion, progress, start-up."""

from __future__ import annotations

import json
import os
import pty
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from helpers.casebook import ACTORS, NAMES, casebook, run
from click.testing import CliRunner

import readme as docs  # scripts/readme.py, the README's generator
from crossings.cli import cli
from workflow.policies import DEFAULT as POLICY

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return casebook(tmp_path_factory)


# -- the policy table and the README -------------------------------------------------------

def test_policy_json_is_the_policy_table_of_the_code() -> None:
    data = json.loads(run("unused.db", "policy", "--format", "json").stdout)
    assert [s["state"] for s in data["states"]] == POLICY.state_names
    assert [t["trigger"] for t in data["triggers"]] == [t.name for t in POLICY.triggers]
    refer = next(t for t in data["triggers"] if t["trigger"] == "refer")
    assert refer["guards"][2] == {"guard": "three_refusals", "clauses": ["P3"]}
    assert data["roles"] == list(POLICY.roles)
    assert data["clauses"]["W3"]["words"] == POLICY.clauses["W3"].words
    assert [s["setting"] for s in data["settings"]] == [s.name for s in POLICY.settings]


def test_every_guard_is_described_in_words() -> None:
    assert all(guard.words for guard in POLICY.guards.values())


def test_policy_markdown_gives_each_clause_in_the_cables_words() -> None:
    text = run("unused.db", "policy").stdout
    for clause_id, clause in POLICY.clauses.items():
        assert f"| {clause_id} | {clause.words.replace('|', chr(92) + '|')} |" in text
    assert "| `refer` | persuading → referred | county-officer |" in text


def test_readme_diagram_policy_table_and_cli_reference_match_the_code() -> None:
    checked = subprocess.run([sys.executable, str(ROOT / "scripts" / "readme.py"), "README.md",
                              "--check"], cwd=ROOT, capture_output=True, text=True)
    assert checked.returncode == 0, f"run scripts/gen_docs: {checked.stdout}"


def test_readme_mermaid_diagram_is_what_crossings_diagram_prints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    printed = run("unused.db", "diagram").stdout
    assert f"```mermaid\n{printed}```\n" in readme


# -- help ------------------------------------------------------------------------------------

def _commands() -> list[tuple[str, click.Command]]:
    return list(docs._commands(cli, "crossings"))


@pytest.mark.parametrize("path,command", _commands(), ids=[p for p, _ in _commands()])
def test_every_command_has_a_summary_and_an_example_that_parses(path: str,
                                                                 command: click.Command) -> None:
    assert command.get_short_help_str(limit=200).strip()
    example = docs.example(command.help)
    assert example.startswith(path + " "), f"{path}: example {example!r}"
    args = shlex.split(example)[len(path.split()):]
    command.make_context(path, args)  # raises on an unknown option or a bad value


def test_every_trigger_example_is_fired_by_an_actor_who_may_fire_it() -> None:
    for trigger in POLICY.triggers:
        command = cli.get_command(click.Context(cli), trigger.command)
        actor = shlex.split(docs.example(command.help)).pop(-3)
        assert ACTORS[actor] in trigger.roles, trigger.name


# -- shell completion ------------------------------------------------------------------------

def _complete(db: str, words: str) -> list[str]:
    env = {"_CROSSINGS_COMPLETE": "bash_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
           "CROSSINGS_DB": db}
    result = CliRunner().invoke(cli, [], env=env, prog_name="crossings")
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_case_ids_complete_from_the_database(db: str) -> None:
    assert _complete(db, "crossings show 1") == ["1", "10"]
    assert _complete(db, "crossings persuade ") == [str(i) for i in sorted(NAMES)]


def test_case_ids_complete_from_the_db_option(db: str) -> None:
    assert _complete("nowhere.db", f"crossings diagram --db {db} --case 1") == ["1", "10"]


def test_completion_offers_nothing_without_a_database(tmp_path: Path) -> None:
    assert _complete(str(tmp_path / "missing.db"), "crossings show ") == []


# -- start-up and progress -------------------------------------------------------------------

def test_the_cli_imports_no_diagram_datasette_or_graphviz_code() -> None:
    heavy = ("transitions.extensions", "graphviz", "datasette", "uvicorn")
    code = ("import sys, crossings.cli; print(sorted(m for m in sys.modules "
            f"if m.startswith({heavy!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _on_a_terminal(db: str, *args: str) -> tuple[str, str]:
    """Run crossings with stderr on a pseudo-terminal; returns (stdout, what the terminal saw)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "CROSSINGS_DB": db}
    with subprocess.Popen([sys.executable, "-m", "crossings", *args], stdout=subprocess.PIPE,
                          stderr=follower, env=env) as process:
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the process has exited
                break
            if not chunk:
                break
            seen += chunk
        stdout = process.stdout.read() if process.stdout else b""
    os.close(leader)
    return stdout.decode(), seen.decode(errors="replace")


def test_a_progress_bar_shows_on_a_terminal_but_not_in_the_output(db: str) -> None:
    stdout, terminal = _on_a_terminal(db, "report", "compliance", "--csv")
    assert "compliance report" in terminal
    assert "compliance report" not in stdout
    assert stdout.startswith("clause,kind,case_id")


def test_no_progress_bar_in_json_mode(db: str) -> None:
    stdout, terminal = _on_a_terminal(db, "name-list", "--format", "json")
    assert terminal == ""
    assert len(json.loads(stdout)) == len(NAMES)
