"""Importing an archival list: one new case per row of a CSV file (``crossings import``).

The header names the opening trigger's options, as a scenario file's events do (name,
native_name, crossed_on, place, accompanies, alias, note, source); ``--map COLUMN=OPTION``
renames a column; a column ``at`` (the detention date) or ``source`` overrides the
command's ``--at`` or ``--source`` for its row; a cell of an option of several names
holds them separated by ``;``, and a column ``aliases`` is read as that option. Headers are read case-insensitively,
with spaces and hyphens as underscores (``Native Name`` is native_name). An empty cell is
a value not given. An unknown column is an error naming it: a column is never dropped
silently.

Every row is checked first by the scenario checker (``check.Checker``, the same
validation a replayed event gets), then all rows are opened in one ``Service.batch()``:
all or nothing. Every bad row is reported as ``FILE:LINE: problem`` (the line where its
record starts) before anything is kept. The file is UTF-8, with or without a byte order
mark, at most ``limits.MAX_BYTES`` and ``MAX_ROWS`` rows; ``--dry-run`` runs every row in
the batch and rolls it back.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Iterator, Sequence

from workflow import InvalidInput, StoreError, UsageError, WorkflowError
from workflow.policy import ALIASES
from workflow.record import Record, field
from workflow.values import parse_approx_date, parse_case_id

from ..service import Command, Service
from ..service.progress import Progress, quiet
from .check import _BAD, Checker
from .limits import FileRefused, read_bytes_bounded
from .loader import LocDict
from .model import Problem

MAX_ROWS = 500_000
"""The most rows an import takes (a list of 100,000 names is about 8 MB)."""

DATE, SOURCE, SEPARATOR = "at", "source", ";"  # SEPARATOR: between names in one cell


class ImportRefused(WorkflowError):
    """A file that cannot be imported: every problem, FILE:LINE each; nothing kept."""

    def __init__(self, problems: list[Problem], message: str) -> None:
        self.problems = problems
        super().__init__(message)


class Imported(Record, frozen=False):
    """What an import did (or, dry, would do): the file, the rows, the case ids."""
    file: str
    rows: int
    case_ids: list[int] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        span = (f"{self.case_ids[0]}-{self.case_ids[-1]}" if len(self.case_ids) > 1 else
                str(self.case_ids[0]) if self.case_ids else "(none)")
        if self.dry_run:
            return (f"checked {self.rows} row(s) of {self.file}: would open case(s) {span}; "
                    "nothing written (--dry-run)")
        return f"opened {len(self.case_ids)} case(s) from {self.file}: {span}"

    def as_dict(self) -> dict[str, Any]:
        first, last = (self.case_ids[0], self.case_ids[-1]) if self.case_ids else (None, None)
        return {"file": self.file, "rows": self.rows, "count": len(self.case_ids),
                "first": first, "last": last, "dry_run": self.dry_run}


def column_name(text: str) -> str:
    """A header as an option's name: trimmed, lower case, spaces and hyphens as ``_``."""
    return "_".join(text.strip().lower().replace("-", " ").split())


def parse_maps(maps: Sequence[str]) -> dict[str, str]:
    """``--map COLUMN=OPTION`` pairs, by the column's header as read."""
    out: dict[str, str] = {}
    for item in maps:
        column, sep, option = item.partition("=")
        if not sep or not column.strip() or not option.strip():
            raise UsageError(f"--map: {item!r} is not COLUMN=OPTION")
        out[column_name(column)] = column_name(option)
    return out


