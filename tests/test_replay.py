"""Replay of recorded cases (issue 3): every file in tests/cases/ holds; the files in
tests/cases/failing/ fail, and the report names each failing event's line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.actors import ADMIN, new_database
from helpers.casework import dump
from helpers.fixtures import fixed_clock
from crossings.cli import cli
from crossings.replay import load, replay_paths, replay_scenario
from crossings.service import Service
from workflow.policies import JILIN_1961_2 as POLICY

CASES = Path(__file__).parent / "cases"
SCENARIOS = sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".json"))
FAILING = sorted(p for p in (CASES / "failing").iterdir() if p.suffix == ".yaml")
MARK = "# FAILS HERE"


def replay_cli(*args: str):
    return CliRunner().invoke(cli, ["replay", *args], catch_exceptions=False)


def marked_lines(path: Path) -> set[int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {number for number, line in enumerate(lines, 1) if MARK in line}


def named_lines(path: Path, report: str) -> set[int]:
    return {int(n) for n in re.findall(rf"^{re.escape(str(path))}:(\d+): ", report, re.M)}


def test_cases_directory_holds_at_least_15_scenarios():
    assert len(SCENARIOS) >= 15


def test_the_files_at_the_top_of_cases_are_version_2s_and_the_rulings_pairs_are_apart():
    """SCENARIOS are the files at the top of tests/cases/ (not its subfolders): each under
    version 2, the policy the coverage test below reads. The pairs of rulings/ (versions 3
    and 2) are replayed by test_rulings.py."""
    assert {load(p).policy for p in SCENARIOS} == {POLICY.key}
    assert all(p.parent == CASES for p in SCENARIOS)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_recorded_case_replays_as_recorded(path):
    run = replay_paths([path], clock=fixed_clock)
    assert run.ok, "\n".join(run.lines())


@pytest.mark.parametrize("path", FAILING, ids=lambda p: p.name)
def test_failing_file_fails_naming_each_failing_line(path):
    result = replay_cli(str(path))
    assert result.exit_code in (1, 2)
    assert named_lines(path, result.stdout) == marked_lines(path)
    [error] = result.stderr.splitlines()
    assert error.startswith("Error: ") and str(path) in error


def test_broken_json_file_names_the_lines_of_its_errors():
    path = CASES / "failing" / "file-errors.json"
    result = replay_cli(str(path))
    assert result.exit_code == 2
    assert named_lines(path, result.stdout) == {7, 9}
    assert "unknown trigger 'deport'" in result.stdout
    assert "unknown fact 'hometown'" in result.stdout


def test_replay_of_every_case_exits_0_with_one_summary_line_per_file():
    result = replay_cli(*map(str, SCENARIOS))
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == len(SCENARIOS)
    assert all(line.startswith("ok ") for line in lines)


def test_a_broken_file_stops_every_file_from_being_replayed(tmp_path):
    db = tmp_path / "replayed.db"
    good, broken = SCENARIOS[0], CASES / "failing" / "file-errors.yaml"
    result = replay_cli(str(good), str(broken), "--db", str(db))
    assert result.exit_code == 2
    assert not db.exists()
    assert str(good) not in result.stdout


def test_replay_json_gives_each_divergence_with_file_and_line():
    path = CASES / "failing" / "unexpected-refusal.yaml"
    result = replay_cli(str(path), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    [report] = data["files"]
    assert [(d["file"], d["line"]) for d in report["divergences"]] == [(str(path), 10),
                                                                        (str(path), 12)]
    assert "(P3)" in report["divergences"][0]["message"]


def test_replay_into_a_database_reuses_actors_with_the_same_role(service, db_path):
    service.close()
    files = [CASES / "p3-married-consulate-agrees.yaml", CASES / "roles-refused.yaml"]
    result = replay_cli(*map(str, files), "--db", db_path, "--as", ADMIN)
    assert result.exit_code == 0, result.stdout
    with Service.open(db_path) as again:
        names = [a["name"] for a in again.actors()]
    assert sorted(names) == sorted(set(names))


def test_an_actor_registered_with_another_role_stops_that_file(service, db_path):
    service.add_actor("Choe", "border-defence", "Admin")
    scenario = load(CASES / "p2-visitor-sent-back.yaml")
    text = (CASES / "p2-visitor-sent-back.yaml").read_text(encoding="utf-8")
    assert scenario.actors[0].name == "Zhao"
    service.store.conn.execute("UPDATE actors SET role = 'border-defence' WHERE name = 'Zhao'")
    report = replay_scenario(service, scenario, admin=ADMIN)
    assert not report.ok
    assert report.divergences[0].line == text.splitlines().index(
        "  - {name: Zhao, role: county-officer}") + 1
    assert "registered as border-defence" in report.divergences[0].message


def test_events_keep_their_own_dates_beside_the_time_recorded(service):
    replay_scenario(service, CASES / "p3-married-consulate-agrees.yaml", admin=ADMIN)
    rows = list(service.log(trigger="grant_residency"))
    assert [(r["at"], r["recorded_at"][:10]) for r in rows] == [("1962-03-05", "2026-11-29")]


def test_a_files_settings_are_recorded_as_setup_rows_and_put_back_after(service):
    replay_scenario(service, CASES / "settings-consulate-and-cutoff.yaml", admin=ADMIN)
    rows = [r["given"] for r in service.log(trigger="setting")
            if r["given"]["name"] not in ("default_event_date", "policy")]
    assert rows == [{"name": "consulate", "value": "Consulate General of the DPRK in Shenyang"},
                    {"name": "transfer_cutoff", "value": "1961-01-31"},
                    {"name": "consulate", "value": "Consulate General of the DPRK in Changchun"},
                    {"name": "transfer_cutoff", "value": "1960-12-31"}]


def test_a_files_settings_apply_to_its_own_replay_and_the_databases_return_after(service):
    service.set_setting("short_period_days", 20, "Admin")  # the office's own, named by no file
    replay_scenario(service, CASES / "settings-consulate-and-cutoff.yaml", admin=ADMIN)
    assert service.settings()["short_period_days"] == 20
    report = replay_scenario(service, CASES / "t-cutoff-1960-12-31-vs-1961-01-01.yaml", admin=ADMIN)
    assert report.ok, [str(d) for d in report.divergences]
    assert service.settings()["transfer_cutoff"] == "1960-12-31"


def test_batched_and_unbatched_replays_write_the_same_events(tmp_path):
    events = []
    for batch in (True, False):
        db = str(tmp_path / f"batch-{batch}.db")
        new_database(db, clock=fixed_clock).close()
        run = replay_paths([CASES / "p1-mother-two-children-group.yaml"], db=db, admin=ADMIN,
                           clock=fixed_clock, batch=batch)
        assert [f.ok for f in run.files] == [True]
        with Service.open(db) as service:
            events.append([(r["seq"], r["trigger"], r["case_id"], r["changes"])
                           for r in service.log()])
    assert events[0] == events[1]


def test_a_failing_replay_into_a_database_leaves_its_dump_identical(tmp_path):
    db = str(tmp_path / "rejected.db")
    new_database(db, clock=fixed_clock).close()
    before = dump(db)
    run = replay_paths([CASES / "failing" / "rejected-is-not-refused.yaml"], db=db, admin=ADMIN)
    assert [f.ok for f in run.files] == [False] and run.files[0].rolled_back
    assert dump(db) == before  # its actors, settings and events all rolled back
    assert "nothing of it was kept" in run.files[0].summary()


def _applied_and_refused() -> tuple[set[str], set[str], set[str]]:
    triggers, clauses, states = set(), set(), set()
    for path in SCENARIOS:
        scenario = load(path)
        for event in scenario.events:
            clauses.update(event.refused)
            if not event.refused:
                triggers.add(event.do)
                clauses.update(POLICY.trigger(event.do).clauses)
        states.update(e.state for e in scenario.expect if e.state)
    return triggers, clauses, states


def test_the_cases_apply_every_trigger_cite_every_clause_and_reach_every_state():
    triggers, clauses, states = _applied_and_refused()
    assert triggers == {t.name for t in POLICY.triggers}
    assert clauses == set(POLICY.clauses) - {"W1"}  # W1: cadres' education, no trigger
    assert states == set(POLICY.state_names)


def _generated(cases: int) -> dict:
    labels = [f"c{n}" for n in range(cases)]
    events = [{"at": "1961-11-10", "by": "Zhao", "do": "open", "case": label,
               "name": f"Crosser {label}", "crossed_on": "1961-10", "place": "Badaogou"}
              for label in labels]
    for label in labels:
        events += [{"at": "1961-11-11", "by": "Zhao", "do": "investigate", "case": label,
                    "citizenship": "dprk", "purpose": "other"},
                   {"at": "1961-11-11", "by": "Zhao", "do": "begin_persuasion", "case": label},
                   {"at": "1961-11-12", "by": "Zhao", "do": "persuade", "case": label,
                    "outcome": "agreed"}]
    events.sort(key=lambda e: e["at"])
    events.append({"at": "1961-11-13", "by": "Kim", "do": "hand_over",
                   "cases": [f"c{n}" for n in range(cases)],
                   "representative": "Kang Myong-chol", "crossing_point": "Changbai-Hyesan bridge"})
    return {"actors": [{"name": "Zhao", "role": "county-officer"},
                       {"name": "Kim", "role": "border-defence"}],
            "events": events, "expect": {f"c{n}": {"state": "returned"} for n in range(cases)}}


def test_a_scenario_built_in_python_replays_in_one_transaction(service):
    from crossings.replay import from_data

    report = replay_scenario(service, from_data(_generated(40), "generated"), batch=True, admin=ADMIN)
    assert report.ok, [str(d) for d in report.divergences]
    assert (report.events, report.cases) == (161, 40)


def test_a_scenario_built_in_python_reports_problems_without_lines():
    from crossings.replay import ScenarioError, from_data

    data = _generated(1)
    data["events"][1]["do"] = "interrogate"
    with pytest.raises(ScenarioError) as caught:
        from_data(data, "generated")
    assert str(caught.value).startswith("generated: unknown trigger 'interrogate'")
