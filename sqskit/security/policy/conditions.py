"""Condition operators: ``"Condition": {"<Operator>": {"<key>": <value or [values]>}}``.

Every operator family of the IAM policy language
(../shared/reference/iam-policy-evaluation.md section 2): String, Numeric, Date, Bool,
Binary, IpAddress, Arn, the ``...IfExists`` suffix, ``Null``, and the set qualifiers
``ForAllValues:`` / ``ForAnyValue:``. The rules a learner trips over are written out
where they are decided, in :meth:`Condition.holds`:

* a key missing from the request makes a condition **false** - except for negated
  operators (``StringNotEquals`` ...), where it makes it **true**;
* ``...IfExists``: a missing key makes the condition true;
* several values for one key: OR; under a negated operator: NOR (matches none);
* ``ForAllValues``: every request value must match - and a missing or empty key is
  **true**; ``ForAnyValue``: at least one must match, missing or empty is false.

Simplified: a multivalued key under an operator without a set qualifier behaves like
``ForAnyValue`` (negated: like ``ForAllValues``), which is AWS's behaviour for the
cases the labs use (**unverified** in general).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from .matching import arn_like, resolve_variables, string_like

Test = Callable[[str, str], bool]  # (policy value, request value) -> match


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def parse_date(text: str) -> float | None:
    """Epoch seconds from ISO 8601 (``2030-01-01T00:00:00Z``, ``2030-01-01``) or epoch text."""
    number = _number(text)
    if number is not None:
        return number
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


@lru_cache(maxsize=1024)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _in_network(policy: str, request: str) -> bool:
    network, address = _network(policy), _address(request)
    return (network is not None and address is not None
            and address.version == network.version and address in network)


def _compare(convert: Callable[[str], float | None], ok: Callable[[float, float], bool]) -> Test:
    def test(policy: str, request: str) -> bool:
        p, r = convert(policy), convert(request)
        return p is not None and r is not None and ok(r, p)

    return test


def _binary(policy: str, request: str) -> bool:
    try:
        return base64.b64decode(policy, validate=True) == base64.b64decode(request)
    except (binascii.Error, ValueError):
        return False


#: operator -> (positive test, negated?)
_EQ, _LT, _LE = (lambda a, b: a == b), (lambda a, b: a < b), (lambda a, b: a <= b)
_GT, _GE = (lambda a, b: a > b), (lambda a, b: a >= b)
OPERATORS: dict[str, tuple[Test, bool]] = {
    "StringEquals": (lambda p, r: p == r, False),
    "StringNotEquals": (lambda p, r: p == r, True),
    "StringEqualsIgnoreCase": (lambda p, r: p.lower() == r.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda p, r: p.lower() == r.lower(), True),
    "StringLike": (string_like, False),
    "StringNotLike": (string_like, True),
    "NumericEquals": (_compare(_number, _EQ), False),
    "NumericNotEquals": (_compare(_number, _EQ), True),
    "NumericLessThan": (_compare(_number, _LT), False),
    "NumericLessThanEquals": (_compare(_number, _LE), False),
    "NumericGreaterThan": (_compare(_number, _GT), False),
    "NumericGreaterThanEquals": (_compare(_number, _GE), False),
    "DateEquals": (_compare(parse_date, _EQ), False),
    "DateNotEquals": (_compare(parse_date, _EQ), True),
    "DateLessThan": (_compare(parse_date, _LT), False),
    "DateLessThanEquals": (_compare(parse_date, _LE), False),
    "DateGreaterThan": (_compare(parse_date, _GT), False),
    "DateGreaterThanEquals": (_compare(parse_date, _GE), False),
    "Bool": (lambda p, r: p.lower() == r.lower(), False),
    "BinaryEquals": (_binary, False),
    "IpAddress": (_in_network, False),
    "NotIpAddress": (_in_network, True),
    "ArnEquals": (arn_like, False),
    "ArnLike": (arn_like, False),
    "ArnNotEquals": (arn_like, True),
    "ArnNotLike": (arn_like, True),
    "Null": (lambda p, r: False, False),  # decided by presence, see Condition.holds
}
_OPERATORS_LOWER = {name.lower(): name for name in OPERATORS}


@dataclass(frozen=True)
class Operator:
    """A parsed operator name such as ``ForAnyValue:StringLikeIfExists``."""

    written: str
    base: str
    qualifier: str | None = None  # "ForAllValues" | "ForAnyValue"
    if_exists: bool = False

    @property
    def negated(self) -> bool:
        return OPERATORS[self.base][1]

    @property
    def test(self) -> Test:
        return OPERATORS[self.base][0]

    def __repr__(self) -> str:
        return f"<Operator {self.written}>"


@lru_cache(maxsize=512)
def parse_operator(written: str) -> Operator:
    """Parse an operator name; raise ValueError if IAM has no such operator.

    Operator names are matched case-insensitively (IAM accepts ``stringequals``).
    """
    qualifier = None
    name = written
    if ":" in name:
        prefix, _, name = name.partition(":")
        qualifier = {"forallvalues": "ForAllValues", "foranyvalue": "ForAnyValue"}.get(
            prefix.lower()
        )
        if qualifier is None:
            raise ValueError(written)
    if_exists = name.lower().endswith("ifexists") and name.lower() != "ifexists"
    if if_exists:
        name = name[: -len("IfExists")]
    base = _OPERATORS_LOWER.get(name.lower())
    if base is None or (base == "Null" and (if_exists or qualifier)):
        raise ValueError(written)
    return Operator(written, base, qualifier, if_exists)


@dataclass(frozen=True)
class ConditionCheck:
    """One condition, the value the request had for its key, and the outcome."""

    operator: str
    key: str
    values: tuple[str, ...]
    seen: str | tuple[str, ...] | None
    holds: bool

    def describe(self) -> str:
        wanted = self.values[0] if len(self.values) == 1 else list(self.values)
        seen = "absent" if self.seen is None else repr(self.seen)
        verdict = "true" if self.holds else "false"
        return f"{self.operator} {self.key} {wanted!r}: request has {seen} -> {verdict}"

    def __repr__(self) -> str:
        return f"<ConditionCheck {self.describe()}>"


@dataclass(frozen=True)
class Condition:
    """One ``operator / key / values`` triple of a statement's Condition block."""

    operator: Operator
    key: str
    values: tuple[str, ...]
    #: resolve ``${...}`` policy variables in the values (Version 2012-10-17 only)
    variables: bool = False
    # looked up once here, not on every request
    _key: str = field(init=False, repr=False, compare=False)
    _test: Test = field(init=False, repr=False, compare=False)
    _negated: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_key", self.key.lower())
        object.__setattr__(self, "_test", self.operator.test)
        object.__setattr__(self, "_negated", self.operator.negated)

    def _values(self, context: Mapping[str, object]) -> tuple[str, ...]:
        if not self.variables:
            return self.values
        resolved = (resolve_variables(v, context) if "${" in v else v for v in self.values)
        return tuple(v for v in resolved if v is not None)

    def _one(self, values: tuple[str, ...], request_value: str) -> bool:
        """One request value against the policy values: OR, or NOR when negated."""
        test = self._test
        matched = any(test(v, request_value) for v in values)
        return not matched if self._negated else matched

    def holds(self, context: Mapping[str, object]) -> bool:
        """Is this condition true for a request with ``context``?"""
        op = self.operator
        seen = context.get(self._key)
        if isinstance(seen, tuple) and not seen:
            seen = None  # an empty multivalued key counts as absent
        if op.base == "Null":  # "true": the key must be absent; "false": present
            return any((seen is None) == (v.lower() == "true") for v in self.values)
        if seen is None:
            if op.qualifier == "ForAllValues":
                return True  # vacuous truth: why ForAllValues + Allow is risky
            if op.qualifier == "ForAnyValue":
                return False
            return op.if_exists or self._negated
        values = self._values(context)
        if isinstance(seen, tuple):
            if op.qualifier == "ForAllValues" or (op.qualifier is None and self._negated):
                return all(self._one(values, v) for v in seen)
            return any(self._one(values, v) for v in seen)
        return self._one(values, str(seen))

    def check(self, context: Mapping[str, object]) -> ConditionCheck:
        """The condition with the request's value, for an explanation."""
        seen = context.get(self.key.lower())
        shown = seen if isinstance(seen, (str, tuple)) else None
        return ConditionCheck(self.operator.written, self.key, self.values, shown,
                              self.holds(context))

    def __repr__(self) -> str:
        return f"<Condition {self.operator.written} {self.key} {list(self.values)}>"
