"""The reader's commands: sources, the dossier (HTML and Markdown), timeline pictures;
each on a real database, through the real CLI, checked as a reader would check it."""

from __future__ import annotations

import html
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.casebook import run
from helpers.reading import (CABLE, CHOE, CONSULATE, HOSTILE, HOSTILE_CASE, HOSTILE_NOTE,
                             HOSTILE_SOURCE, REGISTER, VISITOR, build)

from crossings.render.chronology import mermaid as gantt, svg
from crossings.render.dossier import page
from crossings.render.dossier_md import markdown
from crossings.service import Service


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build(str(tmp_path_factory.mktemp("reading") / "archive.db"))


# -- sources --------------------------------------------------------------------------------

def test_sources_lists_each_document_with_the_events_resting_on_it(db: str) -> None:
    result = run(db, "sources", "--json")
    assert result.exit_code == 0, result.stderr
    found = {s["source"]: s["events"] for s in json.loads(result.stdout)}
    assert set(found) == {CABLE, REGISTER, CONSULATE, HOSTILE_SOURCE}
    assert [(e["case_id"], e["at"], e["trigger"]) for e in found[CONSULATE]] == [
        (CHOE, "1962-02-26", "consulate_reply"), (CHOE, "1962-03-05", "grant_residency")]
    refused = [e for e in found[CABLE] if e["outcome"] == "refused"]
    assert [(e["case_id"], e["trigger"]) for e in refused] == [(CHOE, "refer")]


def test_sources_as_text_names_each_document_then_its_events_escaped(db: str) -> None:
    result = run(db, "sources")
    assert result.exit_code == 0
    assert f"{CONSULATE}  (2 events)" in result.stdout.splitlines()
    assert "\u202e" not in result.stdout and "\\u202egnp.exe" in result.stdout
    assert re.search(r"seq +\d+  case 1  1961-12-10  refer \(refused\)", result.stdout)


def test_the_sources_view_counts_what_the_command_lists(db: str) -> None:
    with sqlite3.connect(db) as conn:
        rows = dict(conn.execute("SELECT source, events FROM sources").fetchall())
    listed = json.loads(run(db, "sources", "--json").stdout)
    assert rows == {s["source"]: len(s["events"]) for s in listed}


# -- the dossier ----------------------------------------------------------------------------

