"""--source: the document an event rests on, kept in its signed row, round-trips through
the command line, scenario files (per event, and a file's default), log --json, the
timeline view and crossings sources."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from helpers.actors import ADMIN, new_database
from helpers.casebook import run

from crossings.replay import replay_paths

FILE = """\
title: A visitor sent back, each step cited
policy: jilin-1961@3
source: "PRC FMA 118-00948-02, p. 7"
actors:
  - {name: Zhao, role: county-officer}
events:
  - {at: 1961-11-20, by: Zhao, do: open, case: ko, name: Ko Chun-hwa, crossed_on: 1961-11,
     place: Badaogou, source: "Changbai county detention register, f. 14"}
  - {at: 1961-11-21, by: Zhao, do: investigate, case: ko, citizenship: dprk,
     purpose: visiting-relatives, spouse: none}
"""


def test_a_source_round_trips_through_cli_files_log_views_and_the_listing(
        tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    new_database(db, policy=None).close()
    scenario = tmp_path / "ko.yaml"
    scenario.write_text(FILE, encoding="utf-8")
    assert replay_paths([scenario], db=db, admin=ADMIN).ok
    cited = run(db, "begin-persuasion", "1", "--at", "1961-11-22", "--as", "Zhao",
                "--source", "Jilin FAO file 1962-04, item 3")
    assert cited.exit_code == 0, cited.stderr
    rows = json.loads(run(db, "log", "--case", "1", "--json").stdout)
    assert [r["given"].get("source") for r in rows] == [
        "Changbai county detention register, f. 14", "PRC FMA 118-00948-02, p. 7",
        "Jilin FAO file 1962-04, item 3"]
    with sqlite3.connect(db) as conn:
        view = [s for (s,) in conn.execute(
            "SELECT source FROM case_timeline WHERE case_id = 1 ORDER BY seq")]
    assert view == [r["given"]["source"] for r in rows]
    listed = json.loads(run(db, "sources", "--json").stdout)
    assert {d["source"] for d in listed} == set(view)
    timeline = run(db, "show", "1", "--timeline").stdout
    assert "(source: Jilin FAO file 1962-04, item 3)" in timeline
    assert run(db, "verify").exit_code == 0
