"""One command per trigger, generated from the policy table: options, help, example.

A trigger that opens a case prints the new case's id; a group trigger takes several
cases and reports the group; any other reports the case. Every one takes the event's
date, a note, a retry key, the acting actor and the database, and calls ``Service.run``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import click

from workflow import Policy, Trigger
from workflow.policy import Param

from ..service import Command
from workflow.policies import CATALOGUE

from .base import actor_params, db_params, emit_json, event_params, say, service
from .types import CASE_ID

_KINDS: dict[str, Any] = {"case": CASE_ID}
_METAVARS = {"case": "CASE", "approx-date": "DATE", "date": "DATE", "names": "NAME"}
_REPEATED = {"names"}  # kinds whose option may be given several times


def option(param: Param) -> click.Option:
    kind: Any = click.Choice(param.choices) if param.kind in ("choice", "fact") else \
        _KINDS.get(param.kind, str)
    help_text = param.help
    if param.kind == "items":
        help_text += f" ({', '.join(param.choices)})"
    return click.Option([param.flag, param.name], type=kind, required=param.required,
                        metavar=_METAVARS.get(param.kind), help=help_text,
                        multiple=param.kind in _REPEATED)


def _cases_shown(trigger: Trigger) -> str:
    return "" if trigger.opens else " 3 4 5" if trigger.group else " 3"


def help_text(policy: Policy, trigger: Trigger) -> str:
    sources = "(new)" if trigger.opens else ", ".join(policy.sources(trigger))
    where = f"{sources} -> {trigger.dest or 'same state'}"
    example = f"crossings {trigger.command}{_cases_shown(trigger)} {trigger.example}".rstrip()
    actor = policy.example_actors.get(trigger.roles[0], "NAME")
    return (
        f"{trigger.summary}\n\n"
        f"{where}. Clauses: {', '.join(trigger.clauses)}. Roles: {', '.join(trigger.roles)}.\n\n"
        f"Example: {example} --as {actor} --at {policy.example_at}"
    )


def _report(trigger: Trigger, result: Any, as_json: bool, case_dict: dict[str, Any]) -> None:
    if trigger.opens:
        click.echo(result.case.id)
        return
    if trigger.group is not None:
        group = result.group.as_dict() if result.group else {}
        if as_json:
            emit_json(group)
        say(trigger.group.done.format(cases=", ".join(map(str, group.get("case_ids", []))),
                                      **group))
        return
    if as_json:
        emit_json(case_dict)
    say(f"case {case_dict['id']}: {trigger.name} applied; now {case_dict['state']}")


def trigger_command(policy: Policy, trigger: Trigger) -> click.Command:
    def callback(db: str, actor: str | None, at: str | None, request_id: str | None,
                 as_json: bool = False, cases: Any = (), policy: str | None = None,
                 **options: Any) -> None:
        params = {k: v for k, v in options.items() if v is not None and v != ()}
        numbers = cases if isinstance(cases, tuple) else (cases,)
        with service(db) as svc:
            result = svc.run(Command(trigger.name, numbers, actor, at, params, request_id,
                                     policy))
            case_dict = svc.case_dict(result.case)
        _report(trigger, result, as_json, case_dict)

    params: list[click.Parameter] = []
    if trigger.group is not None:
        params.append(click.Argument(["cases"], nargs=-1, required=True, type=CASE_ID,
                                     metavar="CASE..."))
    elif not trigger.opens:
        params.append(click.Argument(["cases"], type=CASE_ID, metavar="CASE"))
    params += [option(p) for p in trigger.params] + event_params() + actor_params() + db_params()
    if trigger.opens:
        params.append(click.Option(["--policy"], metavar="ID@VERSION", help=(
            "The policy the new case is handled under (default: the database's setting "
            "policy; see 'crossings policy list').")))
    if not trigger.opens:
        what = "the group" if trigger.group else "the case"
        params.append(click.Option(["--json", "as_json"], is_flag=True,
                                   help=f"Print {what} as JSON on stdout."))
    return click.Command(trigger.command, params=params, callback=callback,
                         help=help_text(policy, trigger), short_help=trigger.summary)


@functools.cache
def _merged() -> dict[str, tuple[Policy, Trigger]]:
    """Each command's trigger, its options merged across the policies: worked out when a
    trigger's command is first built, not at every start (0.5 ms)."""
    return {trigger.command: (policy, trigger) for policy, trigger in CATALOGUE.merged_triggers()}


def _builder(command: str) -> Callable[[], click.Command]:
    return lambda: trigger_command(*_merged()[command])


COMMANDS: list[click.Command] = []
# Each trigger's command, built when it is named (``CrossingsGroup.add_lazy``).
LAZY = {t.command: _builder(t.command) for policy in CATALOGUE.policies for t in policy.triggers}
