"""Verification of the audit trail, in three streamed passes (issue 3).

1. **The chain**, in ``seq`` order: sequence numbers contiguous from 1, each row's
   ``prev_hash`` the hash of the row before, each ``hash`` recomputed from the row's
   content. Set-up rows (actors, settings) are read on the way: they say which actors
   existed with which role, and which settings were in force at every ``seq``.
2. **The cases**, in (case id, seq) order, merged with the case rows in id order: each
   case's state, version and facts are rebuilt from its applied rows alone (state := the
   row's target, facts from the ``changes`` new values) and compared with the stored case
   row. Each applied event is re-run through the pure engine on the case as rebuilt, with
   the row's actor, options and date and the settings in force at its ``seq``: its guards
   must hold, and it must give the recorded target, changes, clauses and guard results
   (a divergence, as Temporal's replayer raises one).
3. **The tables** of set-up: the stored settings and actors must be those the trail says.

A refused row must name the state and version its case was in; the refusal itself is not
re-run (a refused group's rows depend on the other cases of the group). Rows recorded
under another policy id or version cannot be re-run by this code: they are reported once,
counted, rather than as one divergence each.

Only one case is held at a time (plus the settings changes and the actors), so memory
does not grow with the number of events. A handover of a minor reads the accompanied
case's facts as they stood at the handover from that case's own rows (one indexed query
per minor handed over): the group's guard needs them. From ``PARALLEL_ROWS`` rows the
chain and ranges of cases are checked in worker processes, each holding the same.

Against a checkpoint (row count and head hash taken earlier), truncation (fewer rows) and
rollback to another copy (the checkpoint's row missing or with another hash) are found
even where the chain itself is consistent.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import multiprocessing
import os
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from store import Store
from workflow import Actor, Case, Engine, InvalidInput, WorkflowError
from workflow.audit import ACTOR_ADD, GENESIS, JSON_FIELDS, SETTING, dumps, row_hash
from workflow.case import open_guidance

MAX_PROBLEMS = 1000  # kept in the report; the count goes on beyond
PARALLEL_ROWS = 100_000  # from this many rows, worker processes pay for their start-up
MAX_WORKERS = 3
_NO_CASE_ABOVE = 2**62  # the last range of cases is open: audit rows may name any id
_RERUN_ERRORS = (WorkflowError, KeyError, TypeError, ValueError, AttributeError)


def auto_workers(rows: int) -> int:
    if rows < PARALLEL_ROWS:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """A checkpoint written by ``crossings checkpoint --out FILE``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"--checkpoint: cannot read {path}: {error}") from None
    if not isinstance(data, dict) or not {"rows", "seq", "hash"} <= set(data):
        raise InvalidInput(f"--checkpoint: {path} is not a checkpoint (rows, seq, hash)")
    counts_ok = all(type(data[k]) is int and data[k] >= 0 for k in ("rows", "seq"))
    hash_ok = isinstance(data["hash"], str) and re.fullmatch(r"[0-9a-f]{64}", data["hash"])
    if not (counts_ok and hash_ok):
        raise InvalidInput(f"--checkpoint: {path} is not a checkpoint (rows and seq must be "
                           "whole numbers, hash 64 hex digits)")
    return data


@dataclass
class _Rebuilt:
    """One case as its audit rows say it is."""

    id: int
    state: str | None = None
    version: int = 0
    facts: dict[str, Any] = field(default_factory=dict)
    last_seq: int | None = None
    updated_at: str | None = None  # recorded_at of the last applied row


