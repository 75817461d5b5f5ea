"""Files a command writes (``-o``/``--out``): never the database, never over a file by
accident, never through a symbolic link.

A new file is created with ``O_EXCL | O_NOFOLLOW``, so an existing file or a link in its
place is refused; ``--force`` writes a temporary file beside it and renames it over the
name, which replaces a link itself rather than the file it points to. The database and
its ``-wal``/``-shm`` companions are refused in every case.
"""

from __future__ import annotations

import os
from pathlib import Path

from workflow import InvalidInput

_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _guard(path: Path, protect: str | None) -> None:
    if protect is None or "://" in protect or protect == ":memory:":
        return
    for suffix in _COMPANIONS:
        if _same(path, Path(protect + suffix)):
            raise InvalidInput(f"{path} is the database {protect}{' ' + suffix[1:] if suffix else ''}"
                               ": an output file never replaces it")


def write_new(out: str, data: bytes, *, force: bool = False, protect: str | None = None) -> None:
    """Write DATA to OUT: a new file (refused if anything is there) or, with FORCE, a
    replacement made by renaming over OUT; never the database PROTECT or its companions."""
    path = Path(out)
    _guard(path, protect)
    if not force:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            handle = os.open(path, flags, 0o644)
        except FileExistsError:
            kind = "a symbolic link" if path.is_symlink() else "a file"
            raise InvalidInput(f"{path} is already {kind}: give --force to replace it") from None
        with os.fdopen(handle, "wb") as written:
            written.write(data)
        return
    if path.is_dir():
        raise InvalidInput(f"{path} is a directory")
    import tempfile  # here: only a command that writes a file needs it (~3 ms)

    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as written:
            written.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)  # replaces a link itself, not what it points to
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
