"""Name lists (P1's register, P3's lists for the Consulate General) and handover manifests."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers.casebook import CHOE, HAN, KIM, NAMES, PAK, RI, casebook, run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return casebook(tmp_path_factory)


def _json(db: str, *args: str) -> object:
    result = run(db, *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_register_names_every_person_recorded(db: str) -> None:
    rows = _json(db, "name-list", "--format", "json")
    assert [(r["case_id"], r["name"]) for r in rows] == sorted(NAMES.items())


def test_referred_list_holds_each_p3_referral_with_its_list_and_consulate(db: str) -> None:
    rows = _json(db, "name-list", "--referred", "--format", "json")
    assert [(r["list"], r["case_id"]) for r in rows] == [("P3-1961-12-08", HAN),
                                                         ("P3-1961-12-20", CHOE)]
    assert {r["consulate"] for r in rows} == {"Consulate General of the DPRK in Changchun"}
    assert {r["spouse"] for r in rows} == {"chinese-korean"}


def test_referred_entry_lists_the_attempts_before_the_referral_with_dates(db: str) -> None:
    choe = _json(db, "name-list", "--list", "P3-1961-12-20", "--format", "json")
    assert len(choe) == 1
    assert choe[0]["attempts"] == [{"at": d, "outcome": "refused"}
                                   for d in ("1961-11-30", "1961-12-07", "1961-12-14")]
    assert (choe[0]["crossed_on"], choe[0]["place"]) == ("1961-03-20", "Badaogou")
    assert (choe[0]["reply"], choe[0]["state"]) == ("agreed", "resident")


def test_an_unknown_list_is_rejected_naming_the_lists_there_are(db: str) -> None:
    result = run(db, "name-list", "--list", "P3-1999-01-01")
    assert result.exit_code == 1
    assert result.stderr == ("Error: no name list 'P3-1999-01-01'; lists: P3-1961-12-08, "
                             "P3-1961-12-20\n")


def test_text_name_list_heads_each_list_for_the_foreign_affairs_office(db: str) -> None:
    text = run(db, "name-list", "--referred").stdout
    assert ("Name list P3-1961-12-20 (P3), for the provincial Foreign Affairs Office, to be "
            "reported to the Consulate General of the DPRK in Changchun: 1 person(s)") in text
    assert (f"  1. Choe Myong-ok (최명옥), case {CHOE}: crossed 1961-03-20 at Badaogou; married to a "
            "Chinese citizen of Korean nationality; persuasion attempts: 1961-11-30 refused, "
            "1961-12-07 refused, 1961-12-14 refused") in text


def test_markdown_name_list_is_a_table_per_list(db: str) -> None:
    text = run(db, "name-list", "--referred", "--format", "markdown").stdout
    assert text.count("## Name list P3-") == 2
    assert "| list | referred_on | case_id | name |" in text
    assert f"| P3-1961-12-08 | 1961-12-08 | {HAN} | Han Ok-sun | 한옥순 |" in text


def test_csv_name_list_flattens_attempts_into_one_cell(db: str) -> None:
    text = run(db, "name-list", "--referred", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[1]["attempts"] == "1961-11-30 refused; 1961-12-07 refused; 1961-12-14 refused"
    assert rows[1]["native_name"] == "최명옥"


def test_handovers_lists_each_group_with_its_people(db: str) -> None:
    groups = _json(db, "handovers", "--json")
    assert groups == [{"id": 1, "at": "1961-11-21", "crossing_point": "Changbai-Hyesan bridge",
                       "representative": "Kang Myong-chol", "officer": "Kim", "people": 3,
                       "names": "Pak Sun-hui; Ri Chol; Kim Yong-su"}]


def test_handover_manifest_names_every_person_and_the_clause_they_went_under(db: str) -> None:
    group = _json(db, "handover", "1", "--format", "json")
    assert (group["at"], group["crossing_point"], group["representative"]) == (
        "1961-11-21", "Changbai-Hyesan bridge", "Kang Myong-chol")
    people = [(p["case_id"], p["clause"], p["accompanies"]) for p in group["people"]]
    assert people == [(PAK, "P1", None), (RI, "P1", PAK), (KIM, "P2", None)]


def test_handover_manifest_as_text_csv_and_markdown(db: str) -> None:
    text = run(db, "handover", "1").stdout.splitlines()
    assert text[0] == ("Handover group 1, 1961-11-21, at Changbai-Hyesan bridge: 3 person(s) "
                       "turned over to the Korean border-defence representative Kang Myong-chol "
                       "by Kim")
    assert text[3] == (f"  3. Kim Yong-su (김영수), case {KIM}, crossed 1961-11-02 at Changbai: "
                       "a visitor sent back (P2)")
    rows = list(csv.DictReader(io.StringIO(run(db, "handover", "1", "--format", "csv").stdout)))
    assert [r["name"] for r in rows] == [NAMES[PAK], NAMES[RI], NAMES[KIM]]
    assert {r["representative"] for r in rows} == {"Kang Myong-chol"}
    assert f"| 2 | {RI} | Ri Chol | 리철 |" in run(db, "handover", "1", "--format", "markdown").stdout


def test_an_unknown_handover_group_is_rejected(db: str) -> None:
    result = run(db, "handover", "7")
    assert result.exit_code == 1
    assert result.stderr == "Error: no handover group 7\n"


@pytest.mark.parametrize("counts, listed, named", [
    ((2,), ["A"], "1 people on A, its heading says 2"),
    ((1,), ["A", "A"], "more people than the lists' headings count"),
    ((1, 1), ["A", "A"], "'A' within 'B'"),
])
def test_a_list_read_back_unlike_its_heading_is_an_error_not_a_wrong_count(
        db: str, counts: tuple[int, ...], listed: list[str], named: str) -> None:
    # heads and rows come from one snapshot; were they ever to differ, the heading's
    # count would be a lie printed above the rows: the stream stops with a store error
    from crossings.cli.reports import REFERRALS
    from crossings.render.lists import name_lists
    from crossings.service import Service
    from workflow import StoreError
    from workflow.policies import DEFAULT

    with Service.open(db, readonly=True) as service:
        [row] = service.name_list(list_id="P3-1961-12-20")
    heads = [{"list": t, "consulate": "x", "count": c} for t, c in zip("AB", counts)]
    rows = [{**row, "list": t} for t in listed]
    with pytest.raises(StoreError, match=named):
        list(name_lists(DEFAULT, heads, rows, REFERRALS, True, "text"))
