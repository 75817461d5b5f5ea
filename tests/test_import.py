"""`crossings import` opens one case per row of an archival CSV list, all or nothing: every
bad row is named FILE:LINE before anything is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers.casework import dump

from crossings.replay.imports import ImportRefused, import_file
from crossings.service import Service

LIST = ("name,native_name,crossed_on,place,alias,source\n"
        "Choe Myong-ok,최명옥,1961-03,Badaogou,崔明玉;Choi Myung-ok,\n"
        "Ri Chol,,1961,Shiqidaogou,,\"PRC FMA 118-00948-02, p. 8\"\n"
        "Pak Sun-hui,박순희,1960-12/1961-01,Changbai,,\n")


def csv_file(tmp_path: Path, text: str, name: str = "list.csv", bom: bool = False) -> str:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return str(path)


def imported(run: Any, path: str, *args: str) -> Any:
    return run("import", path, "--as", "Zhao", *args)


def opening_rows(run: Any) -> list[dict[str, Any]]:
    rows = json.loads(run("log", "--trigger", "open", "--json").stdout)
    return sorted(rows, key=lambda r: r["case_id"])


def test_a_three_row_list_opens_three_cases_with_their_sources(run: Any, tmp_path: Path) -> None:
    result = imported(run, csv_file(tmp_path, LIST), "--at", "1961-11-12", "--source",
                      "PRC FMA 118-00948-02, p. 7")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith("opened 3 case(s) from " + str(tmp_path / "list.csv")
                                  + ": 1-3\n")
    rows = opening_rows(run)
    assert [(r["case_id"], r["given"]["name"], r["given"]["source"], r["at"]) for r in rows] == [
        (1, "Choe Myong-ok", "PRC FMA 118-00948-02, p. 7", "1961-11-12"),
        (2, "Ri Chol", "PRC FMA 118-00948-02, p. 8", "1961-11-12"),
        (3, "Pak Sun-hui", "PRC FMA 118-00948-02, p. 7", "1961-11-12")]
    shown = json.loads(run("show", "1", "--json").stdout)
    assert shown["aliases"] == ["崔明玉", "Choi Myung-ok"]
    assert json.loads(run("search", "최명옥", "--json").stdout)[0]["id"] == 1


def test_one_bad_row_writes_nothing_and_names_its_line(run: Any, tmp_path: Path,
                                                       db_path: str) -> None:
    text = LIST + "Kim Il,,1961-13,Changbai,,\n" + "Ri Sun,,1961,,,\n"
    path = csv_file(tmp_path, text)
    before = dump(db_path)
    result = imported(run, path, "--at", "1961-11-12")
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}:5: --crossed-on: 1961-13 is not a valid date"
    assert lines[1] == f"{path}:6: missing field 'place': open needs it"
    assert lines[2] == f"Error: nothing imported: 2 problem(s) in {path} (line 5, 6)"
    assert dump(db_path) == before


def test_a_row_the_service_refuses_rolls_back_the_rows_before_it(run: Any, tmp_path: Path,
                                                                 db_path: str) -> None:
    text = ("name,crossed_on,place,at\nKim Il,1961,Changbai,1961-11-12\n"
            "Ri Sun,1961,Changbai,2999-01-01\n")  # in the future: the command path says so
    path = csv_file(tmp_path, text)
    before = dump(db_path)
    result = imported(run, path)
    assert result.exit_code == 1
    assert f"{path}:3: --at: 2999-01-01 is in the future" in result.stderr
    assert dump(db_path) == before


def test_dry_run_checks_and_writes_nothing(run: Any, tmp_path: Path, db_path: str) -> None:
    before = dump(db_path)
    result = imported(run, csv_file(tmp_path, LIST), "--at", "1961-11-12", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "checked 3 row(s)" in result.stderr and "would open case(s) 1-3" in result.stderr
    assert dump(db_path) == before


def test_map_renames_columns(run: Any, tmp_path: Path) -> None:
    text = "Romanised,Hangul,Crossed,Village\nChoe Myong-ok,최명옥,1961-03,Badaogou\n"
    result = imported(run, csv_file(tmp_path, text), "--at", "1961-11-12", "--map",
                      "Romanised=name", "--map", "Hangul=native_name", "--map",
                      "Crossed=crossed_on", "--map", "Village=place")
    assert result.exit_code == 0, result.stderr
    given = opening_rows(run)[0]["given"]
    assert (given["name"], given["native_name"], given["place"]) == (
        "Choe Myong-ok", "최명옥", "Badaogou")


def test_a_row_s_at_and_source_override_the_options(run: Any, tmp_path: Path) -> None:
    text = ("name,crossed_on,place,at,source\n"
            "Kim Il,1961,Changbai,1961-11-14,Register p. 2\n"
            "Ri Sun,1961,Changbai,,\n")
    result = imported(run, csv_file(tmp_path, text), "--at", "1961-11-12", "--source", "List")
    assert result.exit_code == 0, result.stderr
    assert [(r["at"], r["given"]["source"]) for r in opening_rows(run)] == [
        ("1961-11-14", "Register p. 2"), ("1961-11-12", "List")]


def test_a_byte_order_mark_and_headers_in_other_case_are_read(run: Any, tmp_path: Path) -> None:
    text = "Name,Native Name,Crossed-On,PLACE,Aliases\nKim Il,김일,1961,Changbai,Gim Il\n"
    result = imported(run, csv_file(tmp_path, text, bom=True), "--at", "1961-11-12")
    assert result.exit_code == 0, result.stderr
    given = opening_rows(run)[0]["given"]
    assert (given["name"], given["native_name"], given["alias"]) == ("Kim Il", "김일",
                                                                    ["Gim Il"])


@pytest.mark.parametrize("text, says", [
    ("name,crossed_on,place,colour\nKim Il,1961,Changbai,red\n",
     ":1: unknown column(s) 'colour'"),
    ("name,place\nKim Il,Changbai\n", ":1: no column for crossed_on, which open needs"),
    ("name,crossed_on,place\nKim Il,1961\n", ":2: 2 field(s), the header has 3"),
    ("", "the file is empty: no header"),
])
def test_a_malformed_list_is_refused_naming_where(run: Any, tmp_path: Path, text: str,
                                                  says: str) -> None:
    result = imported(run, csv_file(tmp_path, text), "--at", "1961-11-12")
    assert result.exit_code == 1 and says in result.stderr
    assert result.stderr.splitlines()[-1].startswith("Error: nothing imported")


def test_text_that_is_not_utf8_is_one_line(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,crossed_on,place\nNgô,1961,X\n".encode("latin-1"))
    result = imported(run, str(path), "--at", "1961-11-12")
    assert result.exit_code == 1
    assert f"{path}: not UTF-8 text" in result.stderr


def test_echoed_cells_are_escaped(run: Any, tmp_path: Path) -> None:
    text = "name,crossed_on,place\n\"Kim\x1b[2J\",1961,X\n"
    result = imported(run, csv_file(tmp_path, text), "--at", "1961-11-12")
    assert result.exit_code == 1 and "\x1b" not in result.stderr
    assert "U+001B" in result.stderr


def test_usage_errors_are_one_line(run: Any, tmp_path: Path) -> None:
    path = csv_file(tmp_path, LIST)
    bad_map = imported(run, path, "--at", "1961-11-12", "--map", "name")
    assert bad_map.exit_code == 2 and bad_map.stderr.count("\n") == 1
    assert "--map: 'name' is not COLUMN=OPTION" in bad_map.stderr
    no_date = imported(run, path)
    assert no_date.exit_code == 1 and ":2: no date: give --at DATE" in no_date.stderr
    wrong_role = run("import", path, "--as", "Kim", "--at", "1961-11-12")
    assert wrong_role.exit_code == 1 and wrong_role.stderr.count("\n") == 1
    assert "open may be fired only by county-officer" in wrong_role.stderr
    missing = imported(run, str(tmp_path / "nope.csv"), "--at", "1961-11-12")
    assert missing.exit_code == 1 and "cannot read the file" in missing.stderr


def test_the_api_imports_and_refuses_alike(service: Service, tmp_path: Path) -> None:
    done = import_file(service, csv_file(tmp_path, LIST), "Zhao", at="1961-11-12")
    assert (done.case_ids, done.as_dict()["count"]) == ([1, 2, 3], 3)
    with pytest.raises(ImportRefused) as refused:
        import_file(service, csv_file(tmp_path, "name,crossed_on,place\n,1961,X\n", "b.csv"),
                    "Zhao", at="1961-11-12")
    assert [p.line for p in refused.value.problems] == [2]
    assert service.store.count_cases() == 3 and service.verify().ok
