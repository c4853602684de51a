"""Subscription filter policies: which published messages a subscriber receives.

A subscription's ``FilterPolicy`` (a JSON object) is matched either against the
message attributes (``FilterPolicyScope`` = ``MessageAttributes``, the default) or
against the message body parsed as JSON (``MessageBody``). The matching itself is the
pattern language SNS shares with EventBridge (``../patterns.py``); this module adds what
is SNS's own:

* limits: at most 5 top-level keys, and at most 150 *combinations* (the product of the
  value-array sizes, each multiplied by its nesting depth; ``$or`` branches add up);
* no nesting when the scope is ``MessageAttributes``;
* how attributes become a document: ``String`` -> a string, ``Number`` -> a number,
  ``String.Array`` -> its JSON array (any element may match), ``Binary`` -> ignored;
* the error texts: ``Invalid parameter: FilterPolicy: <reason>``, or with
  ``Attributes Reason:`` inserted when the policy came with Subscribe.

An empty policy (``""``) removes filtering. Source: ../shared/reference/integrations.md
section 1.6; texts recorded against AWS (LocalStack's SNS filter-policy snapshots).
Simplified: AWS also appends the JSON parser's position (``at [Source: ...]``) to some
messages; sqskit gives the reason without it.
"""

from __future__ import annotations

import json
from typing import Any

from ...base.errors import SnsInvalidParameter
from ..patterns import PatternError, Rules, compile_pattern, flatten, is_or

OPERATORS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr"}
)
MAX_KEYS = 5
MAX_COMBINATIONS = 150
SCOPES = ("MessageAttributes", "MessageBody")


def error_prefix(subscribing: bool) -> str:
    return "Invalid parameter: Attributes Reason: " if subscribing else "Invalid parameter: "


def check_scope(value: str, subscribing: bool) -> str:
    if value not in SCOPES:
        raise SnsInvalidParameter(
            f"{error_prefix(subscribing)}FilterPolicyScope: Invalid value [{value}]. "
            "Please use either MessageBody or MessageAttributes"
        )
    return value


def compile_filter_policy(text: str, scope: str, *, subscribing: bool) -> Rules | None:
    """Validate a FilterPolicy as SNS does; None for the empty policy."""
    if not text:
        return None
    prefix = error_prefix(subscribing)
    try:
        policy = json.loads(text)
    except ValueError:
        raise SnsInvalidParameter(f"{prefix}FilterPolicy: failed to parse JSON.") from None
    if not isinstance(policy, dict):
        raise SnsInvalidParameter(f"{prefix}FilterPolicy: Filter policy must be a JSON object")
    if len(policy) > MAX_KEYS:
        raise SnsInvalidParameter(
            f"{prefix}FilterPolicy: Filter policy can not have more than {MAX_KEYS} keys"
        )
    try:
        rules = compile_pattern(policy, OPERATORS)
    except PatternError as reason:
        raise SnsInvalidParameter(f"{prefix}FilterPolicy: {reason}") from None
    if scope == "MessageAttributes" and _nested(policy):
        raise SnsInvalidParameter(
            f"{prefix}Filter policy scope MessageAttributes does not support nested filter policy"
        )
    if combinations(policy) > MAX_COMBINATIONS:
        raise SnsInvalidParameter(f"{prefix}FilterPolicy: Filter policy is too complex")
    return rules


def _nested(policy: dict[str, Any]) -> bool:
    for key, value in policy.items():
        if key == "$or" and is_or(value):
            if any(_nested(alt) for alt in value):
                return True
        elif isinstance(value, dict):
            return True
    return False


def combinations(policy: dict[str, Any], depth: int = 1) -> int:
    """AWS's complexity measure: value counts times depth, multiplied; ``$or`` adds."""
    total = 1
    for key, value in policy.items():
        if key == "$or" and is_or(value):
            total *= sum(combinations(alt, depth) for alt in value)
        elif isinstance(value, dict):
            total *= combinations(value, depth + 1)
        elif isinstance(value, list):
            total *= len(value) * depth
    return total


def attributes_document(attributes: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    """The message attributes as a document the pattern matcher reads."""
    document: dict[str, Any] = {}
    for name, attribute in (attributes or {}).items():
        kind = attribute.get("DataType", "")
        value = attribute.get("StringValue")
        if kind.startswith("Binary") or value is None:
            continue
        if kind.startswith("String.Array"):
            try:
                items = json.loads(value)
            except ValueError:
                continue
            document[name] = items if isinstance(items, list) else [items]
        elif kind.startswith("Number"):
            document[name] = _number(value)
        else:
            document[name] = value
    return document


def _number(text: str) -> Any:
    try:
        number = json.loads(text)
    except ValueError:
        number = None
    if isinstance(number, (int, float)) and not isinstance(number, bool):
        return number
    try:
        return float(text)
    except ValueError:
        return text


def accepts(rules: Rules | None, scope: str, message: str,
            attributes: dict[str, dict[str, Any]] | None) -> bool:
    """Does a subscription with ``rules`` receive this message?"""
    if rules is None:
        return True
    if scope == "MessageBody":
        try:
            body = json.loads(message)
        except ValueError:
            return False
        return isinstance(body, dict) and rules.matches(flatten(body))
    return rules.matches(flatten(attributes_document(attributes)))
