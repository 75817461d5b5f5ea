"""Every command documents itself: a one-line summary, an example, and --help that works
(sqlite-utils' test_docs idea). Commands added by other modules are walked too."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from crossings.cli import cli


def subcommands(group: click.Group) -> dict[str, click.Command]:
    """A group's commands through click's own API (the trigger commands are built only
    when asked for, so ``group.commands`` need not hold them yet)."""
    ctx = click.Context(group)
    found = {name: group.get_command(ctx, name) for name in group.list_commands(ctx)}
    return {name: sub for name, sub in found.items() if sub is not None}


def walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        for name, sub in sorted(subcommands(command).items()):
            yield from walk(sub, (*path, name))


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = subcommands(command)[name]
    return command


PATHS = list(walk(cli))


def test_every_trigger_of_the_policy_has_a_command() -> None:
    from workflow.policies import JILIN_1961_2 as POLICY

    names = {path[0] for path in PATHS if path}
    assert {t.command for t in POLICY.triggers} <= names


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "crossings")
def test_help_has_a_one_line_summary_and_an_example(path: tuple[str, ...]) -> None:
    command = command_at(path)
    text = (command.help or "").strip()
    summary = text.split("\n\n")[0]
    assert summary and "\n" not in summary, f"summary of {path}: {summary!r}"
    assert command.get_short_help_str(limit=200).strip()
    examples = [line.strip() for line in text.splitlines() if line.strip().startswith("Example:")]
    assert examples, f"{path} has no 'Example:' line"
    assert all(e.startswith("Example: crossings ") for e in examples)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "crossings")
def test_help_option_exits_zero_and_prints_usage_and_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Usage: ")
    assert "Example: crossings" in result.stdout
    assert result.stderr == ""


def _examples() -> Iterator[str]:
    for path in PATHS:
        for line in (command_at(path).help or "").splitlines():
            if line.strip().startswith("Example: crossings "):
                yield line.strip().removeprefix("Example: crossings ")


@pytest.mark.parametrize("example", sorted(set(_examples())))
def test_every_example_parses_with_valid_options(example: str) -> None:
    import shlex

    words = shlex.split(example)
    command: click.Command = cli
    while isinstance(command, click.Group) and words and words[0] in subcommands(command):
        command = subcommands(command)[words.pop(0)]
    assert not isinstance(command, click.Group), f"{example!r} names no command"
    command.make_context(command.name or "", words)  # raises a usage error on a bad value


def test_the_lazy_table_names_each_modules_own_commands() -> None:
    """``crossings.cli.MODULES`` says which module to import for a command: it must list
    exactly the commands each module defines, or a command would vanish or load twice."""
    import importlib

    from crossings import cli as package

    for module, names in package.MODULES.items():
        defined = importlib.import_module(f"crossings.cli.{module}").COMMANDS
        assert tuple(c.name for c in defined) == names, module
    assert set(subcommands(cli)) == {n for names in package.MODULES.values() for n in names} \
        | set(package.triggers.LAZY)
