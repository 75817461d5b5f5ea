"""Replay a scenario's recorded events against a Service and report every divergence.

Each event runs with its own date (``at``): the audit rows carry 1961 dates beside the
time they were recorded. An event that applies where the file expected a refusal, a
refusal where it expected none (or citing another clause), an event the engine rejects
(a trigger from the wrong state, bad input), and a final state, flag or count that
differs are each reported with the file, the event's line and the engine's reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from workflow import InvalidInput, Refused, WorkflowError, policies
from workflow.record import Record, field

from ..keys import KeyRing
from ..service import Clock, Command, Service, utc_now
from .read import load
from .model import Event, Expectation, Problem, Scenario, ScenarioError


class FileReport(Record, frozen=False):
    """The outcome of replaying one file."""

    file: str
    title: str | None = None
    events: int = 0
    applied: int = 0
    refused: int = 0  # refusals the file expected
    cases: int = 0
    divergences: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)  # the file itself is wrong
    rolled_back: bool = False  # it diverged, and nothing of it was kept

    @property
    def ok(self) -> bool:
        return not self.divergences and not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"ERROR {self.file}: {len(self.errors)} problem(s) in the file; not replayed"
        verdict = "ok  " if self.ok else "FAIL"
        tail = f"; {len(self.divergences)} divergence(s)" if self.divergences else ""
        tail += "; nothing of it was kept" if self.rolled_back else ""
        return (f"{verdict} {self.file}: {self.events} events ({self.applied} applied, "
                f"{self.refused} refused as expected), {self.cases} case(s){tail}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "title": self.title, "ok": self.ok, "events": self.events,
            "applied": self.applied, "refused": self.refused, "cases": self.cases,
            "rolled_back": self.rolled_back,
            "divergences": [p.as_dict() for p in self.divergences],
            "errors": [p.as_dict() for p in self.errors],
        }


class ReplayRun(Record, frozen=False):
    """The reports of every file of one ``crossings replay``."""

    files: list[FileReport]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def exit_code(self) -> int:
        if any(f.errors for f in self.files):
            return 2
        return 0 if self.ok else 1

    def lines(self) -> list[str]:
        """The report as text: each problem as FILE:LINE: reason, then a summary per file."""
        out: list[str] = []
        for report in self.files:
            out += [str(p) for p in report.errors + report.divergences]
            out.append(report.summary())
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "files": [f.as_dict() for f in self.files]}

    def error(self) -> WorkflowError | None:
        """The one-line error for the command's exit: broken files (2), divergences (1)."""
        broken = [f for f in self.files if f.errors]
        if broken:
            parts = [f"{f.file} (line {', '.join(str(p.line or '?') for p in f.errors)})"
                     for f in broken]
            return ScenarioError([p for f in broken for p in f.errors],
                                 f"nothing replayed: errors in {'; '.join(parts)}")
        failed = [f for f in self.files if not f.ok]
        if failed:
            return ReplayFailed(f"{len(failed)} of {len(self.files)} file(s) diverged from "
                                f"the record: {', '.join(f.file for f in failed)}")
        return None


class ReplayFailed(WorkflowError):
    """A replayed file diverged from its record (an unexpected refusal, a refusal that
    did not happen, a rejected event, a final state that differs)."""


# -- one scenario ----------------------------------------------------------------------------

