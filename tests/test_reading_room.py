"""The reading room (crossings.reading_room, a Datasette plugin) on a real file, through
Datasette's own client: metadata whatever the file is called, hidden internal tables, the
case page in sentences, links from ids to cases and clauses, escaping."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers.reading import CABLE, CHOE, CONSULATE, HOSTILE, HOSTILE_CASE, build

from crossings.reading_room.server import app


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build(str(tmp_path_factory.mktemp("room") / "archive.db"))


@pytest.fixture(scope="module")
def renamed(db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same file under a name no metadata file was written for."""
    target = tmp_path_factory.mktemp("renamed") / "Changbai 1961 (copy).db"
    shutil.copyfile(db, target)
    return str(target)


def get(db: str, *paths: str) -> list[Any]:
    instance = app(db)

    async def fetch() -> list[Any]:
        return [await instance.client.get(path) for path in paths]

    return asyncio.run(fetch())


def test_a_renamed_file_keeps_its_descriptions(renamed: str) -> None:
    name = Path(renamed).stem
    [served] = get(renamed, "/-/metadata.json")
    tables = served.json()["databases"][name]["tables"]
    assert tables["case_timeline"]["title"] == "Case timelines"
    assert tables["audit"]["columns"]["at"] == "The event's own date, not when a clerk typed it."


def test_internal_tables_are_hidden_and_the_readers_tables_shown(db: str) -> None:
    [page] = get(db, "/archive.json")
    shown = {t["name"]: t["hidden"] for t in page.json()["tables"]}
    assert shown["report_months"] and shown["report_clauses"] and shown["_sqlite_migrations"]
    assert not shown["cases"] and not shown["audit"]


def test_audit_rows_link_to_their_case_by_a_foreign_key(db: str) -> None:
    [rows, case] = get(db, f"/archive/audit.json?_shape=objects&case_id={CHOE}&_labels=on",
                       f"/archive/cases/{CHOE}.json?_extras=foreign_key_tables")
    assert rows.json()["rows"][0]["case_id"] == {"value": CHOE, "label": "Choe Myong-ok"}
    incoming = {t["other_table"]: t["count"] for t in case.json()["foreign_key_tables"]}
    assert incoming["audit"] == len(rows.json()["rows"])


def test_the_index_page_lists_the_readers_rooms_not_a_wall_of_clauses(db: str) -> None:
    [page] = get(db, "/")
    assert page.status_code == 200
    assert 'class="crossings-index"' in page.text and "Cases, fact by fact" in page.text
    assert "4 cases" in page.text and "documents cited" in page.text
    assert page.text.index("Cases, fact by fact") < page.text.index("<details>")


def test_the_case_page_tells_the_timeline_in_sentences_with_sources(db: str) -> None:
    [page] = get(db, f"/-/crossings/archive/case/{CHOE}")
    assert page.status_code == 200
    text = page.text
    assert "put on name list P3-1961-12-20 for the provincial Foreign Affairs Office" in text
    assert CONSULATE in text and CABLE in text
    assert '<span class="badge">Refused</span>' in text
    assert "Not verified on this page" in text


def test_the_case_page_of_a_hostile_name_is_text(db: str) -> None:
    [page] = get(db, f"/-/crossings/archive/case/{HOSTILE_CASE}")
    assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    assert "Pak &lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert HOSTILE not in page.text


def test_an_unknown_case_page_is_not_found(db: str) -> None:
    [missing, other] = get(db, "/-/crossings/archive/case/99", "/-/crossings/nosuch/case/1")
    assert (missing.status_code, other.status_code) == (404, 404)


def test_case_ids_link_to_the_case_page_and_clause_ids_to_their_words(db: str) -> None:
    [page] = get(db, f"/archive/case_timeline?case_id={CHOE}")
    assert f'<a href="/-/crossings/archive/case/{CHOE}">{CHOE}</a>' in page.text
    assert '<a class="clause" href="/archive/clauses?id=P3" title="DPRK citizens married' in page.text
    [clause] = get(db, "/archive/clauses.json?_shape=array&id=P3")
    assert "after three attempts at persuasion" in clause.json()[0]["words"]


def test_the_case_facts_view_has_a_column_per_fact(db: str) -> None:
    [page] = get(db, "/archive/case_facts.json?_shape=array")
    choe = page.json()[0]
    assert (choe["name"], choe["citizenship"], choe["spouse"], choe["state"]) == (
        "Choe Myong-ok", "dprk", "chinese-korean", "resident")


def test_the_timeline_view_names_the_person_only_where_an_event_recorded_it(db: str) -> None:
    [page] = get(db, f"/archive/case_timeline.json?_shape=array&case_id={CHOE}")
    names = [row["name"] for row in page.json()]
    assert names[0] == "Choe Myong-ok" and set(names[1:]) == {None}
