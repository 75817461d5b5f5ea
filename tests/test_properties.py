"""Property-based sequences: random triggers, facts, dates and actors at random cases.

A Hypothesis ``RuleBasedStateMachine`` fires each command at crossings (a real SQLite
file) and at ``tests/helpers/model.py``, a reference model written from docs/policy.md's tables, and
checks after every step that:

* each command applied, was refused, or was rejected as the model predicts;
* ``next`` offers exactly the triggers the model's checks allow;
* a refusal changes no case and appends exactly one refused row per case, citing the
  clauses docs/policy.md names; a rejection appends nothing;
* every stored case equals the model's (state, version and the facts the guards read);
* a case in a terminal state never changes again;
* every applied case row cites its trigger's clauses;
* the audit chain stays valid.

200 examples in the suite (profile ``crossings``); ``scripts/stress`` runs 10,000
(``CROSSINGS_PROPERTY_EXAMPLES``).
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from helpers.chain import GENESIS, chain_problems
from crossings.service import Command, Service
from helpers.model import CROSSED, TABLE, TERMINAL, Model, Prediction
from workflow import Refused, RoleRefused, WorkflowError

ACTORS = {"Zhao": "county-officer", "Kim": "border-defence", "Liu": "foreign-affairs",
          "Wang": "provincial-committee", "Sun": "public-security"}
BY_ROLE = {role: name for name, role in ACTORS.items()}
DATES = ("1961-01-10", "1961-06-01", "1961-11-20", "1961-11-20", "1961-12-15", "1962-03-01")
TRIGGERS = tuple(t for t in TABLE if t not in ("open", "hand_over"))
MAX_CASES = 4
EXAMPLES = int(os.environ.get("CROSSINGS_PROPERTY_EXAMPLES", "200"))

# No explain phase: on a failing sequence it re-runs hundreds of examples (a minute or
# more here) only to annotate the report; the shrunk sequence is explanation enough.
settings.register_profile("crossings", max_examples=EXAMPLES, stateful_step_count=60,
                          report_multiple_bugs=False, deadline=None,
                          phases=[p for p in Phase if p is not Phase.explain],
                          suppress_health_check=[HealthCheck.too_slow])


def clock() -> dt.datetime:
    return dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.timezone.utc)


_TEMPLATE: dict[str, Path] = {}


def template() -> Path:
    """One database with the five actors, made once and copied for every example."""
    if "path" not in _TEMPLATE:
        folder = tempfile.mkdtemp(prefix="crossings-props-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = Path(folder) / "template.db"
        with Service.init(str(path), "Admin", clock=clock) as svc:
            for name, role in ACTORS.items():
                svc.add_actor(name, role, "Admin")
            svc.set_setting("policy", "jilin-1961@2", "Admin")  # the model is version 2's
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


ACTOR = st.sampled_from(["right"] * 6 + [*ACTORS, "Nobody"])
# How often fire_one_that_applies picks each trigger the state offers: moves first.
WEIGHTS = {"investigate": 8, "begin_persuasion": 8, "persuade": 12, "refer": 6,
           "consulate_reply": 6, "grant_residency": 4, "resume_persuasion": 4,
           "approve_transfer": 5, "transfer": 5, "hand_over": 8}
OPTIONAL = {
    "investigate": {
        "citizenship": st.sampled_from([None, "dprk", "dprk", "prc-korean-minority", "other"]),
        "purpose": st.sampled_from([None, "other", "visiting-relatives"]),
        "spouse": st.sampled_from([None, "none", "chinese-korean", "other"]),
        "crime": st.sampled_from([None, None, None, "theft of grain"]),
    },
    "persuade": {"outcome": st.sampled_from([None, "agreed", "refused", "refused"])},
    "provide": {"items": st.sampled_from([None, "food", "food,clothing"])},
    "consulate_reply": {"reply": st.sampled_from([None, "agreed", "declined"])},
    "request_guidance": {"question": st.sampled_from([None, "Refer a Han spouse?"])},
    "record_guidance": {"answer": st.sampled_from([None, "Handle as P1."])},
    "amend": {"reason": st.sampled_from([None, "the register says otherwise"])},
}
# advance draws options that mostly let the case move on.
LIKELY = {
    **OPTIONAL,
    "investigate": {
        "citizenship": st.sampled_from(["dprk"] * 6 + ["prc-korean-minority", "other", None]),
        "purpose": st.sampled_from(["other", "other", "visiting-relatives"]),
        "spouse": st.sampled_from(["none", "chinese-korean", "chinese-korean", "other"]),
        "crime": st.sampled_from([None] * 8 + ["theft of grain"]),
    },
    "persuade": {"outcome": st.sampled_from(["agreed", "refused", "refused", "refused"])},
    "consulate_reply": {"reply": st.sampled_from(["agreed", "declined"])},
}
AMEND_VALUES = {
    "citizenship": ["", "dprk", "prc-korean-minority", "other"],
    "purpose": ["", "other", "visiting-relatives"],
    "spouse": ["", "none", "chinese-korean", "other"],
    "crime": ["", "theft of grain"],
    "crossed_on": ["", *CROSSED],
}


def params_for(data: st.DataObject, trigger: str, likely: bool = False) -> dict[str, Any]:
    table = LIKELY if likely else OPTIONAL
    params = {k: data.draw(s, label=k) for k, s in table.get(trigger, {}).items()}
    if trigger == "amend":
        field = data.draw(st.sampled_from([None, *AMEND_VALUES]), label="field")
        if field is not None:
            params.update(field=field,
                          value=data.draw(st.sampled_from(AMEND_VALUES[field]), label="value"))
    return {k: v for k, v in params.items() if v is not None}


def who(choice: str, trigger: str) -> str:
    return BY_ROLE[TABLE[trigger].roles[0]] if choice == "right" else choice


def stored_view(facts: dict[str, Any], state: str, version: int) -> dict[str, Any]:
    """A stored case in the model's terms (see model.MCase.view)."""
    reply = facts.get("consulate_reply") or {}
    return {"state": state, "version": version, "citizenship": facts.get("citizenship"),
            "purpose": facts.get("purpose"), "spouse": facts.get("spouse"),
            "crime": facts.get("crime") or None,
            "attempts": [a["outcome"] for a in facts.get("attempts") or []],
            "permission": bool(facts.get("permission")), "reply": reply.get("reply"),
            "open_guidance": sum(1 for g in facts.get("guidance") or []
                                 if g.get("answer") is None),
            "crossed_on": facts.get("crossed_on"), "accompanies": facts.get("accompanies")}


