"""`crossings search` finds a case by any of its names (name, native name, aliases), any
part of one in any script, and the usual romanisations of a Korean name it was never
given; the name index stays right under every write and verify checks it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from helpers.actors import ADMIN, HANDOVER

from crossings.replay import replay_paths
from crossings.service import Service
from workflow import UsageError
from workflow.names import name_key

CHOE = {"name": "Choe Myong-ok", "native_name": "최명옥", "crossed_on": "1961-03",
        "place": "Badaogou"}


def opened(service: Service, **facts: Any) -> int:
    return service.fire("open", None, "Zhao", at="1961-11-12", **facts).id


def found(service: Service, text: str) -> dict[int, dict[str, Any]]:
    return {row["id"]: row for row in service.search(text)}


@pytest.fixture
def casebook(service: Service) -> Service:
    """Choe Myong-ok (Hangul native name, a Hanja alias), Ri Chol, Pak Jong-hui."""
    opened(service, **CHOE, alias=["崔明玉"])
    opened(service, name="Ri Chol", crossed_on="1961", place="Shiqidaogou")
    opened(service, name="Pak Jong-hui", crossed_on="1961", place="Changbai")
    return service


# -- what a historian looks for ---------------------------------------------------------

@pytest.mark.parametrize("fragment", ["명옥", "최", "최명"])
def test_a_hangul_fragment_finds_the_case(casebook: Service, fragment: str) -> None:
    assert list(found(casebook, fragment)) == [1]


def test_a_hanja_name_finds_the_case(casebook: Service) -> None:
    row = found(casebook, "崔明玉")[1]
    assert (row["match"], row["matched"], row["field"]) == ("exact", "崔明玉", "aliases")
    assert list(found(casebook, "明玉")) == [1]  # a Hanja fragment too


def test_an_alias_finds_the_case(service: Service) -> None:
    opened(service, **CHOE, alias=["Ch'oe Myŏng-ok", "Choi Myung-ok"])
    row = found(service, "Choi Myung-ok")[1]
    assert (row["match"], row["field"]) == ("exact", "aliases")
    assert row["aliases"] == ["Ch'oe Myŏng-ok", "Choi Myung-ok"]


@pytest.mark.parametrize("spelling", ["Choi", "Ch'oe", "Chʻoe", "Choi Myeong-ok",
                                      "Ch'oe Myŏng-ok", "Choe Myongok", "CHOI MYEONG OK"])
def test_a_variant_romanisation_it_was_never_given_finds_it(casebook: Service,
                                                            spelling: str) -> None:
    row = found(casebook, spelling)[1]
    assert row["match"] in ("variant", "substring"), row


@pytest.mark.parametrize("given, spellings", [
    ("Ri Chol", ["Lee", "Yi", "Rhee", "I", "Li", "이", "리"]),
    ("Pak Jong-hui", ["Park", "Bak", "박", "Park Chung-hee", "Bak Jeong-hui", "Pak Chŏng-hŭi"]),
    ("Kim Jong-un", ["Gim", "김", "Kim Jeong-eun", "김정은"]),
    ("Kang Myong-chol", ["Gang", "강", "Kang Myŏng-ch'ŏl", "Gang Myeong-cheol"]),
    ("O Song-ae", ["Oh", "오", "Oh Seong-ae"]),
    ("Sin Ok-sun", ["Shin", "신", "Shin Ok-soon"]),
])
def test_the_usual_romanisations_of_a_korean_name_find_it(service: Service, given: str,
                                                          spellings: list[str]) -> None:
    case = opened(service, name=given, crossed_on="1961", place="Changbai")
    for spelling in spellings:
        assert case in found(service, spelling), spelling


@pytest.mark.parametrize("spellings", [
    ("Choe", "Choi", "Ch'oe", "Chʻoe", "최"),
    ("Ri", "Yi", "Lee", "I", "Rhee", "이"),
    ("Pak", "Park", "Bak", "박"),
    ("Kim", "Gim", "김"),
    ("Jong", "Chong", "Jeong", "Chung", "정"),
    ("Kang", "Gang"), ("O", "Oh"), ("Sin", "Shin"),
    ("Myong-ok", "Myeong-ok", "Myŏng-ok", "Myongok", "명옥"),
])
def test_the_spellings_of_one_name_share_one_key(spellings: tuple[str, ...]) -> None:
    assert len({name_key(s) for s in spellings}) == 1, {s: name_key(s) for s in spellings}


def test_every_hangul_syllable_is_romanised_as_anyascii_romanises_it() -> None:
    from anyascii import anyascii

    from workflow.names import hangul_latin

    differ = {chr(c): (hangul_latin(chr(c)), anyascii(chr(c)))
              for c in range(0xAC00, 0xD7A4) if hangul_latin(chr(c)) != anyascii(chr(c))}
    assert not differ, list(differ.items())[:5]
    assert hangul_latin("최명옥") == anyascii("최명옥") == "ChoeMyeongOg"
    assert [hangul_latin(t) for t in ("崔明玉", "최a", "ᄎ", "")] == [None, None, None, ""]


def test_results_are_ranked_exact_then_prefix_then_variant_then_substring(
        service: Service) -> None:
    place = {"crossed_on": "1961", "place": "Changbai"}
    substring = opened(service, name="Ichoe Han", **place)
    variant = opened(service, name="Choi Sun", **place)
    prefix = opened(service, name="Choe Sun-hui", **place)
    exact = opened(service, name="Choe", **place)
    rows = service.search("Choe")
    assert [(r["id"], r["match"]) for r in rows] == [
        (exact, "exact"), (prefix, "prefix"), (variant, "variant"), (substring, "substring")]


def test_limit_keeps_the_best_matches(service: Service) -> None:
    for number in range(5):
        opened(service, name=f"Kim Chol-{number}", crossed_on="1961", place="Changbai")
    assert len(service.search("Kim", limit=2)) == 2
    assert len(service.search("Kim")) == 5


# -- the command line -------------------------------------------------------------------

def open_choe(run: Any) -> None:
    result = run("open", "--name", "Choe Myong-ok", "--native-name", "최명옥", "--alias",
                 "崔明玉", "--alias", "Ch'oe Myŏng-ok", "--crossed-on", "1961-03", "--place",
                 "Badaogou", "--at", "1961-11-12", actor="Zhao")
    assert result.exit_code == 0, result.stderr


def test_the_cli_lists_the_case_with_its_names_and_what_matched(run: Any) -> None:
    open_choe(run)
    result = run("search", "Choi")
    assert result.exit_code == 0 and result.stderr == ""
    header, line = result.stdout.splitlines()
    assert header.split() == ["id", "name", "native_name", "aliases", "state", "match",
                              "matched", "field"]
    assert line.split()[:5] == ["1", "Choe", "Myong-ok", "최명옥", "崔明玉,Ch'oe"]
    assert "variant" in line


def test_search_json_is_exact(run: Any) -> None:
    open_choe(run)
    result = run("search", "명옥", "--json")
    assert result.exit_code == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert row == {"id": 1, "name": "Choe Myong-ok", "native_name": "최명옥",
                   "aliases": ["崔明玉", "Ch'oe Myŏng-ok"], "state": "detained",
                   "match": row["match"], "matched": row["matched"], "field": row["field"]}
    assert row["match"] in ("variant", "substring")


def test_show_json_lists_the_aliases(run: Any) -> None:
    open_choe(run)
    data = json.loads(run("show", "1", "--json").stdout)
    assert data["aliases"] == ["崔明玉", "Ch'oe Myŏng-ok"]
    timeline = run("show", "1", "--timeline").stdout
    assert "also known as 崔明玉, Ch'oe Myŏng-ok" in timeline


def test_no_match_is_an_answer_not_an_error(run: Any) -> None:
    open_choe(run)
    result = run("search", "Nobody")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "no case matches 'Nobody'\n"
    as_json = run("search", "Nobody", "--json")
    assert (as_json.exit_code, json.loads(as_json.stdout)) == (0, [])


@pytest.mark.parametrize("query, says", [
    ("", "the search text is empty"), ("   ", "the search text is empty"),
    ("\x07\x1b[2J", "contains a control character (U+0007)"),
    ("Choe\u202e", "contains an invisible format character (U+202E)"),
])
def test_an_empty_or_invisible_query_is_a_usage_error(run: Any, query: str, says: str) -> None:
    result = run("search", query)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert says in result.stderr and "\x1b" not in result.stderr


def test_the_api_raises_the_usage_error(service: Service) -> None:
    with pytest.raises(UsageError, match="empty"):
        service.search(" ")


def test_stored_names_are_escaped_in_text_and_csv(run: Any) -> None:
    result = run("open", "--name", "=HYPERLINK(\"http://x\")", "--crossed-on", "1961",
                 "--place", "Changbai", "--at", "1961-11-12", actor="Zhao")
    assert result.exit_code == 0, result.stderr
    csv = run("search", "HYPERLINK", "--csv").stdout
    assert "'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv


# -- the index stays right under every write path ----------------------------------------

def test_amending_a_name_a_native_name_or_an_alias_reindexes_the_case(casebook: Service) -> None:
    amend = {"at": "1961-11-20", "reason": "the county register"}
    casebook.fire("amend", 2, "Zhao", field="name", value="Ri Chol-su", **amend)
    casebook.fire("amend", 2, "Zhao", field="native_name", value="리철수", **amend)
    casebook.fire("amend", 3, "Zhao", field="alias", value="Park Chung-hee", **amend)
    assert 2 in found(casebook, "철수") and 2 in found(casebook, "Chol-su")
    assert found(casebook, "Park Chung-hee")[3]["match"] == "exact"
    [row] = [r for r in casebook.log(case_id=3) if r["trigger"] == "amend"]
    assert row["changes"]["aliases"] == [None, ["Park Chung-hee"]]
    casebook.fire("amend", 2, "Zhao", field="native_name", value="", **amend)
    row = found(casebook, "리철수")[2]  # now only by the key of its romanised name
    assert (row["native_name"], row["match"], row["field"]) == (None, "variant", "name")
    assert casebook.store.name_index_problems() == []
    assert casebook.verify().ok


def test_a_group_handover_and_a_batch_keep_the_index(service: Service) -> None:
    ids = []
    with service.batch():
        for name in ("Kim Il", "Kim Sun"):
            case = opened(service, name=name, crossed_on="1961", place="Changbai")
            service.fire("investigate", case, "Zhao", at="1961-11-13", citizenship="dprk",
                         purpose="other", spouse="none")
            service.fire("begin_persuasion", case, "Zhao", at="1961-11-13")
            service.fire("persuade", case, "Zhao", at="1961-11-14", outcome="agreed")
            ids.append(case)
    service.fire("hand_over", ids, "Kim", at="1961-11-15", **HANDOVER)
    assert [(r["id"], r["state"]) for r in service.search("Gim")] == [
        (ids[0], "returned"), (ids[1], "returned")]
    assert service.store.name_index_problems() == []


def test_names_written_many_rows_a_statement_keep_the_substring_index(
        service: Service) -> None:
    from store.sqlite import names

    opened(service, **CHOE, alias=["崔明玉", "Choi Myung-ok"])  # four names, one INSERT
    opened(service, name="Ri Chol", crossed_on="1961", place="Changbai")
    with sqlite3.connect(service.store.path) as conn:
        conn.execute("INSERT INTO case_names_fts (case_names_fts) VALUES ('integrity-check')")
        names.build(conn, size=2)  # as step 009 builds it, five names in 2 + 2 + 1
        conn.execute("INSERT INTO case_names_fts (case_names_fts) VALUES ('integrity-check')")
    for fragment, case_id in (("명옥", 1), ("明玉", 1), ("yung-o", 1), ("Cho", 2)):
        assert case_id in found(service, fragment), fragment
    assert list(found(service, "i Chol")) == [2]
    assert service.store.name_index_problems() == []


def test_a_replayed_file_is_searchable(service: Service, tmp_path: Path) -> None:
    scenario = tmp_path / "choe.yaml"
    scenario.write_text(
        "actors: [{name: Zhao, role: county-officer}]\n"
        "events:\n"
        "  - {at: 1961-11-12, by: Zhao, do: open, case: choe, name: Choe Myong-ok,\n"
        "     alias: [崔明玉, Choi Myung-ok], crossed_on: 1961-03, place: Badaogou}\n"
        "  - {at: 1961-11-13, by: Zhao, do: amend, case: choe, field: alias,\n"
        "     value: 최명옥, reason: the register}\n"
        "expect: {choe: {state: detained, aliases: 3}}\n", encoding="utf-8")
    path = service.store.path
    service.close()
    run = replay_paths([scenario], db=path, admin=ADMIN)
    assert run.ok, run.lines()
    with Service.open(path, readonly=True) as reader:
        assert found(reader, "최명옥")[1]["match"] == "exact"
        assert found(reader, "Ch'oe Myŏng-ok")[1]["match"] == "variant"
        assert reader.store.name_index_problems() == []


def test_verify_names_an_index_that_disagrees_with_the_cases(casebook: Service) -> None:
    path = casebook.store.path
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM case_names WHERE name = '崔明玉'")
        conn.execute("UPDATE case_names SET key = 'zzz' WHERE name = 'Ri Chol'")
    report = casebook.verify()
    problems = [p["message"] for p in report.problems if p["check"] == "names"]
    assert problems == ["case 1: its aliases '崔明玉' is missing from the name index",
                        "case 2: the name index keys 'Ri Chol' otherwise than this code does"]
    assert not report.ok
