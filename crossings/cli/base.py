"""The command line's leaf: the group, the shared options, output, and the one error mapping.

Every command module imports this one and nothing of the package above it; the package
(``crossings.cli``) registers their commands on :data:`cli`. No SQL and no state machine
here: a command is one :class:`~crossings.service.Service` call (or a few) and output.
Errors become ``Error: ...`` on stderr with the error's exit code, in one place,
:class:`CrossingsGroup`. Every text that leaves a command goes out through the functions
here (:func:`say`, :func:`echo_lines`, :func:`emit`, :func:`emit_json`, the error line),
and each escapes stored text there, once (``render.escape``): a stored value cannot move
the cursor, start a line or reorder a terminal, and JSON stays exact.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from itertools import islice
from typing import Any, Callable, Iterable, Iterator, Sequence

import click

from workflow import WorkflowError
from workflow.policies import DEFAULT

from ..render.escape import json_safe, term
from ..render import tables
from ..render.tables import csv_text, json_chunks, json_text, text_lines
from ..service import Service
from .types import DEFAULT_DB

POLICY = DEFAULT  # the table the commands are generated from
# The trigger that forms groups, if the policy has one: its groups get commands of their own.
GROUP_TRIGGER = next((t for t in POLICY.triggers if t.group is not None), None)
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


JSON_ERRORS = "crossings.json_errors"  # ctx.meta: the command was given --json


def error_json(message: str, exit_code: int, kind: str) -> str:
    """An error as a command given --json reports it on stderr: one line of JSON,
    ``{"error": TEXT, "exit": N, "type": KIND}`` (KIND: the error's class, or "usage")."""
    return json_safe(json.dumps({"error": message, "exit": exit_code, "type": kind},
                                ensure_ascii=False))


def _wants_json(ctx: click.Context | None) -> bool:
    return bool(ctx is not None and ctx.meta.get(JSON_ERRORS))


class DomainError(click.ClickException):
    """A WorkflowError (or a damaged file, an unreadable file) on its way to the user: one
    line, escaped (a refusal's reason may quote stored text), the error's exit code; one
    line of JSON instead when the command was given --json (the message exact)."""

    def __init__(self, error: WorkflowError | str, as_json: bool = False) -> None:
        text = error.one_line() if isinstance(error, WorkflowError) else error
        super().__init__(term(text))
        self.text, self.as_json = text, as_json
        self.kind = type(error).__name__ if isinstance(error, WorkflowError) else "WorkflowError"
        if isinstance(error, WorkflowError):
            self.exit_code = error.exit_code  # type: ignore[misc]  # per instance: the error's own code

    def show(self, file: Any = None) -> None:
        if not self.as_json:
            return super().show(file)
        click.echo(error_json(self.text, self.exit_code, self.kind), file=file, err=file is None)


class OneLineUsageError(click.UsageError):
    """A usage error as one line on stderr (exit 2), like every other error."""

    def show(self, file: Any = None) -> None:
        message = " ".join(self.format_message().split())
        if _wants_json(self.ctx):
            click.echo(error_json(message, self.exit_code, "usage"), file=file, err=file is None)
            return
        hint = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        click.echo(f"Error: {term(message)}{hint}", file=file, err=file is None)


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
    """Converts every WorkflowError and usage error raised by a command, in this one place.

    Commands registered with ``add_lazy`` (each command module's, and one per trigger
    generated from the policy table) are imported or built only when named, or when the
    help lists them: a command run builds its own command and no other (about 290 click
    options and a dozen modules a start otherwise)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, Callable[[], click.Command]] = {}

    def add_lazy(self, name: str, build: Callable[[], click.Command]) -> None:
        self.lazy[name] = build

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        build = self.lazy.pop(cmd_name, None)
        if build is not None:
            self.add_command(build(), cmd_name)
        return self.commands.get(cmd_name)

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _one_line_usage():
            return super().make_context(*args, **kwargs)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        """Notes a --json among the command's arguments before they are parsed, so that an
        error found while parsing them is JSON too."""
        given = args[:args.index("--")] if "--" in args else args
        if "--json" in given:
            ctx.meta[JSON_ERRORS] = True
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _one_line_usage():
                return super().invoke(ctx)
        except WorkflowError as error:
            raise DomainError(error, _wants_json(ctx)) from None
        except json.JSONDecodeError as error:  # stored JSON a damaged file garbled
            raise DomainError(f"the database is damaged: {error} (run crossings verify)",
                              _wants_json(ctx)) from None
        except BrokenPipeError:  # the reader stopped (| head): click ends it quietly, exit 1
            raise
        except OSError as error:  # a file we were asked to write or read: one line, exit 1
            where = f"{error.filename}: " if error.filename else ""
            raise DomainError(f"{where}{error.strerror or error}", _wants_json(ctx)) from None


@click.group(cls=CrossingsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="crossings")
def cli() -> None:
    """Run the Jilin cable of 25 November 1961 as an audited case workflow.

    Each border crosser is a case that moves through the cable's states only as its
    clauses allow; every step, applied or refused, is kept in a hash-chained trail.

    Example: crossings actor add Zhao --role county-officer
    """


# -- shared options -----------------------------------------------------------------------

def db_params() -> list[click.Option]:
    return [click.Option(["--db", "db"], envvar="CROSSINGS_DB", default=DEFAULT_DB,
                         show_default=True, metavar="PATH|URL",
                         help="The database: an SQLite file, or a PostgreSQL server's "
                              "postgresql://... URL (or set CROSSINGS_DB).")]


def actor_params() -> list[click.Option]:
    return [click.Option(["--as", "actor"], envvar="CROSSINGS_ACTOR", metavar="NAME",
                         help="The acting actor (or set CROSSINGS_ACTOR).")]


def event_params() -> list[click.Option]:
    """The options every trigger takes besides its own: date, note, source, retry key."""
    from workflow.office import NOTE, SOURCE

    return [
        click.Option(["--at"], metavar="DATE",
                     help="The event's own date, YYYY-MM-DD (required, unless the setting "
                          "default_event_date is today)."),
        click.Option([NOTE.flag], help=NOTE.help),
        click.Option([SOURCE.flag], metavar="TEXT", help=SOURCE.help),
        click.Option(["--request-id"], metavar="KEY",
                     help="Retry key: repeating a command with it writes nothing new."),
    ]


def _decorator(params: Callable[[], list[click.Option]]) -> Decorator:
    """A decorator adding PARAMS to a command, as ``@click.option`` does (click collects
    a function's ``__click_params__`` bottom-up and reverses them)."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        collected = func.__dict__.setdefault("__click_params__", [])
        collected.extend(reversed(params()))
        return func

    return decorate


db_option = _decorator(db_params)
actor_option = _decorator(actor_params)


def output_options(csv_too: bool = True) -> Decorator:
    """--json (and --csv) for a read command; stdout then carries only that data."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func = click.option("--json", "fmt", flag_value="json",
                            help="Print JSON for tools.")(func)
        if csv_too:
            func = click.option("--csv", "fmt", flag_value="csv", help="Print CSV.")(func)
        return func

    return decorate


# -- the service and output ---------------------------------------------------------------

def service(db: str, *, readonly: bool = False) -> Service:
    """The service on the database DB; a read command opens it ``readonly``, so it can
    never change the file."""
    return Service.open(db, readonly=readonly)


def say(message: str) -> None:
    """A message for the person at the terminal: stderr, never stdout; escaped."""
    click.echo(term(message), err=True)


def echo_lines(lines: Iterable[str], chunk: int = 5000) -> None:
    """Text lines on stdout, ``chunk`` lines a write (LINES may be a stream), each line
    escaped: a line break, a carriage return or an escape sequence inside one is shown,
    never acted on."""
    stream = iter(lines)
    while piece := list(islice(stream, chunk)):
        if not all(map(str.isprintable, piece)):
            piece = [line if line.isprintable() else term(line) for line in piece]
        click.echo("\n".join(piece))


def _write(lines: list[str], chunk: int = 5000) -> None:
    for start in range(0, len(lines), chunk):
        click.echo("\n".join(lines[start:start + chunk]))


def emit_json(data: Any) -> None:
    """One JSON document (a case, a report, a group) and a newline; exact, and safe to
    show (``render.escape.json_safe``). A list of rows is written in pieces, each encoded
    a column at a time (``render.tables.json_chunks``): the same text."""
    if isinstance(data, list) and all(isinstance(row, dict) for row in data):
        for piece in json_chunks(data):
            click.echo(piece)
        return
    click.echo(json_safe(json_text(data)))


def emit(rows: Iterable[dict[str, Any]], fmt: str | None, columns: Sequence[str],
         flat: Callable[[Any], str] | None = None) -> None:
    """Rows as a text table, a JSON array or CSV, escaped as they are laid out
    (``render.tables``: cells measured as shown, JSON safe, CSV formulas neutralised).
    JSON and CSV are written as ROWS stream, a chunk at a time; a table is laid out
    once every row is in (its columns are as wide as their widest cell)."""
    if fmt == "json":
        for piece in json_chunks(rows):
            click.echo(piece)
    elif fmt == "csv":
        stream = iter(rows)
        first = True
        while (chunk := list(islice(stream, tables.CHUNK))) or first:
            click.echo(csv_text(chunk, columns, flat, header=first), nl=False)
            first = False
    else:
        _write(text_lines(list(rows), columns))
