"""Content filtering: the pattern language SNS filter policies and EventBridge rules share.

A pattern is JSON shaped like the data it filters; every leaf is an **array** of
conditions. A document matches when every field the pattern names matches (fields
AND), and a field matches when at least one of its conditions matches one of its
values (conditions OR; an array value matches when any element does). Fields the
pattern does not name are ignored. ``$or`` joins alternative patterns.

Conditions: an exact value (a string, number, ``true``/``false`` or ``null``, compared
with its JSON type: ``"1"`` is not ``1``, and numbers by their text, so ``300`` is not
``300.0``), or an object with one operator: ``prefix``, ``suffix``,
``equals-ignore-case``, ``wildcard``, ``anything-but`` (a value, a list, or
``{"prefix": ...}``), ``numeric`` (``["=", 5]`` or a range such as ``[">", 0, "<=", 9]``),
``exists`` (``true``/``false``) and ``cidr``. Every operator except ``exists`` needs the
field to be present; ``anything-but`` matches a present field whose value is not one of
those listed.

This module is pure: :func:`compile_pattern` checks a pattern (raising
:class:`PatternError` with AWS's reason text) and returns :class:`Rules`;
:func:`flatten` turns a JSON document into ``{"a.b": [leaf values]}``. The SNS and
EventBridge front-ends (``sns/filters.py``, ``events/patterns.py``) choose the
operators and limits and wrap the reason into their own error.

Simplified: nested fields are joined with ``.`` on both sides (so a pattern key
``"a.b"`` also matches ``{"a": {"b": ...}}``, as AWS does), and fields from different
elements of an array of objects may combine. Source: ../shared/reference/integrations.md
sections 1.6 and 3.2-3.3 (error texts recorded against AWS by LocalStack's SNS tests).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ALL_OPERATORS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric",
     "exists", "cidr"}
)
_LOWER = (">", ">=")
_UPPER = ("<", "<=")
_ABSENT: list[Any] = []  # stands for "the field is not in the document"


class PatternError(ValueError):
    """A pattern AWS would reject; ``str(error)`` is AWS's reason."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def same_value(pattern: Any, value: Any) -> bool:
    """Exact match, JSON type and all (numbers compare by their JSON text)."""
    if _is_number(pattern) and _is_number(value):
        return json.dumps(pattern) == json.dumps(value)
    return type(pattern) is type(value) and pattern == value


@dataclass(frozen=True)
class Condition:
    """One entry of a field's condition list: an operator and its argument."""

    operator: str  # "equals" for an exact value
    argument: Any

    def matches(self, values: list[Any] | None) -> bool:
        """Does the field (its leaf values, or None when absent) satisfy this condition?"""
        if self.operator == "exists":
            return (values is not None) is self.argument
        if values is None:
            return False
        return any(self.test(value) for value in values)

    def test(self, value: Any) -> bool:
        op, arg = self.operator, self.argument
        if op == "equals":
            return same_value(arg, value)
        if op == "anything-but":
            if isinstance(arg, dict):
                return isinstance(value, str) and not value.startswith(arg["prefix"])
            return not any(same_value(item, value) for item in arg)
        if op == "numeric":
            return _is_number(value) and all(_COMPARE[o](value, n) for o, n in arg)
        if not isinstance(value, str):
            return False
        if op == "prefix":
            return value.startswith(arg)
        if op == "suffix":
            return value.endswith(arg)
        if op == "equals-ignore-case":
            return value.casefold() == arg.casefold()
        if op == "wildcard":
            return arg.fullmatch(value) is not None
        if op == "cidr":
            try:
                return ipaddress.ip_address(value) in arg
            except ValueError:
                return False
        return False

    def __repr__(self) -> str:
        return f"<Condition {self.operator} {self.argument!r}>"


_COMPARE = {
    "=": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}

Branch = dict[str, tuple[Condition, ...]]


@dataclass(frozen=True)
class Rules:
    """A compiled pattern: alternatives (from ``$or``), each mapping a field to conditions."""

    branches: tuple[Branch, ...]

    def matches(self, flat: dict[str, list[Any]]) -> bool:
        """Does a flattened document (see :func:`flatten`) match?"""
        return any(
            all(any(c.matches(flat.get(path)) for c in conds) for path, conds in branch.items())
            for branch in self.branches
        )

    def __repr__(self) -> str:
        fields = sorted({path for branch in self.branches for path in branch})
        return f"<Rules on {', '.join(fields)} ({len(self.branches)} alternatives)>"


def flatten(document: Any, prefix: str = "") -> dict[str, list[Any]]:
    """``{"a": {"b": [1, 2]}}`` -> ``{"a.b": [1, 2]}``; empty arrays leave no field."""
    out: dict[str, list[Any]] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for item in value:
                walk(item, path)
        else:
            out.setdefault(path, []).append(value)

    walk(document, prefix)
    return out