class _Replayer:
    def __init__(self, service: Service, scenario: Scenario, admin: str | None) -> None:
        self.service = service
        self.scenario = scenario
        self.policy = policies.get(scenario.policy) if scenario.policy else service.policy
        self.admin = admin  # registers the file's actors and applies its settings
        self.report = FileReport(scenario.source, scenario.title)
        self.ids: dict[str, int] = {}
        self.last_trouble: dict[str, str] = {}  # label -> the last refusal or rejection
        self.previous: dict[str, Any] = {}  # settings the file changed -> their old values

    def diverged(self, line: int | None, message: str) -> None:
        self.report.divergences.append(Problem(self.scenario.source, line, message))

    def set_up(self) -> bool:
        """Register the file's actors (reusing any with the same role) and apply the
        settings the file names, as recorded set-up rows (docs/policy.md); False if an actor is
        registered with another role. ``restore_settings`` puts them back afterwards."""
        for actor in self.scenario.actors:
            try:
                self.service.ensure_actor(actor.name, actor.role, self.admin)
            except WorkflowError as error:
                self.diverged(actor.line, f"not replayed: {error.one_line()}")
                return False
        current = self.service.settings()
        try:
            for name, value in self.scenario.settings.items():
                if current.get(name) != value:
                    self.previous[name] = current.get(name)
                    self.service.set_setting(name, value, self.admin)
        except WorkflowError as error:
            self.diverged(None, f"not replayed: the file's settings: {error.one_line()}")
            return False
        return True

    def restore_settings(self) -> None:
        """The database's own settings again, so the next file (and the office) sees them."""
        for name, value in self.previous.items():
            self.service.set_setting(name, value, self.admin)

    def run(self) -> FileReport:
        if not self.set_up():
            return self.report
        for event in self.scenario.events:
            self.report.events += 1
            self.replay_event(event)
        for expectation in self.scenario.expect:
            self.check(expectation)
        self.restore_settings()
        self.report.cases = len(self.ids)
        return self.report

    # events ----------------------------------------------------------------------------

    def replay_event(self, event: Event) -> None:
        opens = self.policy.trigger(event.do).opens
        missing = [label for label in event.cases if label not in self.ids and not opens]
        if missing:
            self.diverged(event.line, f"{event.do} skipped: case {', '.join(missing)} was "
                          "never opened (its open event failed)")
            return
        try:
            self.fire(event)
        except Refused as refusal:
            self.refused(event, refusal)
            return
        except WorkflowError as error:
            self.rejected(event, error)
            return
        if event.refused:
            self.diverged(event.line, f"{event.do} applied, but the file expects it refused "
                          f"citing {', '.join(event.refused)}")
            return
        self.report.applied += 1

    def fire(self, event: Event) -> None:
        """The event through the service's one command path; labels become case ids."""
        policy = self.policy
        trigger = policy.trigger(event.do)
        labels = set(policy.case_options(trigger, event.params))
        params = {k: self.ids.get(v, v) if k in labels else v for k, v in event.params.items()}
        cases = () if trigger.opens else tuple(self.ids[c] for c in event.cases)
        result = self.service.run(Command(event.do, cases, event.by, event.at, params,
                                          policy=policy.key if trigger.opens else None))
        if trigger.opens:
            self.ids[event.label] = result.case.id

    def refused(self, event: Event, refusal: Refused) -> None:
        reason = refusal.one_line()
        for label in event.cases:
            self.last_trouble[label] = f"line {event.line}: {reason}"
        if not event.refused:
            self.diverged(event.line, f"unexpected refusal: {reason}")
            return
        missing = [c for c in event.refused if c not in refusal.clauses]
        if missing:
            self.diverged(event.line, f"refused citing {', '.join(refusal.clauses)}, not "
                          f"{', '.join(missing)}: {reason}")
            return
        self.report.refused += 1

    def rejected(self, event: Event, error: WorkflowError) -> None:
        reason = error.one_line()
        for label in event.cases:
            self.last_trouble[label] = f"line {event.line}: {reason}"
        expected = (f" (the file expects a refusal citing {', '.join(event.refused)}; a "
                    "rejected event is not a refusal)") if event.refused else ""
        self.diverged(event.line, f"rejected, nothing recorded: {reason}{expected}")

    # final expectations ----------------------------------------------------------------

    def check(self, expectation: Expectation) -> None:
        label = expectation.label
        if label not in self.ids:
            self.diverged(expectation.line, f"{label}: the case was never opened")
            return
        case = self.service.show(self.ids[label])
        found: list[str] = []
        if expectation.state is not None and case.state != expectation.state:
            found.append(f"state is {case.state}, expected {expectation.state}")
        if expectation.flagged is not None and case.flagged != expectation.flagged:
            found.append(f"flagged is {str(case.flagged).lower()}, expected "
                         f"{str(expectation.flagged).lower()}")
        for name, wanted_count in expectation.counts.items():
            count = len(case.facts.get(name) or [])
            if count != wanted_count:
                found.append(f"{name} is {count}, expected {wanted_count}")
        cases_named = {f.name for f in self.policy.facts if f.kind == "case"}
        for key, wanted in expectation.facts.items():
            actual = _fact(case.facts, key)
            if key in cases_named and isinstance(wanted, str):
                wanted = self.ids.get(wanted, wanted)  # a case label: its id here
            if actual != wanted:
                found.append(f"fact {key} is {actual!r}, expected {wanted!r}")
        if found:
            why = self.last_trouble.get(label)
            because = f" (last refusal or rejection, {why})" if why else ""
            self.diverged(expectation.line, f"{label} (case {case.id}): "
                          + "; ".join(found) + because)


