"""Scenario files as located data: YAML or JSON with the line of every key and item.

``parse_text`` reads a file's text with a SafeLoader whose mappings and sequences
remember where they stood, so every problem found later can name ``FILE:LINE``.
"""

from __future__ import annotations

from typing import Any

import yaml

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
    """SafeLoader whose mappings and sequences remember where they stood."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LocDict:
    loader.flatten_mapping(node)
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


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date as YAML reads it; an impossible one (1961-11-31) stays text, for the
    checks below to name it, instead of failing the whole file."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def line_of(value: Any, key: Any = None) -> int | None:
    """The line of a located mapping's key (or of the value itself)."""
    if key is not None and isinstance(value, LocDict):
        return value.lines.get(key, value.line)
    return getattr(value, "line", None)


def parse_text(text: str, source: str) -> Any:
    """The file's data, located; raises yaml.YAMLError."""
    if source.endswith(".json"):
        text = text.replace("\t", " ")  # JSON allows tabs between tokens; YAML does not
    return yaml.load(text, Loader=_Loader)  # noqa: S506  _Loader is a SafeLoader
