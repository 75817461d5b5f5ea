"""Scenario files as located data: YAML or JSON with the line of every key and item.

``parse_text`` reads a file's text with a SafeLoader whose mappings and sequences
remember where they stood, so every problem found later can name ``FILE:LINE``.

The loader reads YAML 1.2's core schema, not PyYAML's YAML 1.1: an unquoted value is
``true``/``false``, null (``null``, ``~``, nothing), a plain decimal integer, or text.
``NO``, ``Off``, ``y``, ``0x1F``, ``017``, ``1_000``, ``1.5`` and ``1961-11-17`` are text
(the checker reads dates from text). While composing, it refuses what ``limits`` names:
anchors and aliases, nesting past ``MAX_DEPTH``, and in JSON bare words such as ``NaN``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, Event, ScalarEvent

from .limits import MAX_DEPTH, NO_ANCHORS, TOO_DEEP, FileRefused, json_word_problem

_CORE = "tag:yaml.org,2002:"
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_NULLS = ("null", "Null", "NULL", "~", "")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


class LocDict(dict[Any, Any]):
    """A mapping from the file, with its own line and the line of each key."""

    line: int | None = None
    lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]


class LocList(list[Any]):
    """A sequence from the file, with its own line and the line of each item."""

    line: int | None = None
    lines: list[int]


class _Loader(yaml.SafeLoader):
    """SafeLoader of YAML 1.2's core schema whose mappings and sequences remember where
    they stood, refusing anchors, aliases and deep nesting as it composes."""

    json = False
    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    yaml_constructors: dict[Any, Any] = {}
    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        _refuse(event, self.json)
        if not isinstance(event, CollectionStartEvent):
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FileRefused(event.start_mark.line + 1, TOO_DEEP)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _JsonLoader(_Loader):
    """The same, for a ``.json`` file: an unquoted word must be a JSON literal."""

    json = True


def _refuse(event: Event, json: bool) -> None:
    line = event.start_mark.line + 1
    if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
        raise FileRefused(line, NO_ANCHORS)
    if json and isinstance(event, ScalarEvent) and event.style is None:
        problem = json_word_problem(event.value)
        if problem is not None:
            raise FileRefused(line, problem)


def _resolve_words(tag: str, words: tuple[str, ...]) -> None:
    """Plain scalars spelled as one of ``words`` resolve to ``tag``; the resolver is
    looked up by first character, as PyYAML does."""
    pattern = re.compile("(?:" + "|".join(map(re.escape, words)) + r")\Z")
    _Loader.add_implicit_resolver(_CORE + tag, pattern, sorted({word[:1] for word in words}))


_resolve_words("null", _NULLS)
_resolve_words("bool", tuple(_BOOL))
_Loader.add_implicit_resolver(_CORE + "int", _INT, list("-+0123456789"))


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LocDict:
    out = LocDict()
    out.line, out.lines, out.duplicates = node.start_mark.line + 1, {}, []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (dict, list)):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark)
        line = key_node.start_mark.line + 1
        if key in out:
            out.duplicates.append((key, line))
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LocList:
    out = LocList(loader.construct_object(item, deep=True) for item in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [item.start_mark.line + 1 for item in node.value]
    return out


def _construct_bool(loader: _Loader, node: yaml.ScalarNode) -> bool:
    value = loader.construct_scalar(node)
    if value not in _BOOL:
        raise FileRefused(node.start_mark.line + 1, f"{value!r} is not true or false")
    return _BOOL[value]


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    value = loader.construct_scalar(node)
    if not _INT.match(value):
        raise FileRefused(node.start_mark.line + 1, f"{value!r} is not a decimal integer")
    return int(value)


def _construct_other(loader: _Loader, node: yaml.Node) -> Any:
    """A tag outside the core schema (!!timestamp, !!float, !!binary, !!set, ...)."""
    raise FileRefused(node.start_mark.line + 1,
                      f"the tag {node.tag!r} is not allowed in a scenario file")


_Loader.add_constructor(_CORE + "null", yaml.SafeLoader.construct_yaml_null)
_Loader.add_constructor(_CORE + "bool", _construct_bool)
_Loader.add_constructor(_CORE + "int", _construct_int)
_Loader.add_constructor(_CORE + "str", yaml.SafeLoader.construct_yaml_str)
_Loader.add_constructor(_CORE + "map", _construct_map)
_Loader.add_constructor(_CORE + "seq", _construct_seq)
_Loader.add_constructor(None, _construct_other)


def line_of(value: Any, key: Any = None) -> int | None:
    """The line of a located mapping's key (or of the value itself)."""
    if key is not None and isinstance(value, LocDict):
        return value.lines.get(key, value.line)
    return getattr(value, "line", None)


def parse_text(text: str, source: str) -> Any:
    """The file's data, located; raises yaml.YAMLError or limits.FileRefused."""
    loader: type[_Loader] = _Loader
    if source.endswith(".json"):
        text = text.replace("\t", " ")  # JSON allows tabs between tokens; YAML does not
        loader = _JsonLoader
    return yaml.load(text, Loader=loader)  # noqa: S506  _Loader is a SafeLoader
