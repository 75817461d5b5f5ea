"""The ``crossings`` command line: click on top of one :class:`Service`.

No SQL and no state-machine calls here. Trigger commands are generated from the policy
table, so the CLI cannot drift from it. Errors become ``Error: ...`` on stderr with the
error's exit code in one place, :class:`CrossingsGroup`.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

import click

from workflow import ROLES, WorkflowError
from workflow.policy import JILIN_1961, Param, Trigger

from .completion import CASE_ID
from .tables import cell as _cell
from .tables import emit, emit_json
from .service import Service

DEFAULT_DB = "crossings.db"
POLICY = JILIN_1961


class DomainError(click.ClickException):
    """A WorkflowError on its way to the user: one line, the error's exit code."""

    def __init__(self, error: WorkflowError) -> None:
        super().__init__(error.one_line())
        self.exit_code = error.exit_code  # type: ignore[misc]  # per instance: the error's own code


class OneLineUsageError(click.UsageError):
    """A usage error as one line on stderr (exit 2), like every other error."""

    def show(self, file: Any = None) -> None:
        hint = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        message = " ".join(self.format_message().split())
        click.echo(f"Error: {message}{hint}", file=file, err=file is None)


@contextmanager
def _one_line_usage() -> Iterator[None]:
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise
    except click.UsageError as error:
        if isinstance(error, OneLineUsageError):
            raise
        raise OneLineUsageError(error.format_message(), error.ctx) from None


