"""The Principal element: who a resource-based statement is about, and how a caller matches.

Forms (../shared/reference/iam-policy-evaluation.md section 1, AWS page PR): ``"*"``
(everyone, anonymous included, same as ``{"AWS": "*"}``); an account (``"123456789012"``
or its root ARN - they mean the same, and they *delegate* to the account rather than
naming its root user); a user, role or role-session ARN; an AWS service
(``{"Service": "sns.amazonaws.com"}``). Partial wildcards are invalid in a Principal.

This module also holds :class:`PolicyProblem`, the error every part of the parser
raises, and its most common wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...base.identity import Caller

SYNTAX = "Syntax errors in policy."
_PRINCIPAL_TYPES = {"AWS", "Service", "Federated", "CanonicalUser"}
_ACCOUNT = re.compile(r"^\d{12}$")
_AWS_PRINCIPAL = re.compile(
    r"^arn:aws:(iam::\d{12}:(root|user/[\w+=,.@/-]+|role/[\w+=,.@/-]+)"
    r"|sts::\d{12}:assumed-role/[\w+=,.@-]+/[\w+=,.@-]+)$"
)
_SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$")


class PolicyProblem(ValueError):
    """A malformed policy document; ``message`` is IAM's wording for the problem."""

    def __init__(self, message: str, *, element: str = "") -> None:
        super().__init__(message)
        self.message = message
        #: the element at fault (``Statement[1].Action``), for the learner
        self.element = element

    def __str__(self) -> str:
        return f"{self.message} (at {self.element})" if self.element else self.message

    def __repr__(self) -> str:
        return f"PolicyProblem({self.message!r}, element={self.element!r})"


@dataclass(frozen=True)
class Principals:
    """A statement's ``Principal`` (or ``NotPrincipal``), normalised for matching."""

    everyone: bool = False
    #: IAM ARNs; an account id is stored as its root ARN (they mean the same)
    aws: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    #: Federated / CanonicalUser values: kept, never matched (sqskit has no such callers)
    other: tuple[str, ...] = ()

    def match(self, caller: Caller) -> str | None:
        """``"direct"``, ``"account"`` (delegated to the caller's account) or None."""
        if self.everyone:
            return "direct"
        if caller.type == "AWSService":
            return "direct" if caller.service in self.services else None
        if caller.type == "Anonymous":
            return None
        if caller.arn in self.aws or (caller.identity_arn and caller.identity_arn in self.aws):
            return "direct"
        if f"arn:aws:iam::{caller.account}:root" in self.aws:
            return "account"  # delegation: the account's own policies must also allow
        return None

    def excludes(self, caller: Caller) -> bool:
        """For ``NotPrincipal``: is ``caller`` one of the excepted principals?

        AWS's rule: name the principal *and* its account, or the account (and with it
        the principal) is not excepted (reference sheet, NotPrincipal).
        """
        if self.everyone:
            return True
        if caller.type == "AWSService":
            return caller.service in self.services
        if caller.type == "Anonymous":
            return False
        itself = caller.arn in self.aws or caller.identity_arn in self.aws
        return itself and f"arn:aws:iam::{caller.account}:root" in self.aws

    def count(self) -> int:
        return (1 if self.everyone else 0) + len(self.aws) + len(self.services) + len(self.other)


    def __repr__(self) -> str:
        if self.everyone:
            return "<Principals *>"
        named = sorted(self.aws) + sorted(self.services) + list(self.other)
        return f"<Principals {', '.join(named) or 'none'}>"

def strings(value: Any, element: str) -> tuple[str, ...]:
    """A string or a list of strings (how every element lists its values)."""
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) for v in values):
        raise PolicyProblem(SYNTAX, element=element)
    return tuple(values)


def parse_principals(value: Any, where: str) -> Principals:
    """Parse a Principal / NotPrincipal value; raise :class:`PolicyProblem` if invalid."""
    if value == "*":
        return Principals(everyone=True)
    if not isinstance(value, dict) or not value or set(value) - _PRINCIPAL_TYPES:
        raise PolicyProblem(SYNTAX, element=where)
    everyone, aws, services, other = False, set(), set(), []
    for kind, raw in value.items():
        for entry in strings(raw, where):
            if kind == "AWS":
                if entry == "*":
                    everyone = True
                elif _ACCOUNT.match(entry):
                    aws.add(f"arn:aws:iam::{entry}:root")
                elif _AWS_PRINCIPAL.match(entry):
                    aws.add(entry)
                else:
                    raise PolicyProblem(f'Invalid principal in policy: "AWS":"{entry}"',
                                        element=where)
            elif kind == "Service":
                if not _SERVICE_PRINCIPAL.match(entry):
                    raise PolicyProblem(f'Invalid principal in policy: "SERVICE":"{entry}"',
                                        element=where)
                services.add(entry)
            else:
                other.append(entry)
    return Principals(everyone, frozenset(aws), frozenset(services), tuple(other))
