"""The SNS service's registry of topics and subscriptions, and the lookups actions share.

Actions are split like SQS's: ``service.py`` manages topics and subscriptions,
``publishing.py`` publishes and delivers. Every topic action is authorized as
``sns:<Action>`` on the topic ARN against the topic's access policy; the request
context carries ``aws:SourceOwner`` (the caller's account), the key AWS's default
topic policy is written with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...base.arns import Arn
from ...base.errors import AwsError, SnsAuthorizationError, SnsInvalidParameter, SnsNotFound
from ..base import Call, Runtime, Service
from .topics import Subscription, Topic

if TYPE_CHECKING:
    from ...security.policy import Decision


class SnsCore(Service):
    """Topics and subscriptions of one account and region."""

    name = "sns"
    event_source = "sns.amazonaws.com"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.topics: dict[str, Topic] = {}  # by ARN, in creation order
        self.subscriptions: dict[str, Subscription] = {}  # by ARN
        #: what happened to each delivery attempt (for the teaching surface)
        self.deliveries: list[Any] = []

    def topic_arn(self, name: str) -> str:
        return f"arn:aws:sns:{self.runtime.region}:{self.runtime.account_id}:{name}"

    def topic(self, arn: str) -> Topic:
        """The topic ``arn`` names, or the error AWS gives for a bad or unknown ARN."""
        self.check_topic_arn(arn)
        topic = self.topics.get(arn)
        if topic is None:
            raise SnsNotFound("Topic does not exist")
        return topic

    def check_topic_arn(self, arn: str) -> None:
        """InvalidParameter for an ARN that cannot name a topic of this region."""
        try:
            parsed = Arn.parse(arn)
        except ValueError:
            count = len(arn.split(":"))
            raise SnsInvalidParameter(
                f"Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, "
                f"not {count}"
            ) from None
        if parsed.service != "sns" or parsed.region != self.runtime.region:
            raise SnsInvalidParameter("Invalid parameter: TopicArn")

    def subscription(self, arn: str) -> Subscription:
        found = self.subscriptions.get(arn)
        if found is None:
            raise SnsNotFound("Subscription does not exist")
        return found

    def _authorize_topic(self, call: Call, action: str, topic: Topic) -> None:
        self.authorize(
            call, action, topic.arn, resource_policy=topic.policy,
            resource_account=topic.account, context={"aws:SourceOwner": call.caller.account},
        )

    def access_denied(self, decision: Decision) -> AwsError:
        """SNS's AccessDenied: ``AuthorizationError``, HTTP 403."""
        return SnsAuthorizationError(decision.message(), detail=decision)

    def __repr__(self) -> str:
        return f"<SnsService {len(self.topics)} topics, {len(self.subscriptions)} subscriptions>"
