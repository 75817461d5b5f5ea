"""Version 3's twelve rulings (docs/policy.md, issue 11): each shown by a pair of scenario
files in tests/cases/rulings/ (the same events under version 3 and under version 2), and
here, what a file cannot show: events version 2 rejects (nothing written), the compliance
report, input checks, and the finer points of each ruling."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from helpers.actors import ADMIN, V2, new_database
from helpers.casework import dump, one_error_line
from helpers.fixtures import fixed_clock
from crossings.cli import cli
from crossings.replay import load, replay_paths, replay_scenario
from crossings.service import Command, Service
from workflow import Case, Refused
from workflow.policies import JILIN_1961_3 as V3_POLICY
from workflow.policies.jilin_1961.version3 import RULINGS as REVISIONS

V3 = "jilin-1961@3"
CASES = Path(__file__).parent / "cases"
RULINGS = CASES / "rulings"
FILES = sorted(RULINGS.glob("*.yaml"))
V3_FILES = [p for p in FILES if p.name.endswith(".v3.yaml")]
NUMBERS = range(1, 13)
HANDOVER = {"representative": "Kang Myong-chol", "crossing_point": "Changbai-Hyesan bridge"}


def pair(number: int) -> tuple[Path, Path]:
    """The ruling's files: version 3's, then version 2's."""
    [v3] = RULINGS.glob(f"r{number:02d}-*.v3.yaml")
    return v3, v3.with_name(v3.name.replace(".v3.yaml", ".v2.yaml"))


# -- helpers: databases, the command line, the API ------------------------------------------

def replayed(tmp_path: Path, number: int, version: int) -> tuple[str, dict[str, int]]:
    """A fresh database (new cases take the newest policy) with ruling NUMBER's file of
    VERSION replayed into it; and the case ids by the people's names."""
    path = pair(number)[0 if version == 3 else 1]
    db = str(tmp_path / f"{path.stem}.db")
    with new_database(db, policy=None, clock=fixed_clock) as service:
        report = replay_scenario(service, path, admin=ADMIN)
        assert report.ok, [str(d) for d in report.divergences]
        ids = {row["name"]: row["id"] for row in service.cases()}
    return db, ids


def crossings(db: str, *args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args],
                              env={"CROSSINGS_DB": db, "CROSSINGS_ACTOR": None},
                              catch_exceptions=False)


def rejected(db: str, *args: Any) -> str:
    """Run a command that must be rejected: exit 1 or 2, one line of error, nothing
    written. Returns the error line."""
    before = dump(db)
    result = crossings(db, *args)
    assert result.exit_code in (1, 2), result.output
    line = one_error_line(result.stderr)
    assert "refused" not in line, f"refused (a row written), not rejected: {line}"
    assert dump(db) == before, "a rejected command wrote to the database"
    return line


def applied(db: str, *args: Any) -> Result:
    result = crossings(db, *args)
    assert result.exit_code == 0, result.stderr
    return result


def last_row(db: str) -> dict[str, Any]:
    with Service.open(db, clock=fixed_clock) as service:
        return list(service.log())[-1]


def facts(db: str, case_id: int) -> dict[str, Any]:
    with Service.open(db, clock=fixed_clock) as service:
        return service.show(case_id).facts


