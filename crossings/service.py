"""The service: the one object the CLI (and any Python caller) talks to.

It validates input with the policy, loads cases from the store inside one write
transaction, asks the engine for a decision, and persists the case and its audit row
together. Refusals are committed as ``refused`` rows and then raised; malformed input
and inapplicable triggers are raised before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Mapping

from store import Store, open_store
from workflow import (
    JILIN_1961,
    Actor,
    Case,
    Conflict,
    Decision,
    Engine,
    GuardRefused,
    InvalidInput,
    NotFound,
    Policy,
    RoleRefused,
)
from workflow.audit import decision_row, decode, dumps, setup_row
from workflow.values import clean_name, clean_text, parse_approx_date, parse_date

from .progress import Progress, quiet

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Service:
    """Runs the policy against one database."""

    def __init__(self, store: Store, *, policy: Policy = JILIN_1961,
                 clock: Clock = utc_now) -> None:
        self.store = store
        self.policy = policy
        self.engine = Engine(policy)
        self.clock = clock
        self._defaults = policy.defaults()

    @classmethod
    def open(cls, path: str, *, create: bool = False, synchronous: str = "FULL",
             clock: Clock = utc_now, policy: Policy = JILIN_1961) -> "Service":
        return cls(open_store(path, create=create, synchronous=synchronous),
                   policy=policy, clock=clock)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Service":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def batch(self) -> Iterator["Service"]:
        """Run many commands in one transaction (replay in bulk). A rejected command has
        written nothing (every check comes before the first write); a command that fails
        after it began writing (a driver error) rolls the whole batch back."""
        with self.store.write():
            yield self

    # -- time ---------------------------------------------------------------------------

    def _recorded_at(self, now: dt.datetime | None = None) -> str:
        now = self.clock() if now is None else now
        return now.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")

    def _event_date(self, at: Any, now: dt.datetime | None = None) -> str:
        """AT as a date, not in the future. NOW: the command's instant, read once."""
        today = (self.clock() if now is None else now).date().isoformat()
        if at is None:
            return today
        date = parse_date(at, "at")
        if date > today:
            raise InvalidInput(f"--at: {date} is in the future (today is {today})")
        return date

    # -- set-up -------------------------------------------------------------------------

    def add_actor(self, name: str, role: str) -> dict[str, Any]:
        name = clean_name(name, "name")
        if role not in self.policy.roles:
            raise InvalidInput(f"--role: {role!r} is not one of {', '.join(self.policy.roles)}")
        recorded = self._recorded_at()
        with self.store.write():
            existing = self.store.get_actor(name)
            if existing is not None:
                raise InvalidInput(f"actor {name} is already registered as {existing.role}")
            self.store.insert_actor(name, role, recorded)
            self.store.append([setup_row("actor_add", {"name": name, "role": role}, recorded,
                                         self.policy.id, self.policy.version)])
        return {"name": name, "role": role, "added_at": recorded}

    def ensure_actor(self, name: str, role: str) -> dict[str, Any]:
        """Register an actor, or reuse one already registered with the same role."""
        existing = self.store.get_actor(clean_name(name, "name"))
        if existing is None:
            return self.add_actor(name, role)
        if existing.role != role:
            raise InvalidInput(f"actor {existing.name} is registered as {existing.role}, not {role}")
        return {"name": existing.name, "role": existing.role}

    def actors(self) -> list[dict[str, Any]]:
        return self.store.actors()

    def actor(self, name: str | None) -> Actor:
        if name is None or not str(name).strip():
            raise InvalidInput("no acting actor: give --as NAME or set CROSSINGS_ACTOR")
        actor = self.store.get_actor(clean_name(name, "as"))
        if actor is None:
            raise NotFound(f"unknown actor {name!r}: register with 'crossings actor add'")
        return actor

    def settings(self) -> dict[str, Any]:
        return {**self._defaults, **self.store.stored_settings()}

    def set_setting(self, name: str, value: Any, actor: str | None = None) -> dict[str, Any]:
        setting = self.policy.setting(name)
        clean = setting.clean(value)
        recorded = self._recorded_at()
        with self.store.write():
            self.store.put_setting(name, clean)
            self.store.append([setup_row("setting", {"name": name, "value": clean}, recorded,
                                         self.policy.id, self.policy.version, actor)])
        return {"name": name, "value": clean}

    # -- triggers -----------------------------------------------------------------------

    def open_case(self, actor: str | None, *, at: Any = None, request_id: str | None = None,
                  **params: Any) -> Case:
        """Detain a crosser: a new case in the initial state. Returns the new case."""
        trigger = self.policy.trigger("open")
        who = self.actor(actor)
        now = self.clock()
        date = self._event_date(at, now)
        clean = self.policy.clean_params(trigger, params)
        self._check_crossing(clean.get("crossed_on"), date)
        recorded = self._recorded_at(now)
        with self.store.write():
            replay = self._replayed(request_id, "open", [], clean, date)
            if replay is not None:
                return self._replay_result(replay)
            self._check_case_refs(clean)
            case_id = self.store.next_case_id()
            decision = self.engine.decide_open(case_id, who, clean, date, self.settings())
            if decision.applied:
                self.store.insert_case(decision.case(), recorded)
            self._persist([decision], recorded, request_id, "open", [], clean)
        return self._finish([decision])[0]

    def fire(self, trigger_name: str, case_id: Any, actor: str | None, *, at: Any = None,
             request_id: str | None = None, **params: Any) -> Case:
        """Fire one trigger on one case; returns the case as it now stands."""
        trigger = self.policy.trigger(trigger_name)
        if trigger.name == "open":
            return self.open_case(actor, at=at, request_id=request_id, **params)
        if trigger.group:
            group = self.hand_over([case_id], actor, at=at, request_id=request_id, **params)
            return self.show(group["case_ids"][0])
        who = self.actor(actor)
        now = self.clock()
        date = self._event_date(at, now)
        clean = self.policy.clean_params(trigger, params)
        number = _case_id(case_id)
        recorded = self._recorded_at(now)
        with self.store.write():
            replay = self._replayed(request_id, trigger.name, [number], clean, date)
            if replay is not None:
                return self._replay_result(replay)
            case = self._load(number)
            self._check_event_date(case, date)
            self._check_case_refs(clean, case)
            decision = self.engine.decide(case, trigger.name, who, clean, date, self.settings())
            if decision.applied:
                self.store.update_cases([(decision.case(), case.version)], recorded)
            self._persist([decision], recorded, request_id, trigger.name, [number], clean)
        return self._finish([decision])[0]

    def hand_over(self, case_ids: Iterable[Any], actor: str | None, *, at: Any = None,
                  request_id: str | None = None, **params: Any) -> dict[str, Any]:
        """P1: hand a group over in one transaction, all or nothing. Returns the group."""
        trigger = self.policy.trigger("hand_over")
        who = self.actor(actor)
        now = self.clock()
        date = self._event_date(at, now)
        clean = self.policy.clean_params(trigger, params)
        numbers = [_case_id(c) for c in case_ids]
        if not numbers:
            raise InvalidInput("hand_over needs at least one case")
        duplicates = sorted(n for n, times in Counter(numbers).items() if times > 1)
        if duplicates:
            raise InvalidInput(f"case(s) {', '.join(map(str, duplicates))} named twice in the group")
        recorded = self._recorded_at(now)
        with self.store.write():
            replay = self._replayed(request_id, "hand_over", numbers, clean, date)
            if replay is not None:
                self._replay_result(replay)
                return self.store.get_group(replay["group_id"]) or {}
            cases = self._load_many(numbers)
            for case in cases:
                self.engine.check_applies(trigger, case)
                self._check_event_date(case, date)
            group_id = self.store.next_group_id()
            decisions = self.engine.decide_group(cases, who, clean, date, self.settings(),
                                                 group_id)
            group = {"id": group_id, "at": date, "crossing_point": clean["crossing_point"],
                     "representative": clean["representative"], "officer": who.name,
                     "case_ids": numbers, "note": clean.get("note")}
            if decisions[0].applied:
                self.store.insert_group(group)
                self.store.update_cases([(d.case(), c.version) for d, c in zip(decisions, cases)],
                                        recorded)
            self._persist(decisions, recorded, request_id, "hand_over", numbers, clean,
                          group_id if decisions[0].applied else None)
        self._finish(decisions)
        return group

    # -- persistence helpers ------------------------------------------------------------

    def _load(self, case_id: int) -> Case:
        case = self.store.get_case(case_id)
        if case is None:
            raise NotFound(f"no case {case_id}")
        return case

    def _load_many(self, case_ids: list[int]) -> list[Case]:
        found = self.store.get_cases(case_ids)
        missing = [str(n) for n in case_ids if n not in found]
        if missing:
            raise NotFound(f"no case {', '.join(missing)}")
        return [found[n] for n in case_ids]

    def _check_crossing(self, crossed_on: str | None, date: str) -> None:
        if crossed_on and parse_approx_date(crossed_on).earliest > date:
            raise InvalidInput(
                f"--crossed-on: {crossed_on} is after the detention date {date}"
            )

    def _check_event_date(self, case: Case, date: str) -> None:
        opened = case.facts.get("opened_on")
        if opened and date < opened:
            raise InvalidInput(f"--at: {date} is before case {case.id} was opened ({opened})")

    def _check_case_refs(self, params: Mapping[str, Any], case: Case | None = None) -> None:
        ref = params.get("accompanies")
        if params.get("field") == "accompanies":
            ref = params.get("value")
        if params.get("field") == "crossed_on" and case is not None and params.get("value"):
            self._check_crossing(params["value"], str(case.facts.get("opened_on") or "9999"))
        if ref is None:
            return
        if case is not None and ref == case.id:
            raise InvalidInput(f"--accompanies: case {ref} cannot accompany itself")
        if self.store.get_case(ref) is None:
            raise NotFound(f"--accompanies: no case {ref}")

    def _persist(self, decisions: list[Decision], recorded: str, request_id: str | None,
                 trigger: str, case_ids: list[int], params: Mapping[str, Any],
                 group_id: int | None = None) -> None:
        given = dumps(decisions[0].params)  # a group's decisions share the same params
        first = decisions[0].params
        rows = [decision_row(d, self.policy.id, self.policy.version, recorded, request_id,
                             given if _same_values(d.params, first) else None)
                for d in decisions]
        seqs = self.store.append(rows)
        if request_id:
            self.store.put_request(request_id, {
                "fingerprint": _fingerprint(trigger, case_ids, params),
                "outcome": decisions[0].outcome,
                "case_ids": [d.case_id for d in decisions],
                "message": _refusal(decisions).one_line() if not decisions[0].applied else None,
                "refused_by": decisions[0].refused_by,
                "seqs": seqs,
                "group_id": group_id,
            })

    def _replayed(self, request_id: str | None, trigger: str, case_ids: list[int],
                  params: Mapping[str, Any], date: str) -> dict[str, Any] | None:
        if not request_id:
            return None
        request_id = clean_text(request_id, "request_id", limit=200, blank_ok=False)
        stored = self.store.get_request(request_id)
        if stored is None:
            return None
        if stored["fingerprint"] != _fingerprint(trigger, case_ids, params):
            raise Conflict(f"request id {request_id} was already used for another command")
        return stored

    def _replay_result(self, stored: Mapping[str, Any]) -> Case:
        if stored["outcome"] != "applied":
            cls = RoleRefused if stored.get("refused_by") == "role" else GuardRefused
            raise cls(stored["message"] + " (repeated request: nothing new written)", [])
        return self._load(stored["case_ids"][0])

    def _finish(self, decisions: list[Decision]) -> list[Case]:
        if decisions and not decisions[0].applied:
            raise _refusal(decisions)
        return [d.case() for d in decisions]

    # -- queries ------------------------------------------------------------------------

    def show(self, case_id: Any) -> Case:
        return self._load(_case_id(case_id))

    def case_dict(self, case: Case) -> dict[str, Any]:
        return case.as_dict(f"{self.policy.id}@{self.policy.version}")

    def cases(self, state: str | None = None, after: int = 0,
              limit: int | None = None) -> Iterator[dict[str, Any]]:
        if state is not None:
            self.policy.state(state)
        return self.store.cases(state, after, limit)

    def log(self, *, case_id: Any = None, actor: str | None = None, trigger: str | None = None,
            clause: str | None = None, outcome: str | None = None, since: Any = None,
            until: Any = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
        filters: dict[str, Any] = {
            "case_id": _case_id(case_id) if case_id is not None else None,
            "actor": clean_text(actor, "actor") if actor is not None else None,
            "trigger": self._trigger_filter(trigger),
            "clause": self._clause_filter(clause),
            "outcome": outcome,
            "since": parse_date(since, "since") if since is not None else None,
            "until": parse_date(until, "until") if until is not None else None,
            "limit": limit,
        }
        if outcome is not None and outcome not in ("applied", "refused"):
            raise InvalidInput(f"--outcome: {outcome!r} is not one of applied, refused")
        return (decode(row) for row in self.store.audit(**filters))

    def _trigger_filter(self, trigger: str | None) -> str | None:
        if trigger is None:
            return None
        if trigger.replace("-", "_") in ("actor_add", "setting"):
            return trigger.replace("-", "_")
        return self.policy.trigger(trigger).name

    def _clause_filter(self, clause: str | None) -> str | None:
        from workflow import CLAUSES

        if clause is None:
            return None
        if clause not in CLAUSES:
            raise InvalidInput(f"--clause: {clause!r} is not one of {', '.join(CLAUSES)}")
        return clause

    def why(self, case_id: Any, trigger: str) -> dict[str, Any]:
        """Each guard of TRIGGER on the case now, with the facts it read and its clause."""
        from workflow import CLAUSES

        case = self.show(case_id)
        result = self.engine.explain(case, trigger, self.settings(),
                                     group=self._assumed_group(case))
        result["clause_words"] = {c: CLAUSES[c].words for c in _cited(result)}
        return result

    def next(self, case_id: Any) -> dict[str, Any]:
        """The triggers that may be fired now, and those blocked with the reason."""
        case = self.show(case_id)
        settings = self.settings()
        group = self._assumed_group(case)
        ready, blocked = [], []
        for name in self.policy.applicable(case.state):
            result = self.engine.explain(case, name, settings, group=group)
            entry = {"trigger": name, "target": result["target"], "roles": result["roles"],
                     "clauses": result["clauses"], "needs": result["needs"]}
            if result["ready"]:
                ready.append(entry)
            else:
                failed = [g for g in result["guards"] if not g["passed"]
                          and g["guard"] not in _input_guards()]
                entry["reasons"] = [f"{g['reason']} ({', '.join(g['clauses'])})" for g in failed]
                blocked.append(entry)
        return {"case": case.id, "state": case.state, "ready": ready, "blocked": blocked}

    def _assumed_group(self, case: Case) -> dict[int, Any]:
        """For why/next on hand_over: the case and the case it accompanies, together."""
        group = {case.id: case.facts}
        parent = case.facts.get("accompanies")
        if parent is not None:
            other = self.store.get_case(parent)
            if other is not None:
                group[other.id] = other.facts
        return group


    # -- replay and verification (issue 3) ------------------------------------------------

    def replay(self, scenario: Any, *, batch: bool = True) -> Any:
        """Replay a scenario (a Scenario, or a file path) into this database; returns its
        FileReport. With ``batch`` (the default) the whole file is one transaction."""
        from .replay import replay_scenario
        from .scenario import Scenario, load

        if not isinstance(scenario, Scenario):
            scenario = load(scenario, self.policy)
        return replay_scenario(self, scenario, batch=batch)

    @classmethod
    def replay_files(cls, paths: Iterable[Any], *, db: str | None = None,
                     clock: Clock | None = None, batch: bool = True) -> Any:
        """Replay files, each into a fresh in-memory database or all into ``db``; returns a
        ReplayRun. Every file is checked first: if one is broken, none is replayed."""
        from .replay import replay_paths

        return replay_paths(paths, db=db, clock=clock, batch=batch)

    def verify(self, checkpoint: Any = None, *, limit: int | None = None,
               workers: int | None = None) -> dict[str, Any]:
        """Check the hash chain, rebuild every case from its rows, re-run each applied
        event's guards, and compare with a checkpoint (a dict or a JSON file) if given.
        ``workers``: processes to use (default: a few for a trail of 100,000 rows or more)."""
        from .verify import Verifier, read_checkpoint

        if checkpoint is not None and not isinstance(checkpoint, Mapping):
            checkpoint = read_checkpoint(checkpoint)
        return Verifier(self.store, self.engine, limit=limit).run(checkpoint, workers)

    def checkpoint(self) -> dict[str, Any]:
        """The trail's size and head hash now, to detect truncation and rollback later."""
        head = self.store.head()
        return {"rows": head["rows"], "seq": head["seq"], "hash": head["hash"],
                "policy": f"{self.policy.id}@{self.policy.version}",
                "at": self._recorded_at(), "database": self.store.path}

    # -- reports, name lists, diagrams (issue 6) --------------------------------------------

    def timeline(self, case_id: Any) -> dict[str, Any]:
        """A case's history in order, one entry per event, in words (``show --timeline``)."""
        from .timeline import event

        case = self.show(case_id)
        rows = self.log(case_id=case.id)
        return {"case": self.case_dict(case),
                "events": [event(step, row) for step, row in enumerate(rows, 1)]}

    def diagram(self, fmt: str = "mermaid", case_id: Any = None) -> str | bytes:
        """The policy's diagram; with a case, its path and current state highlighted."""
        from .diagrams import FORMATS, case_path, render

        if fmt not in FORMATS:
            raise InvalidInput(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
        if case_id is None:
            return render(self.policy, fmt, self.policy.title)
        case = self.show(case_id)
        path = case_path(case.state, self.log(case_id=case.id))
        return render(self.policy, fmt, f"{self.policy.title}: case {case.id}, {case.name}", path)

    def case_ids(self, prefix: str = "", limit: int = 100) -> list[tuple[int, str]]:
        """Case ids beginning with ``prefix``, with names (shell completion)."""
        return self.store.case_ids_like(prefix.strip(), limit)

    def name_list(self, *, referred: bool = False, list_id: str | None = None,
                  progress: Progress = quiet) -> list[dict[str, Any]]:
        """P1's register of names, or with ``referred`` / ``list_id`` the P3 name lists."""
        if not referred and list_id is None:
            cases = progress(self.store.case_rows(), "name list", self.store.count_cases())
            return [_register_entry(case) for case in cases]
        if list_id is not None:
            list_id = clean_text(list_id, "list", blank_ok=False)
        rows = [_referral_entry(row) for row in
                progress(self.store.name_list_rows(list_id), "name list")]
        if list_id is not None and not rows:
            known = sorted({r["list"] for r in self.store.name_list_rows()})
            raise NotFound(f"no name list {list_id!r}; lists: {', '.join(known) or 'none yet'}")
        return rows

    def handovers(self) -> list[dict[str, Any]]:
        """Every handover group: date, crossing point, representative, how many, who."""
        return self.store.handover_groups_summary()

    def handover(self, group_id: Any) -> dict[str, Any]:
        """One group's manifest: its date, crossing point, representative, every person."""
        number = _case_id(group_id, "handover group")
        group = self.store.get_group(number)
        if group is None:
            raise NotFound(f"no handover group {number}")
        people = [{k: row[k] for k in _PERSON} for row in self.store.handover_rows(number)]
        for person in people:
            person["clause"] = "P2" if person["purpose"] == "visiting-relatives" else "P1"
        keys = ("id", "at", "crossing_point", "representative", "officer", "note")
        return {**{k: group[k] for k in keys}, "people": people}

    def report_overdue(self, as_of: Any = None, progress: Progress = quiet) -> list[dict[str, Any]]:
        """P2 visitors past the short period; P3 referrals with no reply past the setting."""
        date = parse_date(as_of, "as-of") if as_of is not None else self.clock().date().isoformat()
        settings = self.settings()
        open_states = [s.name for s in self.policy.states if not s.terminal]
        sections = [
            ("P2", f"visitor not sent back within {settings['short_period_days']} days",
             lambda: self.store.visitors_past(date, settings["short_period_days"], open_states)),
            ("P3", f"no consulate reply {settings['referral_reply_days']} days after referral",
             lambda: self.store.referrals_unanswered(date, settings["referral_reply_days"])),
        ]
        return _sections(sections, progress, "overdue report", as_of=date)

    def report_compliance(self, progress: Progress = quiet) -> list[dict[str, Any]]:
        """W3 refusers with no food or clothing; G open guidance requests; W2 complaints."""
        w3_states = self.policy.sources(self.policy.trigger("provide"))
        sections = [
            ("W3", "refuser with no food or clothing recorded",
             lambda: [_w3(row) for row in self.store.refusers_without_provision(w3_states)]),
            ("G", "open guidance request", self.store.open_guidance_requests),
            ("W2", "complaint of rude treatment", self.store.complaints),
        ]
        return _sections(sections, progress, "compliance report")

    def report_summary(self, by: str = "state") -> list[dict[str, Any]]:
        """Counts by state, crossing place, month of the events, or clause cited."""
        states = self.policy.state_names
        if by == "state":
            return _by_state(self.policy, self.store.count_by_state())
        if by == "place":
            return self.store.count_by_place(states)
        if by == "month":
            return self.store.count_by_month(states)
        if by == "clause":
            return _by_clause(self.store.count_by_clause())
        raise InvalidInput(f"--by: {by!r} is not one of {', '.join(SUMMARIES)}")


def _input_guards() -> dict[str, str]:
    from workflow.engine import INPUT_GUARDS

    return INPUT_GUARDS


def _cited(result: Mapping[str, Any]) -> list[str]:
    out = list(result["clauses"])
    for guard in result["guards"]:
        out += [c for c in guard["clauses"] if c not in out]
    return out


def _same_values(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """The same keys bound to the very same objects (copies of one params dict), so
    both encode alike (unlike ==, for which 1, 1.0 and True are equal)."""
    return a is b or (a.keys() == b.keys() and all(a[k] is b[k] for k in a))


def _case_id(value: Any, what: str = "case") -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a {what} id (a whole number)") from None
    if number < 1:
        raise NotFound(f"no {what} {number}")
    return number


SUMMARIES = ("state", "place", "month", "clause")
Section = tuple[str, str, Callable[[], list[dict[str, Any]]]]


def _sections(sections: list[Section], progress: Progress, label: str,
              **extra: Any) -> list[dict[str, Any]]:
    """Run each section's query; one row per finding, with its clause and kind."""
    rows: list[dict[str, Any]] = []
    for clause, kind, query in progress(sections, label, len(sections)):
        for found in query():
            case_id = found.pop("id")
            rows.append({"clause": clause, "kind": kind, "case_id": case_id, **found, **extra})
    return rows


_PERSON = ("position", "case_id", "name", "native_name", "crossed_on", "place", "purpose",
           "accompanies")


def _w3(row: dict[str, Any]) -> dict[str, Any]:
    refusals = row.pop("refusals")  # in place: up to a few hundred thousand rows
    row["detail"] = (f"{refusals} refusal(s), the latest on {row['since']}; "
                     "no food or clothing recorded")
    return row


def _by_state(policy: Policy, counts: Mapping[str, tuple[int, int]]) -> list[dict[str, Any]]:
    return [{"state": s.name, "cases": counts.get(s.name, (0, 0))[0],
             "flagged": counts.get(s.name, (0, 0))[1], "terminal": s.terminal,
             "meaning": s.meaning} for s in policy.states]


def _by_clause(counts: Mapping[str, tuple[int, int, int]]) -> list[dict[str, Any]]:
    from workflow import CLAUSES

    return [{"clause": c, "applied": counts.get(c, (0, 0, 0))[0],
             "refused": counts.get(c, (0, 0, 0))[1], "cases": counts.get(c, (0, 0, 0))[2],
             "summary": CLAUSES[c].summary} for c in CLAUSES]


def _attempts(facts: Mapping[str, Any], until: str | None = None) -> list[dict[str, Any]]:
    return [{"at": a.get("at"), "outcome": a.get("outcome")} for a in facts.get("attempts") or []
            if until is None or str(a.get("at")) <= until]


def _register_entry(case: Case) -> dict[str, Any]:
    facts = case.facts
    keys = ("crossed_on", "place", "citizenship", "purpose", "spouse", "accompanies")
    return {"case_id": case.id, "name": case.name, "native_name": case.native_name,
            **{k: facts.get(k) for k in keys}, "attempts": _attempts(facts), "state": case.state}


def _referral_entry(row: dict[str, Any]) -> dict[str, Any]:
    facts = row.pop("facts")
    row.pop("seq")
    row["attempts"] = _attempts(facts, row["referred_on"])
    row["reply"] = (facts.get("consulate_reply") or {}).get("reply")
    return row


def _fingerprint(trigger: str, case_ids: list[Any], params: Mapping[str, Any]) -> str:
    from workflow.audit import dumps

    return dumps([trigger, list(case_ids), dict(params)])


def _refusal(decisions: list[Decision]) -> GuardRefused | RoleRefused:
    first = decisions[0]
    if len(decisions) == 1:
        where = f"case {first.case_id}" if first.trigger != "open" else "a new case"
        message = f"{first.trigger} refused for {where}: {first.reason}"
    else:
        failing = [d for d in decisions if d.refused_by != "group"]
        parts = [f"case {d.case_id}: {d.reason}" for d in failing]
        message = f"{first.trigger} refused for the group: " + "; ".join(parts)
    if any(d.refused_by == "role" for d in decisions):
        return RoleRefused(message, decisions)
    return GuardRefused(message, decisions)
