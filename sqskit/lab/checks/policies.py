"""What the policy checks share: reading a learner's policy, and judging it by probes.

A policy is right when it answers the right requests the right way, however it is
written. So a policy check builds the policy around the learner's statements and sends
it **probes**: requests it must allow and requests it must deny, each tied to the
mistake that would make it go wrong (:class:`~sqskit.lab.models.playground.Probe`).
The first probe that goes the wrong way fails the check, and the learner reads which
one, and why, in the words of its :class:`~sqskit.security.policy.Decision` (the rule
and the deciding statement with the values its conditions saw).

Probes are decided in a scratch world (no IAM of its own: each probe brings the
identity policies of its principal), never in the learner's. ``probes("06.2", answer)``
shows a learner the whole table for an exercise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from ...security.policy import PolicyProblem, parse
from ...security.policy.document import Kind
from ...security.policy.explain import StatementTrace, trace
from ...world import World
from ..exercises import fail, get
from ..feedback import NotAttempted
from ..models.probes import Probe, ProbeResult, ProbeTable, run_probes

#: one probe and the mistake it catches when it goes the wrong way (None: no tip)
Expectation = tuple[Probe, str | None]
Classify = Callable[[ProbeResult, str | None], str | None]

#: exercise id -> a function of the learner's answers giving (expectations, resource policy)
PROBE_SETS: dict[str, Callable[..., tuple[list[Expectation], str | None]]] = {}


def probe_set(exercise_id: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the function that builds an exercise's probes from the learner's answers."""

    def register(build: Callable[..., Any]) -> Callable[..., Any]:
        PROBE_SETS[exercise_id] = build
        return build

    return register


def _loaded(value: Any, name: str) -> Any:
    if value is Ellipsis or value is None:
        raise NotAttempted()
    if isinstance(value, str) and value.strip():
        try:
            return json.loads(value)
        except ValueError:
            fail(f"{name} is text but not JSON; write it as a Python dict")
    return value


def statements(value: Any, name: str) -> list[dict[str, Any]]:
    """A learner's statement, list of statements, or whole policy, as a list of statements."""
    value = _loaded(value, name)
    if isinstance(value, dict) and "Statement" in value:
        value = value["Statement"]
    found = value if isinstance(value, list) else [value]
    if not found:
        fail(f"{name} holds no statement: write at least one (a dict with Effect, Principal, "
             "Action, Resource)")
    if not all(isinstance(s, dict) for s in found):
        fail(f"{name} should be a statement (a dict with Effect, Principal, Action, Resource) "
             "or a list of them")
    return found


def document(found: Sequence[dict[str, Any]]) -> str:
    """A policy document (JSON text) holding ``found``."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(found)})


def identity_documents(value: Any, name: str) -> tuple[str, ...]:
    """A learner's identity policy (whole, or just its statements) as JSON text; an empty
    one (``{}``, ``[]``, ``""``) means the principal has no identity policy at all."""
    value = _loaded(value, name)
    if value in ({}, [], ""):
        return ()
    if isinstance(value, dict) and "Statement" in value:
        return (json.dumps(value),)
    return (document(statements(value, name)),)


def valid(text: str, kind: Kind, mistake: str) -> None:
    """Fail with the policy language's own words when ``text`` does not parse."""
    try:
        parse(text, kind)
    except PolicyProblem as problem:
        fail(f"the policy is not valid: {problem}", mistake)


def near_miss(result: ProbeResult, first: int = 0) -> StatementTrace | None:
    """For a request denied by default: the Allow that came closest to allowing it.

    Only Allow statements whose Action covers the request count, and in the resource
    policy only those from index ``first`` on (the learner's, after the lab's own); the
    closest is the one with the fewest parts that do not match (principal, resource, each
    false condition), the later one on a tie. None when the request was allowed,
    explicitly denied, or no such Allow names its action.
    """
    if result.decision.outcome != "implicit deny":
        return None
    kind = "identity" if result.decision.reason == "no-identity-allow" else "resource"
    best: tuple[int, StatementTrace] | None = None
    for t in trace(result.decision):
        if t.policy.kind != kind or t.statement.effect != "Allow" or not t.action:
            continue
        if kind == "resource" and t.statement.index < first:
            continue
        misses = ((t.principal == "no match") + (not t.resource)
                  + sum(not c.holds for c in t.conditions))
        if misses and (best is None or misses <= best[0]):
            best = (misses, t)
    return best[1] if best else None


def failure(result: ProbeResult, first: int = 0) -> str:
    """One line: which probe went the wrong way, and why (for a request denied by default,
    also why the closest Allow did not apply: a wrong principal, resource or condition)."""
    wanted = "allowed" if result.probe.expect == "allow" else "denied"
    got = "allowed" if result.decision.allowed else "denied"
    line = (f"the probe “{result.probe.says}” ({result.probe.where()}) must be {wanted}, "
            f"but it was {got}: {result.reason().split(': ', 1)[1]}")
    closest = near_miss(result, first)
    if closest is not None:
        line += (f"; the closest Allow, {closest.policy.label} statement "
                 f"{closest.statement.label}, does not apply: {closest.failed()}")
    return line


def verify(expectations: list[Expectation], resource_policy: str | None,
           classify: Classify | None = None, first: int = 0) -> ProbeTable:
    """Run the probes; fail on the first that goes the wrong way, naming its mistake
    (``first``: where the learner's statements start in the resource policy)."""
    table = run_probes(World(seed=7), [p for p, _ in expectations], resource_policy)
    for (_, mistake), result in zip(expectations, table.results, strict=True):
        if not result.ok:
            fail(failure(result, first), classify(result, mistake) if classify else mistake)
    return table


def probes(exercise_id: str, *answers: Any) -> ProbeTable | str:
    """Every probe of a policy exercise against your answer, as a table (text and frame)."""
    found = get(exercise_id)
    build = PROBE_SETS.get(str(exercise_id))
    if found is None or build is None:
        known = ", ".join(sorted(PROBE_SETS)) or "none"
        return f"{exercise_id} is not a policy exercise; these have probes: {known}"
    try:
        expectations, policy = build(*answers)
        return run_probes(World(seed=7), [p for p, _ in expectations], policy,
                          title=f"Probes of {exercise_id}")
    except NotAttempted:
        return f"{exercise_id}: write your answer first, then ask for its probes"
    except (PolicyProblem, TypeError) as problem:
        return f"{exercise_id}: the policy cannot be probed yet: {problem}"
    except Exception as problem:  # a Failed from reading the answer, or anything else
        return f"{exercise_id}: {getattr(problem, 'detail', problem)}"


def actions_of(found: Sequence[dict[str, Any]], effect: str) -> list[Any]:
    """The compiled statements of ``found`` with ``effect`` (to ask what they cover)."""
    try:
        policy = parse(document([s for s in found if s.get("Effect") == effect]), "resource")
    except PolicyProblem:
        return []
    return list(policy.statements)


def condition_values(found: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """``{condition key (lower case): [values]}`` over every statement's Condition block."""
    values: dict[str, list[str]] = {}
    for statement in found:
        for block in (statement.get("Condition") or {}).values():
            if isinstance(block, dict):
                for key, value in block.items():
                    more = value if isinstance(value, list) else [value]
                    values.setdefault(str(key).lower(), []).extend(str(v) for v in more)
    return values
