"""What IAM keeps per account: users, roles, customer managed policies and their versions.

A user and a role are both an :class:`Identity` (a principal that carries identity
policies: inline documents and attached managed policies); a role also has a trust
policy. Names are unique per account and kind; ids are derived from the ARN
(``AIDA...`` users, ``AROA...`` roles, ``ANPA...`` policies), so the same name always
gets the same id (AWS would give a re-created user a new one - a simplification).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

IdentityKind = Literal["user", "role"]
T = TypeVar("T")


@dataclass(eq=False)
class Identity:
    """An IAM user or role."""

    kind: IdentityKind
    name: str
    path: str
    arn: str
    id: str
    created_at: float
    #: inline policies: name -> document text, in the order they were put
    inline: dict[str, str] = field(default_factory=dict)
    #: managed policies attached, by ARN, in attach order
    attached: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    trust_policy: str = ""  # roles only
    description: str | None = None
    max_session_duration: int = 3600

    def __repr__(self) -> str:
        return (f"<IAM {self.kind} {self.name}: {len(self.inline)} inline, "
                f"{len(self.attached)} attached>")


@dataclass(frozen=True)
class PolicyVersion:
    """One version of a managed policy's document."""

    id: str  # "v1", "v2", ...
    text: str
    created_at: float

    def __repr__(self) -> str:
        return f"<PolicyVersion {self.id}: {len(self.text)} characters>"


@dataclass(eq=False)
class ManagedPolicy:
    """A managed policy: customer managed (in an account) or AWS managed (``arn:aws:iam::aws:``)."""

    name: str
    path: str
    arn: str
    id: str
    created_at: float
    versions: dict[str, PolicyVersion]
    default_version: str
    description: str | None = None
    updated_at: float = 0.0
    next_version: int = 2
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def aws_managed(self) -> bool:
        return self.arn.startswith("arn:aws:iam::aws:")

    @property
    def document(self) -> str:
        return self.versions[self.default_version].text

    def __repr__(self) -> str:
        return f"<ManagedPolicy {self.name} ({self.default_version})>"


@dataclass(eq=False)
class Directory:
    """The IAM entities of one account."""

    account: str
    users: dict[str, Identity] = field(default_factory=dict)
    roles: dict[str, Identity] = field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)  # by ARN

    def identities(self) -> list[Identity]:
        return [*self.users.values(), *self.roles.values()]

    def __repr__(self) -> str:
        return (f"<IAM account {self.account}: {len(self.users)} users, {len(self.roles)} roles, "
                f"{len(self.policies)} policies>")


def page(
    items: list[T], key: Any, marker: str | None, max_items: int | None
) -> tuple[list[T], dict[str, Any]]:
    """One page of ``items`` (sorted by ``key``) after ``marker``; plus IsTruncated/Marker."""
    start = 0
    if marker:
        try:
            after = base64.urlsafe_b64decode(marker.encode()).decode()
        except ValueError:
            after = ""
        start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
    limit = max_items or 100
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    extra: dict[str, Any] = {"IsTruncated": more}
    if more:
        extra["Marker"] = base64.urlsafe_b64encode(key(chunk[-1]).encode()).decode()
    return chunk, extra
