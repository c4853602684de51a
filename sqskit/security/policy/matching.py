"""Wildcards in policies: how ``sqs:Receive*``, ``ord?rs`` and ``arn:aws:sns:*:*:events`` match.

Three kinds of matching, each as IAM documents it
(../shared/reference/iam-policy-evaluation.md sections 1-2):

* **actions** (``Action``/``NotAction``): ``service:Name``, case-insensitive, ``*`` any
  run of characters, ``?`` one character (``sqs:receive*`` matches
  ``sqs:ReceiveMessage``);
* **strings** (``StringLike``): case-sensitive, ``*`` and ``?`` anywhere, ``*`` may run
  across ``:`` and ``/``;
* **ARNs** (``Resource``, ``ArnLike``): the six colon-separated parts of the ARN are
  matched one by one, so a ``*`` never runs across a ``:`` between parts (it may inside
  the last part, the resource, which can itself hold ``:`` and ``/``). A pattern with
  fewer than six parts matches nothing.

Patterns compile once into regular expressions (cached), so matching on the hot path
is one ``re.fullmatch`` or one set lookup.
"""

from __future__ import annotations

import re
from functools import lru_cache


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


@lru_cache(maxsize=4096)
def glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """The regular expression for a ``*``/``?`` pattern (everything else literal)."""
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def string_like(pattern: str, value: str) -> bool:
    """``StringLike``: case-sensitive glob where ``*`` may span anything."""
    if not has_wildcard(pattern):
        return pattern == value
    return glob(pattern).fullmatch(value) is not None


def arn_like(pattern: str, value: str) -> bool:
    """``ArnLike`` / ``Resource``: each of the six ARN parts matched on its own."""
    if pattern == "*":
        return True
    if not has_wildcard(pattern):
        return pattern == value
    wanted = pattern.split(":", 5)
    got = value.split(":", 5)
    if len(wanted) != 6 or len(got) != 6:
        return False
    return all(
        w == g if not has_wildcard(w) else glob(w).fullmatch(g) is not None
        for w, g in zip(wanted, got, strict=True)
    )


class ActionSet:
    """The actions one statement names, compiled for case-insensitive matching."""

    __slots__ = ("everything", "exact", "patterns", "written")

    def __init__(self, written: tuple[str, ...]) -> None:
        self.written = written
        self.everything = "*" in written
        self.exact = frozenset(a.lower() for a in written if not has_wildcard(a))
        wild = [a for a in written if has_wildcard(a) and a != "*"]
        self.patterns = (
            re.compile("|".join(f"(?:{glob(a).pattern})" for a in wild), re.IGNORECASE | re.DOTALL)
            if wild else None
        )

    def matches(self, action: str) -> bool:
        """Does ``action`` (e.g. ``sqs:SendMessage``) fall under one of the patterns?"""
        if self.everything:
            return True
        if action.lower() in self.exact:
            return True
        return self.patterns is not None and self.patterns.fullmatch(action) is not None

    def __repr__(self) -> str:
        return f"<ActionSet {list(self.written)}>"


def resolve_variables(pattern: str, lookup: object) -> str | None:
    """Replace ``${aws:username}``-style policy variables; None if one has no value.

    ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters. ``lookup`` is the
    request context (anything with ``get(key)``); a multivalued key cannot be a variable.
    Source: IAM "policy variables" (PV), only in policies with Version 2012-10-17.
    """
    out = []
    rest = pattern
    while "${" in rest:
        head, _, tail = rest.partition("${")
        name, closed, rest = tail.partition("}")
        if not closed:
            return None
        out.append(head)
        if name in ("*", "?", "$"):
            out.append(name)
            continue
        default = None
        if "," in name:  # ${aws:username, 'guest'}
            name, _, fallback = name.partition(",")
            default = fallback.strip().strip("'")
        value = lookup.get(name.strip().lower())  # type: ignore[attr-defined]
        if value is None or isinstance(value, tuple):
            if default is None:
                return None
            value = default
        out.append(value)
    out.append(rest)
    return "".join(out)
