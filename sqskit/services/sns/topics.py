"""Topics and subscriptions as SNS keeps them, and the attributes they show.

A topic is a name in an account and region (``arn:aws:sns:<region>:<account>:<name>``),
standard or FIFO (the name ends in ``.fifo`` and ``FifoTopic`` is ``true``). It starts
with AWS's default access policy: every principal of the owner account may use it
(``AWS:SourceOwner`` = the account). A subscription joins a topic to an endpoint (an
SQS queue ARN, a Lambda function ARN) and is named ``<topic ARN>:<uuid>``; its
attributes switch raw delivery on and hold a filter policy.

Source: ../shared/reference/integrations.md section 1 (attribute names and the texts of
validation errors as recorded against AWS in LocalStack's SNS snapshots).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ...base.errors import SnsInvalidParameter
from ...security.policy import PolicyProblem, parse
from ..patterns import Rules

#: what AWS returns as EffectiveDeliveryPolicy until a DeliveryPolicy is set
DEFAULT_DELIVERY_POLICY = json.dumps({
    "http": {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3,
            "numMaxDelayRetries": 0, "numNoDelayRetries": 0, "numMinDelayRetries": 0,
            "backoffFunction": "linear",
        },
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    }
}, separators=(",", ":"))

_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FIFO_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")

#: topic attributes a caller may set, and the values each accepts (None: any text)
TOPIC_SETTABLE: dict[str, tuple[str, ...] | None] = {
    "DisplayName": None,
    "Policy": None,
    "DeliveryPolicy": None,
    "KmsMasterKeyId": None,
    "SignatureVersion": ("1", "2"),
    "TracingConfig": ("PassThrough", "Active"),
    "ContentBasedDeduplication": ("true", "false"),
    "FifoThroughputScope": ("Topic", "MessageGroup"),
    "ArchivePolicy": None,
}
FIFO_ONLY = ("ContentBasedDeduplication", "FifoThroughputScope", "ArchivePolicy")

SUBSCRIPTION_SETTABLE = (
    "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery",
    "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy",
)


def default_policy(topic_arn: str, account: str) -> str:
    """The access policy AWS gives a new topic: the owner account may do everything."""
    return json.dumps({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic", "SNS:Publish",
            ],
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
        }],
    }, separators=(",", ":"))


def check_topic_name(name: str, fifo: bool) -> None:
    if fifo and not _FIFO_TOPIC_NAME.match(name):
        raise SnsInvalidParameter(
            "Fifo Topic names must end with .fifo and must be made up of only uppercase and "
            "lowercase ASCII letters, numbers, underscores, and hyphens, and must be between "
            "1 and 256 characters long."
        )
    if not fifo and not _TOPIC_NAME.match(name):
        raise SnsInvalidParameter("Invalid parameter: Topic Name")


def check_topic_attribute(name: str, value: str, fifo: bool, prefix: str = "") -> str:
    """Validate one settable topic attribute; return it normalised."""
    if name not in TOPIC_SETTABLE or (name in FIFO_ONLY and not fifo):
        raise SnsInvalidParameter(f"Invalid parameter: {prefix}AttributeName")
    choices = TOPIC_SETTABLE[name]
    if choices is not None and value not in choices:
        lowered = value.lower()
        if choices == ("true", "false") and lowered in choices:
            return lowered
        raise SnsInvalidParameter(f"Invalid parameter: {prefix}{name}")
    if name in ("DeliveryPolicy", "ArchivePolicy") and value:
        try:
            json.loads(value)
        except ValueError:
            raise SnsInvalidParameter(f"Invalid parameter: {prefix}{name}") from None
    if name == "Policy" and value:
        try:
            parse(value, "resource")
        except PolicyProblem as problem:
            raise SnsInvalidParameter(f"Invalid parameter: Policy Error: {problem.message}",
                                      detail=problem) from None
    if name == "DisplayName" and len(value) > 100:
        raise SnsInvalidParameter(f"Invalid parameter: {prefix}DisplayName")
    return value


@dataclass(eq=False)
class Subscription:
    """One endpoint subscribed to one topic."""

    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    owner: str
    principal: str
    attributes: dict[str, str] = field(default_factory=dict)
    rules: Rules | None = None  # the compiled FilterPolicy
    pending: bool = False

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery") == "true"

    @property
    def filter_scope(self) -> str:
        return self.attributes.get("FilterPolicyScope") or "MessageAttributes"

    def render(self) -> dict[str, str]:
        """GetSubscriptionAttributes' map."""
        out = {
            "ConfirmationWasAuthenticated": "false" if self.pending else "true",
            "Endpoint": self.endpoint,
            "Owner": self.owner,
            "PendingConfirmation": "true" if self.pending else "false",
            "Protocol": self.protocol,
            "RawMessageDelivery": self.attributes.get("RawMessageDelivery", "false"),
            "SubscriptionArn": self.arn,
            "SubscriptionPrincipal": self.principal,
            "TopicArn": self.topic_arn,
        }
        for name, value in self.attributes.items():
            if name in ("RawMessageDelivery", "FilterPolicyScope") or not value:
                continue
            out[name] = value
        if self.attributes.get("FilterPolicy"):
            out["FilterPolicyScope"] = self.filter_scope
        return dict(sorted(out.items()))

    def summary(self) -> dict[str, str]:
        """The entry ListSubscriptions shows."""
        return {
            "SubscriptionArn": "PendingConfirmation" if self.pending else self.arn,
            "Owner": self.owner, "Protocol": self.protocol, "Endpoint": self.endpoint,
            "TopicArn": self.topic_arn,
        }

    def __repr__(self) -> str:
        filtered = " filtered" if self.rules else ""
        return f"<Subscription {self.protocol} {self.endpoint}{filtered}>"


@dataclass(eq=False)
class Topic:
    """One topic: its attributes, subscriptions and (FIFO) deduplication window."""

    name: str
    arn: str
    account: str
    attributes: dict[str, str]
    created_at: float
    tags: dict[str, str] = field(default_factory=dict)
    subscriptions: list[Subscription] = field(default_factory=list)
    deleted_subscriptions: int = 0
    #: FIFO: deduplication id -> (expires at, message id, sequence number)
    recent: dict[str, tuple[float, str, str]] = field(default_factory=dict)
    sequence: int = 0

    @property
    def fifo(self) -> bool:
        return self.attributes.get("FifoTopic") == "true"

    @property
    def policy(self) -> str | None:
        return self.attributes.get("Policy") or None

    def render(self) -> dict[str, str]:
        """GetTopicAttributes' map."""
        confirmed = sum(not s.pending for s in self.subscriptions)
        out: dict[str, Any] = {
            "Policy": self.attributes.get("Policy", ""),
            "Owner": self.account,
            "SubscriptionsPending": str(len(self.subscriptions) - confirmed),
            "TopicArn": self.arn,
            "EffectiveDeliveryPolicy": self.attributes.get(
                "DeliveryPolicy", DEFAULT_DELIVERY_POLICY
            ),
            "SubscriptionsConfirmed": str(confirmed),
            "DisplayName": self.attributes.get("DisplayName", ""),
            "SubscriptionsDeleted": str(self.deleted_subscriptions),
        }
        for name, value in self.attributes.items():
            if name not in out and value != "":
                out[name] = value
        return out

    def __repr__(self) -> str:
        kind = "FIFO topic" if self.fifo else "Topic"
        return f"<{kind} {self.name} ({len(self.subscriptions)} subscriptions)>"