def _fact(facts: dict[str, Any], dotted: str) -> Any:
    value: Any = facts
    for part in dotted.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.lstrip("-").isdigit() and -len(value) <= int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


class _Diverged(Exception):
    """Raised inside a file's batch to roll it back: the file did not replay as recorded."""


def replay_scenario(service: Service, scenario: Scenario | str | Path, *,
                    admin: str | None = None, batch: bool = True) -> FileReport:
    """Replay one scenario (or the file at a path) into the service's database, ADMIN (an
    administrator whose key is at hand) registering its actors and applying its settings.
    With ``batch``, in one transaction that is rolled back unless the file replays as
    recorded: a file that fails leaves the database exactly as it was."""
    if not isinstance(scenario, Scenario):
        scenario = load(scenario, service.policy)
    replayer = _Replayer(service, scenario, admin)
    if not batch:
        return replayer.run()
    try:
        with service.batch():
            report = replayer.run()
            if not report.ok:
                raise _Diverged()
    except _Diverged:
        replayer.report.rolled_back = service.store.path != ":memory:"
    return replayer.report


# -- files ---------------------------------------------------------------------------------

REPLAY_ADMIN = "replay administrator"  # registers a file's actors in a fresh memory database


def check_files(paths: Iterable[str | Path]) -> tuple[list[Scenario], list[FileReport]]:
    """Parse every file first; returns the scenarios and the reports of broken files."""
    scenarios, broken = [], []
    for path in paths:
        try:
            scenarios.append(load(path))
        except ScenarioError as error:
            broken.append(FileReport(str(path), errors=list(error.problems)))
    return scenarios, broken


def replay_paths(paths: Iterable[str | Path], *, db: str | None = None,
                 admin: str | None = None, clock: Clock | None = None,
                 batch: bool = True) -> ReplayRun:
    """Replay files, each into a fresh in-memory database with throwaway keys, or all into
    ``db``, where the administrator ADMIN registers each file's new actors (keys made
    locally) and applies its settings.

    Every file is checked before anything is replayed; if any is broken, nothing is.
    """
    scenarios, broken = check_files(paths)
    if broken:
        return ReplayRun(broken)
    reports = []
    if db is not None:
        with Service.open(db, clock=clock or utc_now) as service:
            if admin is None:
                raise InvalidInput("replay --db: give --as ADMINISTRATOR (or set "
                                   "CROSSINGS_ACTOR): who registers the files' actors")
            reports = [replay_scenario(service, s, admin=admin, batch=batch) for s in scenarios]
        return ReplayRun(reports)
    for scenario in scenarios:
        with Service.init(":memory:", REPLAY_ADMIN, keys=KeyRing(memory=True),
                          clock=clock or utc_now) as service:
            reports.append(replay_scenario(service, scenario, admin=REPLAY_ADMIN, batch=batch))
    return ReplayRun(reports)
