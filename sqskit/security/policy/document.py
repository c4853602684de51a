"""Policy documents: parse the JSON once, validate it as AWS does, keep frozen statements.

One grammar, three kinds of document (../shared/reference/iam-policy-evaluation.md
section 1):

* ``identity`` - attached to a user or role: no ``Principal`` (the holder is the
  principal), ``Action`` and ``Resource`` required, Sids alphanumeric;
* ``resource`` - a queue policy or a key policy: ``Principal`` required;
* ``trust`` - a role's AssumeRolePolicyDocument: ``Principal`` required, no ``Resource``.

A malformed document raises :class:`PolicyProblem` with IAM's wording (``Syntax errors
in policy.``, ``Policy statement must contain actions.`` ...); each service maps that
to its own error (IAM MalformedPolicyDocument, SQS InvalidAttributeValue, KMS
MalformedPolicyDocumentException). :func:`parse` caches by document text, so a queue
policy is compiled once however many messages it guards.

IAM's wording comes from errors seen in the wild; which check AWS runs first, and the
exact text of the rarer ones (unknown elements, bad operators), are **unverified**.
Simplified: a principal naming a user or role that does not exist is accepted (AWS
rejects it with "Invalid principal in policy"), because sqskit lets a client act as a
role nobody created.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from ...base.identity import Caller
from .conditions import Condition, parse_operator
from .matching import ActionSet, arn_like, resolve_variables
from .principals import SYNTAX, PolicyProblem, Principals, parse_principals, strings

Kind = Literal["identity", "resource", "trust"]
Effect = Literal["Allow", "Deny"]
VERSIONS = ("2012-10-17", "2008-10-17")
_TOP = {"Version", "Id", "Statement"}
_ELEMENTS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
             "Resource", "NotResource", "Condition"}
_SID_IDENTITY = re.compile(r"^[0-9A-Za-z]*$")

@dataclass(frozen=True, eq=False)
class Statement:
    """One statement, compiled: matching it against a request is a few lookups."""

    index: int
    sid: str | None
    effect: Effect
    actions: ActionSet
    not_action: bool
    resources: tuple[str, ...] | None  # None: the statement names no resource (trust)
    not_resource: bool
    conditions: tuple[Condition, ...]
    principals: Principals | None = None  # None in identity policies
    not_principal: bool = False
    variables: bool = False
    source: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def label(self) -> str:
        return f'"{self.sid}"' if self.sid else f"#{self.index + 1}"

    def matches_action(self, action: str) -> bool:
        return self.actions.matches(action) != self.not_action

    def matches_resource(self, resource: str, context: Mapping[str, object]) -> bool:
        if self.resources is None:
            return True
        hit = False
        for pattern in self.resources:
            if self.variables and "${" in pattern:
                resolved = resolve_variables(pattern, context)
                if resolved is None:
                    continue
                pattern = resolved
            if arn_like(pattern, resource):
                hit = True
                break
        return hit != self.not_resource

    def principal_match(self, caller: Caller) -> str | None:
        """How the statement names ``caller``: "direct", "account", or None (not at all)."""
        if self.principals is None:
            return "direct"
        if self.not_principal:
            return None if self.principals.excludes(caller) else "direct"
        return self.principals.match(caller)

    def conditions_hold(self, context: Mapping[str, object]) -> bool:
        return all(c.holds(context) for c in self.conditions)

    def __repr__(self) -> str:
        return f"<Statement {self.label} {self.effect} {list(self.actions.written)}>"


@dataclass(frozen=True, eq=False)
class Policy:
    """A validated policy document."""

    text: str
    kind: Kind
    version: str
    id: str | None
    statements: tuple[Statement, ...]

    @property
    def document(self) -> Any:
        return json.loads(self.text)

    def __repr__(self) -> str:
        return f"<Policy {self.kind} {len(self.statements)} statements>"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise PolicyProblem(SYNTAX, element=f"duplicate {key}")
        out[key] = value
    return out


@lru_cache(maxsize=1024)
def parse(text: str, kind: Kind = "identity") -> Policy:
    """Validate and compile ``text``; raise :class:`PolicyProblem` if AWS would refuse it."""
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates)
    except ValueError as err:
        if isinstance(err, PolicyProblem):
            raise
        raise PolicyProblem(SYNTAX, element="JSON") from None
    if not isinstance(document, dict) or set(document) - _TOP:
        raise PolicyProblem(SYNTAX, element="document")
    version = document.get("Version", "2008-10-17")
    if version not in VERSIONS:
        raise PolicyProblem(SYNTAX, element="Version")
    policy_id = document.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise PolicyProblem(SYNTAX, element="Id")
    raw = document.get("Statement")
    items = [raw] if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not items:
        raise PolicyProblem(SYNTAX, element="Statement")
    statements = tuple(
        _statement(i, item, kind, version == "2012-10-17") for i, item in enumerate(items)
    )
    sids = [s.sid for s in statements if s.sid]
    if len(sids) != len(set(sids)):
        raise PolicyProblem("Statement IDs (SID) in a single policy must be unique.",
                            element="Sid")
    return Policy(text, kind, version, policy_id, statements)


def _statement(index: int, item: Any, kind: Kind, modern: bool) -> Statement:
    where = f"Statement[{index}]"
    if not isinstance(item, dict) or set(item) - _ELEMENTS:
        raise PolicyProblem(SYNTAX, element=where)
    sid = item.get("Sid")
    if sid is not None and (not isinstance(sid, str)
                            or (kind == "identity" and not _SID_IDENTITY.match(sid))):
        raise PolicyProblem("Statement IDs (SID) must be alpha-numeric. Check that your "
                            "input satisfies the regular expression [0-9A-Za-z]*",
                            element=f"{where}.Sid")
    if "Effect" not in item:
        raise PolicyProblem("Missing required field Effect", element=f"{where}.Effect")
    if item["Effect"] not in ("Allow", "Deny"):
        raise PolicyProblem(SYNTAX, element=f"{where}.Effect")
    principals, not_principal = _principal_element(item, kind, where)
    actions, not_action = _pair(item, "Action", where)
    if actions is None:
        raise PolicyProblem("Policy statement must contain actions.", element=f"{where}.Action")
    for action in actions:
        if action != "*" and ":" not in action:
            raise PolicyProblem("Actions/Conditions must be prefaced by a vendor, e.g., iam, "
                                "sdb, ec2, etc.", element=f"{where}.Action")
    resources, not_resource = _pair(item, "Resource", where)
    if kind == "trust" and resources is not None:
        field_name = "NotResource" if not_resource else "Resource"
        raise PolicyProblem(f"Has prohibited field {field_name}", element=f"{where}.Resource")
    if kind != "trust" and resources is None:
        raise PolicyProblem("Policy statement must contain resources.",
                            element=f"{where}.Resource")
    for resource in resources or ():
        if resource != "*" and not resource.startswith("arn:"):
            raise PolicyProblem(f'Resource {resource} must be in ARN format or "*".',
                                element=f"{where}.Resource")
    return Statement(
        index=index, sid=sid, effect=item["Effect"],
        actions=ActionSet(actions), not_action=not_action,
        resources=resources, not_resource=not_resource,
        conditions=_conditions(item.get("Condition"), f"{where}.Condition", modern),
        principals=principals, not_principal=not_principal,
        variables=modern and any("${" in r for r in resources or ()),
        source=item,
    )


def _pair(item: dict[str, Any], name: str, where: str) -> tuple[tuple[str, ...] | None, bool]:
    """``Action``/``NotAction`` (or Resource/NotResource): the values and whether negated."""
    if name in item and f"Not{name}" in item:
        raise PolicyProblem(SYNTAX, element=f"{where}.{name}")
    if name in item:
        return strings(item[name], f"{where}.{name}"), False
    if f"Not{name}" in item:
        return strings(item[f"Not{name}"], f"{where}.Not{name}"), True
    return None, False


def _principal_element(
    item: dict[str, Any], kind: Kind, where: str
) -> tuple[Principals | None, bool]:
    has = "Principal" in item or "NotPrincipal" in item
    if kind == "identity":
        if has:
            raise PolicyProblem("Policy document should not specify a principal.",
                                element=f"{where}.Principal")
        return None, False
    if not has:
        raise PolicyProblem("Missing required field Principal", element=f"{where}.Principal")
    if "Principal" in item and "NotPrincipal" in item:
        raise PolicyProblem(SYNTAX, element=f"{where}.Principal")
    negated = "NotPrincipal" in item
    value = item["NotPrincipal" if negated else "Principal"]
    return parse_principals(value, f"{where}.Principal"), negated


def _conditions(block: Any, where: str, modern: bool) -> tuple[Condition, ...]:
    if block is None:
        return ()
    if not isinstance(block, dict):
        raise PolicyProblem(SYNTAX, element=where)
    out = []
    for op_name, keys in block.items():
        try:
            operator = parse_operator(op_name)
        except ValueError:
            raise PolicyProblem(SYNTAX, element=f"{where}.{op_name}") from None
        if not isinstance(keys, dict) or not keys:
            raise PolicyProblem(SYNTAX, element=f"{where}.{op_name}")
        for key, raw in keys.items():
            if ":" not in key:
                raise PolicyProblem("Actions/Conditions must be prefaced by a vendor, e.g., "
                                    "iam, sdb, ec2, etc.", element=f"{where}.{op_name}")
            values = raw if isinstance(raw, list) else [raw]
            if not values or not all(isinstance(v, (str, int, float, bool)) for v in values):
                raise PolicyProblem(SYNTAX, element=f"{where}.{op_name}.{key}")
            texts = tuple(_text(v) for v in values)
            out.append(Condition(operator, key, texts,
                                 variables=modern and any("${" in t for t in texts)))
    return tuple(out)


def _text(value: str | int | float | bool) -> str:
    """Condition values compare as text; JSON ``true`` reads as ``"true"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