class Clerks(RuleBasedStateMachine):
    # Tallies over a whole run, for scripts/stress.
    examples = 0
    outcomes: Counter[str] = Counter()
    reached: Counter[str] = Counter()

    def __init__(self) -> None:
        super().__init__()
        Clerks.examples += 1
        self.dir = tempfile.mkdtemp(prefix="crossings-prop-")
        self.db = os.path.join(self.dir, "c.db")
        shutil.copy(template(), self.db)
        self.svc = Service.open(self.db, synchronous="OFF", clock=clock)
        self.conn = self.svc.store.conn
        self.model = Model(ACTORS)
        self.head = (0, GENESIS)
        self.checked_seq = 0
        self.terminal: dict[int, tuple[Any, ...]] = {}

    def teardown(self) -> None:
        for state in sorted({c.state for c in self.model.cases.values()}):
            event(f"a case reached {state}")
            Clerks.reached[state] += 1
        self.svc.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers ------------------------------------------------------------------------

    def _snapshot(self) -> tuple[int, list[tuple[Any, ...]]]:
        seq = self.conn.execute("SELECT coalesce(max(seq), 0) FROM audit").fetchone()[0]
        return seq, self.conn.execute("SELECT * FROM cases ORDER BY id").fetchall()

    def _new_rows(self, after: int) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT case_id, outcome, clauses, reason FROM audit "
                                 "WHERE seq > ? ORDER BY seq", (after,)).fetchall()
        return [{"case_id": c, "outcome": o, "clauses": set(json.loads(cl)), "reason": r}
                for c, o, cl, r in rows]

    def _run(self, trigger: str, prediction: Prediction, call: Any) -> None:
        seq, cases = self._snapshot()
        try:
            call()
            error: WorkflowError | None = None
        except WorkflowError as caught:
            error = caught
        rows = self._new_rows(seq)
        event(f"{trigger}: {prediction.kind}")
        Clerks.outcomes[prediction.kind] += 1
        if prediction.kind == "applied":
            assert error is None, f"{trigger}: the model applies it, crossings said {error}"
            assert rows and all(r["outcome"] == "applied" for r in rows)
            prediction.apply()
        elif prediction.kind == "refused":
            self._check_refusal(trigger, prediction, error, rows, cases)
            self.model.refused(prediction)
        else:
            assert error is not None and not isinstance(error, Refused), (
                f"{trigger}: the model rejects it, crossings gave {error!r}")
            assert rows == [] and self._snapshot()[1] == cases, "a rejection wrote something"

    def _check_refusal(self, trigger: str, prediction: Prediction, error: Any,
                       rows: list[dict[str, Any]], cases: list[Any]) -> None:
        assert isinstance(error, Refused), f"{trigger}: the model refuses it, crossings: {error!r}"
        assert isinstance(error, RoleRefused) == prediction.by_role, error
        assert self._snapshot()[1] == cases, f"{trigger}: a refusal changed a case"
        assert [r["case_id"] for r in rows] == list(prediction.must_cite), rows
        for row in rows:
            must = prediction.must_cite[row["case_id"]]
            assert row["outcome"] == "refused" and row["reason"]
            assert must <= row["clauses"] <= must | set(TABLE[trigger].clauses), (
                f"{trigger} refused for case {row['case_id']} cites {row['clauses']}, "
                f"docs/policy.md: {sorted(must)} (and the trigger's {TABLE[trigger].clauses})")
            if prediction.by_role:
                assert row["clauses"] == must and all(r in row["reason"]
                                                      for r in TABLE[trigger].roles)

    def _pick(self, index: int) -> int:
        count = len(self.model.cases)
        return index % (count + 1) + 1  # now and then one past the last: no such case

    # -- rules --------------------------------------------------------------------------

    @initialize(crossed=st.lists(st.sampled_from(sorted(CROSSED)), min_size=1, max_size=3),
                at=st.sampled_from(DATES))
    def first_cases(self, crossed: list[str], at: str) -> None:
        for crossed_on in crossed:
            self.open_case("right", max(at, CROSSED[crossed_on][0]), crossed_on, None)

    @precondition(lambda self: len(self.model.cases) < MAX_CASES)
    @rule(actor=ACTOR, at=st.sampled_from(DATES), crossed=st.sampled_from(sorted(CROSSED)),
          accompanies=st.one_of(st.none(), st.integers(0, 20)))
    def open_case(self, actor: str, at: str, crossed: str, accompanies: int | None) -> None:
        parent = self._pick(accompanies) if accompanies is not None else None
        name = who(actor, "open")
        prediction = self.model.predict_open(name, at, crossed, parent)
        self._run("open", prediction, lambda: self.svc.fire("open", None,
            name, at=at, name=f"Crosser {len(self.model.cases) + 1}", crossed_on=crossed,
            place="Badaogou", accompanies=parent))

    @precondition(lambda self: self.model.cases)
    @rule(trigger=st.sampled_from(TRIGGERS), index=st.integers(0, 20), actor=ACTOR,
          at=st.sampled_from(DATES), data=st.data())
    def fire(self, trigger: str, index: int, actor: str, at: str, data: st.DataObject) -> None:
        self._fire(trigger, self._pick(index), who(actor, trigger), at, params_for(data, trigger))

    @precondition(lambda self: self.model.cases)
    @rule(index=st.integers(0, 20), steps=st.integers(1, 6), data=st.data())
    def advance(self, index: int, steps: int, data: st.DataObject) -> None:
        """Like ``fire``, but a few triggers in a row on one case, each one that applies
        in its state, usually by the right role, on or after the day it was opened."""
        case_id = self._pick(index)
        for _ in range(steps):
            case = self.model.cases.get(case_id)
            offered = [t for t in TABLE if case and case.state in TABLE[t].sources]
            if case is None or not offered:
                return
            weighted = [t for t in offered for _ in range(WEIGHTS.get(t, 1))]
            trigger = data.draw(st.sampled_from(weighted), label="trigger")
            actor = who(data.draw(st.sampled_from(["right"] * 6 + list(ACTORS)), label="actor"),
                        trigger)
            at = data.draw(st.sampled_from([d for d in DATES
                                            if d >= max(case.opened_on, case.last_at)]),
                           label="at")
            if trigger == "hand_over":
                self._hand_over(self._group_with(case_id, data), actor, at)
            else:
                self._fire(trigger, case_id, actor, at, params_for(data, trigger, likely=True))

    def _group_with(self, case_id: int, data: st.DataObject) -> list[int]:
        """The case, with the cases that accompany it and perhaps another in persuading."""
        others = [i for i, c in self.model.cases.items() if i != case_id and
                  c.state == "persuading"]
        kin = [i for i in others if self.model.cases[i].accompanies == case_id]
        more = data.draw(st.lists(st.sampled_from(others), max_size=1), label="others") \
            if others else []
        return list(dict.fromkeys([case_id, *kin, *more]))

    def _fire(self, trigger: str, case_id: int, actor: str, at: str,
              params: dict[str, Any]) -> None:
        prediction = self.model.predict(trigger, case_id, actor, at, params)
        self._run(trigger, prediction,
                  lambda: self.svc.fire(trigger, case_id, actor, at=at, **params))

    @precondition(lambda self: self.model.cases)
    @rule(indexes=st.lists(st.integers(0, 20), min_size=1, max_size=3, unique=True), actor=ACTOR,
          at=st.sampled_from(DATES), data=st.data())
    def hand_over(self, indexes: list[int], actor: str, at: str, data: st.DataObject) -> None:
        persuading = [i for i, c in self.model.cases.items() if c.state == "persuading"]
        if persuading and data.draw(st.booleans(), label="among persuading cases"):
            case_ids = data.draw(st.lists(st.sampled_from(persuading), min_size=1, max_size=3,
                                          unique=True), label="group")
        else:
            case_ids = [self._pick(i) for i in indexes]
        self._hand_over(case_ids, who(actor, "hand_over"), at)

    def _hand_over(self, case_ids: list[int], actor: str, at: str) -> None:
        prediction = self.model.predict_group(case_ids, actor, at)
        self._run("hand_over", prediction, lambda: self.svc.run(Command.of("hand_over",
            case_ids, actor, at=at, representative="Ri Chol", crossing_point="Changbai")).group)

    @invariant()
    def next_offers_what_the_model_allows(self) -> None:
        """For every case, ``next`` offers exactly the triggers the model's checks allow
        (a read: every guard of every trigger each state offers, none fired)."""
        for case_id in self.model.cases:
            offered = self.svc.next(case_id)
            ready = {entry["trigger"] for entry in offered["ready"]}
            assert ready == self.model.ready(case_id), (
                f"case {case_id} ({offered['state']}): crossings offers {sorted(ready)}, "
                f"the model {sorted(self.model.ready(case_id))}")

    @rule(cutoff=st.sampled_from(["1960-12-31", "1961-01-31", "1959-12-31"]))
    def change_cutoff(self, cutoff: str) -> None:
        self.svc.set_setting("transfer_cutoff", cutoff, "Admin")
        self.model.cutoff = cutoff

    # -- invariants ---------------------------------------------------------------------

    @invariant()
    def every_case_is_as_the_model_says(self) -> None:
        rows = self.conn.execute("SELECT id, state, version, facts FROM cases").fetchall()
        stored = {i: stored_view(json.loads(f), s, v) for i, s, v, f in rows}
        assert stored == {i: c.view() for i, c in self.model.cases.items()}

    @invariant()
    def terminal_cases_never_change(self) -> None:
        for row in self.conn.execute("SELECT * FROM cases WHERE state IN (%s)"
                                     % ", ".join("?" * len(TERMINAL)), TERMINAL):
            assert self.terminal.setdefault(row[0], row) == row, f"case {row[0]} changed"

    @invariant()
    def every_applied_case_row_cites_its_clauses_and_the_chain_holds(self) -> None:
        for case_id, trigger, outcome, clauses in self.conn.execute(
                "SELECT case_id, trigger, outcome, clauses FROM audit WHERE seq > ?",
                (self.checked_seq,)):
            if case_id is not None and outcome == "applied":
                assert json.loads(clauses) == list(TABLE[trigger].clauses), (trigger, clauses)
        problems, self.head = chain_problems(self.conn, self.head)
        assert problems == []
        self.checked_seq = self.head[0]


Clerks.TestCase.settings = settings.get_profile("crossings")
TestClerksAgainstTheModel = Clerks.TestCase
