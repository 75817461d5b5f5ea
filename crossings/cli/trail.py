"""Commands for replaying recorded cases, verifying the trail, and checkpoints."""

from __future__ import annotations

from typing import Any

import click

from workflow import IntegrityError

from ..render.tables import json_text
from .base import db_option, echo_lines, emit_json, output_options, say, service


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False),
                metavar="FILE...")
@click.option("--db", "db", metavar="PATH", default=None,
              help="Replay every file into this database (created if missing), reusing "
                   "actors registered there with the same role. Default: each file into a "
                   "fresh in-memory database.")
@output_options(csv_too=False)
def replay(files: tuple[str, ...], db: str | None, fmt: str | None) -> None:
    """Re-enact recorded cases (YAML or JSON scenario files) under the cable's rules.

    Every file is checked first (unknown trigger, case label, actor or fact, bad date,
    missing field): if any is broken, nothing is replayed (exit 2). Then each event runs
    with its own date; every divergence (an unexpected refusal, an expected refusal that
    did not happen, a rejected event, a final state that differs) is printed as
    FILE:LINE: reason, with one summary line per file, on stdout; one Error line on
    stderr says which files failed. Exit 0 only when all hold.

    Example: crossings replay tests/cases/*.yaml
    """
    from ..replay import replay_paths  # YAML: only for this command

    run = replay_paths(files, db=db)
    if fmt == "json":
        emit_json(run.as_dict())
    else:
        echo_lines(run.lines())
    error = run.error()
    if error is not None:
        raise error


@click.command()
@click.option("--checkpoint", "checkpoint", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also check against a checkpoint taken earlier: catches truncation and "
                   "rollback to an older copy.")
@click.option("--jobs", "jobs", type=click.IntRange(min=1), metavar="N",
              help="Processes to use (default: up to 3 for 100,000 rows or more, else 1).")
@db_option
@output_options(csv_too=False)
def verify(checkpoint: str | None, jobs: int | None, db: str, fmt: str | None) -> None:
    """Check the audit trail: hash chain, every case rebuilt from its rows, guards re-run.

    Prints each problem with the row's sequence number and exits 1 on any. Streams the
    trail: memory does not grow with the number of events.

    Example: crossings verify --checkpoint changbai.checkpoint.json
    """
    with service(db) as svc:
        report = svc.verify(checkpoint, workers=jobs)
    if fmt == "json":
        emit_json(report.as_dict())
    else:
        echo_lines(map(_problem_line, report.problems))
    more = report.problem_count - len(report.problems)
    if more > 0:
        say(f"... and {more} more problem(s) not listed")
    summary = f"verified {report.rows} rows and {report.cases} cases"
    if not report.ok:
        raise IntegrityError(f"{summary}: {report.problem_count} problem(s)")
    against = " against the checkpoint" if checkpoint else ""
    say(f"{summary}{against}: no problems")


def _problem_line(problem: dict[str, Any]) -> str:
    where = f"seq {problem['seq']}" if problem["seq"] is not None else "-"
    case = f" (case {problem['case']})" if problem["case"] is not None else ""
    return f"{where}{case} [{problem['check']}]: {problem['message']}"


@click.command()
@click.option("--out", "out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the checkpoint to FILE instead of stdout.")
@db_option
def checkpoint(out: str | None, db: str) -> None:
    """Print (or write) the trail's row count and head hash, as JSON.

    Keep it somewhere the database's writers cannot change; 'crossings verify
    --checkpoint FILE' later detects a truncated trail or a rollback to an older copy.

    Example: crossings checkpoint --out changbai.checkpoint.json
    """
    with service(db) as svc:
        data = svc.checkpoint()
    text = json_text(data) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    with open(out, "w", encoding="utf-8") as handle:  # pathlib would cost 5 ms at start-up
        handle.write(text)
    say(f"checkpoint: {data['rows']} rows, head {data['hash'][:16]}... written to {out}")


COMMANDS = [replay, verify, checkpoint]
