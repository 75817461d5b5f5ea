"""The pages a reader opens, in a real browser (headless Chromium over the DevTools
Protocol, tests/helpers/browser.py): a dossier from a file, and the reading room served by
a real Datasette process. Each page is screenshotted (kept in the test's directory, and
copied to $CROSSINGS_SCREENSHOTS if set) and checked: its text is there, nothing was logged
as an error, nothing sticks out of the page or out of a table cell, and a dossier fetches
nothing and prints on A4. Skipped only where Chromium is not installed (CI installs it)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from helpers.browser import CHROMIUM, Browser, Page
from helpers.reading import CHOE, CONSULATE, HOSTILE, HOSTILE_CASE, build

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                "(Debian: apt-get install chromium)")
A4_TEXT_WIDTH = 690  # CSS pixels between the dossier's A4 margins (210 mm - 2 x 14 mm)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser")


@pytest.fixture(scope="module")
def db(folder: Path) -> str:
    return build(str(folder / "archive.db"))


@pytest.fixture(scope="module")
def browser(folder: Path) -> Iterator[Browser]:
    started = Browser(folder / "profile")
    try:
        yield started
    finally:
        started.close()


def assert_readable(page: Page) -> None:
    assert page.errors == []
    assert page.overflow() == {"page": 0, "wide": [], "cells": []}


def _dossier(db: str, case: int, folder: Path) -> Path:
    from crossings.cli import cli
    from click.testing import CliRunner

    target = folder / f"dossier-{case}.html"
    result = CliRunner().invoke(cli, ["dossier", str(case), "-o", str(target), "--force",
                                      "--db", db])
    assert result.exit_code == 0, result.stderr
    return target


def test_a_dossier_reads_well_on_screen_and_fetches_nothing(browser: Browser, db: str,
                                                            folder: Path) -> None:
    path = _dossier(db, CHOE, folder)
    page = browser.open(path.as_uri())
    page.screenshot(folder / "dossier-case-1.png")
    assert_readable(page)
    assert page.requests == [path.as_uri()]
    text = page.text()
    assert "Choe Myong-ok" in text and "최명옥" in text and CONSULATE in text
    assert "REFUSED" in text and "after three attempts at persuasion" in text
    assert page.evaluate("document.querySelectorAll('#path svg').length") == 1


def test_a_dossier_prints_on_a4_without_a_cut(browser: Browser, db: str, folder: Path) -> None:
    page = browser.open(_dossier(db, CHOE, folder).as_uri())
    page.media("print", A4_TEXT_WIDTH)
    page.screenshot(folder / "dossier-case-1-print.png")
    assert_readable(page)
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type/Page") >= 1


def test_a_hostile_name_is_text_in_the_browser(browser: Browser, db: str, folder: Path) -> None:
    page = browser.open(_dossier(db, HOSTILE_CASE, folder).as_uri())
    page.screenshot(folder / "dossier-case-2-hostile.png")
    assert_readable(page)
    assert page.evaluate("document.querySelectorAll('script, img, [onerror]').length") == 0
    assert HOSTILE in page.text()
    assert page.evaluate("typeof window.alerted") == "undefined"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def room(db: str) -> Iterator[str]:
    """`crossings browse` serving the file: a real Datasette process on a free port."""
    port = _free_port()
    command = [sys.executable, "-m", "crossings", "browse", "--db", db, "--port", str(port)]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):  # up to ~30 s for the server to start
                if process.poll() is not None:
                    raise AssertionError(process.stderr.read().decode() if process.stderr else "")
                try:
                    urllib.request.urlopen(url + "/-/versions.json", timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=60)


def test_the_reading_rooms_index(browser: Browser, room: str, folder: Path) -> None:
    page = browser.open(room + "/")
    page.screenshot(folder / "room-index.png")
    assert_readable(page)
    text = page.text()
    assert "Cases, fact by fact" in text and "4 cases" in text and "Case timelines" in text


def test_the_reading_rooms_case_page(browser: Browser, room: str, folder: Path) -> None:
    page = browser.open(f"{room}/-/crossings/archive/case/{CHOE}")
    page.screenshot(folder / "room-case-1.png")
    assert_readable(page)
    text = page.text()
    assert "put on name list P3-1961-12-20" in text and CONSULATE in text


def test_the_reading_rooms_timeline_keeps_dates_on_one_line(browser: Browser, room: str,
                                                            folder: Path) -> None:
    page = browser.open(f"{room}/archive/case_timeline?case_id={CHOE}")
    page.screenshot(folder / "room-case-timeline.png")
    assert_readable(page)
    lines = page.evaluate("[...document.querySelectorAll('td.col-at')].map(td => {"
                          "const r = document.createRange(); r.selectNodeContents(td);"
                          "return new Set([...r.getClientRects()].map(x => x.top)).size; })")
    assert lines and set(lines) == {1}  # every date on one line, as "1961-11-12"
    assert page.evaluate("getComputedStyle(document.querySelector('td.col-at')).whiteSpace") == "nowrap"
