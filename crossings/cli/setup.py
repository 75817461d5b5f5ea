"""Set-up commands: the actors who act, and the policy's settings."""

from __future__ import annotations

import click

from .base import POLICY, actor_option, db_option, emit, output_options, say, service


@click.group()
def actor() -> None:
    """Register the people who act, each with one role of the policy.

    Example: crossings actor add Zhao --role county-officer
    """


@actor.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(POLICY.roles), help="The actor's role.")
@db_option
def actor_add(name: str, role: str, db: str) -> None:
    """Register an actor (a set-up step, recorded in the trail).

    Example: crossings actor add Kim --role border-defence
    """
    with service(db, create=True) as svc:
        added = svc.add_actor(name, role)
    say(f"registered {added['name']} as {added['role']}")


@actor.command("list")
@db_option
@output_options()
def actor_list(db: str, fmt: str | None) -> None:
    """List the registered actors and their roles.

    Example: crossings actor list --json
    """
    with service(db) as svc:
        emit(svc.actors(), fmt, ["name", "role", "added_at"])


@click.group()
def setting() -> None:
    """Show and change the policy's settings (periods, dates, names it leaves open).

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
    with service(db) as svc:
        changed = svc.set_setting(name, value, actor)
    say(f"{changed['name']} = {changed['value']}")


@setting.command("list")
@db_option
@output_options()
def setting_list(db: str, fmt: str | None) -> None:
    """List the settings in force, with their clauses.

    Example: crossings setting list --json
    """
    with service(db) as svc:
        values = svc.settings()
    rows = [{"name": s.name, "value": values[s.name], "default": s.default,
             "clauses": ",".join(s.clauses), "meaning": s.help} for s in POLICY.settings]
    emit(rows, fmt, ["name", "value", "default", "clauses", "meaning"])


COMMANDS = [actor, setting]
