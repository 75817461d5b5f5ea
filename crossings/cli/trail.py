"""Commands for replaying recorded cases, verifying the trail, and checkpoints."""

from __future__ import annotations

from typing import Any

import click

from workflow import IntegrityError

from ..render.tables import json_text
from .base import actor_option, db_option, echo_lines, emit_json, output_options, say, service
from .files import write_new


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False),
                metavar="FILE...")
@click.option("--db", "db", metavar="PATH", default=None,
              help="Replay every file into this database (made by 'crossings init'): the "
                   "administrator of --as registers each file's new actors (keys made here) "
                   "and reuses those registered with the same role whose keys are at hand. "
                   "A file that fails leaves the database as it was. Default: each file into "
                   "a fresh in-memory database, with throwaway keys.")
@actor_option
@output_options(csv_too=False)
def replay(files: tuple[str, ...], db: str | None, actor: str | None, fmt: str | None) -> None:
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

    run = replay_paths(files, db=db, admin=actor)
    if fmt == "json":
        emit_json(run.as_dict())
    else:
        echo_lines(run.lines())
    error = run.error()
    if error is not None:
        raise error


@click.command()
@click.option("--checkpoint", "checkpoint", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also check against a signed checkpoint taken earlier: catches truncation, "
                   "rollback to an older copy, and a trail rebuilt by someone else.")
@click.option("--admin", "admin", metavar="FINGERPRINT",
              help="The first administrator's key fingerprint (SHA256:..., printed by "
                   "'crossings init'): fail unless the trail was made under that key.")
@click.option("--jobs", "jobs", type=click.IntRange(min=1), metavar="N",
              help="Processes to use (default: up to 3 for 100,000 rows or more, else 1).")
@db_option
@output_options(csv_too=False)
def verify(checkpoint: str | None, admin: str | None, jobs: int | None, db: str,
           fmt: str | None) -> None:
    """Check the audit trail: hash chain, signatures, every case rebuilt, guards re-run.

    Also the tables and the schema as the trail and the code say. Prints each problem
    with the row's sequence number and exits 1 on any. Streams the trail: memory does
    not grow with the number of events.

    Example: crossings verify --admin SHA256:... --checkpoint changbai.checkpoint.json
    """
    with service(db, readonly=True) as svc:
        report = svc.verify(checkpoint, admin=admin, workers=jobs)
    if fmt == "json":
        emit_json(report.as_dict())
    else:
        echo_lines(map(_problem_line, report.problems))
    more = report.problem_count - len(report.problems)
    if more > 0:
        say(f"... and {more} more problem(s) not listed")
    who = f"; first administrator {report.admin['name']}, key {report.admin['fingerprint']}" \
        if report.admin else ""
    summary = f"verified {report.rows} rows and {report.cases} cases{who}"
    against = " against the checkpoint" if checkpoint else ""
    outcome = f"{report.problem_count} problem(s)" if not report.ok else "no problems"
    line = f"{summary}{against}: {outcome}"
    if fmt != "json":  # the summary is data too: on stdout, after the problems
        echo_lines([line])
    if not report.ok:
        raise IntegrityError(f"{summary}: {report.problem_count} problem(s)")
    if fmt == "json":
        say(line)


def _problem_line(problem: dict[str, Any]) -> str:
    where = f"seq {problem['seq']}" if problem["seq"] is not None else "-"
    case = f" (case {problem['case']})" if problem["case"] is not None else ""
    return f"{where}{case} [{problem['check']}]: {problem['message']}"


@click.command()
@click.option("--out", "out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the checkpoint to FILE instead of stdout (never over the database; "
                   "an existing FILE only with --force).")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--verify-against", "earlier", type=click.Path(dir_okay=False, exists=True),
              metavar="EARLIER", help="Instead, check that the trail extends the signed "
                                    "checkpoint EARLIER, and say how far.")
@actor_option
@db_option
def checkpoint(out: str | None, force: bool, earlier: str | None, actor: str | None,
               db: str) -> None:
    """Print (or write) the trail's row count and head hash, signed by the acting actor.

    Keep it somewhere the database's writers cannot change; 'crossings verify
    --checkpoint FILE' later detects a truncated trail, a rollback to an older copy, and
    a trail rebuilt by someone else.

    Example: crossings checkpoint --out changbai.checkpoint.json --as Zhao
    """
    if earlier is not None:
        return _extends(earlier, db)
    with service(db, readonly=True) as svc:
        data = svc.checkpoint(actor)
    text = json_text(data) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    write_new(out, text.encode("utf-8"), force=force, protect=db)
    say(f"checkpoint: {data['rows']} rows, head {data['hash'][:16]}..., signed by "
        f"{data['signer']}, written to {out}")


def _extends(other: str, db: str) -> None:
    with service(db, readonly=True) as svc:
        head = svc.store.head()
        report = svc.verify(other)
    found = [p for p in report.problems if p["check"] == "checkpoint"]
    if found:
        raise IntegrityError(f"the trail does not extend {other}: {found[0]['message']}")
    earlier = report.checkpoint or {}
    say(f"the trail extends {other}: its {earlier.get('rows')} rows up to seq "
        f"{earlier.get('seq')}, and {head['rows'] - int(earlier.get('rows', 0))} row(s) since")


@click.command("copy")
@click.option("--from", "source", required=True, metavar="PATH|URL",
              help="The database to copy: an SQLite file or a postgresql:// URL.")
@click.option("--to", "target", required=True, metavar="PATH|URL",
              help="Where to copy it: a new SQLite file, or a PostgreSQL database holding "
                   "no crossings schema yet (made there as by 'crossings init').")
@output_options(csv_too=False)
def copy(source: str, target: str, fmt: str | None) -> None:
    """Copy a whole trail between stores: every actor, setting, case and audit row.

    The rows keep their sequence numbers, hashes and signatures exactly, so the copy
    verifies as the original does; both heads are printed, and must be equal. A copy
    that fails leaves no target behind.

    Example: crossings copy --from changbai.db --to postgresql://office.example/crossings
    """
    from ..trail.copy import copy_trail

    report = copy_trail(source, target, progress=lambda n: say(f"read {n:,} rows ..."))
    if fmt == "json":
        emit_json(report.as_dict())
        return
    width = max(len(report.source), len(report.target))
    echo_lines([f"{where:<{width}}  {head['rows']:>9,} rows  seq {head['seq']}  head {head['hash']}"
                for where, head in ((report.source, report.source_head),
                                    (report.target, report.target_head))])
    say(f"copied {report.rows:,} audit rows, {report.cases:,} cases and {report.actors} actors; "
        f"the heads are equal: run 'crossings verify --db {report.target}'")


COMMANDS = [replay, verify, checkpoint, copy]
