"""The README's generated sections, from the code: the diagram, the policy table, the CLI.

The sections sit between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->`` markers.
``scripts/gen_docs`` rewrites them; ``scripts/gen_docs --check`` (which a test runs) says
which are stale and exits 1 if any is.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from crossings.cli import cli
from crossings.render.diagrams import mermaid
from crossings.render.policy_doc import policy_markdown, table
from workflow.policies import DEFAULT


def _commands(group: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _commands(command, path)
        else:
            yield path, command


def example(help_text: str | None) -> str:
    """The command's example: the text after ``Example:`` in its help."""
    found = re.search(r"Example:\s*(.+)", help_text or "")
    return found.group(1).strip() if found else ""


def _usage(path: str, command: Any) -> str:
    pieces = command.collect_usage_pieces(click.Context(command, info_name=path))
    return " ".join([path, *pieces])


def _options(command: Any) -> str:
    flags = [p.opts[0] for p in command.params
             if isinstance(p, click.Option) and p.opts[0] not in ("--help", "-h")]
    return " ".join(f"`{f}`" for f in flags)


def cli_reference() -> str:
    """One row per command: usage, what it does, its options, its example."""
    rows = [[f"`{_usage(path, cmd)}`", cmd.get_short_help_str(limit=200), _options(cmd),
             f"`{example(cmd.help)}`"] for path, cmd in _commands(cli, "crossings")]
    return "\n".join(table(["command", "what it does", "options", "example"], rows)) + "\n"


def mermaid_block() -> str:
    return "```mermaid\n" + mermaid(DEFAULT, DEFAULT.title) + "```\n"


SECTIONS: dict[str, Callable[[], str]] = {
    "diagram": mermaid_block,
    "policy": lambda: policy_markdown(DEFAULT),
    "cli": cli_reference,
}


def _section(text: str, name: str) -> re.Match[str]:
    pattern = re.compile(rf"(<!-- generated: {name} -->\n)(.*?)(<!-- end: {name} -->)", re.S)
    found = pattern.search(text)
    if found is None:
        raise ValueError(f"README has no <!-- generated: {name} --> ... <!-- end: {name} --> section")
    return found


def render_readme(text: str) -> str:
    """The README with every generated section rewritten from the code."""
    for name, make in SECTIONS.items():
        found = _section(text, name)
        text = text[:found.start(2)] + make() + text[found.end(2):]
    return text


def stale_sections(text: str) -> list[str]:
    """The generated sections whose text differs from what the code writes now."""
    return [name for name, make in SECTIONS.items() if _section(text, name).group(2) != make()]


def main(argv: list[str]) -> int:
    readme = Path(argv[1] if len(argv) > 1 and argv[1] != "--check" else "README.md")
    text = readme.read_text(encoding="utf-8")
    if "--check" in argv:
        stale = stale_sections(text)
        print(f"{readme}: stale sections: {', '.join(stale)}" if stale else f"{readme}: up to date")
        return 1 if stale else 0
    readme.write_text(render_readme(text), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv))
