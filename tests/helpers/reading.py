"""A small archive for the reading room's tests: cases whose events cite their sources, a
refusal, a group handed over, and a person whose names are hostile text.

Built through the Service (real SQLite, real keys), once per test module that asks.
"""

from __future__ import annotations

from typing import Any

from helpers.actors import HANDOVER, new_database

CABLE = "PRC FMA 118-00948-02, p. 7"
REGISTER = "Changbai county detention register, 1961, f. 14"
CONSULATE = "Consulate General reply no. 62/118 (copy), Jilin provincial archive"
# Text a page must show as text, never run or reorder: markup, an attribute break-out,
# Mermaid and gantt punctuation (names); a bidi override and a line break (names refuse
# those: a place, a note and a source may hold them).
HOSTILE = 'Pak <script>alert(1)</script>"><img src=x onerror=alert(2)> evil: a; #b'
HOSTILE_NATIVE = "박순희</bdi><b>x"
HOSTILE_PLACE = "Shiqidaogou \u202eLANOITAN\u202c <b>"
HOSTILE_NOTE = "note: with a colon; a #hash\nand a new line"
HOSTILE_SOURCE = '<a href="javascript:alert(3)">file</a> \u202egnp.exe'
CHOE, HOSTILE_CASE, VISITOR, CHILD = 1, 2, 3, 4


def _fire(service: Any, trigger: str, case: Any, actor: str, at: str, **params: Any) -> None:
    service.fire(trigger, case, actor, at=at, **params)


def _choe(service: Any) -> None:
    service.fire("open", None, "Zhao", at="1961-11-12", name="Choe Myong-ok",
                 native_name="최명옥", crossed_on="1961-03-20", place="Badaogou", source=REGISTER)
    _fire(service, "investigate", CHOE, "Zhao", "1961-11-28", citizenship="dprk",
          purpose="other", spouse="chinese-korean", source=CABLE)
    _fire(service, "begin_persuasion", CHOE, "Zhao", "1961-11-28", source=CABLE)
    for at in ("1961-11-30", "1961-12-07"):
        _fire(service, "persuade", CHOE, "Zhao", at, outcome="refused",
              method="talk with family present", source=REGISTER)
    try:
        _fire(service, "refer", CHOE, "Zhao", "1961-12-10", source=CABLE)
    except Exception:  # the refusal is recorded: what the dossier must mark
        pass
    _fire(service, "persuade", CHOE, "Zhao", "1961-12-14", outcome="refused", source=REGISTER)
    _fire(service, "provide", CHOE, "Zhao", "1961-12-15", items="food,clothing")
    _fire(service, "refer", CHOE, "Zhao", "1961-12-20", source=CABLE)
    _fire(service, "consulate_reply", CHOE, "Liu", "1962-02-26", reply="agreed", source=CONSULATE)
    _fire(service, "grant_residency", CHOE, "Liu", "1962-03-05", source=CONSULATE)


def _hostile(service: Any) -> None:
    service.fire("open", None, "Zhao", at="1961-11-14", name=HOSTILE, native_name=HOSTILE_NATIVE,
                 crossed_on="1961-10", place=HOSTILE_PLACE, note=HOSTILE_NOTE,
                 source=HOSTILE_SOURCE)
    _fire(service, "investigate", HOSTILE_CASE, "Zhao", "1961-11-20", citizenship="dprk",
          purpose="visiting-relatives", source=REGISTER)


def _visitors(service: Any) -> None:
    service.fire("open", None, "Zhao", at="1961-11-03", name="Ri Yong-nam", native_name="리용남",
                 crossed_on="1961-11-01", place="Changbai", source=REGISTER)
    service.fire("open", None, "Zhao", at="1961-11-03", name="Ri Chol", native_name="리철",
                 crossed_on="1961-11-01", place="Changbai", accompanies=VISITOR, source=REGISTER)
    for case in (VISITOR, CHILD):
        _fire(service, "investigate", case, "Zhao", "1961-11-05", citizenship="dprk",
              purpose="visiting-relatives")
        _fire(service, "begin_persuasion", case, "Zhao", "1961-11-05")
    _fire(service, "persuade", VISITOR, "Zhao", "1961-11-06", outcome="agreed", source=REGISTER)
    service.fire("hand_over", [VISITOR, CHILD], "Kim", at="1961-11-10", source=CABLE, **HANDOVER)


def build(path: str) -> str:
    """The archive at PATH (made by Service.init, every event dated)."""
    with new_database(path, live=False) as service:
        _choe(service)
        _hostile(service)
        _visitors(service)
    return path
