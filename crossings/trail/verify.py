"""Verification of the signed audit trail, in streamed passes.

1. **The chain**, in ``seq`` order, from each row's links alone: sequence numbers
   contiguous from 1, each row's ``prev_hash`` the hash of the row before, ``recorded_at``
   never going backwards. The set-up rows are read first (``registry``): who was
   registered when, with which role and key, and which settings held at every ``seq``;
   the first row must register the first administrator, signed by the key it registers,
   and (``--admin``) that key must be the one the user kept.
2. **The cases** (``rebuild``): each rebuilt from its own rows, compared with its stored
   row, every applied event re-run through the engine. Every row's content is checked
   once, with its case (set-up rows with the chain): its ``hash`` recomputed from it, and
   its signature against the key its actor had at that row, from one encoding; and the
   rows so checked must be the rows the chain lists (``check_coverage``).
3. **The tables and the schema**: the actors and settings tables as the trail says, the
   report counts as a recount says, the name index as the cases' names say (each name
   there and none else, folded and keyed as this code does), and every table, view, index
   and trigger exactly as the code creates it (a planted trigger or a redefined view is named).

Each event is re-run under the policy its row names (``id@version``: the policy its case
was handled under then). Rows recorded under a policy this code does not know cannot be
re-run: they are reported once, counted, rather than as one divergence each. From ``PARALLEL_ROWS`` rows the
chain, ranges of cases and the tables are checked in worker processes (``parallel``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import zlib
from json.scanner import make_scanner
from typing import Any, Callable, Iterable, Mapping

from store import Store, open_store
from workflow import Engine, WorkflowError
from workflow.audit import GENESIS, JSON_FIELDS, canonical_bytes
from workflow.office import office_defaults
from workflow.policies import CATALOGUE, POLICIES
from workflow.record import Record, fields

from ..keys import fingerprint, verifier
from .checkpoint import check_checkpoint
from .parallel import CHAIN, REST, Task, auto_workers, in_parallel
from .rebuild import CaseChecks
from .registry import Registry

MAX_PROBLEMS = 1000  # kept in the report; the count goes on beyond


class VerifyReport(Record):
    """What ``verify`` found: counts, the trail's head, and every problem (up to a limit)
    with the row's seq, the case, which check, and what is wrong."""
    database: str
    ok: bool
    rows: int
    cases: int
    head: dict[str, Any]
    admin: dict[str, Any] | None  # the first administrator: name, key fingerprint
    checkpoint: dict[str, Any] | None
    problem_count: int
    problems: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return copy.deepcopy({name: getattr(self, name) for name in fields(self)})


