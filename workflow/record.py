"""Records: value classes with named fields, declared as dataclasses are, built without code.

``@dataclass`` writes each class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` as source and compiles them, at every start of every
process: 0.75 ms a frozen class on this 2-core machine, 31-42 ms of the 90-125 ms a
``crossings show`` spent importing its 35 classes, more than click and the store together.
A :class:`Record` is declared the same way (annotations in order, defaults as class
attributes, :func:`field` for a mutable default) and gets those methods from here, written
once; type checkers read it as a dataclass (``typing.dataclass_transform``)::

    class Clause(Record):
        id: str
        summary: str
        words: str = ""
        cited: list[str] = field(default_factory=list)

Records are frozen unless the class says ``frozen=False``; equal when of the same class
with equal fields; hashable when frozen; :func:`replace` copies one with some fields
changed, through ``__init__``, which calls ``__post_init__`` if the class has one. A class
on a hot path (a guard's result, built once per guard per event) writes its own
``__init__`` with the same arguments (``None`` for a fresh mutable default; such a class
has no ``__post_init__`` and no ``init=False`` field): the generic one matches arguments
to fields in Python, a few microseconds a record. ``ClassVar`` annotations are not fields.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar, dataclass_transform

R = TypeVar("R", bound="Record")
Value = TypeVar("Value")
_MISSING = object()


class _Factory:
    __slots__ = ("make", "init")

    def __init__(self, make: Callable[[], Any], init: bool) -> None:
        self.make, self.init = make, init


def field(*, default_factory: Callable[[], Value], init: bool = True) -> Value:
    """A field's default made anew for each record, as ``dataclasses.field``'s; with
    ``init=False`` not an argument, nor compared, shown or copied: each record's own (an
    index ``__post_init__`` fills, say)."""
    return _Factory(default_factory, init)  # type: ignore[return-value]  # read at __init__


@dataclass_transform(eq_default=True, frozen_default=True, field_specifiers=(field,))
class Record:
    """The base of every value class of crossings (see the module's words)."""

    _fields: tuple[str, ...] = ()
    _field_defaults: dict[str, Any] = {}
    _own: dict[str, Callable[[], Any]] = {}  # the init=False fields: name -> factory
    _post_init: Callable[[Any], None] | None = None

    def __init_subclass__(cls, frozen: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        annotations = cls.__dict__.get("__annotations__")
        if annotations is None and "__annotate__" in cls.__dict__:  # PEP 649 (3.14): lazy
            annotations = cls.__annotations__
        declared = [name for name, kind in (annotations or {}).items()
                    if not str(kind).startswith(("ClassVar", "typing.ClassVar"))]
        defaults, extras = dict(cls._field_defaults), dict(cls._own)
        for name in declared:
            value = cls.__dict__.get(name, _MISSING)
            if value is not _MISSING:
                delattr(cls, name)  # a value is the instance's, never read through the class
            if isinstance(value, _Factory) and not value.init:
                extras[name] = value.make
            elif value is _MISSING:
                defaults.pop(name, None)
            else:
                defaults[name] = value
        own = [name for name in declared if name not in extras]
        # As a dataclass: an inherited field keeps its place when redeclared.
        cls._fields = (*cls._fields, *(name for name in own if name not in cls._fields))
        cls._field_defaults, cls._own = defaults, extras
        required = [name for name in cls._fields if name not in defaults]
        if required and cls._fields.index(required[-1]) >= len(required):
            raise TypeError(f"{cls.__name__}: a field without a default follows one with one")
        cls._post_init = getattr(cls, "__post_init__", None)
        if not frozen:  # set as on any object; equal by value, so unhashable
            cls.__setattr__ = object.__setattr__  # type: ignore[method-assign, assignment]
            cls.__delattr__ = object.__delattr__  # type: ignore[method-assign]
            cls.__hash__ = None  # type: ignore[method-assign, assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        names = cls._fields
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}() takes {len(names)} arguments, "
                            f"{len(args)} were given")
        values = dict(zip(names, args))
        for key, value in kwargs.items():
            if key in values or key not in names:
                raise TypeError(f"{cls.__name__}() got an unexpected or repeated "
                                f"argument {key!r}")
            values[key] = value
        if len(values) < len(names):
            for name in names:
                if name not in values:
                    default = cls._field_defaults.get(name, _MISSING)
                    if default is _MISSING:
                        raise TypeError(f"{cls.__name__}() is missing argument {name!r}")
                    values[name] = default.make() if isinstance(default, _Factory) else default
        for name, make in cls._own.items():
            values[name] = make()
        self.__dict__.update(values)
        if cls._post_init is not None:
            cls._post_init(self)

    def _values(self) -> tuple[Any, ...]:
        values = self.__dict__
        return tuple(values[name] for name in self._fields)

    def __repr__(self) -> str:
        values = self.__dict__
        shown = ", ".join(f"{name}={values[name]!r}" for name in self._fields)
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")


def replace(record: R, **changes: Any) -> R:
    """A copy of RECORD with CHANGES, built through its class's ``__init__`` (so whatever
    it derives is derived again), as ``dataclasses.replace``."""
    unknown = set(changes).difference(record._fields)
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {', '.join(sorted(unknown))}")
    values = record.__dict__
    return type(record)(**{**{name: values[name] for name in record._fields}, **changes})


def fields(record: Record | type[Record]) -> tuple[str, ...]:
    """The names of a record's fields, in order."""
    return record._fields


__all__ = ["Record", "field", "fields", "replace"]
