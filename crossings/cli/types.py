"""Parameter types of the command line, and shell completion of case ids.

``CASE_ID`` converts like ``int`` and, when the shell asks, offers the ids of the cases in
the database named by ``--db``, ``CROSSINGS_DB`` or the default, each with the person's
name. Enable it with ``eval "$(_CROSSINGS_COMPLETE=bash_source crossings)"`` (zsh, fish:
``zsh_source``, ``fish_source``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from workflow import InvalidInput
from workflow.values import parse_case_id

if TYPE_CHECKING:  # imported when the shell asks: no command needs it (0.6 ms a start)
    from click.shell_completion import CompletionItem

DEFAULT_DB = "crossings.db"


class CaseId(click.types.IntParamType):
    name = "case"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return parse_case_id(value, at_least_one=False)
        except InvalidInput as error:
            self.fail(str(error), param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[CompletionItem]:
        db = _db(ctx)
        if not incomplete.isdigit() and incomplete or not os.path.exists(db):
            return []
        try:
            from ..service import Service

            with Service.open(db) as service:
                found = service.case_ids(incomplete)
        except Exception:  # completion must never break the user's shell
            return []
        from click.shell_completion import CompletionItem

        return [CompletionItem(str(case_id), help=name) for case_id, name in found]


def _db(ctx: click.Context) -> str:
    params: dict[str, Any] = ctx.params
    return str(params.get("db") or os.environ.get("CROSSINGS_DB") or DEFAULT_DB)


CASE_ID = CaseId()
