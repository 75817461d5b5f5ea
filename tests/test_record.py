"""Records (``workflow.record``): the value classes of every layer, declared like dataclasses
and behaving like frozen ones, without compiling code at start-up."""

from __future__ import annotations

import copy
import importlib
import inspect
import pickle
import pkgutil
from typing import Any, ClassVar

import pytest

import crossings
import store
import workflow
from workflow.record import Record, field, fields, replace


class Point(Record):
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)


class Indexed(Record):
    items: tuple[str, ...]
    _index: dict[str, int] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._index.update({item: n for n, item in enumerate(self.items)})


class Counter(Record, frozen=False):
    count: int = 0


def test_fields_in_order_with_defaults_and_a_fresh_mutable_default_each() -> None:
    a, b = Point(1), Point(2, y=5)
    assert (a.x, a.y, a.tags, b.x, b.y) == (1, 0, [], 2, 5)
    a.tags.append("red")
    assert Point(3).tags == [] and fields(Point) == ("x", "y", "tags")
    assert repr(b) == "Point(x=2, y=5, tags=[])"


def test_frozen_equal_by_value_of_the_same_class_and_hashable() -> None:
    point = Point(1, 2)
    with pytest.raises(AttributeError, match="frozen"):
        point.x = 3  # type: ignore[misc]
    with pytest.raises(AttributeError, match="frozen"):
        del point.y  # type: ignore[misc]
    assert point == Point(1, 2) != Point(1, 3)
    assert point != (1, 2, []) and hash(Indexed(("a",))) == hash(Indexed(("a",)))
    assert {Indexed(("a",)), Indexed(("a",))} == {Indexed(("a",))}


def test_a_mutable_record_sets_fields_and_is_not_hashable() -> None:
    counter = Counter()
    counter.count += 1
    assert counter == Counter(1)
    with pytest.raises(TypeError):
        hash(counter)


@pytest.mark.parametrize("call, message", [
    (lambda: Point(), "missing argument 'x'"),
    (lambda: Point(1, 2, [], 4), "takes 3 arguments"),
    (lambda: Point(1, x=2), "unexpected or repeated argument 'x'"),
    (lambda: Point(1, z=2), "unexpected or repeated argument 'z'"),
    (lambda: Indexed((), _index={}), "unexpected or repeated argument '_index'"),
    (lambda: replace(Point(1), z=2), "Point has no field z"),
])
def test_wrong_arguments_are_a_type_error_naming_them(call: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call()


def test_class_variables_are_not_fields_and_a_redeclared_field_keeps_its_place() -> None:
    class Limits(Record):
        UNITS: ClassVar[str] = "days"
        low: int
        high: int = 9

    class Later(Limits):
        low: int = 1
        note: str = ""

    assert fields(Limits) == ("low", "high") and Limits.UNITS == "days"
    assert fields(Later) == ("low", "high", "note") and Later() == Later(1, 9, "")


def test_a_required_field_after_one_with_a_default_is_refused_at_the_class() -> None:
    with pytest.raises(TypeError, match="without a default follows"):
        class Wrong(Record):  # noqa: F841
            a: int = 1
            b: int


def test_replace_builds_anew_and_never_shares_what_post_init_derives() -> None:
    first = Indexed(("a", "b"))
    second = replace(first, items=("c",))
    assert second._index == {"c": 0} and first._index == {"a": 0, "b": 1}
    assert first == Indexed(("a", "b")) and "_index" not in repr(first)
    assert replace(Point(1, 2), y=9) == Point(1, 9)


def test_copies_and_pickles_keep_the_value() -> None:
    point = Point(1, 2, ["x"])
    for twin in (copy.copy(point), copy.deepcopy(point), pickle.loads(pickle.dumps(point))):
        assert twin == point and twin is not point


def _records() -> list[type[Record]]:
    for package in (workflow, store, crossings):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if module.name.endswith("__main__") or "postgres" in module.name \
                    or "reading_room" in module.name:
                continue  # a program, or optional dependencies; none declares a record
            importlib.import_module(module.name)
    found, todo = [], list(Record.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.split(".")[0] in {"workflow", "store", "crossings"}:
            found.append(cls)
    return found


def test_every_hand_written_init_takes_exactly_the_declared_fields() -> None:
    """A hot record writes its own __init__ (a guard's result, a case, a decision): its
    parameters must be the fields, in order, with the same defaults (None for a fresh
    mutable one), so that a field added to the class cannot be forgotten there."""
    checked = []
    for cls in _records():
        if "__init__" not in cls.__dict__:
            continue
        assert cls._post_init is None and not cls._own, cls  # a hand-written one runs neither
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        assert tuple(p.name for p in params) == fields(cls), cls
        for param in params:
            declared = cls._field_defaults.get(param.name, inspect.Parameter.empty)
            expected = None if type(declared).__name__ == "_Factory" else declared
            assert param.default == expected, (cls, param.name)
            if expected is None and declared is not None:
                made = declared.make()
                built = cls(*[_sample(p) for p in params if p.default is inspect.Parameter.empty])
                assert getattr(built, param.name) == made, (cls, param.name)
        checked.append(cls.__name__)
    assert {"Case", "Check", "Decision", "GuardResult", "GuardContext", "EffectContext",
            "Command", "Result"} <= set(checked)


def _sample(param: inspect.Parameter) -> Any:
    return 1 if param.name in {"id", "version", "case_id"} else "x"