class Verifier:
    def __init__(self, store: Store, *, limit: int | None = None) -> None:
        self.store = store
        self.limit = MAX_PROBLEMS if limit is None else limit
        self.problems: list[dict[str, Any]] = []
        self.problem_count = 0
        self.rows = 0
        self.cases = 0
        self.defaults = office_defaults()
        for known in POLICIES.values():
            self.defaults = {**known.defaults(), **self.defaults}
        self.registry = Registry(self.defaults)
        self._checkers: dict[str, Callable[[bytes, str], bool]] = {}  # public key -> checker
        self._engines: dict[tuple[str, str], Engine | None] = {}
        self.other_policies: dict[str, tuple[int, int]] = {}  # "id@version" -> (first seq, count)
        self.setup: list[Mapping[str, Any]] = []  # the rows with no case (read_setup)
        # Rows with a case as the links list them and as their content was checked, and
        # rows without (count, sum of seqs): check_coverage compares them.
        self.linked, self.checked = [0, 0, 0], [0, 0, 0]
        self.setup_links = [0, 0]

    def engine_for(self, policy_id: str, version: str) -> Engine | None:
        """The engine of the policy a row names (former ids resolved); None for a policy
        this code does not know."""
        pair = (str(policy_id), str(version))
        if pair not in self._engines:
            known = POLICIES.get(CATALOGUE.resolve(*pair))
            self._engines[pair] = Engine(known) if known is not None else None
        return self._engines[pair]

    def problem(self, seq: int | None, case: int | None, check: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < self.limit:
            self.problems.append({"seq": seq, "case": case, "check": check, "message": message})

    def run(self, checkpoint: Mapping[str, Any] | None = None, workers: int | None = None,
            *, admin: str | None = None) -> VerifyReport:
        """Verify; ``workers`` processes (default: several for a large trail, else one);
        ADMIN: the first administrator's key fingerprint, as kept by the user."""
        with self.store.read():
            head = self.store.head()
            if workers is None:
                workers = auto_workers(head["rows"])
            setup = list(self.store.audit_stream(order="setup"))  # few: actors, settings
            self.read_setup(setup)
            self.check_first(admin)
            found = in_parallel(self, work, head, setup, workers) if workers > 1 else None
            if found is None:
                self.check_chain()
                CaseChecks(self).check_cases()
                self.check_coverage()
                self.report_other_policies()
                self.check_rest()
            else:  # in the order one process finds them
                passes, rest = found
                for result in passes:
                    self.merge(result)
                self.check_coverage()
                self.report_other_policies()
                self.merge(rest)
            if checkpoint is not None:
                check_checkpoint(self.store, checkpoint, head, self.registry.database,
                                 self.registry.key_at, self.problem)
        first = self.registry.first
        return VerifyReport(
            self.store.path, self.problem_count == 0, self.rows, self.cases, head,
            {"name": first.name, "fingerprint": fingerprint(first.public_key)} if first else None,
            dict(checkpoint) if checkpoint is not None else None, self.problem_count,
            self.problems)

    # 1. the chain --------------------------------------------------------------------

    def check_chain(self) -> None:
        """The links, from each row's seq, prev_hash, hash and recorded_at alone (each
        case row's content is hashed with its case, ``check_row``); the set-up rows whole."""
        expected, prev, recorded = 1, GENESIS, ""
        setup = self.setup_links
        for seq, case_id, prev_hash, hash_, recorded_at in self.store.audit_links():
            if case_id is None:
                setup[0], setup[1] = setup[0] + 1, setup[1] + seq
            else:
                _tally(self.linked, seq, hash_)
            recorded_at = str(recorded_at)
            if recorded_at < recorded:
                self.problem(seq, case_id, "chain", f"recorded at {recorded_at}, "
                             f"before the row before it ({recorded}): time ran backwards")
            else:
                recorded = recorded_at
            if seq != expected:
                gone = f"row {expected} is" if seq == expected + 1 else \
                    f"rows {expected} to {seq - 1} are"
                self.problem(seq, case_id, "chain",
                             f"{gone} missing (seq jumps from {expected - 1} to {seq})")
            if prev_hash != prev:
                self.problem(seq, case_id, "chain",
                             f"prev_hash does not match the hash of the row before (seq {expected - 1})")
            prev, expected = hash_, seq + 1
            self.rows += 1
        for row in self.setup:
            self.check_row(row)

    def check_row(self, row: Mapping[str, Any]) -> None:
        """One row's content: its hash recomputed from it, its JSON fields each one value,
        and its signature (``check_actor``), from one canonical encoding."""
        data = canonical_bytes(row)
        if hashlib.sha256(data).hexdigest() != row["hash"]:
            self.problem(row["seq"], row["case_id"], "chain",
                         "hash does not match the row's content: the row was altered")
        elif not _json_fields_valid(row):
            self.problem(row["seq"], row["case_id"], "chain",
                         "a JSON field of the row is not valid JSON: the row was altered")
        self.check_actor(row, data)
        if row["case_id"] is not None:
            _tally(self.checked, row["seq"], row["hash"])

    def check_coverage(self) -> None:
        """Every row the chain's links list had its content checked: the rows of cases as
        the case pass read them, the others as the set-up rows read first. (They are read
        by other queries, through the case index: a row left out of a damaged index would
        otherwise go unhashed.)"""
        setup = [len(self.setup), sum(int(r["seq"]) for r in self.setup)]
        if self.setup_links != setup or self.linked != self.checked:
            missed = self.linked[0] - self.checked[0] + self.setup_links[0] - setup[0]
            self.problem(None, None, "chain", f"the rows read with their cases and as set-up "
                         f"rows are not the rows of the chain ({missed:+d}): the audit table "
                         "or its index is damaged (PRAGMA integrity_check names which)")

    def read_setup(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """The set-up rows (no case): who was registered when, with which key and role,
        and which settings held at every seq. Their hashes are checked with the chain."""
        self.setup = list(rows)
        self.registry.read(self.setup, self.problem)

    def check_first(self, admin: str | None) -> None:
        """The first row registers the first administrator; ADMIN, if given, is the
        fingerprint of the key it must register."""
        first_row = self.store.first_row()
        for found in self.registry.first_problems(first_row):
            self.problem(1, None, "admin", found)
        first = self.registry.first
        if admin is not None and (first is None or fingerprint(first.public_key) != admin):
            held = fingerprint(first.public_key) if first else "no key"
            self.problem(1, None, "admin", f"the first administrator's key is {held}, not "
                         f"{admin}: this trail was made under another administrator")

    def settings_at(self, seq: int) -> dict[str, Any]:
        return self.registry.settings_at(seq)

    def check_actor(self, row: Mapping[str, Any], data: bytes) -> None:
        """The row's actor was registered, in the row's role, before the row, and not yet
        retired; and the row is signed by the key they had then."""
        seq, case = row["seq"], row["case_id"]
        registered = self.registry.at(str(row["actor"]), seq)
        if registered is None:
            self.problem(seq, case, "signature", f"actor {row['actor']} was not a registered, "
                         "active actor at this row")
            return
        if registered.role != row["role"]:
            self.problem(seq, case, "signature", f"actor {row['actor']} is registered as "
                         f"{registered.role}, the row says {row['role']}")
        check = self._checkers.get(registered.public_key)
        if check is None:
            check = self._checkers[registered.public_key] = verifier(registered.public_key)
        if not check(data, str(row["signature"])):
            self.problem(seq, case, "signature", f"the row is not signed by {row['actor']}'s "
                         "key: it was forged or altered")

    def other_policy(self, row: Mapping[str, Any]) -> None:
        """A row recorded under another policy (or version): this code cannot re-run it."""
        key = f"{row['policy']}@{row['policy_version']}"
        first, count = self.other_policies.get(key, (row["seq"], 0))
        self.other_policies[key] = (min(first, row["seq"]), count + 1)

    def report_other_policies(self) -> None:
        for key, (first, count) in sorted(self.other_policies.items()):
            self.problem(first, None, "policy", f"{count} applied row(s) were recorded under "
                         f"policy {key} (the first at seq {first}), which this crossings does "
                         f"not know (it knows {', '.join(POLICIES)}): their guards cannot be "
                         "re-run")

    # 3. set-up tables and counts -----------------------------------------------------

    def check_rest(self) -> None:
        """Pass 3: the tables and the schema."""
        self.check_tables()
        self.check_counts()
        for found in self.store.name_index_problems():
            self.problem(None, None, "names", found)
        for found in self.store.schema_problems():
            self.problem(None, None, "schema", found)

    def check_tables(self) -> None:
        chained = self.registry.settings_now()
        stored = self.store.stored_settings()
        for name in sorted(set(chained) | set(stored)):
            want = chained.get(name, self.defaults.get(name))
            if stored.get(name, self.defaults.get(name)) != want:
                self.problem(None, None, "setup", f"setting {name} is {stored.get(name)!r} in "
                             f"the settings table, the trail says {want!r}")
        keys = ("role", "public_key", "added_at", "retired_at")
        actors = {a["name"]: tuple(a[k] for k in keys) for a in self.store.actors()}
        chained_actors = {n: tuple(getattr(r, k) for k in keys)
                          for n, r in self.registry.actors.items()}
        if actors != chained_actors:
            differ = sorted(n for n in set(actors) | set(chained_actors)
                            if actors.get(n) != chained_actors.get(n))
            self.problem(None, None, "setup", f"the actors table disagrees with the trail "
                         f"for {', '.join(differ)}")

    def check_counts(self) -> None:
        """The report counts kept at write time against a recount of the trail."""
        states = [s for p in CATALOGUE.policies for s in p.state_names]
        states = list(dict.fromkeys(states))
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

    def merge(self, other: Mapping[str, Any]) -> None:
        """The findings of a worker process (``parallel``)."""
        self.rows += other["rows"]
        for tally, theirs in ((self.linked, other["linked"]), (self.checked, other["checked"]),
                              (self.setup_links, other["setup_links"])):
            tally[:] = [a + b for a, b in zip(tally, theirs)]
        self.cases += other["cases"]
        self.problem_count += other["problem_count"]
        room = max(0, self.limit - len(self.problems))
        self.problems += other["problems"][:room]
        for key, (first, count) in other["other_policies"].items():
            mine = self.other_policies.get(key, (first, 0))
            self.other_policies[key] = (min(first, mine[0]), count + mine[1])


# json.loads less its wrapping (about a third of a small field's cost): the C scanner
# json's decoder reads a value with, (value, end) or StopIteration. (typeshed types
# make_scanner as a class of its own.)
_scan_once: Callable[[str, int], tuple[Any, int]] = \
    make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def _json_fields_valid(row: Mapping[str, Any]) -> bool:
    """The chain embeds the JSON fields' stored texts raw: the hash pins a row down only
    while each of them is one valid JSON value. (A text the scanner reads to its end is
    one; any other, such as one with spaces around it, is left to ``json.loads``.)"""
    for name in JSON_FIELDS:
        text = row[name]
        try:
            if _scan_once(text, 0)[1] == len(text):
                continue
        except (StopIteration, TypeError, ValueError):
            pass
        try:
            json.loads(text)
        except (json.JSONDecodeError, TypeError):
            return False
    return True


def _tally(into: list[int], seq: Any, hash_: Any) -> None:
    """Count a row, and add its seq and a checksum of its stored hash (the same in every
    process, unlike hash())."""
    into[0] += 1
    into[1] += int(seq)
    into[2] += zlib.crc32(str(hash_).encode())


def work(path: str, head: Mapping[str, Any], setup: list[dict[str, Any]],
         limit: int, task: Task) -> dict[str, Any] | None:
    """In a worker process: the chain (``CHAIN``), one range of cases (a pair of ids), or
    the tables and the schema (``REST``). None if the trail is not the one the parent saw
    (written to since)."""
    store = open_store(path, CATALOGUE)
    try:
        verifier = Verifier(store, limit=limit)
        verifier.read_setup(setup)
        with store.read():
            if store.head() != head:
                return None
            if task == CHAIN:
                if list(store.audit_stream(order="setup")) != setup:
                    return None  # a set-up row changed since the parent read them
                verifier.check_chain()
            elif task == REST:
                verifier.check_rest()
            elif isinstance(task, tuple):
                CaseChecks(verifier).check_cases(task)
        return {"rows": verifier.rows, "cases": verifier.cases, "linked": verifier.linked,
                "checked": verifier.checked, "setup_links": verifier.setup_links,
                "problem_count": verifier.problem_count, "problems": verifier.problems,
                "other_policies": verifier.other_policies}
    finally:
        store.close()
