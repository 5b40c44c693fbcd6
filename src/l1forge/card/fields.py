"""Turn a parsed YAML mapping into the schema's frozen dataclasses, or say what is wrong.

Every error names the card file, the dotted field and what was expected, and offers a
did-you-mean for unknown fields.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from typing import Any

from l1forge.errors import UserError


# Card fields the loader fills itself: where the card came from, the family's own fields.
NOT_FROM_YAML = ("source", "family")


def build(cls, raw: Any, where: str, source: str):
    """Build dataclass `cls` from mapping `raw`; `where` is the dotted path for errors."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        fail(source, where or "card", f"a mapping, got {type(raw).__name__}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name not in NOT_FROM_YAML]
    for key in raw:
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            fail(source, join(where, key), f"one of the known fields {', '.join(names)}{hint}",
                 prefix="unknown field")
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in raw:
            values[f.name] = convert(hints[f.name], raw[f.name], join(where, f.name), source)
    try:
        return cls(**values)
    except TypeError:
        missing = [f.name for f in dataclasses.fields(cls)
                   if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                   and f.name not in values]
        fail(source, join(where, missing[0] if missing else "?"), "a value", prefix="missing field")


def convert(hint, value: Any, where: str, source: str):
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return convert(inner[0], value, where, source)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            fail(source, where, f"a list, got {describe(value)}")
        item = args[0]
        return tuple(convert(item, v, f"{where}[{i}]", source) for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        return build(hint, value, where, source)
    if hint is bool:
        if not isinstance(value, bool):
            fail(source, where, f"true or false, got {describe(value)}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            fail(source, where, f"an integer, got {describe(value)}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail(source, where, f"a number, got {describe(value)}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            fail(source, where, f"a string, got {describe(value)}")
        return value
    raise TypeError(f"schema type {hint!r} not handled")


def describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) < 40 else text[:37] + '...'}"


def join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


def fail(source: str, where: str, expected: str, prefix: str = "bad value") -> typing.NoReturn:
    raise UserError(f"{source}: {prefix} at '{where}': expected {expected}")