class _Tags(HTMLParser):
    """Every element and attribute a page holds, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def tags(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    return parser


def test_the_dossier_reads_the_case_in_words_with_clauses_and_sources(db: str) -> None:
    result = run(db, "dossier", str(CHOE))
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "<h1><bdi>Choe Myong-ok</bdi>" in text and "최명옥" in text
    assert "Handled under <b>jilin-1961@2</b>" in text
    assert "Korea agreed: to be handled as a foreign resident" in text
    assert html.escape(CONSULATE) in text and html.escape(CABLE) in text
    assert '<tr class="event refused"' in text and '<span class="badge">Refused</span>' in text
    assert 'id="clause-P3"' in text and "after three attempts at persuasion" in text
    assert "60 rows" not in text and re.search(r"\d+ rows and 4 cases, <span class=\"ok\">no problems", text)


def test_the_dossier_is_one_self_contained_page(db: str) -> None:
    found = tags(run(db, "dossier", str(CHOE)).stdout)
    assert "script" not in found.tags and "link" not in found.tags and "img" not in found.tags
    assert not [v for k, v in found.attrs if k in ("src", "href") and v and not v.startswith("#")]


def test_hostile_text_is_shown_never_run(db: str) -> None:
    text = run(db, "dossier", str(HOSTILE_CASE)).stdout
    found = tags(text)
    assert "script" not in found.tags and "img" not in found.tags
    assert not any(k.startswith("on") for k, _ in found.attrs)
    assert "\u202e" not in text and "\\u202e" in text
    assert html.escape(HOSTILE) in text and html.escape(HOSTILE_NOTE.replace("\n", "\\n")) in text
    assert "javascript:" not in [v for _, v in found.attrs]


def test_the_markdown_dossier_holds_the_same_and_escapes_markup(db: str) -> None:
    result = run(db, "dossier", str(HOSTILE_CASE), "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith(f"# Case {HOSTILE_CASE}: Pak &lt;script&gt;")
    prose = re.sub(r"```mermaid\n.*?\n```", "", text, flags=re.S)  # code: shown, never run
    assert "<script>" not in prose and "<img" not in prose
    table = [line for line in text.splitlines() if line.startswith("| 1961-11-14")]
    assert len(table) == 1 and table[0].count(" | ") == 5  # the cell's | and # are escaped
    assert "```mermaid" in text and "## Audit trail" in text


def test_dossier_output_refuses_to_overwrite_without_force(db: str, tmp_path: Path) -> None:
    target = tmp_path / "case1.html"
    assert run(db, "dossier", str(CHOE), "-o", str(target)).exit_code == 0
    again = run(db, "dossier", str(CHOE), "-o", str(target))
    assert again.exit_code == 1 and "give --force" in again.stderr
    assert run(db, "dossier", str(CHOE), "-o", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_dossier_of_an_unknown_case_is_one_error_line(db: str) -> None:
    result = run(db, "dossier", "99")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "Error: no case 99\n")


def _with_voided(db: str) -> dict[str, Any]:
    """A real case's dossier, one of its events marked voided as `crossings void` will
    mark it (the key timeline entries carry)."""
    with Service.open(db, readonly=True) as service:
        data = service.dossier(CHOE, verify=False)
    grant = next(e for e in data["events"] if e["trigger"] == "grant_residency")
    grant["voided"] = {"by_seq": 99, "reason": "entered <b>twice</b>", "at": "1962-03-06"}
    return data


def test_a_voided_event_is_marked_with_its_reason_in_both_forms(db: str) -> None:
    data = _with_voided(db)
    text = page(data)
    assert '<tr class="event voided"' in text and '<span class="badge void">Voided</span>' in text
    assert "voided by seq 99 on 1962-03-06: entered &lt;b&gt;twice&lt;/b&gt;" in text
    assert "**VOIDED** ~~" in markdown(data) and "entered &lt;b&gt;twice&lt;/b&gt;" in markdown(data)


# -- pictures -------------------------------------------------------------------------------

def test_diagram_front_matter_parses_for_a_name_with_colons(db: str) -> None:
    result = run(db, "diagram", "--case", str(HOSTILE_CASE))
    assert result.exit_code == 0, result.stderr
    front = result.stdout.split("---\n")[1]
    assert yaml.safe_load(front)["title"].endswith(HOSTILE)  # ": " and "#" in the name


def _gantt_tasks(text: str) -> list[tuple[str, str]]:
    """The gantt's tasks as Mermaid's parser meets them: every "#NN;" entity code was set
    aside first (Mermaid's Diagram encodes entities before any diagram is parsed), and no
    ":", ";" or "#" may then be left in a task's text (the gantt grammar ends it there)."""
    lines = text.split("---\n", 2)[2].splitlines()
    assert lines[0] == "gantt"
    tasks = []
    for line in lines[1:]:
        body = line.strip()
        if body.startswith(("dateFormat ", "axisFormat ", "todayMarker ", "section ")):
            continue
        label, data = body.split(" :")
        assert not set(re.sub(r"#\d+;", "", label)) & set(":;#\n"), label
        tasks.append((label, data))
    return tasks


def test_a_case_gantt_has_a_task_for_each_stay_and_a_milestone_for_each_event(db: str) -> None:
    result = run(db, "timeline", "--case", str(HOSTILE_CASE))
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout.split("---\n")[1])["title"].startswith("Case 2: Pak <script>")
    tasks = _gantt_tasks(result.stdout)
    assert [d.split(", ")[-2:] for label, d in tasks if "milestone" in d] == [
        ["1961-11-14", "0d"], ["1961-11-20", "0d"]]
    assert ("detained", "s1, 1961-11-14, 1961-11-20") in tasks


def test_every_cases_gantt_escapes_a_name_of_colons_semicolons_hashes_and_line_breaks() -> None:
    spans = [{"id": 7, "name": "A: b; #c\nd", "native_name": "ㄱ:ㄴ", "state": "detained",
              "first_at": "1961-11-01", "last_at": "1961-11-09", "events": 2}]
    tasks = _gantt_tasks(gantt({"case": None, "spans": spans}))
    assert tasks == [("7 A#58; b#59; #35;c#92;nd (ㄱ#58;ㄴ)", "c7, 1961-11-01, 1961-11-09")]


def test_the_svg_timelines_parse_as_xml_and_carry_the_names_as_text(db: str) -> None:
    for args in ((), ("--case", str(HOSTILE_CASE)), ("--case", str(VISITOR))):
        result = run(db, "timeline", "--format", "svg", *args)
        assert result.exit_code == 0, result.stderr
        root = ET.fromstring(result.stdout)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        texts = " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
        assert ("Ri Yong-nam" if args != ("--case", str(HOSTILE_CASE)) else "Pak <script>") in texts


def test_an_svg_of_text_xml_forbids_still_parses() -> None:
    spans = [{"id": 1, "name": "\ufffe\x01<&>", "native_name": None, "state": "x",
              "first_at": "1961-01-01", "last_at": "1961-01-01", "events": 1}]
    ET.fromstring(svg({"case": None, "spans": spans}))
