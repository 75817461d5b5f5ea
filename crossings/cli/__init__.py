"""The ``crossings`` command line: click on top of one :class:`~crossings.service.Service`.

``base`` is the leaf (the group, shared options, output, the one error mapping); each
other module holds the commands of one concern and imports only ``base``. This package
registers their commands on the group; none of them imports it back.
"""

from __future__ import annotations

import sys
from typing import Iterable

from . import (cases, imports, policies, policy, reading, reports, search, setup, trail,
               triggers, versions)
from .base import cli

for _module in (setup, triggers, cases, search, imports, trail, reports, reading, policy,
                policies, versions):
    for _command in _module.COMMANDS:
        cli.add_command(_command)
for _name, _build in triggers.LAZY.items():
    cli.add_lazy(_name, _build)


def main(argv: Iterable[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="crossings")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])

__all__ = ["cli", "main"]
