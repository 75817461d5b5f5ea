r"""Stored text on its way out: escaped so that no value moves the cursor, starts a line,
reorders a terminal or runs as a spreadsheet formula; JSON kept exact (issue 10, item 8).

The hidden characters are those of Unicode categories Cc (controls: ESC, CR, LF, TAB,
DEL, the C1 controls such as U+009B), Cf (format characters: bidi controls such as U+202E,
zero-width characters, U+FEFF), Zl (U+2028), Zp (U+2029) and Cs (a lone surrogate, which
no terminal can be sent). :func:`term` writes each as Python writes it in a string
literal (what ``repr`` shows): ``\n``, ``\r``, ``\t``, otherwise ``\x1b`` below U+0100,
``\u202e`` below U+10000 and ``\U000e0001`` above. Every other character (Hangul, Hanja,
accents, spaces) passes untouched, and so does a backslash: a stored ``\n`` typed as two
characters reads like an escaped line break, never acts as one; ``--json`` is the exact form.

Each function is pure and cheap on plain text: ``str.isprintable`` (C code) says whether
anything needs escaping at all, and the characters of a text that does are looked up in a
table filled on demand, so each code point's category is read once per process.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Callable, Literal

HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# OWASP's CSV injection advice: a cell starting with one of these is a formula to a
# spreadsheet, so it is prefixed with a single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def visible(ch: str) -> str:
    """One hidden character as a Python string-literal escape: ``\\x1b``, ``\\u202e``."""
    code = ord(ch)
    if ch in _SHORT:
        return _SHORT[ch]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _json_visible(ch: str) -> str:
    """A hidden character json.dumps leaves raw, as a JSON ``\\uXXXX`` escape (a surrogate
    pair above U+FFFF). Below U+0020 json has escaped it already inside a string, and
    outside one it is white space between tokens: kept."""
    code = ord(ch)
    if code < 0x20:
        return ch
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


class _OnDemand(dict[int, str]):
    """A ``str.translate`` table filled as characters are met: hidden ones escaped."""

    def __init__(self, escape: Callable[[str], str]) -> None:
        super().__init__()
        self._escape = escape

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        shown = self._escape(ch) if unicodedata.category(ch) in HIDDEN else ch
        self[code] = shown
        return shown


_TERM = _OnDemand(visible)
_JSON = _OnDemand(_json_visible)


def term(text: str) -> str:
    """Text for a terminal: every hidden character written as a visible escape."""
    return text if text.isprintable() else text.translate(_TERM)


def csv_cell(text: str) -> str:
    """A text cell for CSV: :func:`term`, and a formula start neutralised by a leading
    ``'`` (OWASP). Only for text: a number's cell is left as the number."""
    shown = term(text)
    return "'" + shown if text.startswith(FORMULA_STARTS) else shown


def json_safe(json_text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with the hidden characters json
    leaves raw (DEL, C1 controls, Cf, Zl, Zp, lone surrogates) written as ``\\uXXXX``:
    the decoded data is exactly the same, and a terminal showing it is not reordered."""
    if json_text.isascii():  # then DEL is the only one json leaves raw
        return json_text.replace("\x7f", "\\u007f")
    if json_text.replace("\n", " ").isprintable():  # indent's line breaks are the only others
        return json_text
    lines = json_text.split("\n")
    return "\n".join(line if line.isprintable() else line.translate(_JSON) for line in lines)


# Mermaid decodes "#NN;" entity codes in every diagram's text, so each character that
# would end a `state "..." as id` label or an edge label, start a comment (%%), or be read
# as HTML (<br>, &amp;) or as an escape (\n) is written as its decimal code.
_MERMAID = {ord(ch): f"#{ord(ch)};" for ch in '#";:<>&%\\'}


def label(text: str, syntax: Literal["mermaid", "dot"]) -> str:
    """A Mermaid or DOT label: :func:`term`, then what the syntax needs. Mermaid: the
    characters of ``_MERMAID`` as ``#NN;`` codes. DOT (inside the double quotes the
    graphviz package puts around it): backslashes doubled, so that neither ``\\l`` nor
    ``\\N`` nor an escape of :func:`term` is read as a DOT escape, and ``"`` as ``\\"``."""
    shown = term(text)
    if syntax == "mermaid":
        return shown.translate(_MERMAID)
    return shown.replace("\\", "\\\\").replace('"', '\\"')


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar holding :func:`term` of the text: a value with ": " or
    quotes in it still parses (after :func:`term` it needs only ``\\`` and ``"`` escaped,
    as JSON's string quoting does, and that is valid YAML)."""
    return json.dumps(term(text), ensure_ascii=False)