def compile_pattern(pattern: dict[str, Any], operators: Iterable[str] = ALL_OPERATORS) -> Rules:
    """Check ``pattern`` and compile it; raise :class:`PatternError` as AWS would."""
    allowed = frozenset(operators)
    branches: list[Branch] = [{}]

    def walk(node: dict[str, Any], path: str, current: list[Branch]) -> list[Branch]:
        for key, value in node.items():
            if key == "$or" and is_or(value):
                current = [b for alt in value for b in walk(alt, path, current)]
                continue
            field = f"{path}.{key}" if path else key
            if isinstance(value, dict):
                current = walk(value, field, current)
            elif isinstance(value, list):
                conditions = tuple(_condition(item, allowed) for item in _non_empty(value))
                current = [{**b, field: b.get(field, ()) + conditions} for b in current]
            else:
                raise PatternError(f'"{key}" must be an object or an array')
        return current

    return Rules(tuple(walk(pattern, "", branches)))


def is_or(value: Any) -> bool:
    """``$or`` is an operator only over a list of at least two objects (else a field name)."""
    return isinstance(value, list) and len(value) > 1 and all(isinstance(v, dict) for v in value)


def _non_empty(values: list[Any]) -> list[Any]:
    if not values:
        raise PatternError("Empty arrays are not allowed")
    return values


def _condition(item: Any, allowed: frozenset[str]) -> Condition:
    if item is None or isinstance(item, (str, bool, int, float)):
        return Condition("equals", item)
    if not isinstance(item, dict):
        raise PatternError("Match value must be String, number, true, false, or null")
    operator = next(iter(item), None)
    if operator is None or operator not in allowed:
        raise PatternError(f"Unrecognized match type {operator}")
    if len(item) > 1:
        raise PatternError("Only one key allowed in match expression")
    argument = item[operator]
    if operator in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
        if not isinstance(argument, str):
            raise PatternError(f"{operator} match pattern must be a string")
        if operator == "wildcard":
            parts = (re.escape(p) for p in argument.split("*"))
            return Condition(operator, re.compile(".*".join(parts), re.DOTALL))
        return Condition(operator, argument)
    if operator == "exists":
        if not isinstance(argument, bool):
            raise PatternError("exists match pattern must be either true or false.")
        return Condition(operator, argument)
    if operator == "cidr":
        try:
            return Condition(operator, ipaddress.ip_network(str(argument), strict=False))
        except ValueError:
            raise PatternError(f"Malformed CIDR, one '/' required: {argument}") from None
    if operator == "numeric":
        return Condition(operator, _numeric(argument))
    return Condition(operator, _anything_but(argument))


def _anything_but(argument: Any) -> Any:
    if isinstance(argument, dict):
        inner = next(iter(argument), None)
        if inner != "prefix" or len(argument) != 1:
            raise PatternError(f"Unsupported anything-but pattern: {inner}")
        if not isinstance(argument["prefix"], str):
            raise PatternError("prefix match pattern must be a string")
        return argument
    values = argument if isinstance(argument, list) else [argument]
    kinds = {"number" if _is_number(v) else type(v).__name__ for v in values}
    if not values or not (kinds <= {"str"} or kinds <= {"number"}):
        raise PatternError(
            "Value of anything-but must be an array or single string/number value."
        )
    return tuple(values)


def _numeric(argument: Any) -> tuple[tuple[str, float], ...]:
    """``["=", 5]``, ``[">", 0]`` or ``[">", 0, "<=", 9]`` -> ((op, number), ...)."""
    items = argument if isinstance(argument, list) else [argument]
    if not items or not isinstance(items[0], str):
        shown = "]" if not items else _text(items[0])
        raise PatternError(f"Invalid member in numeric match: {shown}")
    first = items[0]
    if first not in _COMPARE:
        raise PatternError(f"Unrecognized numeric range operator: {first}")
    name = "equals" if first == "=" else first
    if len(items) < 2 or not _is_number(items[1]):
        raise PatternError(f"Value of {name} must be numeric")
    terms = [(first, float(items[1]))]
    if len(items) == 2:
        return tuple(terms)
    if first == "=" or first in _UPPER:
        raise PatternError("Too many elements in numeric expression")
    second = items[2]
    if not isinstance(second, str):
        raise PatternError(f"Bad value in numeric range: {_text(second)}")
    if second not in _UPPER:
        raise PatternError(f"Bad numeric range operator: {second}")
    if len(items) < 4 or not _is_number(items[3]):
        raise PatternError(f"Value of {second} must be numeric")
    if len(items) > 4:
        raise PatternError("Too many terms in numeric range expression")
    if float(items[3]) <= terms[0][1]:
        raise PatternError("Bottom must be less than top")
    terms.append((second, float(items[3])))
    return tuple(terms)


__all__ = ["Condition", "PatternError", "Rules", "compile_pattern", "flatten", "is_or",
           "same_value"]