@pytest.fixture
def office(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """A fresh database whose new cases take the policy the test's parameter ``policy``
    names (default version 3), with one actor of every role."""
    policy = getattr(request, "param", V3)
    with new_database(str(tmp_path / "office.db"), policy=policy, clock=fixed_clock) as service:
        yield service


def fire(service: Service, trigger: str, *cases: int, by: str = "Zhao",
         at: str = "1961-12-01", **params: Any) -> Case:
    return service.run(Command(trigger, cases, by, at, params)).case


def refusal(service: Service, trigger: str, *cases: int, **kw: Any) -> Refused:
    with pytest.raises(Refused) as caught:
        fire(service, trigger, *cases, **kw)
    return caught.value


def persuading(service: Service, *outcomes: str, crossed_on: str = "1961-10",
               name: str = "Pak Sun-hui", at: str = "1961-11-27", **found: Any) -> int:
    """A DPRK citizen's case in persuading, with these attempts recorded."""
    case = fire(service, "open", name=name, crossed_on=crossed_on, place="Badaogou", at=at).id
    fire(service, "investigate", case, citizenship="dprk", purpose="other", at=at, **found)
    fire(service, "begin_persuasion", case, at=at)
    for outcome in outcomes:
        fire(service, "persuade", case, outcome=outcome, at=at)
    return case


# -- the files ---------------------------------------------------------------------------------

def test_each_ruling_has_a_version_3_file_and_a_version_2_file_of_the_same_name():
    assert len(FILES) == 24
    for number in NUMBERS:
        v3, v2 = pair(number)
        assert v2.exists(), v2
        assert (load(v3).policy, load(v2).policy) == (V3, V2)
        for path in (v3, v2):
            text = path.read_text(encoding="utf-8")
            assert f"# Ruling {number} (docs/policy.md" in text, path
            assert "fiction modelled on the record" in text, path


def test_the_cases_readme_maps_each_ruling_to_its_two_files():
    readme = (CASES / "README.md").read_text(encoding="utf-8")
    for number in NUMBERS:
        v3, v2 = pair(number)
        row = next(line for line in readme.splitlines() if line.startswith(f"| {number} |"))
        assert f"rulings/{v3.name}" in row and f"rulings/{v2.name}" in row, row


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_ruling_file_replays_as_recorded_into_a_fresh_database(path: Path, tmp_path: Path):
    with new_database(str(tmp_path / "fresh.db"), policy=None, clock=fixed_clock) as service:
        report = replay_scenario(service, path, admin=ADMIN)
        assert report.ok, [str(d) for d in report.divergences]
        assert report.events and report.cases
        policies = {c.policy for c in map(service.show, (r["id"] for r in service.cases()))}
    assert policies == {load(path).policy}


def test_crossings_replay_of_every_ruling_file_says_ok_for_each():
    result = CliRunner().invoke(cli, ["replay", *map(str, FILES)], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["ok", f"{p}:"] for p in FILES]


def test_verify_is_clean_after_replaying_every_version_3_file(tmp_path: Path):
    db = str(tmp_path / "rulings.db")
    new_database(db, policy=None, clock=fixed_clock).close()
    run = replay_paths(V3_FILES, db=db, admin=ADMIN, clock=fixed_clock)
    assert run.ok, run.lines()
    result = crossings(db, "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("no problems"), result.stdout


def test_the_version_3_files_fire_every_trigger_a_ruling_changed():
    fired = {e.do for path in V3_FILES for e in load(path).events}
    changed = {name for name in REVISIONS if not name.startswith("ruling ")}
    assert changed <= fired, changed - fired


# -- ruling 1: Korean minority found late (P4) -----------------------------------------------

def test_version_2_rejects_restoring_a_minority_member_found_while_persuading(tmp_path):
    db, ids = replayed(tmp_path, 1, 2)
    line = rejected(db, "restore-citizenship", ids["Ri Tae-sik"], "--as", "Zhao",
                    "--at", "1961-12-18")
    assert "persuading" in line


def test_version_2_rejects_restoring_a_minority_member_found_once_referred(tmp_path):
    db, ids = replayed(tmp_path, 1, 2)
    line = rejected(db, "restore-citizenship", ids["Kim Sun-ae"], "--as", "Zhao",
                    "--at", "1962-01-10")
    assert "referred" in line


def test_version_3_still_refuses_to_restore_a_dprk_citizen_while_persuading(office):
    case = persuading(office, "refused")
    assert "P4" in refusal(office, "restore_citizenship", case).clauses


# -- ruling 2: records after closing (G, P1, W2) -------------------------------------------------

@pytest.mark.parametrize("args", [
    ("record-guidance", "--answer", "Handle as P1.", "--as", "Liu"),
    ("amend", "--field", "native_name", "--value", "崔光日", "--reason", "Hanja", "--as", "Zhao"),
    ("request-guidance", "--question", "Investigate the complaint?", "--as", "Liu"),
], ids=lambda a: a[0])
def test_version_2_rejects_records_on_a_returned_case(tmp_path, args):
    db, ids = replayed(tmp_path, 2, 2)
    line = rejected(db, args[0], ids["Choe Kwang-il"], *args[1:], "--at", "1962-01-15")
    assert "returned" in line


def test_under_version_3_only_the_four_record_triggers_apply_to_a_closed_case():
    closed = V3_POLICY.terminal
    open_to_closed = {t.name for t in V3_POLICY.triggers if closed & set(V3_POLICY.sources(t))}
    assert open_to_closed == {"request_guidance", "record_guidance", "amend", "record_complaint"}
    assert all(V3_POLICY.trigger(name).dest is None for name in open_to_closed)


def test_version_3_still_rejects_persuading_or_providing_for_a_returned_case(tmp_path):
    db, ids = replayed(tmp_path, 2, 3)
    case = ids["Choe Kwang-il"]
    assert "returned" in rejected(db, "persuade", case, "--outcome", "agreed", "--as", "Zhao",
                                  "--at", "1962-03-01")
    assert "returned" in rejected(db, "provide", case, "--items", "food", "--as", "Zhao",
                                  "--at", "1962-03-01")


# -- ruling 3: one answer, one question (G) ------------------------------------------------------

def test_answering_one_request_leaves_the_case_flagged_while_another_is_open(office):
    case = fire(office, "open", name="Liu Deshan", crossed_on="1961-11", place="Shisandaogou").id
    fire(office, "investigate", case, citizenship="other", purpose="other")  # request 1
    fire(office, "request_guidance", case, question="An exit permit?")  # request 2
    answered = fire(office, "record_guidance", case, by="Liu", request=2, answer="None needed.")
    assert answered.flagged
    assert [r["answer"] for r in answered.facts["guidance"]] == [None, "None needed."]
    answered = fire(office, "record_guidance", case, by="Liu", answer="Not the cable's case.")
    assert not answered.flagged
    assert [r["answer"] for r in answered.facts["guidance"]] == ["Not the cable's case.",
                                                                 "None needed."]


def test_a_request_number_the_case_does_not_have_is_rejected(tmp_path):
    db, ids = replayed(tmp_path, 3, 3)
    line = rejected(db, "record-guidance", ids["Liu Deshan"], "--request", 3, "--answer", "x",
                    "--as", "Liu", "--at", "1962-02-01")
    assert "no request 3" in line


def test_a_request_already_answered_is_refused_citing_G(tmp_path):
    db, ids = replayed(tmp_path, 3, 3)
    result = crossings(db, "record-guidance", ids["Liu Deshan"], "--request", 1, "--answer", "x",
                       "--as", "Liu", "--at", "1962-02-01")
    assert result.exit_code == 1
    assert "already answered on 1961-12-20 (G)" in one_error_line(result.stderr)
    row = last_row(db)
    assert (row["trigger"], row["outcome"], row["clauses"]) == ("record_guidance", "refused", ["G"])


def test_version_2_takes_no_request_number(tmp_path):
    db, ids = replayed(tmp_path, 3, 2)
    line = rejected(db, "record-guidance", ids["Liu Deshan"], "--request", 1, "--answer", "x",
                    "--as", "Liu", "--at", "1962-02-01")
    assert "request" in line


# -- ruling 4: minors go with their adult (P1) ----------------------------------------------------

def test_a_minor_handed_over_alone_is_refused_naming_the_case_he_accompanies(tmp_path):
    db, ids = replayed(tmp_path, 4, 3)
    with Service.open(db, clock=fixed_clock) as service:
        [row] = [r for r in service.log(trigger="hand_over") if r["outcome"] == "refused"]
    assert row["case_id"] == ids["Kang Chol-ho"] and "P1" in row["clauses"]
    assert f"accompanies case {ids['Ri Kyong-hui']}, which is still open" in row["reason"]


def test_once_the_accompanied_case_is_closed_a_minor_stands_on_his_own_attempt(office):
    mother = fire(office, "open", name="Ri Kyong-hui", crossed_on="1961-10", place="Badaogou",
                  at="1961-11-27").id
    fire(office, "investigate", mother, citizenship="dprk", purpose="other",
         crime="theft in Changbai town", at="1961-11-27")
    son = fire(office, "open", name="Kang Chol-ho", crossed_on="1961-10", place="Badaogou",
               accompanies=mother, at="1961-11-27").id
    fire(office, "investigate", son, citizenship="dprk", purpose="other")
    fire(office, "begin_persuasion", son)
    fire(office, "persuade", son, outcome="agreed")
    assert "P1" in refusal(office, "hand_over", son, by="Kim", **HANDOVER).clauses
    assert fire(office, "prosecute", mother, by="Sun").state == "prosecuted"
    assert fire(office, "hand_over", son, by="Kim", at="1961-12-02", **HANDOVER).state == "returned"


def _family(service: Service) -> tuple[int, int, int]:
    """A mother who agreed; her son, who accompanies her; his baby sister, entered as
    accompanying him. Neither child has an attempt of its own."""
    mother = persuading(service, "agreed", name="Ri Kyong-hui")
    son = fire(service, "open", name="Kang Chol-ho", crossed_on="1961-10", place="Badaogou",
               accompanies=mother).id
    baby = fire(service, "open", name="Kang Ok-sun", crossed_on="1961-10", place="Badaogou",
                accompanies=son).id
    for child in (son, baby):
        fire(service, "investigate", child, citizenship="dprk", purpose="other")
        fire(service, "begin_persuasion", child)
    return mother, son, baby


def test_a_minor_accompanying_a_minor_goes_with_the_adult_in_one_group(office):
    mother, son, baby = _family(office)
    refused = refusal(office, "hand_over", son, baby, by="Kim", **HANDOVER)
    assert "P1" in refused.clauses and f"accompanies case {mother}, which is still open" in (
        refused.one_line())
    result = office.run(Command("hand_over", (mother, son, baby), "Kim", "1961-12-01", HANDOVER))
    assert [c.state for c in result.cases] == ["returned"] * 3


def test_cases_entered_as_accompanying_each_other_are_refused_not_looped(office):
    mother, son, baby = _family(office)
    fire(office, "amend", son, field="accompanies", value=str(baby), reason="entered wrongly")
    refused = refusal(office, "hand_over", son, baby, by="Kim", **HANDOVER)
    assert "P1" in refused.clauses and "accompanies it in turn" in refused.one_line()


# -- ruling 5: the permission lapses (T) ----------------------------------------------------------

def _permitted(service: Service) -> int:
    case = persuading(service, "refused", crossed_on="1960-08")
    fire(service, "approve_transfer", case, by="Wang", at="1961-12-02")
    return case


def test_a_permission_lapses_after_an_agreed_attempt_until_given_again(office):
    case = _permitted(office)
    fire(office, "persuade", case, outcome="agreed", at="1961-12-03")
    fire(office, "persuade", case, outcome="refused", at="1961-12-04")
    assert office.show(case).facts["permission"]["lapsed"] == {
        "at": "1961-12-03", "why": "an attempt was recorded agreed"}
    refused = refusal(office, "transfer", case, by="Sun", at="1961-12-05")
    assert refused.clauses == ["T"] and "lapsed on 1961-12-03" in refused.one_line()
    fire(office, "approve_transfer", case, by="Wang", at="1961-12-06")
    assert fire(office, "transfer", case, by="Sun", at="1961-12-07").state == "transferred"


def test_a_permission_lapses_after_a_correction_of_the_crossing_date(office):
    case = _permitted(office)
    fire(office, "amend", case, field="crossed_on", value="1960-05", reason="register",
         at="1961-12-03")
    refused = refusal(office, "transfer", case, by="Sun", at="1961-12-04")
    assert refused.clauses == ["T"] and "crossed_on corrected" in refused.one_line()
    fire(office, "approve_transfer", case, by="Wang", at="1961-12-05")
    assert fire(office, "transfer", case, by="Sun", at="1961-12-06").state == "transferred"


@pytest.mark.parametrize("field,value,lapses", [
    ("crossed_on", "1960-05", True),
    ("crossed_on", "1960-08", False),  # the same date: nothing changed
    ("citizenship", "prc-korean-minority", True),
    ("crime", "theft in Hyesan", True),
    ("crime_on", "1960-07", True),  # ruling 10: a correction of the crime
    ("place", "Badaogou ford", False),
    ("native_name", "박용철", False),
])
def test_which_corrections_lapse_the_permission(office, field, value, lapses):
    case = _permitted(office)
    fire(office, "amend", case, field=field, value=value, reason="found later", at="1961-12-03")
    lapsed = office.show(case).facts["permission"].get("lapsed")
    assert lapsed == ({"at": "1961-12-03", "why": f"{field} corrected"} if lapses else None)


# -- ruling 6: corrections behave like the facts they correct (G, P1) ----------------------------

@pytest.mark.parametrize("value", [("--value", ""), ()], ids=["empty-value", "no-value"])
def test_citizenship_once_determined_cannot_be_cleared_under_version_3(tmp_path, value):
    db, ids = replayed(tmp_path, 6, 3)
    line = rejected(db, "amend", ids["Hwang Chun-bok"], "--field", "citizenship", *value,
                    "--reason", "unsure", "--as", "Zhao", "--at", "1962-01-06")
    assert "citizenship, once determined, cannot be cleared" in line


def test_version_2_lets_a_correction_clear_citizenship(tmp_path):
    db, ids = replayed(tmp_path, 6, 2)
    case = ids["Hwang Chun-bok"]
    applied(db, "amend", case, "--field", "citizenship", "--value", "", "--reason", "unsure",
            "--as", "Zhao", "--at", "1962-01-06")
    assert facts(db, case).get("citizenship") is None


def test_a_correction_to_other_on_a_closed_case_opens_a_request_too(tmp_path):
    db, ids = replayed(tmp_path, 11, 3)
    case = ids["Yun Sang-gil"]
    applied(db, "amend", case, "--field", "citizenship", "--value", "other", "--reason",
            "a Chinese national after all", "--as", "Zhao", "--at", "1962-01-06")
    with Service.open(db, clock=fixed_clock) as service:
        shown = service.show(case)
    assert (shown.state, shown.flagged) == ("returned", True)
    assert shown.facts["guidance"][0]["opened_by"] == "amend"


# -- ruling 7: re-listing after a decline (P3) -----------------------------------------------------

def test_re_listing_on_the_old_refusals_is_refused_saying_persuasion_resumed(tmp_path):
    db, ids = replayed(tmp_path, 7, 3)
    with Service.open(db, clock=fixed_clock) as service:
        [row] = [r for r in service.log(trigger="refer") if r["outcome"] == "refused"]
    assert row["clauses"] == ["P3"] and "resumed on 1962-02-28" in row["reason"]


def test_a_second_consulate_reply_supersedes_the_first_which_stays_in_the_trail(tmp_path):
    db, ids = replayed(tmp_path, 7, 3)
    with Service.open(db, clock=fixed_clock) as service:
        replies = [(r["at"], r["outcome"], r["changes"]["consulate_reply"][1]["reply"])
                   for r in service.log(trigger="consulate_reply")]
        current = service.show(ids["Han Chun-ja"]).facts["consulate_reply"]
    assert replies == [("1962-02-26", "applied", "declined"), ("1962-05-10", "applied", "declined"),
                       ("1962-05-24", "applied", "agreed")]
    assert (current["reply"], current["at"]) == ("agreed", "1962-05-24")


# -- ruling 8: food and clothing from the start (W2, W3) ----------------------------------------

@pytest.mark.parametrize("office", [V2], indirect=True)
@pytest.mark.parametrize("state", ["detained", "investigated"])
def test_version_2_rejects_food_given_before_persuasion(office, state):
    case = fire(office, "open", name="Jon Ok-nyo", crossed_on="1961-12-01", place="Ershiyidaogou",
                at="1961-12-02").id
    if state == "investigated":
        fire(office, "investigate", case, citizenship="dprk", purpose="other", at="1961-12-02")
    db = office.store.path
    office.close()
    line = rejected(db, "provide", case, "--items", "food,clothing", "--as", "Zhao",
                    "--at", "1961-12-02")
    assert state in line


@pytest.mark.parametrize("state", ["detained", "investigated"])
def test_version_3_records_food_given_before_persuasion(office, state):
    case = fire(office, "open", name="Jon Ok-nyo", crossed_on="1961-12-01", place="Ershiyidaogou",
                at="1961-12-02").id
    if state == "investigated":
        fire(office, "investigate", case, citizenship="dprk", purpose="other", at="1961-12-02")
    given = fire(office, "provide", case, items=["food", "clothing"], at="1961-12-02")
    assert given.state == state and given.facts["provisions"][0]["items"] == ["food", "clothing"]


def test_version_3_still_lists_a_refuser_with_no_food_or_clothing_recorded(office):
    fed = persuading(office, name="Jon Ok-nyo")
    fire(office, "provide", fed, items=["food"])
    fire(office, "persuade", fed, outcome="refused")
    unfed = persuading(office, "refused", name="Mun Yong-ae")
    listed = {r["case_id"] for r in office.report("compliance") if r["clause"] == "W3"}
    assert listed == {unfed}


# -- ruling 9: dates run forward (every version) ------------------------------------------------

BEFORE = next(s for s in V3_POLICY.sections if s.id == "before_effective")


def _compliance(db: str) -> list[dict[str, Any]]:
    result = crossings(db, "report", "compliance", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_compliance_lists_events_dated_before_the_cable_under_version_3_only(tmp_path):
    listed = {}
    for version in (3, 2):
        db, ids = replayed(tmp_path, 9, version)
        listed[version] = [(r["case_id"], r["since"], re.sub(r" \(seq \d+\)", "", r["detail"]))
                           for r in _compliance(db) if r["kind"] == BEFORE.kind]
    ko = ids["Ko Tong-hwan"]
    assert listed[3] == [(ko, "1961-11-13", "open"), (ko, "1961-11-16", "investigate"),
                         (ko, "1961-11-16", "begin_persuasion"), (ko, "1961-11-22", "persuade")]
    assert listed[2] == []
    assert BEFORE.clause == "G" and "1961-11-25" in BEFORE.kind


@pytest.mark.parametrize("office", [V2, V3], indirect=True)
def test_an_event_dated_before_the_cases_latest_is_rejected_naming_both_dates(office):
    case = fire(office, "open", name="Ko Tong-hwan", crossed_on="1961-11-12", place="Badaogou",
                at="1961-11-13").id
    fire(office, "investigate", case, citizenship="dprk", purpose="other", at="1961-11-16")
    db = office.store.path
    office.close()
    line = rejected(db, "begin-persuasion", case, "--as", "Zhao", "--at", "1961-11-15")
    assert "1961-11-15 is before 1961-11-16" in line


# -- ruling 10: a crime in China after crossing (P5) ------------------------------------------

@pytest.mark.parametrize("crossed_on,crime_on,p5s", [
    ("1961-09-14", "1961-08", False),  # wholly before the crossing: not P5's
    ("1961-09-14", "1961-09-13", False),
    ("1961-10", "1961-09-30", False),
    ("1961-09-14", "1961-09-14", True),  # on the crossing day
    ("1961-09-14", None, True),  # undated
    ("1961-10", "1961-10", True),  # the ranges overlap
    ("1961-10-05", "1961-09/1961-10", True),
    ("1961-09/1961-10", "1961-09-20", True),
])
def test_a_crime_wholly_before_the_crossing_is_not_P5s_an_overlapping_one_is(
        office, crossed_on, crime_on, p5s):
    case = fire(office, "open", name="Pyon Hak-su", crossed_on=crossed_on, place="Shisandaogou").id
    dated = {"crime_on": crime_on} if crime_on else {}
    fire(office, "investigate", case, citizenship="dprk", purpose="other",
         crime="took a sack of maize", **dated)
    if p5s:
        assert "P5" in refusal(office, "begin_persuasion", case).clauses
        assert fire(office, "prosecute", case, by="Sun").state == "prosecuted"
    else:
        assert fire(office, "begin_persuasion", case).state == "persuading"
        assert refusal(office, "prosecute", case, by="Sun").clauses == ["P5"]
        assert office.show(case).facts["crime"] == "took a sack of maize"


def test_a_crime_date_corrected_into_the_crossing_makes_it_P5s(office):
    case = fire(office, "open", name="Pyon Hak-su", crossed_on="1961-09-14", place="Shisandaogou").id
    fire(office, "investigate", case, citizenship="dprk", purpose="other", crime="theft",
         crime_on="1961-08")
    fire(office, "begin_persuasion", case)
    fire(office, "amend", case, field="crime_on", value="1961-09", reason="his statement")
    assert fire(office, "prosecute", case, by="Sun").state == "prosecuted"


@pytest.mark.parametrize("office", [V2], indirect=True)
def test_version_2_takes_no_crime_date(office):
    case = fire(office, "open", name="Pyon Hak-su", crossed_on="1961-09-14",
                place="Shisandaogou").id
    db = office.store.path
    office.close()
    line = rejected(db, "investigate", case, "--citizenship", "dprk", "--purpose", "other",
                    "--crime", "theft", "--crime-on", "1961-08", "--as", "Zhao", "--at", "1961-12-01")
    assert "crime_on" in line or "crime-on" in line


# -- ruling 11: a group of one ------------------------------------------------------------------

@pytest.mark.parametrize("version", [3, 2])
def test_a_group_of_one_is_handed_over_under_both_versions(tmp_path, version):
    db, ids = replayed(tmp_path, 11, version)
    result = applied(db, "handovers", "--json")
    [group] = json.loads(result.stdout)
    assert (group["people"], group["names"]) == (1, "Yun Sang-gil")


# -- ruling 12: complaints from anyone (W2) ---------------------------------------------------

def test_version_2_rejects_record_complaint(tmp_path):
    db, ids = replayed(tmp_path, 12, 2)
    line = rejected(db, "record-complaint", ids["Mun Yong-ae"], "--complaint", "shouted at",
                    "--as", "Kim", "--at", "1961-12-21")
    assert "record-complaint: case" in line and "jilin-1961@2, which has no such trigger" in line


def test_version_3_no_longer_takes_a_complaint_through_amend(tmp_path):
    db, ids = replayed(tmp_path, 12, 3)
    line = rejected(db, "amend", ids["Mun Yong-ae"], "--field", "complaint", "--value",
                    "shouted at", "--reason", "reported", "--as", "Zhao", "--at", "1961-12-21")
    assert "complaint" in line


def test_an_actor_of_every_role_may_record_a_complaint(office):
    case = persuading(office, "refused", name="Mun Yong-ae")
    for number, actor in enumerate(("Zhao", "Kim", "Liu", "Wang", "Sun"), 1):
        fire(office, "record_complaint", case, by=actor, complaint=f"complaint {number}")
    roles = [c["role"] for c in office.show(case).facts["complaints"]]
    assert roles == ["county-officer", "border-defence", "foreign-affairs",
                     "provincial-committee", "public-security"]
    listed = [r["detail"] for r in office.report("compliance") if r["clause"] == "W2"]
    assert listed == [f"complaint {n}" for n in range(1, 6)]