class CrossingsGroup(click.Group):
    """Converts every WorkflowError and usage error raised by a command, in this one place."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _one_line_usage():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _one_line_usage():
                return super().invoke(ctx)
        except WorkflowError as error:
            raise DomainError(error) from None
        except OSError as error:  # a file we were asked to write or read: one line, exit 1
            where = f"{error.filename}: " if error.filename else ""
            raise click.ClickException(f"{where}{error.strerror or error}") from None


# -- shared options and output -------------------------------------------------------------

def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", "db", envvar="CROSSINGS_DB", default=DEFAULT_DB,
                        show_default=True, metavar="PATH",
                        help="The database file (or set CROSSINGS_DB).")(func)


def actor_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--as", "actor", envvar="CROSSINGS_ACTOR", metavar="NAME",
                        help="The acting actor (or set CROSSINGS_ACTOR).")(func)


def output_options(csv_too: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--json (and --csv) for a read command; stdout then carries only that data."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func = click.option("--json", "fmt", flag_value="json",
                            help="Print JSON for tools.")(func)
        if csv_too:
            func = click.option("--csv", "fmt", flag_value="csv", help="Print CSV.")(func)
        return func

    return decorate


def _service(db: str, create: bool = False) -> Service:
    return Service.open(db, create=create)


def _say(message: str) -> None:
    click.echo(message, err=True)


# -- the group ---------------------------------------------------------------------------

@click.group(cls=CrossingsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="crossings")
def cli() -> None:
    """Run the Jilin cable of 25 November 1961 as an audited case workflow.

    Each border crosser is a case that moves through the cable's states only as its
    clauses allow; every step, applied or refused, is kept in a hash-chained trail.

    Example: crossings actor add Zhao --role county-officer
    """


@cli.group()
def actor() -> None:
    """Register the people who act, each with one role of the cable.

    Example: crossings actor add Zhao --role county-officer
    """


@actor.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The actor's role.")
@db_option
def actor_add(name: str, role: str, db: str) -> None:
    """Register an actor (a set-up step, recorded in the trail).

    Example: crossings actor add Kim --role border-defence
    """
    with _service(db, create=True) as service:
        added = service.add_actor(name, role)
    _say(f"registered {added['name']} as {added['role']}")


@actor.command("list")
@db_option
@output_options()
def actor_list(db: str, fmt: str | None) -> None:
    """List the registered actors and their roles.

    Example: crossings actor list --json
    """
    with _service(db) as service:
        emit(service.actors(), fmt, ["name", "role", "added_at"])


@cli.group()
def setting() -> None:
    """Show and change the policy's settings (short period, cut-off, consulate).

    Example: crossings setting set short_period_days 20
    """


@setting.command("set")
@click.argument("name", type=click.Choice([s.name for s in POLICY.settings]))
@click.argument("value")
@actor_option
@db_option
def setting_set(name: str, value: str, actor: str | None, db: str) -> None:
    """Change a setting (a set-up step, recorded in the trail).

    Example: crossings setting set short_period_days 20
    """
    with _service(db) as service:
        changed = service.set_setting(name, value, actor)
    _say(f"{changed['name']} = {changed['value']}")


@setting.command("list")
@db_option
@output_options()
def setting_list(db: str, fmt: str | None) -> None:
    """List the settings in force, with their clauses.

    Example: crossings setting list --json
    """
    with _service(db) as service:
        values = service.settings()
    rows = [{"name": s.name, "value": values[s.name], "default": s.default,
             "clauses": ",".join(s.clauses), "meaning": s.help} for s in POLICY.settings]
    emit(rows, fmt, ["name", "value", "default", "clauses", "meaning"])


# -- trigger commands ----------------------------------------------------------------------

def _option(param: Param) -> click.Option:
    flag = "--" + param.name.replace("_", "-")
    kind: Any = click.Choice(param.choices) if param.kind == "choice" else str
    if param.kind == "case":
        kind = CASE_ID
    help_text = param.help
    if param.kind == "items":
        help_text += f" ({', '.join(param.choices)})"
    return click.Option([flag, param.name], type=kind, required=param.required, help=help_text)


def _common_options() -> list[click.Option]:
    return [
        click.Option(["--at"], metavar="DATE",
                     help="The event's own date, YYYY-MM-DD (default: today)."),
        click.Option(["--note"], help="A free note kept with the event."),
        click.Option(["--request-id"], metavar="KEY",
                     help="Retry key: repeating a command with it writes nothing new."),
        click.Option(["--as", "actor"], envvar="CROSSINGS_ACTOR", metavar="NAME",
                     help="The acting actor (or set CROSSINGS_ACTOR)."),
        click.Option(["--db", "db"], envvar="CROSSINGS_DB", default=DEFAULT_DB,
                     show_default=True, metavar="PATH",
                     help="The database file (or set CROSSINGS_DB)."),
        click.Option(["--json", "as_json"], is_flag=True,
                     help="Print the case as JSON on stdout."),
    ]


_EXAMPLES = {
    "investigate": "--citizenship dprk --purpose other --spouse chinese-korean",
    "persuade": "--outcome refused --method 'talk with family present'",
    "provide": "--items food,clothing",
    "consulate-reply": "--reply agreed",
    "request-guidance": "--question 'Married to a Han Chinese citizen: refer?'",
    "record-guidance": "--answer 'Handle as P1.'",
    "amend": "--field native_name --value 최명옥 --reason 'spelling in the register'",
}


# The README's actors: each example is fired by an actor whose role may fire it.
_EXAMPLE_ACTORS = {"county-officer": "Zhao", "border-defence": "Kim", "foreign-affairs": "Liu",
                   "provincial-committee": "Wang", "public-security": "Sun"}


def _help(trigger: Trigger) -> str:
    sources = POLICY.sources(trigger)
    where = f"{', '.join(sources)} -> {trigger.dest or 'same state'}"
    example = f"crossings {trigger.command} 3 {_EXAMPLES.get(trigger.command, '')}".rstrip()
    return (
        f"{trigger.summary}\n\n"
        f"{where}. Clauses: {', '.join(trigger.clauses)}. Roles: {', '.join(trigger.roles)}.\n\n"
        f"Example: {example} --as {_EXAMPLE_ACTORS[trigger.roles[0]]} --at 1961-11-30"
    )


def _report(case_dict: dict[str, Any], trigger: str, as_json: bool) -> None:
    if as_json:
        emit_json(case_dict)
    _say(f"case {case_dict['id']}: {trigger} applied; now {case_dict['state']}")


def _trigger_command(trigger: Trigger) -> click.Command:
    def callback(case_id: int, db: str, actor: str | None, at: str | None,
                 request_id: str | None, as_json: bool, **options: Any) -> None:
        params = {k: v for k, v in options.items() if v is not None}
        with _service(db) as service:
            case = service.fire(trigger.name, case_id, actor, at=at, request_id=request_id,
                                **params)
            _report(service.case_dict(case), trigger.name, as_json)

    params: list[click.Parameter] = [click.Argument(["case_id"], type=CASE_ID, metavar="CASE")]
    params += [_option(p) for p in trigger.params] + _common_options()
    return click.Command(trigger.command, params=params, callback=callback, help=_help(trigger),
                         short_help=trigger.summary)


for _trigger in POLICY.triggers:
    if _trigger.name not in ("open", "hand_over"):
        cli.add_command(_trigger_command(_trigger))


@cli.command("open", help=_help(POLICY.trigger("open")).replace(
    "crossings open 3", "crossings open --name 'Choe Myong-ok' --native-name 최명옥 "
    "--crossed-on 1961-03 --place Badaogou"))
@click.option("--name", required=True, help="Name as recorded (any script).")
@click.option("--native-name", help="Name in the person's own script (Hangul, Hanja).")
@click.option("--crossed-on", required=True, metavar="DATE",
              help="Crossing date: YYYY, YYYY-MM, YYYY-MM-DD, or a range A/B.")
@click.option("--place", required=True, help="Where the person crossed or was found.")
@click.option("--accompanies", type=CASE_ID, metavar="CASE",
              help="The case this person travels with (a minor with a parent).")
@click.option("--at", metavar="DATE", help="Date of detention, YYYY-MM-DD (default: today).")
@click.option("--note", help="A free note kept with the event.")
@click.option("--request-id", metavar="KEY", help="Retry key: a repeat writes nothing new.")
@actor_option
@db_option
def open_(db: str, actor: str | None, at: str | None, request_id: str | None,
          **params: Any) -> None:
    with _service(db) as service:
        case = service.open_case(actor, at=at, request_id=request_id,
                                 **{k: v for k, v in params.items() if v is not None})
    click.echo(case.id)


@cli.command("hand-over", help=_help(POLICY.trigger("hand_over")).replace(
    "crossings hand-over 3", "crossings hand-over 3 4 5 --representative 'Ri Chol' "
    "--crossing-point 'Changbai-Hyesan bridge'"))
@click.argument("case_ids", nargs=-1, required=True, type=CASE_ID, metavar="CASE...")
@click.option("--representative", required=True,
              help="The Korean border-defence representative.")
@click.option("--crossing-point", required=True, help="Where the group is handed over.")
@click.option("--at", metavar="DATE", help="The handover's date, YYYY-MM-DD (default: today).")
@click.option("--note", help="A free note kept with the event.")
@click.option("--request-id", metavar="KEY", help="Retry key: a repeat writes nothing new.")
@click.option("--json", "as_json", is_flag=True, help="Print the handover group as JSON.")
@actor_option
@db_option
def hand_over(case_ids: tuple[int, ...], db: str, actor: str | None, at: str | None,
              request_id: str | None, as_json: bool, **params: Any) -> None:
    with _service(db) as service:
        group = service.hand_over(list(case_ids), actor, at=at, request_id=request_id,
                                  **{k: v for k, v in params.items() if v is not None})
    if as_json:
        emit_json(group)
    _say(f"handover group {group['id']}: case(s) {', '.join(map(str, group['case_ids']))} "
         f"returned at {group['crossing_point']} on {group['at']}")


# -- reading -------------------------------------------------------------------------------

@cli.command()
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
    if timeline:
        return _show_timeline(case_id, db, fmt)
    with _service(db) as service:
        data = service.case_dict(service.show(case_id))
    if fmt == "json":
        emit_json(data)
        return
    _print_case(data)


def _show_timeline(case_id: int, db: str, fmt: str | None) -> None:
    from .timeline import lines

    with _service(db) as service:
        data = service.timeline(case_id)
    if fmt == "json":
        emit_json(data)
        return
    click.echo("\n".join(lines(data)))


def _print_case(data: dict[str, Any]) -> None:
    facts = data["facts"]
    native = f" ({data['native_name']})" if data.get("native_name") else ""
    click.echo(f"case {data['id']}: {data['name']}{native}")
    click.echo(f"  state:    {data['state']} (version {data['version']})")
    if data["flags"]:
        click.echo(f"  flags:    {', '.join(data['flags'])}")
    skip = {"name", "native_name", "attempts", "provisions", "guidance", "complaints"}
    for key in sorted(k for k in facts if k not in skip and facts[k] not in (None, [], "")):
        click.echo(f"  {key + ':':<15} {_cell(facts[key])}")
    for i, attempt in enumerate(data["attempts"], 1):
        method = f", {attempt['method']}" if attempt.get("method") else ""
        click.echo(f"  attempt {i}: {attempt['at']} by {attempt['by']}: {attempt['outcome']}{method}")
    for item in facts.get("provisions") or []:
        click.echo(f"  provided {', '.join(item['items'])} on {item['at']} by {item['by']}")
    for request in facts.get("guidance") or []:
        answer = request.get("answer") or "(open)"
        click.echo(f"  guidance {request['id']}: {request['question']} -> {answer}")
    for complaint in facts.get("complaints") or []:
        click.echo(f"  complaint (W2) {complaint['at']}: {complaint['text']}")


@cli.command("list")
@click.option("--state", type=click.Choice(POLICY.state_names), help="Only cases in STATE.")
@click.option("--after", type=int, default=0, help="Page: cases with ids above this.")
@click.option("--limit", type=click.IntRange(min=1), help="Page: at most this many cases.")
@db_option
@output_options()
def list_(state: str | None, after: int, limit: int | None, db: str, fmt: str | None) -> None:
    """List cases, in id order, optionally in one state and a page at a time.

    Example: crossings list --state persuading --limit 50
    """
    with _service(db) as service:
        rows = list(service.cases(state, after, limit))
    emit(rows, fmt, ["id", "name", "native_name", "state", "version", "flagged", "opened_on"])


LOG_COLUMNS = ["seq", "case_id", "at", "trigger", "source", "target", "outcome", "actor",
               "role", "clauses", "reason"]


@cli.command()
@click.option("--case", "case_id", type=CASE_ID, metavar="CASE", help="Only this case.")
@click.option("--actor", help="Only events by this actor.")
@click.option("--trigger", help="Only this trigger (grant_residency or grant-residency).")
@click.option("--clause", help="Only events citing this clause id (P1 ... G).")
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
    with _service(db) as service:
        rows = list(service.log(**filters))
    emit(rows, fmt, LOG_COLUMNS if fmt != "csv" else LOG_COLUMNS + ["recorded_at", "hash"])


@cli.command()
@click.argument("case_id", type=CASE_ID, metavar="CASE")
@click.argument("trigger")
@db_option
@output_options(csv_too=False)
def why(case_id: int, trigger: str, db: str, fmt: str | None) -> None:
    """Explain a trigger on a case: each guard, pass or fail, what it read, its clause.

    Example: crossings why 3 refer
    """
    with _service(db) as service:
        result = service.why(case_id, trigger)
    if fmt == "json":
        emit_json(result)
        return
    _print_why(result)


def _print_why(result: dict[str, Any]) -> None:
    state = result["state"]
    if not result["applies_in_state"]:
        click.echo(f"{result['trigger']} does not apply in {state}; "
                   f"applicable: {', '.join(result['applicable']) or 'none'}")
    verdict = "ready" if result["ready"] else "blocked"
    click.echo(f"case {result['case']} ({state}): {result['trigger']} -> {result['target']}: "
               f"{verdict}; roles: {', '.join(result['roles'])}")
    for guard in result["guards"]:
        mark = "pass" if guard["passed"] else "FAIL"
        read = ", ".join(f"{k}={_cell(v)}" for k, v in guard["read"].items())
        click.echo(f"  {mark}  {guard['guard']} ({', '.join(guard['clauses'])}): "
                   f"{guard['reason']} [{read}]")
    for clause, words in result["clause_words"].items():
        click.echo(f"  {clause}: \"{words}\"")


@cli.command("next")
@click.argument("case_id", type=CASE_ID, metavar="CASE")
@db_option
@output_options(csv_too=False)
def next_(case_id: int, db: str, fmt: str | None) -> None:
    """List the triggers that may be fired now, and those blocked with the reason.

    Example: crossings next 3
    """
    with _service(db) as service:
        result = service.next(case_id)
    if fmt == "json":
        emit_json(result)
        return
    click.echo(f"case {result['case']} is {result['state']}")
    for entry in result["ready"]:
        needs = f" (give --{', --'.join(entry['needs'])})" if entry["needs"] else ""
        click.echo(f"  ready    {entry['trigger']} -> {entry['target']} "
                   f"[{', '.join(entry['roles'])}]{needs}")
    for entry in result["blocked"]:
        click.echo(f"  blocked  {entry['trigger']}: {'; '.join(entry['reasons'])}")


# Commands of other concerns live in their own modules and register themselves on `cli`.
from . import commands_audit  # noqa: E402,F401  replay, verify, checkpoint
from . import commands_reports  # noqa: E402,F401  diagram, name lists, reports, browse, policy


def main(argv: Iterable[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="crossings")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
