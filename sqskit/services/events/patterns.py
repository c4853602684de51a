"""EventBridge event patterns: what a rule matches, checked as EventBridge checks it.

A rule's ``EventPattern`` is matched against the whole event envelope (``source``,
``detail-type``, ``account``, ``region``, ``resources``, ``detail`` ...). The language is
the one SNS filter policies use (``../patterns.py``), with every operator: exact values,
``prefix``, ``suffix``, ``equals-ignore-case``, ``wildcard``, ``anything-but``,
``numeric``, ``exists``, ``cidr`` and ``$or``. EventBridge's own limits: a pattern is at
most 4096 characters, and ``$or`` may not multiply into more than 1000 combinations.
Errors are ``InvalidEventPatternException`` with ``Event pattern is not valid. Reason:
<reason>``. Source: ../shared/reference/integrations.md sections 3.2-3.3.
"""

from __future__ import annotations

import json
from typing import Any

from ...base.errors import EventsInvalidEventPattern, EventsValidation
from ..patterns import PatternError, Rules, compile_pattern, flatten, is_or

MAX_PATTERN = 4096
MAX_OR_COMBINATIONS = 1000


def _or_combinations(pattern: dict[str, Any]) -> int:
    total = 1
    for key, value in pattern.items():
        if key == "$or" and is_or(value):
            total *= sum(_or_combinations(alt) for alt in value)
        elif isinstance(value, dict):
            total *= _or_combinations(value)
    return total


def compile_event_pattern(text: str) -> Rules:
    """Validate an EventPattern string; return the compiled rules."""
    if len(text) > MAX_PATTERN:
        raise EventsValidation(
            "1 validation error detected: Value at 'eventPattern' failed to satisfy "
            f"constraint: Member must have length less than or equal to {MAX_PATTERN}"
        )
    try:
        pattern = json.loads(text)
    except ValueError as err:
        raise EventsInvalidEventPattern(
            f"Event pattern is not valid. Reason: Filter is not valid JSON: {err}"
        ) from None
    if not isinstance(pattern, dict):
        raise EventsInvalidEventPattern(
            "Event pattern is not valid. Reason: Filter is not an object"
        )
    try:
        rules = compile_pattern(pattern)
    except PatternError as reason:
        raise EventsInvalidEventPattern(
            f"Event pattern is not valid. Reason: {reason}"
        ) from None
    if _or_combinations(pattern) > MAX_OR_COMBINATIONS:
        raise EventsInvalidEventPattern(
            "Event pattern is not valid. Reason: The total number of combinations in the "
            f"pattern exceeds the limit of {MAX_OR_COMBINATIONS}"
        )
    return rules


def matches(rules: Rules, event: dict[str, Any]) -> bool:
    """Does an event envelope match a compiled pattern?"""
    return rules.matches(flatten(event))
