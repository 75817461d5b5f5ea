"""Policies over time: whatif, migrate, void (``crossings.service.versions``)."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Iterator

import click

from ..render.escape import json_safe
from ..render.tables import csv_text, json_text
from ..render.whatif import CSV_COLUMNS, csv_row, note, skipped_lines, summary_lines
from .base import actor_option, db_option, emit_json, say, service
from .types import CASE_ID

_CHUNK = 1000


class _Out:
    """Each case's findings written as it is found (memory stays flat), then a summary."""

    def __init__(self, fmt: str | None, key: str) -> None:
        self.fmt, self.key = fmt, key
        self.total = self.same = 0
        self.totals: Counter[Any] = Counter()
        self.chunk: list[dict[str, Any]] = []
        self.first = True

    def add(self, run: dict[str, Any]) -> None:
        self.total += 1
        if self.key == "whatif":
            self.same += bool(run["equal"])
            self.totals[(run["recorded_state"], run["candidate_state"])] += 1
        else:
            self.totals[run["result"]] += 1
        if self.fmt == "json":
            click.echo(("{\n  \"cases\": [\n" if self.first else ",\n")
                       + json_safe(json_text(run)), nl=False)
            self.first = False
        elif self.fmt == "csv":
            self.chunk.append(csv_row(run) if self.key == "whatif" else run)
            if len(self.chunk) >= _CHUNK:
                self.flush()
        else:
            for line in _lines(run, self.key):
                click.echo(line)

    def flush(self) -> None:
        columns = CSV_COLUMNS if self.key == "whatif" else _MIGRATE_COLUMNS
        text = csv_text(self.chunk, columns)
        click.echo(text if self.first else text.split("\n", 1)[1], nl=False)
        self.chunk, self.first = [], False

    def close(self) -> None:
        if self.fmt == "json":
            counted: Any = dict(self.totals) if self.key != "whatif" else [
                {"from": a, "to": b, "cases": n} for (a, b), n in sorted(self.totals.items(),
                                                                        key=str)]
            opening = "{\n  \"cases\": [" if self.first else ""
            click.echo(f"{opening}\n  ],\n  \"summary\": {json_safe(json_text(counted))}\n}}")
        elif self.fmt == "csv":
            self.flush()
        elif self.key == "whatif":
            for line in summary_lines(self.totals, self.total, self.same):
                click.echo(line)
        else:
            say(f"summary: {self.total} case(s): " + ", ".join(
                f"{n} {result}" for result, n in sorted(self.totals.items())))


def _stream(runs: Iterable[dict[str, Any]], fmt: str | None, key: str) -> None:
    out = _Out(fmt, key)
    for run in runs:
        out.add(run)
    out.close()


_MIGRATE_COLUMNS = ("case", "name", "from", "to", "state", "result")


def _lines(run: dict[str, Any], key: str) -> list[str]:
    if key == "whatif":
        if run["equal"] and run["recorded_state"] == run["candidate_state"]:
            return []
        return [note(run), *skipped_lines(run)]
    head = f"case {run['case']}, {run['name']}: {run['result']}"
    if run["result"] == "stays" and run.get("first_divergence"):
        step = run["first_divergence"]
        cand = step["candidate"]
        head += (f": event {step['seq']} {step['trigger']} ({step['at']}) was "
                 f"{step['recorded']['outcome']}; under {run['to']} ")
        if cand["outcome"] == "skipped":
            head += f"it cannot be taken ({cand['reason']})"
        elif cand["outcome"] == step["recorded"]["outcome"]:
            head += f"it is {cand['outcome']} but records {', '.join(step['changed'])} otherwise"
        else:
            head += f"it is {cand['outcome']}" + (f" ({cand['reason']})" if cand["reason"] else
                                                 f" ({', '.join(cand['clauses'])})")
    return [head]


@click.command()
@click.option("--policy", "candidate", required=True, metavar="ID@VERSION",
              help="The candidate policy (see 'crossings policy list').")
@click.option("--case", "cases", multiple=True, type=CASE_ID, metavar="CASE",
              help="Only this case (repeatable; default: every case).")
@click.option("--json", "fmt", flag_value="json", help="Print JSON for tools.")
@click.option("--csv", "fmt", flag_value="csv", help="Print CSV, one row a case.")
@db_option
def whatif(candidate: str, cases: tuple[int, ...], fmt: str | None, db: str) -> None:
    """Re-fire every case's recorded requests under another policy, in memory.

    Each request, applied or refused, at its own date by its own actor, in order. Per
    case: where the candidate first decides otherwise, and how each ends; then counts
    from recorded to candidate state. Writes nothing.

    Example: crossings whatif --policy mfa-mps-1957-12-17@1
    """
    with service(db, readonly=True) as svc:
        runs = (run.as_dict() for run in svc.whatif(candidate, cases or None))
        _stream(runs, fmt, "whatif")


@click.command()
@click.argument("cases", nargs=-1, type=CASE_ID, metavar="CASE...")
@click.option("--all", "every", is_flag=True, help="Every case not yet under the target.")
@click.option("--to", "target", required=True, metavar="ID@VERSION",
              help="The policy to move the cases to.")
@click.option("--dry-run", is_flag=True, help="Say what would move; write nothing.")
@click.option("--json", "fmt", flag_value="json", help="Print JSON for tools.")
@click.option("--csv", "fmt", flag_value="csv", help="Print CSV, one row a case.")
@actor_option
@db_option
def migrate(cases: tuple[int, ...], every: bool, target: str, dry_run: bool,
            fmt: str | None, actor: str | None, db: str) -> None:
    """Move cases to another policy version where their events replay equal under it.

    By an administrator. A case whose recorded events all decide the same under the
    target moves, by a signed migrate event naming both versions; one that diverges
    stays, and the first divergent event is named with what the target's guards say.

    Example: crossings migrate --all --to jilin-1961@3 --dry-run --as Admin
    """
    if bool(cases) == every:
        raise click.UsageError("give CASE... or --all (not both)")
    with service(db, readonly=dry_run) as svc:
        runs: Iterator[dict[str, Any]] = svc.migrate(target, actor, cases or None,
                                                     dry_run=dry_run)
        _stream(runs, fmt, "migrate")


@click.command()
@click.argument("seq", type=CASE_ID, metavar="SEQ")
@click.option("--reason", required=True, help="Why the event was entered in error.")
@click.option("--json", "as_json", is_flag=True, help="Print the case(s) as JSON.")
@actor_option
@db_option
def void(seq: int, reason: str, as_json: bool, actor: str | None, db: str) -> None:
    """Retract an event entered in error: a void row names it; the case is re-derived.

    The trail keeps the event. A group's event is voided for the whole group. Refused,
    naming the event, when a later event rests on it. By the actor who recorded it or an
    administrator; dated when recorded (no --at).

    Example: crossings void 42 --reason 'outcome entered wrongly: he refused' --as Zhao
    """
    with service(db) as svc:
        cases = svc.void(seq, reason, actor)
        shown = [svc.case_dict(c) for c in cases]
    if as_json:
        emit_json(shown)
    for case in shown:
        say(f"case {case['id']}: event {seq} voided; now {case['state']}")


COMMANDS = [whatif, migrate, void]
