"""Validated definitions as plain objects, and their JSON form for the catalog cache.

pydantic validates `data/*.yaml` once; the catalog then keeps what it validated as `Plain`
objects (the same fields, read the same way, frozen), so a catalog read back from the cache
needs neither PyYAML nor pydantic. The cache's JSON tags every value that is not a plain
scalar (list, dict, date, object), so no value written by a person can be mistaken for a tag.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class Plain:
    """One validated definition (a unit, an activity, a target…): its fields as attributes, frozen."""

    __slots__ = ("_kind", "__dict__")

    def __init__(self, kind: str, fields: dict[str, Any]):
        object.__setattr__(self, "_kind", kind)
        self.__dict__.update(fields)

    def __setattr__(self, name: str, value: Any) -> None:  # noqa: ANN401
        raise AttributeError(f"{self._kind} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{self._kind} is frozen")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Plain) and self._kind == other._kind and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((self._kind, tuple(self.__dict__.values())))

    def __repr__(self) -> str:
        return f"{self._kind}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Plain, (self._kind, dict(self.__dict__)))


def plain(value: Any) -> Any:  # noqa: ANN401
    """A pydantic model (and what it holds) as `Plain` objects, lists and dicts; anything else as is."""
    fields = getattr(type(value), "__pydantic_fields__", None)
    if fields is not None:
        return Plain(type(value).__name__, {name: plain(getattr(value, name)) for name in fields})
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def dump(value: Any, exclude_none: bool = False) -> Any:  # noqa: ANN401
    """JSON-ready data of a definition, as pydantic's `model_dump(mode="json")` gives it."""
    if isinstance(value, Plain):
        return {k: dump(v, exclude_none) for k, v in value.__dict__.items() if not (exclude_none and v is None)}
    if isinstance(value, list | tuple):
        return [dump(v, exclude_none) for v in value]
    if isinstance(value, dict):
        return {k: dump(v, exclude_none) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# ------------------------------------------------------------ the cache's JSON


def encode(value: Any) -> Any:  # noqa: ANN401
    """JSON data for a tree of `Plain` objects: lists, dicts, dates and objects tagged."""
    if isinstance(value, Plain):
        return ["P", value._kind, [[k, encode(v)] for k, v in value.__dict__.items()]]
    if isinstance(value, list):
        return ["L", [encode(v) for v in value]]
    if isinstance(value, dict):
        return ["D", [[k, encode(v)] for k, v in value.items()]]
    if isinstance(value, dt.datetime):
        return ["T", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if value is None or isinstance(value, str | int | float):  # bool is an int
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode(data: Any) -> Any:  # noqa: ANN401
    """The tree `encode` was given (ValueError/TypeError/KeyError on data it did not write)."""
    if not isinstance(data, list):
        if data is None or isinstance(data, str | int | float):
            return data
        raise TypeError("not cache data")
    tag = data[0]
    if tag == "P":
        return Plain(data[1], {k: decode(v) for k, v in data[2]})
    if tag == "L":
        return [decode(v) for v in data[1]]
    if tag == "D":
        return {k: decode(v) for k, v in data[1]}
    if tag == "d":
        return dt.date.fromisoformat(data[1])
    if tag == "T":
        return dt.datetime.fromisoformat(data[1])
    raise ValueError(f"unknown tag {tag!r}")