class Verifier:
    def __init__(self, store: Store, engine: Engine, *, limit: int | None = None) -> None:
        self.store = store
        self.engine = engine
        self.limit = MAX_PROBLEMS if limit is None else limit
        self.problems: list[dict[str, Any]] = []
        self.problem_count = 0
        self.rows = 0
        self.cases = 0
        self.actors: dict[str, tuple[str, int]] = {}  # name -> (role, seq registered)
        self.setting_seqs: list[int] = []
        self.setting_values: list[dict[str, Any]] = []
        self.defaults = engine.policy.defaults()
        self.policy_key = (engine.policy.id, engine.policy.version)
        self.other_policies: dict[str, tuple[int, int]] = {}  # "id@version" -> (first seq, count)

    def problem(self, seq: int | None, case: int | None, check: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < self.limit:
            self.problems.append({"seq": seq, "case": case, "check": check, "message": message})

    def run(self, checkpoint: Mapping[str, Any] | None = None,
            workers: int | None = None) -> dict[str, Any]:
        """Verify; ``workers`` processes (default: several for a large trail, else one)."""
        with self.store.read():
            head = self.store.head()
            if workers is None:
                workers = auto_workers(head["rows"])
            setup = list(self.store.audit_stream(order="setup"))  # few: actors, settings
            self.read_setup(setup)
            if not (workers > 1 and self.in_parallel(head, setup, workers)):
                self.check_chain()
                self.check_cases()
            self.report_other_policies()
            self.check_tables()
            self.check_counts()
            if checkpoint is not None:
                self.check_checkpoint(checkpoint, head)
        return {
            "database": self.store.path,
            "ok": self.problem_count == 0,
            "rows": self.rows,
            "cases": self.cases,
            "head": head,
            "checkpoint": dict(checkpoint) if checkpoint is not None else None,
            "problem_count": self.problem_count,
            "problems": self.problems,
        }

    # 1. the chain --------------------------------------------------------------------

    def check_chain(self) -> None:
        expected, prev = 1, GENESIS
        for row in self.store.audit_stream(order="seq"):
            seq = row["seq"]
            if seq != expected:
                gone = f"row {expected} is" if seq == expected + 1 else \
                    f"rows {expected} to {seq - 1} are"
                self.problem(seq, row["case_id"], "chain",
                             f"{gone} missing (seq jumps from {expected - 1} to {seq})")
            if row["prev_hash"] != prev:
                self.problem(seq, row["case_id"], "chain",
                             f"prev_hash does not match the hash of the row before (seq {expected - 1})")
            if row_hash(row) != row["hash"]:
                self.problem(seq, row["case_id"], "chain",
                             "hash does not match the row's content: the row was altered")
            elif not _json_fields_valid(row):
                self.problem(seq, row["case_id"], "chain",
                             "a JSON field of the row is not valid JSON: the row was altered")
            prev, expected = row["hash"], seq + 1
            self.rows += 1

    def read_setup(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """The set-up rows (no case): which actors existed with which role, and which
        settings were in force at every seq. Their hashes are checked with the chain."""
        for row in rows:
            self.read_setup_row(row)

    def read_setup_row(self, row: Mapping[str, Any]) -> None:
        seq, trigger = row["seq"], row["trigger"]
        if trigger == "open" and row["outcome"] == "refused":
            return  # a refused detention names no case
        try:
            given = json.loads(row["given"])
            if trigger == ACTOR_ADD:
                self.actors[given["name"]] = (given["role"], seq)
                return
            if trigger == SETTING:
                current = self.setting_values[-1] if self.setting_values else self.defaults
                self.setting_seqs.append(seq)
                self.setting_values.append({**current, given["name"]: given["value"]})
                return
        except (json.JSONDecodeError, KeyError, TypeError):
            self.problem(seq, None, "setup", f"set-up row {trigger} cannot be read")
            return
        self.problem(seq, None, "setup", f"a {trigger} row names no case")

    def settings_at(self, seq: int) -> dict[str, Any]:
        index = bisect.bisect_left(self.setting_seqs, seq)
        return self.setting_values[index - 1] if index else self.defaults

    # 2. the cases --------------------------------------------------------------------

    def check_cases(self, cases: tuple[int, int] | None = None) -> None:
        stored = _Peek(self.store.case_records(cases))
        for case_id, rows in groupby(self.store.audit_stream(order="case", cases=cases),
                                     key=itemgetter("case_id")):
            while stored.next is not None and stored.next["id"] < case_id:
                self.orphan(stored.pop())
            rebuilt = self.rebuild(case_id, rows)
            self.cases += 1
            if stored.next is not None and stored.next["id"] == case_id:
                self.compare(rebuilt, stored.pop())
            else:
                self.problem(rebuilt.last_seq, case_id, "case",
                             f"case {case_id} has audit rows but no case row")
        while stored.next is not None:
            self.orphan(stored.pop())

    def orphan(self, record: Mapping[str, Any]) -> None:
        self.cases += 1
        self.problem(None, record["id"], "case",
                     f"case {record['id']} has a case row but no audit rows")

    def rebuild(self, case_id: int, rows: Iterator[dict[str, Any]]) -> _Rebuilt:
        case = _Rebuilt(case_id)
        for row in rows:
            case.last_seq = row["seq"]
            self.check_actor(row)
            if row["outcome"] == "refused":
                self.check_refused(case, row)
                continue
            if row["source"] != case.state:
                self.problem(row["seq"], case_id, "case",
                             f"{row['trigger']} from {row['source']}, but the rows before "
                             f"leave the case {case.state or 'not yet opened'}")
            if (row["policy"], row["policy_version"]) == self.policy_key:
                self.rerun(case, row)
            else:
                self.other_policy(row)
            self.apply(case, row)
        return case

    def other_policy(self, row: Mapping[str, Any]) -> None:
        """A row recorded under another policy (or version): this code cannot re-run it."""
        key = f"{row['policy']}@{row['policy_version']}"
        first, count = self.other_policies.get(key, (row["seq"], 0))
        self.other_policies[key] = (min(first, row["seq"]), count + 1)

    def report_other_policies(self) -> None:
        ours = "@".join(self.policy_key)
        for key, (first, count) in sorted(self.other_policies.items()):
            self.problem(first, None, "policy", f"{count} applied row(s) were recorded under "
                         f"policy {key} (the first at seq {first}); this crossings runs "
                         f"{ours} and cannot re-run their guards")

    def check_actor(self, row: Mapping[str, Any]) -> None:
        registered = self.actors.get(row["actor"])
        if registered is None or registered[1] > row["seq"]:
            self.problem(row["seq"], row["case_id"], "case",
                         f"actor {row['actor']} was not registered before this event")
        elif registered[0] != row["role"]:
            self.problem(row["seq"], row["case_id"], "case",
                         f"actor {row['actor']} is registered as {registered[0]}, "
                         f"the row says {row['role']}")

    def check_refused(self, case: _Rebuilt, row: Mapping[str, Any]) -> None:
        if row["source"] != case.state or row["case_version"] != case.version:
            self.problem(row["seq"], case.id, "case",
                         f"refused {row['trigger']} names {row['source']} version "
                         f"{row['case_version']}, the rows before give {case.state} version "
                         f"{case.version}")

    def rerun(self, case: _Rebuilt, row: Mapping[str, Any]) -> None:
        """Re-decide the event on the case as rebuilt: it must apply, as recorded."""
        seq, trigger = row["seq"], row["trigger"]
        try:
            decision = self.decide(case, row)
        except _RERUN_ERRORS as error:
            self.problem(seq, case.id, "guard", f"{trigger} cannot be re-run on the case as "
                         f"its rows leave it: {_message(error)}")
            return
        if not decision.applied:
            self.problem(seq, case.id, "guard", f"{trigger} was applied, but on the facts "
                         f"as they stood it is refused: {decision.reason}")
            return
        # One encoding for three fields (a JSON list is its items' encodings joined by
        # commas, in the one form audit rows use), compared field by field only if needed.
        mine = [decision.changes, decision.clauses, [g.as_dict() for g in decision.guards]]
        stored = f"[{row['changes']},{row['clauses']},{row['guards']}]"
        if decision.target == row["target"] and dumps(mine) == stored:
            return
        try:
            differ = _differences(decision, mine, row)
        except (json.JSONDecodeError, TypeError, AttributeError):
            differ = ["the row's changes, clauses or guards cannot be read"]
        if differ:
            self.problem(seq, case.id, "guard", f"{trigger} re-run on the facts as they stood "
                         f"differs from the row: {'; '.join(differ)}")

    def decide(self, case: _Rebuilt, row: Mapping[str, Any]) -> Any:
        actor = Actor(row["actor"], row["role"])
        params = json.loads(row["given"])
        settings = self.settings_at(row["seq"])
        if row["trigger"] == "open":
            return self.engine.decide_open(case.id, actor, params, row["at"], settings)
        if case.state is None:
            raise ValueError("the case was never opened")
        current = Case(case.id, case.state, case.version, case.facts)
        group = self.group(case, row) if row["trigger"] == "hand_over" else None
        return self.engine.decide(current, row["trigger"], actor, params, row["at"], settings,
                                  group, row["group_id"])

    def group(self, case: _Rebuilt, row: Mapping[str, Any]) -> dict[int, Any]:
        """The handover group as the guard saw it: this case and the case it accompanies,
        if that case was in the same group (its facts from its own rows)."""
        group: dict[int, Any] = {case.id: case.facts}
        parent = case.facts.get("accompanies")
        if isinstance(parent, int):
            facts = self.facts_in_group(parent, row["group_id"])
            if facts is not None:
                group[parent] = facts
        return group

    def facts_in_group(self, case_id: int, group_id: int | None) -> dict[str, Any] | None:
        facts: dict[str, Any] = {}
        found = False
        for row in self.store.audit(case_id=case_id):  # read to the end: a case's rows are few
            found = found or (row["trigger"] == "hand_over" and row["group_id"] == group_id
                              and row["outcome"] == "applied")  # a refused group's id recurs
            if row["outcome"] == "applied" and not found:
                for key, change in _changes(row).items():
                    facts[key] = change[1]
        return facts if found else None

    def apply(self, case: _Rebuilt, row: Mapping[str, Any]) -> None:
        seq, version = row["seq"], row["case_version"]
        if version != case.version + 1:
            self.problem(seq, case.id, "case", f"version {version} follows "
                         f"version {case.version}")
            version = version if isinstance(version, int) else case.version + 1
        try:
            changes = _changes(row)
        except (json.JSONDecodeError, ValueError, TypeError):
            self.problem(seq, case.id, "case", "the row's changes cannot be read")
            changes = {}
        for key, (old, new) in changes.items():
            if case.facts.get(key) != old:
                self.problem(seq, case.id, "case", f"the row changes {key} from {old!r}, but "
                             f"the rows before leave it {case.facts.get(key)!r}")
            case.facts[key] = new
        case.state, case.version = row["target"], version
        case.updated_at = row["recorded_at"]

    def compare(self, case: _Rebuilt, stored: Mapping[str, Any]) -> None:
        found = []
        if stored["state"] != case.state:
            found.append(f"state is {stored['state']}, its rows give {case.state}")
        if stored["version"] != case.version:
            found.append(f"version is {stored['version']}, its rows give {case.version}")
        facts = stored["facts"] if isinstance(stored["facts"], dict) else {"(unreadable)": True}
        differ = _differing(facts, case.facts)
        if differ:
            found.append(f"facts {', '.join(differ)} differ from its rows")
        flagged = bool(open_guidance(case.facts))
        columns = {"name": case.facts.get("name"), "native_name": case.facts.get("native_name"),
                   "opened_on": case.facts.get("opened_on"), "flagged": flagged,
                   "updated_at": case.updated_at}
        found += [f"column {k} is {stored[k]!r}, its rows give {v!r}"
                  for k, v in columns.items() if stored[k] != v]
        if found:
            self.problem(case.last_seq, case.id, "case",
                         f"case {case.id}'s stored row disagrees with its audit rows: "
                         + "; ".join(found))

    # 3. set-up tables ----------------------------------------------------------------

    def check_tables(self) -> None:
        chained = {n: v for n, v in (self.setting_values[-1] if self.setting_values else
                                     {}).items()}
        stored = self.store.stored_settings()
        for name in sorted(set(chained) | set(stored)):
            want = chained.get(name, self.defaults.get(name))
            if stored.get(name, self.defaults.get(name)) != want:
                self.problem(None, None, "setup", f"setting {name} is {stored.get(name)!r} in "
                             f"the settings table, the trail says {want!r}")
        actors = {a["name"]: a["role"] for a in self.store.actors()}
        chained_actors = {n: r for n, (r, _) in self.actors.items()}
        if actors != chained_actors:
            differ = sorted(n for n in set(actors) | set(chained_actors)
                            if actors.get(n) != chained_actors.get(n))
            self.problem(None, None, "setup", f"the actors table disagrees with the trail "
                         f"for {', '.join(differ)}")

    def check_counts(self) -> None:
        """The report counts kept by triggers (schema 3) against a recount of the trail."""
        states = self.engine.policy.state_names
        pairs = (("month", "report_months", lambda: self.store.count_by_month(states),
                  lambda: self.store.recount_by_month(states)),
                 ("clause", "report_clauses", self.store.count_by_clause,
                  self.store.recount_by_clause))
        for by, table, count, recount in pairs:
            try:
                same = count() == recount()
            except WorkflowError as error:  # e.g. a row's clauses are not JSON any more
                self.problem(None, None, "counts", f"cannot recount by {by}: {error}")
                continue
            if not same:
                self.problem(None, None, "counts", f"the kept counts by {by} ({table}) "
                             "disagree with a recount of the trail")

    # in parallel -------------------------------------------------------------------

    def in_parallel(self, head: Mapping[str, Any], setup: list[dict[str, Any]],
                    workers: int) -> bool:
        """Run the chain and the cases (in id ranges) in worker processes, each on its own
        connection. False if that cannot be done (a memory database, a trail written to
        meanwhile): the caller then runs them here, in this one snapshot."""
        last_case = self.store.next_case_id() - 1
        if self.store.path == ":memory:" or not head["rows"]:
            return False
        step = max(1, -(-last_case // (3 * workers)))
        ranges = [(lo, lo + step - 1) for lo in range(1, max(last_case, 1) + 1, step)]
        ranges[-1] = (ranges[-1][0], _NO_CASE_ABOVE)
        tasks: list[tuple[int, int] | None] = [None, *ranges]  # None: the chain
        job = functools.partial(_work, self.store.path, self.engine.policy, head, setup,
                                self.limit)
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            results = pool.map(job, tasks, chunksize=1)
        done = [r for r in results if r is not None]
        if len(done) < len(results):
            return False
        for result in done:
            self.merge(result)
        return True

    def merge(self, other: Mapping[str, Any]) -> None:
        self.rows += other["rows"]
        self.cases += other["cases"]
        self.problem_count += other["problem_count"]
        room = max(0, self.limit - len(self.problems))
        self.problems += other["problems"][:room]
        for key, (first, count) in other["other_policies"].items():
            mine = self.other_policies.get(key, (first, 0))
            self.other_policies[key] = (min(first, mine[0]), count + mine[1])

    # checkpoint ----------------------------------------------------------------------

    def check_checkpoint(self, checkpoint: Mapping[str, Any], head: Mapping[str, Any]) -> None:
        rows, seq, digest = checkpoint["rows"], checkpoint["seq"], checkpoint["hash"]
        taken = f"the checkpoint of {checkpoint.get('at', '?')}"
        if head["rows"] < rows:
            self.problem(head["seq"] or None, None, "checkpoint",
                         f"truncated: {taken} holds {rows} rows up to seq {seq}; the "
                         f"database has {head['rows']} up to seq {head['seq']}")
        if not seq:
            return
        row = self.store.audit_row(seq)
        if row is None:
            self.problem(seq, None, "checkpoint",
                         f"row {seq}, the head of {taken}, is missing")
        elif row["hash"] != digest:
            self.problem(seq, row["case_id"], "checkpoint",
                         f"row {seq} differs from {taken} (hash {row['hash'][:12]}..., "
                         f"checkpoint {str(digest)[:12]}...): the trail was rewritten or "
                         "rolled back to another copy")


def _work(path: str, policy: Any, head: Mapping[str, Any], setup: list[dict[str, Any]],
          limit: int, cases: tuple[int, int] | None) -> dict[str, Any] | None:
    """In a worker process: the chain (``cases`` None) or one range of cases. None if
    the trail is not the one the parent saw (written to since)."""
    from store import open_store

    store = open_store(path)
    try:
        verifier = Verifier(store, Engine(policy), limit=limit)
        verifier.read_setup(setup)
        with store.read():
            if store.head() != head:
                return None
            if cases is None:
                verifier.check_chain()
            else:
                verifier.check_cases(cases)
        return {"rows": verifier.rows, "cases": verifier.cases,
                "problem_count": verifier.problem_count, "problems": verifier.problems,
                "other_policies": verifier.other_policies}
    finally:
        store.close()


class _Peek:
    """An iterator with one item of look-ahead."""

    def __init__(self, items: Iterator[dict[str, Any]]) -> None:
        self._items = items
        self.next: dict[str, Any] | None = next(items, None)

    def pop(self) -> dict[str, Any]:
        item = self.next
        assert item is not None
        self.next = next(self._items, None)
        return item


def _differences(decision: Any, mine: list[Any], row: Mapping[str, Any]) -> list[str]:
    """What a re-run decision gives that the row does not record, in words."""
    out = []
    if (decision.target or None) != row["target"]:
        out.append(f"target {decision.target}, the row records {row['target']}")
    changes, clauses, guards = mine
    recorded_changes = json.loads(row["changes"])
    keys = sorted(k for k in set(changes) | set(recorded_changes)
                  if dumps(changes.get(k)) != dumps(recorded_changes.get(k)))
    if keys:
        out.append(f"changes to {', '.join(keys)}")
    if dumps(clauses) != row["clauses"]:
        out.append(f"clauses [{', '.join(clauses)}], the row records "
                   f"[{', '.join(json.loads(row['clauses']))}]")
    recorded_guards = {g.get("guard"): g for g in json.loads(row["guards"])}
    names = [g["guard"] for g in guards]
    if names != list(recorded_guards):
        out.append(f"guards [{', '.join(names)}], the row records "
                   f"[{', '.join(map(str, recorded_guards))}]")
    else:
        out += [f"guard {g['guard']} gives {g['reason']!r}, the row records "
                f"{recorded_guards[g['guard']].get('reason')!r}"
                for g in guards if dumps(g) != dumps(recorded_guards[g["guard"]])]
    return out


def _changes(row: Mapping[str, Any]) -> dict[str, Any]:
    changes = json.loads(row["changes"])
    if not isinstance(changes, dict) or not all(
            isinstance(v, list) and len(v) == 2 for v in changes.values()):
        raise ValueError("malformed changes")
    return changes


def _differing(stored: Mapping[str, Any], rebuilt: Mapping[str, Any]) -> list[str]:
    """Facts that differ; a fact absent and a fact set to null are the same."""
    keys = set(stored) | set(rebuilt)
    return sorted(k for k in keys if stored.get(k) != rebuilt.get(k))


def _message(error: Exception) -> str:
    if isinstance(error, WorkflowError):
        return error.one_line()
    return f"{type(error).__name__}: {error}"


def _json_fields_valid(row: Mapping[str, Any]) -> bool:
    """The chain embeds the JSON fields' stored texts raw: the hash pins a row down only
    while each of them is one valid JSON value."""
    try:
        for name in JSON_FIELDS:
            json.loads(row[name])
    except (json.JSONDecodeError, TypeError):
        return False
    return True
