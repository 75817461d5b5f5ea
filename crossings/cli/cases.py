"""Reading cases and the trail: show, list, log, why, next."""

from __future__ import annotations

from typing import Any

import click

from ..render.tables import cell
from ..render.timeline import lines as timeline_lines
from .base import POLICY, db_option, echo_lines, emit, emit_json, output_options, service
from .types import CASE_ID


@click.command()
@click.argument("case_id", type=CASE_ID, metavar="CASE")
@click.option("--timeline", is_flag=True,
              help="The case's history instead: one line per event, with its clauses.")
@db_option
@output_options(csv_too=False)
def show(case_id: int, timeline: bool, db: str, fmt: str | None) -> None:
    """Show one case: its state, facts, attempts and flags.

    With --timeline, the case's history instead, one line per event.

    Example: crossings show 3 --timeline
    """
    with service(db, readonly=True) as svc:
        data = svc.timeline(case_id) if timeline else svc.case_dict(svc.show(case_id))
    if fmt == "json":
        emit_json(data)
    elif timeline:
        echo_lines(timeline_lines(data))
    else:
        echo_lines(case_lines(data))


def case_lines(data: dict[str, Any]) -> list[str]:
    facts = data["facts"]
    native = f" ({data['native_name']})" if data.get("native_name") else ""
    out = [f"case {data['id']}: {data['name']}{native}",
           f"  state:    {data['state']} (version {data['version']})"]
    if data["flags"]:
        out.append(f"  flags:    {', '.join(data['flags'])}")
    shown = POLICY.words.shown_entries if POLICY.words else {}
    skip = {"name", "native_name", *shown}
    for key in sorted(k for k in facts if k not in skip and facts[k] not in (None, [], "")):
        out.append(f"  {key + ':':<15} {cell(facts[key])}")
    for name, say_entry in shown.items():
        out += [f"  {say_entry(i, entry)}" for i, entry in enumerate(facts.get(name) or [], 1)]
    return out


@click.command("list")
@click.option("--state", type=click.Choice(POLICY.state_names), help="Only cases in STATE.")
@click.option("--after", type=int, default=0, help="Page: cases with ids above this.")
@click.option("--limit", type=click.IntRange(min=1), help="Page: at most this many cases.")
@db_option
@output_options()
def list_(state: str | None, after: int, limit: int | None, db: str, fmt: str | None) -> None:
    """List cases, in id order, optionally in one state and a page at a time.

    Example: crossings list --state persuading --limit 50
    """
    with service(db, readonly=True) as svc:
        rows = list(svc.cases(state, after, limit))
    emit(rows, fmt, ["id", "name", "native_name", "state", "version", "flagged", "opened_on"])


LOG_COLUMNS = ["seq", "case_id", "at", "trigger", "from_state", "to_state", "outcome", "actor",
               "role", "clauses", "reason"]
_CLAUSES = list(POLICY.clauses)


@click.command()
@click.option("--case", "case_id", type=CASE_ID, metavar="CASE", help="Only this case.")
@click.option("--actor", help="Only events by this actor.")
@click.option("--trigger", help="Only this trigger (grant_residency or grant-residency).")
@click.option("--clause", help=f"Only events citing this clause id ({_CLAUSES[0]} ... "
                               f"{_CLAUSES[-1]}).")
@click.option("--outcome", type=click.Choice(["applied", "refused"]), help="Applied or refused.")
@click.option("--since", metavar="DATE", help="Events dated on or after DATE.")
@click.option("--until", metavar="DATE", help="Events dated on or before DATE.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")
@db_option
@output_options()
def log(db: str, fmt: str | None, **filters: Any) -> None:
    """Query the audit trail: every event, applied or refused, with its clauses.

    Example: crossings log --case 3 --outcome refused --json
    """
    with service(db, readonly=True) as svc:
        rows = list(svc.log(**filters))
    emit(rows, fmt, LOG_COLUMNS if fmt != "csv" else LOG_COLUMNS + ["recorded_at", "hash"])


@click.command()
@click.argument("case_id", type=CASE_ID, metavar="CASE")
@click.argument("trigger")
@db_option
@output_options(csv_too=False)
def why(case_id: int, trigger: str, db: str, fmt: str | None) -> None:
    """Explain a trigger on a case: each guard, pass or fail, what it read, its clause.

    Example: crossings why 3 refer
    """
    with service(db, readonly=True) as svc:
        result = svc.why(case_id, trigger)
    if fmt == "json":
        emit_json(result)
        return
    echo_lines(why_lines(result))


def why_lines(result: dict[str, Any]) -> list[str]:
    state = result["state"]
    out = []
    if not result["applies_in_state"]:
        out.append(f"{result['trigger']} does not apply in {state}; "
                   f"applicable: {', '.join(result['applicable']) or 'nothing'}")
    verdict = "ready" if result["ready"] else "blocked"
    out.append(f"case {result['case']} ({state}): {result['trigger']} -> {result['target']}: "
               f"{verdict}; roles: {', '.join(result['roles'])}")
    for guard in result["guards"]:
        mark = "pass" if guard["passed"] else "FAIL"
        read = ", ".join(f"{k}={cell(v)}" for k, v in guard["read"].items())
        out.append(f"  {mark}  {guard['guard']} ({', '.join(guard['clauses'])}): "
                   f"{guard['reason']} [{read}]")
    out += [f"  {clause}: \"{words}\"" for clause, words in result["clause_words"].items()]
    return out


@click.command("next")
@click.argument("case_id", type=CASE_ID, metavar="CASE")
@db_option
@output_options(csv_too=False)
def next_(case_id: int, db: str, fmt: str | None) -> None:
    """List the triggers that may be fired now, and those blocked with the reason.

    Example: crossings next 3
    """
    with service(db, readonly=True) as svc:
        result = svc.next(case_id)
    if fmt == "json":
        emit_json(result)
        return
    out = [f"case {result['case']} is {result['state']}"]
    for entry in result["ready"]:
        needs = f" (give --{', --'.join(entry['needs'])})" if entry["needs"] else ""
        out.append(f"  ready    {entry['trigger']} -> {entry['target']} "
                   f"[{', '.join(entry['roles'])}]{needs}")
    out += [f"  blocked  {entry['trigger']}: {'; '.join(entry['reasons'])}"
            for entry in result["blocked"]]
    echo_lines(out)


COMMANDS = [show, list_, log, why, next_]