def read_rows(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    """The file's records with the line each starts on; UTF-8 with or without a BOM."""
    source = str(path)
    try:
        data = read_bytes_bounded(path, "a CSV file to import")
        text = data.decode("utf-8-sig")
    except FileRefused as refused:
        raise _refused([Problem(source, None, refused.message)]) from None
    except UnicodeDecodeError as error:
        raise _refused([Problem(source, None, f"not UTF-8 text (byte {error.start}: "
                                              f"{error.object[error.start]:#04x})")]) from None
    except OSError as error:
        raise _refused([Problem(source, None, f"cannot read the file: {error.strerror}")]) \
            from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for record in reader:
            if len(record) > 1 or (record and record[0].strip()):
                yield start, record
            start = reader.line_num + 1
    except csv.Error as error:
        raise _refused([Problem(source, reader.line_num, f"not valid CSV: {error}")]) from None


def _refused(problems: list[Problem]) -> ImportRefused:
    files = {p.file for p in problems}
    lines = sorted({p.line for p in problems if p.line})
    where = f" (line {', '.join(map(str, lines[:10]))}{', ...' if len(lines) > 10 else ''})" \
        if lines else ""
    return ImportRefused(problems, f"nothing imported: {len(problems)} problem(s) in "
                                   f"{', '.join(sorted(files))}{where}")


class _RowChecker(Checker):
    """The scenario checker for rows: each row a new case, in any date order; a case
    option names an existing case by its id (there are no labels in a list)."""

    def in_order(self, at: str, line: int | None) -> None:
        return None

    def param(self, trigger: Any, key: str, value: Any, line: int | None) -> Any:
        option = self.policy.option(trigger, key)
        if option is not None and option.kind == "case" and value is not None:
            try:
                return parse_case_id(str(value), option=key)
            except InvalidInput as error:
                self.problem(line, error.one_line())
                return _BAD
        return super().param(trigger, key, value, line)


class Importer:
    """One file's rows, checked and turned into commands for a Service."""

    def __init__(self, service: Service, path: str | Path, actor: str | None, *,
                 at: str | None = None, source: str | None = None,
                 maps: Sequence[str] = (), policy: str | None = None) -> None:
        self.service, self.file, self.policy_key = service, str(path), policy
        self.policy = service.policy if policy is None else _policy(policy)
        self.trigger = self.policy.opening
        who = service.actor(actor)
        if who.role not in self.trigger.roles:
            raise InvalidInput(service.engine(self.policy).role_reason(self.trigger, who))
        self.actor = who.name
        self.at, self.source, self.maps = self._date(at), source, parse_maps(maps)
        self.checker = _RowChecker(self.file, self.policy)
        self.several = {p.name for p in self.trigger.params if p.kind == "names"}
        self.checker.actors[who.name] = who.role

    def _date(self, at: str | None) -> str | None:
        """--at as a date; without it, today where the office dates events so, else none
        (each row must then carry its own)."""
        try:
            return self.service._event_date(at)
        except UsageError:
            return None

    def columns(self, header: list[str], line: int) -> list[str]:
        """The option each column sets; every unknown or missing column a problem."""
        known = {*self.policy.option_names(self.trigger), DATE}
        plural = {ALIASES: min(self.several)} if self.several else {}  # the names option
        named = [self.maps.get(column_name(h), column_name(h)) for h in header]
        named = [plural.get(n, n) for n in named]
        unknown = [h for h, n in zip(header, named) if n not in known]
        if unknown:
            self.checker.problem(line, f"unknown column(s) {', '.join(map(repr, unknown))}; "
                                 f"columns: {', '.join(sorted(known))} (or --map COLUMN=OPTION)")
        missing = [m for m in self.maps if m not in {column_name(h) for h in header}]
        if missing:
            self.checker.problem(line, f"--map names column(s) the file does not have: "
                                 f"{', '.join(missing)}")
        twice = sorted({n for n in named if named.count(n) > 1})
        if twice:
            self.checker.problem(line, f"two columns set {', '.join(twice)}")
        for option in self.policy.missing_options(self.trigger, dict.fromkeys(named)):
            self.checker.problem(line, f"no column for {option.name}, which {self.trigger.name} "
                                 "needs")
        return named

    def event_data(self, line: int, named: list[str], record: list[str]) -> LocDict | None:
        if len(record) != len(named):
            self.checker.problem(line, f"{len(record)} field(s), the header has {len(named)}")
            return None
        cells: dict[str, Any] = {n: v for n, v in zip(named, record) if v.strip()}
        for name in self.several & cells.keys():  # several names in one cell
            cells[name] = [a.strip() for a in cells[name].split(SEPARATOR) if a.strip()]
        cells.setdefault(DATE, self.at)
        if self.source is not None:
            cells.setdefault(SOURCE, self.source)
        if cells[DATE] is None:
            self.checker.problem(line, "no date: give --at DATE or an 'at' column")
            return None
        data = LocDict({**cells, "by": self.actor, "do": self.trigger.name,
                        "case": f"line {line}"})
        data.line, data.lines, data.duplicates = line, dict.fromkeys(data, line), []
        return data

    def events(self, rows: Iterator[tuple[int, list[str]]]) -> list[Any]:
        """Every row checked (all problems collected), as the checker's events."""
        first = next(rows, None)
        if first is None:
            raise _refused([Problem(self.file, None, "the file is empty: no header")])
        named = self.columns(first[1], first[0])
        if self.checker.problems:  # every row would fail alike: the header's problems only
            raise _refused(self.checker.problems)
        out = []
        for count, (line, record) in enumerate(rows, 1):
            if count > MAX_ROWS:
                self.checker.problem(line, f"more than {MAX_ROWS:,} rows: split the file")
                break
            data = self.event_data(line, named, record)
            event = self.checker.event(data, line) if data is not None else None
            if event is not None and self._dated(event, line):
                out.append(event)
        if self.checker.problems:
            raise _refused(self.checker.problems)
        return out

    def _dated(self, event: Any, line: int) -> bool:
        """A crossing cannot be dated after the detention (as Commands checks it)."""
        for fact, value in self.policy.dated_facts(self.trigger, event.params):
            if parse_approx_date(value).earliest > event.at:
                self.checker.problem(line, f"{fact.flag}: {value} is after {fact.by_opening} "
                                     f"{event.at}")
                return False
        return True

    def run(self, events: list[Any], dry_run: bool, progress: Progress) -> Imported:
        result = Imported(self.file, len(events), dry_run=dry_run)
        problems: list[Problem] = []
        try:
            with self.service.batch():
                for event in progress(events, f"importing {self.file}", len(events)):
                    try:
                        case = self.service.run(Command(event.do, (), event.by, event.at,
                                                        event.params, policy=self.policy_key))
                    except StoreError as error:  # the batch is lost: nothing more can run
                        problems.append(Problem(self.file, event.line, error.one_line()))
                        break
                    except WorkflowError as error:
                        problems.append(Problem(self.file, event.line, error.one_line()))
                        continue
                    result.case_ids.append(case.case.id)
                if problems or dry_run:
                    raise _RolledBack()
        except _RolledBack:
            if problems:
                raise _refused(problems) from None
        return result


class _RolledBack(Exception):
    """Raised inside the batch to roll it back (a bad row, or a dry run)."""


def _policy(key: str) -> Any:
    from workflow import policies

    return policies.get(key)


def import_file(service: Service, path: str | Path, actor: str | None, *,
                at: str | None = None, source: str | None = None,
                maps: Sequence[str] = (), dry_run: bool = False, policy: str | None = None,
                progress: Progress = quiet) -> Imported:
    """Open one case per row of the CSV file at PATH, by ACTOR, all or nothing. Raises
    ImportRefused listing every bad row (FILE:LINE) before anything is kept."""
    importer = Importer(service, path, actor, at=at, source=source, maps=maps, policy=policy)
    events = importer.events(read_rows(path))
    return importer.run(events, dry_run, progress)
