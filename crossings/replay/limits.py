"""What a scenario file may hold, beyond its fields: size, depth, no anchors, plain JSON.

A scenario file is read before anything is replayed, so reading it must not be the
attack: a file is refused when it is larger than ``MAX_BYTES`` (before it is read whole),
nests mappings and sequences deeper than ``MAX_DEPTH``, uses YAML anchors or aliases
(a "billion laughs" file never expands), or, in JSON, holds a bare word such as ``NaN``
or ``Infinity`` that Python's json module would accept and no JSON reader should.
Each refusal is a ``FileRefused`` naming the line, turned into ``FILE:LINE`` by ``read``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024
"""The largest scenario file read: 20 MB (the largest recorded file is a few KB)."""

MAX_DEPTH = 64
"""The deepest nesting of mappings and sequences (a scenario needs four or five)."""

NO_ANCHORS = "anchors and aliases are not allowed in a scenario file"
TOO_DEEP = f"mappings and sequences nested more than {MAX_DEPTH} levels deep are not allowed in a scenario file"

_JSON_WORD = re.compile(r"(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\Z")


class FileRefused(Exception):
    """A scenario file refused while it is read, at a line (None: the whole file)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _too_big(size: int, what: str = "a scenario file") -> str:
    return (f"the file is {size / 2**20:.1f} MB; {what} may be at most "
            f"{MAX_BYTES // 2**20} MB")


def read_bytes_bounded(path: str | Path, what: str = "a scenario file") -> bytes:
    """The file's bytes, refused unread when it is larger than MAX_BYTES (WHAT names
    the kind of file in the refusal). Raises OSError or FileRefused."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size > MAX_BYTES:
            raise FileRefused(None, _too_big(size, what))
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FileRefused(None, _too_big(len(data), what))
    return data


def read_bounded(path: str | Path) -> str:
    """The file's text, refused unread when it is larger than MAX_BYTES.

    The size is taken from the open file, and the read stops one byte past the limit,
    so a file that grows (or a pipe, whose size says nothing) is bounded as well.
    Raises OSError, UnicodeDecodeError or FileRefused.
    """
    return read_bytes_bounded(path).decode("utf-8")


def check_length(text: str) -> None:
    """Text given whole (``parse``) is held to the same limit, counted in characters."""
    if len(text) > MAX_BYTES:
        raise FileRefused(None, _too_big(len(text)))


def json_word_problem(word: str) -> str | None:
    """Why an unquoted word is not JSON (``NaN``, ``Infinity``, ``yes``), or None."""
    if _JSON_WORD.match(word):
        return None
    if word in ("NaN", "Infinity", "-Infinity"):
        return f"{word} is not a JSON value (Python's json reads it; no other reader does)"
    return f"{word!r} is not a JSON value: quote text"
