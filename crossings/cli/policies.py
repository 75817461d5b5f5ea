"""The policies a database may hold: list them, show one's table, say what differs."""

from __future__ import annotations

import click

from workflow import policies
from workflow.compare import diff as compare

from ..render.policy_diff import diff_lines, listing
from ..render.policy_doc import policy_data, policy_markdown
from .base import POLICY, echo_lines, emit, emit_json

_FORMAT = click.Choice(("markdown", "json"))


def _show(key: str | None, fmt: str) -> None:
    chosen = policies.get(key) if key else POLICY
    if fmt == "json":
        return emit_json(policy_data(chosen))
    click.echo(policy_markdown(chosen), nl=False)


@click.group(invoke_without_command=True)
@click.option("--format", "fmt", type=_FORMAT, default="markdown", show_default=True,
              help="Markdown tables, or JSON for tools (the default policy's).")
@click.pass_context
def policy(ctx: click.Context, fmt: str) -> None:
    """The policies: alone, the default policy's table (states, triggers, guards, clauses).

    Example: crossings policy diff jilin-1961@2 jilin-1961@3
    """
    if ctx.invoked_subcommand is None:
        _show(None, fmt)


@policy.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def list_policies(as_json: bool) -> None:
    """List the registered policies: id@version, title, the date each took effect.

    Example: crossings policy list --json
    """
    rows = [listing(p, p is POLICY) for p in policies.POLICIES.values()]
    if as_json:
        return emit_json(rows)
    emit(rows, None, ("policy", "effective", "title", "default"))


@policy.command("show")
@click.argument("key", metavar="ID@VERSION")
@click.option("--format", "fmt", type=_FORMAT, default="markdown", show_default=True,
              help="Markdown tables, or JSON for tools.")
def show_policy(key: str, fmt: str) -> None:
    """Print one policy's table.

    Example: crossings policy show mfa-mps-1957-12-17@1
    """
    _show(key, fmt)


@policy.command("diff")
@click.argument("old", metavar="A")
@click.argument("new", metavar="B")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def diff_policies(old: str, new: str, as_json: bool) -> None:
    """What differs from policy A to policy B, trigger by trigger, with B's notes of why.

    Example: crossings policy diff jilin-1961@2 jilin-1961@3
    """
    data = compare(policies.get(old), policies.get(new))
    if as_json:
        return emit_json(data)
    echo_lines(diff_lines(data))


COMMANDS = [policy]
