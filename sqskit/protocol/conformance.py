"""Check a service's result against botocore's output shape before it goes on the wire.

botocore's parser silently drops members a shape does not know, so a typo in a
service (``"MessageID"``) would vanish instead of failing. With a strict world
(``World(strict=True)``, which the test suite uses) every response is checked here:
each member must exist in the shape, required members must be present, and scalars
must have the shape's type.

A required *list or map* may be missing: AWS omits empty collections even where the
model marks them required (recorded against AWS: a SendMessageBatch in which nothing
failed has no ``Failed``; sqskit applies the same rule to ``Successful``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.model import Shape


class ShapeMismatch(Exception):
    """A service result that does not fit the operation's output shape."""


_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "double": (int, float),
    "float": (int, float),
    "blob": (bytes, bytearray),
    "timestamp": (int, float, datetime),
}


def check(shape: Shape | None, value: Any, path: str = "") -> None:
    """Raise :class:`ShapeMismatch` if ``value`` does not fit ``shape``."""
    if shape is None:
        if value:
            raise ShapeMismatch(f"{path or 'result'}: operation has no output, got {value!r}")
        return
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise ShapeMismatch(f"{path}: expected a structure, got {type(value).__name__}")
        members = shape.members
        for name, item in value.items():
            if name not in members:
                raise ShapeMismatch(f"{path}.{name}: not a member of {shape.name}")
            if item is None:
                raise ShapeMismatch(f"{path}.{name}: None (omit the member instead)")
            check(members[name], item, f"{path}.{name}")
        for name in shape.required_members:
            if name not in value and members[name].type_name not in ("list", "map"):
                raise ShapeMismatch(f"{path}.{name}: required by {shape.name} but missing")
    elif kind == "list":
        if not isinstance(value, list):
            raise ShapeMismatch(f"{path}: expected a list, got {type(value).__name__}")
        for index, item in enumerate(value):
            check(shape.member, item, f"{path}[{index}]")
    elif kind == "map":
        if not isinstance(value, dict):
            raise ShapeMismatch(f"{path}: expected a map, got {type(value).__name__}")
        for key, item in value.items():
            check(shape.key, key, f"{path}<key>")
            check(shape.value, item, f"{path}[{key!r}]")
    else:
        expected = _SCALARS.get(kind)
        if expected is None:
            return
        if kind in ("integer", "long", "double", "float") and isinstance(value, bool):
            raise ShapeMismatch(f"{path}: expected {kind}, got bool")
        if not isinstance(value, expected):
            raise ShapeMismatch(f"{path}: expected {kind}, got {type(value).__name__}")
        if kind == "string" and shape.enum and value not in shape.enum:
            raise ShapeMismatch(f"{path}: {value!r} is not one of {shape.enum}")
