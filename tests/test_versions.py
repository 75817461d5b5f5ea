"""Policies with versions: the registry, diff, whatif, migrate, void, and the overdue
report as it stood. On the casebook (tests/cases/casebook.yaml, handled under version 2)
and on small databases made here; through the CLI and the API."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from helpers.actors import ADMIN, new_database
from helpers.casebook import CHOE, HAN, KIM, PAK, RI, casebook, copy_of, run
from helpers.casework import dump

from crossings.service import Service
from workflow import GuardRefused, RecordRefused, RoleRefused
from workflow.policies import POLICIES

V2, V3, V1957 = "jilin-1961@2", "jilin-1961@3", "mfa-mps-1957-12-17@1"


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> str:
    return casebook(tmp_path_factory)


@pytest.fixture
def copy(book: str, tmp_path: Path) -> str:
    return copy_of(book, tmp_path)


def sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# -- the registry and diff -----------------------------------------------------------------

def test_policy_list_names_the_three_policies_and_the_default() -> None:
    result = run("unused.db", "policy", "list", "--json")
    listed = {p["policy"]: p for p in json.loads(result.stdout)}
    assert set(listed) == {V2, V3, V1957} == set(POLICIES)
    assert listed[V3]["default"] and not listed[V2]["default"]
    assert (listed[V3]["effective"], listed[V1957]["effective"]) == ("1961-11-25", "1957-12-17")


def test_policy_show_prints_any_version_and_the_bare_command_the_default() -> None:
    shown = json.loads(run("unused.db", "policy", "show", V1957, "--format", "json").stdout)
    assert (shown["id"], shown["version"]) == ("mfa-mps-1957-12-17", "1")
    assert "V2" in shown["clauses"] and "P3" not in shown["clauses"]
    bare = json.loads(run("unused.db", "policy", "--format", "json").stdout)
    assert (bare["id"], bare["version"]) == ("jilin-1961", "3")
    unknown = run("unused.db", "policy", "show", "jilin-1961@9")
    assert unknown.exit_code == 1 and "unknown policy 'jilin-1961@9'" in unknown.stderr


def test_diff_of_the_two_versions_names_the_change_behind_every_ruling() -> None:
    text = run("unused.db", "policy", "diff", V2, V3).stdout
    named = {int(n) for found in re.findall(r"\brulings? ([\d, and]+?):", text)
             for n in re.findall(r"\d+", found)}
    assert named == set(range(1, 13))
    data = json.loads(run("unused.db", "policy", "diff", V2, V3, "--json").stdout)
    by = {t["trigger"]: t for t in data["triggers"]}
    assert by["record_complaint"]["change"] == "added"
    assert by["restore_citizenship"]["sources"] == [["investigated"],
                                                    ["investigated", "persuading", "referred"]]
    assert {"guard": "refused_since_resumed", "clauses": ["P3"]} in by["refer"]["guards"]["added"]
    assert data["facts"] == {"added": ["crime_on", "resumed"], "removed": ["complaint"]}


# -- what if ----------------------------------------------------------------------------

def test_whatif_under_1957_tells_where_the_paths_part_and_writes_nothing(book: str) -> None:
    before = sha(book)
    result = run(book, "whatif", "--policy", V1957)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    choe = next(line for line in lines if line.startswith(f"case {CHOE}, Choe Myong-ok"))
    assert "refused the P3 name list on 1961-12-10" in choe
    assert f"under {V1957} a referral to the DPRK side applies (V2)" in choe
    assert any("has no trigger provide" in line for line in lines)
    assert lines[-1].startswith("  ") and any(line.startswith("summary: 10 case(s)") for line in lines)
    assert sha(book) == before


def test_whatif_json_and_the_api_agree_and_version_3_decides_the_casebook_alike(book: str) -> None:
    before = sha(book)
    data = json.loads(run(book, "whatif", "--policy", V3, "--json").stdout)
    with Service.open(book, readonly=True) as service:
        runs = [r.as_dict() for r in service.whatif(V3)]
    assert data["cases"] == runs
    assert [r["recorded_state"] for r in runs] == [r["candidate_state"] for r in runs]
    assert sum(s["cases"] for s in data["summary"]) == 10
    one = json.loads(run(book, "whatif", "--policy", V1957, "--case", str(CHOE),
                         "--json").stdout)["cases"]
    assert [c["case"] for c in one] == [CHOE]
    assert one[0]["first_divergence"]["candidate"]["clauses"] == ["V2"]
    assert sha(book) == before


def test_whatif_csv_is_one_row_a_case(book: str) -> None:
    lines = run(book, "whatif", "--policy", V1957, "--csv").stdout.splitlines()
    assert lines[0].startswith("case,name,policy,candidate_policy,recorded_state")
    assert len(lines) == 11


# -- migrate ------------------------------------------------------------------------------

def test_migrate_dry_run_writes_nothing_and_says_what_would_move(copy: str) -> None:
    before = dump(copy)
    result = run(copy, "migrate", "--all", "--to", V3, "--dry-run", "--as", ADMIN)
    assert result.exit_code == 0, result.stderr
    assert f"case {KIM}, Kim Yong-su: would move" in result.stdout
    assert dump(copy) == before


def test_migrate_moves_cases_that_replay_equal_and_names_the_first_divergence(copy: str) -> None:
    result = run(copy, "migrate", "--all", "--to", V3, "--as", ADMIN)
    assert result.exit_code == 0, result.stderr
    han = next(line for line in result.stdout.splitlines() if line.startswith(f"case {HAN},"))
    # version 2 recorded the complaint with amend --field complaint; version 3 has no such field
    assert "stays: event" in han and "amend" in han and "cannot be taken" in han
    with Service.open(copy) as service:
        pins = {c["id"]: c["policy"] for c in service.cases()}
        assert pins[HAN] == V2 and pins[KIM] == V3
        [moved] = [r for r in service.log(case_id=KIM) if r["trigger"] == "migrate"]
        assert moved["given"] == {"from": V2, "to": V3} and moved["policy_version"] == "3"
        assert service.verify().problems == []
    assert run(copy, "migrate", str(KIM), "--to", V3, "--as", ADMIN).stdout.endswith(
        "already\n")


def test_only_an_administrator_migrates(copy: str) -> None:
    result = run(copy, "migrate", "--all", "--to", V3, "--as", "Zhao")
    assert result.exit_code == 1 and "only an administrator migrates cases" in result.stderr


# -- void ---------------------------------------------------------------------------------

def married(service: Service, refusals: int) -> int:
    case = service.fire("open", None, "Zhao", at="1961-11-12", name="Kim Sun-ok",
                        crossed_on="1961-04", place="Badaogou").id
    service.fire("investigate", case, "Zhao", at="1961-11-14", citizenship="dprk",
                 purpose="other", spouse="chinese-korean")
    service.fire("begin_persuasion", case, "Zhao", at="1961-11-14")
    for day in range(refusals):
        service.fire("persuade", case, "Zhao", at=f"1961-11-{16 + day}", outcome="refused")
    return case


def attempt_seqs(service: Service, case: int) -> list[int]:
    return [r["seq"] for r in service.log(case_id=case, trigger="persuade")]


def test_a_wrongly_entered_outcome_voided_and_the_referral_follows(tmp_path: Path) -> None:
    with new_database(str(tmp_path / "v.db")) as service:
        case = married(service, 3)
        assert service.why(case, "refer")["ready"]
        wrong = attempt_seqs(service, case)[1]
        [after] = service.void(wrong, "she agreed at that session: entered as refused", "Zhao")
        assert len(after.facts["attempts"]) == 2 and after.version == 7
        with pytest.raises(GuardRefused, match="needs 3 refused attempts; 2 are recorded"):
            service.fire("refer", case, "Zhao", at="1961-11-25")
        timeline = service.timeline(case)["events"]
        marked = next(e for e in timeline if e["seq"] == wrong)
        assert marked["voided"]["reason"] == "she agreed at that session: entered as refused"
        assert service.verify().problems == []
    page = run(str(tmp_path / "v.db"), "dossier", str(case), "--format", "markdown").stdout
    [line] = [line for line in page.splitlines() if line.endswith(f"| {wrong} |")]
    assert "**VOIDED** ~~persuasion attempt held" in line and "entered as refused" in line
    html = run(str(tmp_path / "v.db"), "dossier", str(case)).stdout
    assert html.count('class="event voided"') == 1


def test_a_void_is_refused_when_a_later_referral_rests_on_the_attempt(tmp_path: Path) -> None:
    with new_database(str(tmp_path / "v.db")) as service:
        case = married(service, 3)
        service.fire("refer", case, "Zhao", at="1961-11-25")
        first = attempt_seqs(service, case)[0]
        before = dump(str(tmp_path / "v.db"))
        with pytest.raises(RecordRefused, match=rf"event {first} \(persuade, 1961-11-16\) "
                                                r"cannot be voided: event \d+ \(refer"):
            service.void(first, "entered twice", "Zhao")
        assert dump(str(tmp_path / "v.db")) == before


def test_only_the_recorder_or_an_administrator_voids(tmp_path: Path) -> None:
    with new_database(str(tmp_path / "v.db")) as service:
        case = married(service, 1)
        [seq] = attempt_seqs(service, case)
        with pytest.raises(RoleRefused, match="recorded by Zhao; only they or an administrator"):
            service.void(seq, "not mine", "Liu")
        service.void(seq, "entered on the wrong case", ADMIN)
        assert service.show(case).facts["attempts"] == []


def test_a_group_handover_is_voided_as_a_whole_and_verify_is_clean(copy: str) -> None:
    with Service.open(copy) as service:
        [row] = [r for r in service.log(case_id=PAK, trigger="hand_over")]
        voided = service.void(row["seq"], "the manifest belongs to another day", "Kim")
        assert {c.id for c in voided} >= {PAK, RI}
        assert {c.state for c in voided} == {"persuading"}
        assert all(m["case_id"] not in (PAK, RI) for m in service.store.group_members(
            row["group_id"]))
        assert service.verify().problems == []
    result = run(copy, "void", str(row["seq"]), "--reason", "again", "--as", ADMIN)
    assert result.exit_code == 1 and "already voided" in result.stderr


def test_void_takes_no_date_and_the_cli_says_what_it_did(copy: str) -> None:
    with Service.open(copy, readonly=True) as service:
        row = next(iter(service.log(trigger="provide")))
        state = service.show(row["case_id"]).state
    seq = row["seq"]
    result = run(copy, "void", str(seq), "--reason", "wrong person", "--as", row["actor"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"case {row['case_id']}: event {seq} voided; now {state}\n"
    assert run(copy, "void", str(seq), "--at", "1961-12-01", "--reason", "x",
               "--as", "Zhao").exit_code == 2


# -- the past as it stood --------------------------------------------------------------

def test_the_overdue_report_judges_a_past_day_as_the_trail_stood(tmp_path: Path) -> None:
    db = str(tmp_path / "o.db")
    with new_database(db) as service:
        case = service.fire("open", None, "Zhao", at="1961-11-20", name="Jong Mi-ran",
                            crossed_on="1961-11", place="Badaogou").id
        service.fire("investigate", case, "Zhao", at="1961-12-02", citizenship="dprk",
                     purpose="visiting-relatives", spouse="none")
        service.fire("begin_persuasion", case, "Zhao", at="1961-12-02")
        service.fire("persuade", case, "Zhao", at="1961-12-03", outcome="agreed")
        service.fire("hand_over", [case], "Kim", at="1962-01-07",
                     representative="Kang Myong-chol", crossing_point="Changbai-Hyesan bridge")
        [then] = service.report("overdue", "1961-12-30")  # not yet returned on that day
        assert (then["state"], then["days_overdue"]) == ("persuading", 13)
        [late] = service.report("overdue", "1962-02-01")
        assert late["state"] == "returned" and late["days_overdue"] == 21
        assert late["detail"] == "sent back late: returned on 1962-01-07, 21 day(s) after it was due"
        assert service.report("overdue", "1961-12-10") == []


def test_a_case_pinned_to_1957_is_decided_under_it_and_says_so(tmp_path: Path) -> None:
    db = str(tmp_path / "p.db")
    new_database(db).close()
    opened = run(db, "open", "--name", "Kim Sun-ok", "--crossed-on", "1961", "--place", "X",
                 "--at", "1961-12-01", "--policy", V1957, "--as", "Zhao")
    case = opened.stdout.strip()
    run(db, "investigate", case, "--citizenship", "dprk", "--spouse", "other", "--at",
        "1961-12-02", "--as", "Zhao")
    run(db, "begin-persuasion", case, "--at", "1961-12-02", "--as", "Zhao")
    before = dump(db)
    result = run(db, "provide", case, "--items", "food", "--at", "1961-12-03", "--as", "Zhao")
    assert result.exit_code == 1 and dump(db) == before
    assert f"case {case} is handled under {V1957}, which has no such trigger" in result.stderr
    # V2 reads any spouse as return being inconvenient; the cable's P3 would refuse
    assert run(db, "refer", case, "--at", "1961-12-04", "--as", "Zhao").exit_code == 0
    shown = json.loads(run(db, "show", case, "--json").stdout)
    assert (shown["policy"], shown["state"]) == (V1957, "referred")
    with Service.open(db, readonly=True) as service:
        assert service.verify().problems == []
