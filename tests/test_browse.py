"""The database in Datasette: reader views, metadata for every table and column, `browse`."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from helpers.casebook import CHOE, HAN, LI, NAMES, VISITOR, casebook, copy_of, run

from crossings.reading_room.server import app
from crossings.render.datasette import metadata
from store.sqlite import derived
from workflow.policies import CATALOGUE, DEFAULT as POLICY

VIEWS = ("case_timeline", "sources", "open_cases", "case_facts", "clauses", "refusals",
         "handover_groups", "handovers", "name_list")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return casebook(tmp_path_factory)


def _query(db: str, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_the_schema_carries_the_reader_views(db: str) -> None:
    names = {r[0] for r in _query(db, "SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert names == set(VIEWS) == set(derived.view_names(CATALOGUE))


def test_open_cases_view_excludes_exactly_the_policys_terminal_states(db: str) -> None:
    rows = _query(db, "SELECT case_id, state FROM open_cases ORDER BY case_id")
    assert rows == sorted([(HAN, "referred"), (VISITOR, "persuading"), (LI, "investigated")])


def test_case_timeline_view_matches_the_timeline_command(db: str) -> None:
    events = json.loads(run(db, "show", str(CHOE), "--timeline", "--json").stdout)["events"]
    rows = _query(db, f"SELECT seq, at, trigger, clauses FROM case_timeline WHERE case_id = {CHOE}")
    assert rows == [(e["seq"], e["at"], e["trigger"], ", ".join(e["clauses"])) for e in events]


def test_refusals_view_holds_every_refused_row(db: str) -> None:
    refused = json.loads(run(db, "log", "--outcome", "refused", "--json").stdout)
    assert [r[0] for r in _query(db, "SELECT seq FROM refusals")] == [r["seq"] for r in refused]


def test_a_database_of_an_earlier_schema_is_refused_with_one_line(db: str, tmp_path: Path) -> None:
    """Schemas before 4 (crossings 0.1) kept an unsigned trail this one does not read."""
    old = copy_of(db, tmp_path)
    with sqlite3.connect(old) as conn:
        conn.execute("PRAGMA user_version = 3")
    result = run(old, "report", "summary", "--json")
    assert result.exit_code == 1
    assert "written by an earlier crossings (schema 3)" in result.stderr
    assert _query(old, "PRAGMA user_version") == [(3,)]


def test_metadata_describes_every_table_view_and_column(db: str) -> None:
    described = metadata(db, POLICY)["databases"]["casebook"]["tables"]
    tables = [r[0] for r in _query(db, "SELECT name FROM sqlite_master WHERE type IN "
                                       "('table', 'view') AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        assert described[table]["title"] and described[table]["description"], table
        columns = [r[1] for r in _query(db, f"PRAGMA table_info({table})")]
        assert set(described[table]["columns"]) == set(columns), table
        assert all(described[table]["columns"].values()), table


def test_metadata_carries_the_cables_clause_texts(db: str) -> None:
    text = metadata(db, POLICY)["description_html"]
    for clause_id, clause in POLICY.clauses.items():
        assert f"<dt>{clause_id}</dt>" in text
        assert clause.words.replace('"', "&quot;")[:60] in text


def _get(instance: Any, paths: list[str]) -> list[Any]:
    async def fetch() -> list[Any]:
        return [await instance.client.get(path) for path in paths]

    return asyncio.run(fetch())


def test_datasette_loads_each_view_and_the_metadata(db: str) -> None:
    instance = app(db)
    paths = [f"/casebook/{view}.json?_shape=objects" for view in VIEWS] + ["/-/metadata.json"]
    responses = _get(instance, paths)
    assert [r.status_code for r in responses] == [200] * len(paths)
    rows = {view: r.json()["rows"] for view, r in zip(VIEWS, responses)}
    assert {r["name"] for r in rows["name_list"]} == {NAMES[CHOE], NAMES[HAN]}
    assert len(rows["handovers"]) == 3
    served = responses[-1].json()
    assert served["databases"]["casebook"]["tables"]["handovers"]["title"] == (
        "Handovers, person by person")


def test_datasette_shows_a_views_description_on_its_page(db: str) -> None:
    page = _get(app(db), ["/casebook/open_cases"])[0]
    assert page.status_code == 200
    assert "Cases not yet in a terminal state" in page.text


def test_browse_metadata_prints_the_metadata_as_json(db: str) -> None:
    result = run(db, "browse", "--metadata")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == metadata(db, POLICY)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fetch_when_up(url: str, process: subprocess.Popen[bytes], tries: int = 150) -> Any:
    for _ in range(tries):
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "exited")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.load(response)
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def test_browse_serves_the_database_on_the_given_port(db: str) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "crossings", "browse", "--db", db, "--port", str(port)]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        try:
            served = _fetch_when_up(
                f"http://127.0.0.1:{port}/casebook/open_cases.json?_shape=array", process)
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert [row["case_id"] for row in served] == sorted([HAN, VISITOR, LI])
