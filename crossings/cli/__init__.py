"""The ``crossings`` command line: click on top of one :class:`~crossings.service.Service`.

``base`` is the leaf (the group, shared options, output, the one error mapping); each
other module holds the commands of one concern and imports only ``base``. This package
registers their commands on the group, each imported when it is named (or listed by
``--help``); none of them imports it back.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Callable, Iterable

import click

from . import triggers
from .base import GROUP_TRIGGER, cli

# The module of this package that holds each command. A command run imports its own
# module and no other (a dozen modules of click options at every start otherwise);
# ``test_cli_meta`` holds this table to the modules' own COMMANDS.
_GROUP_VIEW = GROUP_TRIGGER.group.view if GROUP_TRIGGER and GROUP_TRIGGER.group else None
MODULES = {
    "setup": ("init", "upgrade", "actor", "key", "setting"),
    "cases": ("show", "list", "log", "why", "next"),
    "search": ("search",),
    "imports": ("import",),
    "trail": ("replay", "verify", "checkpoint", "copy"),
    "reports": ("name-list", *((f"{_GROUP_VIEW}s", _GROUP_VIEW) if _GROUP_VIEW else ()),
                "report"),
    "reading": ("sources", "dossier", "timeline"),
    "policy": ("diagram", "browse"),
    "policies": ("policy",),
    "versions": ("whatif", "migrate", "void"),
}


def _from_module(module: str, name: str) -> Callable[[], click.Command]:
    def build() -> click.Command:
        commands = importlib.import_module(f"{__name__}.{module}").COMMANDS
        return next(command for command in commands if command.name == name)
    return build


for _module, _names in MODULES.items():
    for _name in _names:
        cli.add_lazy(_name, _from_module(_module, _name))
for _name, _build in triggers.LAZY.items():
    cli.add_lazy(_name, _build)


def main(argv: Iterable[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="crossings")


def run() -> None:
    """The ``crossings`` program (the console script, ``python -m crossings``): ``main`` in
    a process of its own. All that is alive by now (the modules, the policy tables, the
    command line) lives until the process ends, so it is frozen out of the cyclic
    collector's walks, during the command and at exit (``gc.freeze``): 6 ms of every
    command. A Python caller calls ``main``, which leaves its collector alone."""
    gc.freeze()
    main()


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])

__all__ = ["cli", "main", "run"]
