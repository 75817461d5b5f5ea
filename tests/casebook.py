"""A casebook: one database with a case for every clause, built once per test session.

Built through the Service as a clerk would, in one batch transaction (a stand-in for the
scenario replays: the lead may switch it to replayed scenario files). Tests that read it
must not write to it; tests that change it work on a copy (:func:`copy_of`).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from crossings.cli import cli
from crossings.service import Service
from workflow import Refused

ACTORS = {"Zhao": "county-officer", "Kim": "border-defence", "Liu": "foreign-affairs",
          "Wang": "provincial-committee", "Sun": "public-security"}

# Case ids, in the order the casebook opens them (ODONG: O Dong-il; ruff reads a bare O as 0).
PAK, RI, KIM, CHOE, HAN, VISITOR, JIN, YUN, ODONG, LI = range(1, 11)
NAMES = {PAK: "Pak Sun-hui", RI: "Ri Chol", KIM: "Kim Yong-su", CHOE: "Choe Myong-ok",
         HAN: "Han Ok-sun", VISITOR: "Ri Yong-nam", JIN: "Jin Chun-ja", YUN: "Yun Sang-ho",
         ODONG: "O Dong-il", LI: "Li Guiying"}
COMPLAINT = "shouted at during the second session"

_built: dict[str, str] = {}


def _fire(svc: Service, trigger: str, case: int, actor: str = "Zhao", **params: Any) -> None:
    try:
        svc.fire(trigger, case, actor, **params)
    except Refused:
        pass  # a refusal the casebook records on purpose


def _open(svc: Service, name: str, native: str | None, crossed: str, place: str, at: str,
          **extra: Any) -> int:
    return svc.open_case("Zhao", at=at, name=name, native_name=native, crossed_on=crossed,
                         place=place, **extra).id


def _persuading(svc: Service, case: int, at: str, **facts: Any) -> None:
    svc.fire("investigate", case, "Zhao", at=at, **{"citizenship": "dprk", **facts})
    svc.fire("begin_persuasion", case, "Zhao", at=at)


def _p1_p2(svc: Service) -> None:
    _open(svc, "Pak Sun-hui", "박순희", "1961-10", "Badaogou", "1961-11-10")
    _open(svc, "Ri Chol", "리철", "1961-10", "Badaogou", "1961-11-10", accompanies=PAK)
    _open(svc, "Kim Yong-su", "김영수", "1961-11-02", "Changbai", "1961-11-05")
    for case in (PAK, RI):
        _persuading(svc, case, "1961-11-14", purpose="other", spouse="none")
    _persuading(svc, KIM, "1961-11-06", purpose="visiting-relatives")
    _fire(svc, "persuade", PAK, outcome="refused", method="talk with education cadre",
          at="1961-11-16")
    _fire(svc, "provide", PAK, items="food,clothing", at="1961-11-16")
    _fire(svc, "persuade", PAK, outcome="agreed", at="1961-11-20")
    _fire(svc, "persuade", KIM, outcome="refused", method="told it was not right", at="1961-11-08")
    svc.hand_over([PAK, RI, KIM], "Kim", at="1961-11-21", representative="Kang Myong-chol",
                  crossing_point="Changbai-Hyesan bridge")


def _p3(svc: Service) -> None:
    _open(svc, "Choe Myong-ok", "최명옥", "1961-03-20", "Badaogou", "1961-11-12")
    _open(svc, "Han Ok-sun", "한옥순", "1961-05", "Shiqidaogou", "1961-11-12")
    _persuading(svc, CHOE, "1961-11-28", purpose="other", spouse="chinese-korean")
    _persuading(svc, HAN, "1961-11-20", purpose="other", spouse="chinese-korean")
    for day in ("1961-11-30", "1961-12-07"):
        _fire(svc, "persuade", CHOE, outcome="refused", at=day)
    _fire(svc, "refer", CHOE, at="1961-12-10")  # refused: two refusals only
    _fire(svc, "persuade", CHOE, outcome="refused", at="1961-12-14")
    _fire(svc, "refer", CHOE, at="1961-12-20")
    _fire(svc, "consulate_reply", CHOE, "Liu", reply="agreed", at="1962-02-26")
    _fire(svc, "grant_residency", CHOE, "Liu", at="1962-03-05")
    for day in ("1961-11-22", "1961-11-29", "1961-12-06"):
        _fire(svc, "persuade", HAN, outcome="refused", at=day)
    _fire(svc, "amend", HAN, field="complaint", value=COMPLAINT, reason="her own statement",
          at="1961-12-07")
    _fire(svc, "refer", HAN, at="1961-12-08")


def _others(svc: Service) -> None:
    _open(svc, "Ri Yong-nam", "리용남", "1961-11-01", "Changbai", "1961-11-03")
    _persuading(svc, VISITOR, "1961-11-10", purpose="visiting-relatives")
    _open(svc, "Jin Chun-ja", "김춘자", "1961-09", "Changbai", "1961-11-15")
    svc.fire("investigate", JIN, "Zhao", at="1961-11-18", citizenship="prc-korean-minority")
    _fire(svc, "restore_citizenship", JIN, at="1961-11-25")
    _open(svc, "Yun Sang-ho", None, "1961-08", "Badaogou", "1961-11-15")
    svc.fire("investigate", YUN, "Zhao", at="1961-11-18", citizenship="dprk", purpose="other",
             crime="theft of grain, 1961-10")
    _fire(svc, "begin_persuasion", YUN, at="1961-11-18")  # refused: a crime (P5)
    _fire(svc, "prosecute", YUN, "Sun", at="1961-11-22")
    _open(svc, "O Dong-il", None, "1960", "Changbai", "1961-11-16")
    _persuading(svc, ODONG, "1961-11-18", purpose="other", spouse="none")
    _fire(svc, "persuade", ODONG, outcome="refused", at="1961-11-20")
    _fire(svc, "provide", ODONG, items="food", at="1961-11-21")
    _fire(svc, "approve_transfer", ODONG, "Wang", at="1961-12-02")
    _fire(svc, "transfer", ODONG, "Sun", at="1961-12-05")
    _open(svc, "Li Guiying", "李桂英", "1961-07", "Changbai", "1961-11-16")
    svc.fire("investigate", LI, "Zhao", at="1961-11-20", citizenship="other")


def build(path: str) -> str:
    """Write the casebook to ``path``; returns the path."""
    with Service.open(path, create=True, synchronous="OFF") as svc:
        for name, role in ACTORS.items():
            svc.add_actor(name, role)
        with svc.batch():
            _p1_p2(svc)
            _p3(svc)
            _others(svc)
    return path


def casebook(tmp_path_factory: Any) -> str:
    """The session's casebook database (built on first use)."""
    if "path" not in _built:
        folder = tmp_path_factory.mktemp("casebook")
        _built["path"] = build(str(folder / "casebook.db"))
    return _built["path"]


def copy_of(path: str, folder: Path) -> str:
    """A copy of the casebook that a test may change."""
    target = folder / "copy.db"
    shutil.copyfile(path, target)
    return str(target)


def run(db: str, *args: str, env: dict[str, str] | None = None) -> Result:
    """``crossings ARGS`` in-process on ``db``; stdout and stderr apart."""
    environ = {"CROSSINGS_DB": db, **(env or {})}
    return CliRunner().invoke(cli, list(args), env=environ, catch_exceptions=False)
