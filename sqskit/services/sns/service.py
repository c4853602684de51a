"""Amazon SNS: topics, subscriptions, their attributes, tags and topic permissions.

Publishing lives in ``publishing.py``. SQS queues and Lambda functions in the same
account are confirmed at once when subscribed (AWS does so when the endpoint owner
subscribes); endpoints sqskit cannot reach (HTTP/S, e-mail, SMS) stay *pending
confirmation* forever, since the confirmation message could never arrive.

Simplified: topic-level server-side encryption (``KmsMasterKeyId`` on the topic) is
stored but not enforced; pagination pages hold 100 items as in AWS.
Source: ../shared/reference/integrations.md section 1.
"""

from __future__ import annotations

import json
from typing import Any

from ...base.arns import Arn
from ...base.errors import SnsInvalidParameter
from ..base import Call
from .filters import check_scope, compile_filter_policy
from .publishing import PublishActions
from .topics import (
    SUBSCRIPTION_SETTABLE,
    Subscription,
    Topic,
    check_topic_attribute,
    check_topic_name,
    default_policy,
)

PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda",
             "firehose")
PAGE = 100


class SnsService(PublishActions):
    """The SNS service of one world."""

    # -- topics --------------------------------------------------------------------------
    def create_topic(
        self, call: Call, Name: str, Attributes: dict[str, str] | None = None,
        Tags: list[dict[str, str]] | None = None, DataProtectionPolicy: str | None = None,
    ) -> dict[str, Any]:
        given = dict(Attributes or {})
        fifo = given.pop("FifoTopic", "false").lower() == "true"
        check_topic_name(Name, fifo or Name.endswith(".fifo"))
        if Name.endswith(".fifo") and not fifo:
            raise SnsInvalidParameter("Invalid parameter: Topic Name")
        arn = self.topic_arn(Name)
        self.authorize(call, "sns:CreateTopic", arn, resource_account=self.runtime.account_id)
        checked = {k: check_topic_attribute(k, v, fifo) for k, v in given.items()}
        existing = self.topics.get(arn)
        if existing is not None:
            if any(existing.attributes.get(k) != v for k, v in checked.items()):
                raise SnsInvalidParameter(
                    "Invalid parameter: Attributes Reason: Topic already exists with "
                    "different attributes"
                )
            return {"TopicArn": arn}
        attributes = {"Policy": default_policy(arn, self.runtime.account_id)}
        if fifo:
            attributes.update(FifoTopic="true", ContentBasedDeduplication="false")
        attributes.update(checked)
        self.topics[arn] = Topic(Name, arn, self.runtime.account_id, attributes, call.now,
                                 tags={t["Key"]: t["Value"] for t in Tags or []})
        return {"TopicArn": arn}

    def delete_topic(self, call: Call, TopicArn: str) -> None:
        topic = self.topics.get(TopicArn)
        if topic is None:
            self.check_topic_arn(TopicArn)  # deleting a missing topic is fine, a bad ARN is not
            return
        self._authorize_topic(call, "sns:DeleteTopic", topic)
        for subscription in topic.subscriptions:
            self.subscriptions.pop(subscription.arn, None)
        del self.topics[TopicArn]

    def list_topics(self, call: Call, NextToken: str | None = None) -> dict[str, Any]:
        self.authorize(call, "sns:ListTopics", self.topic_arn("*"),
                       resource_account=self.runtime.account_id)
        arns = list(self.topics)
        return _page("Topics", [{"TopicArn": a} for a in arns], NextToken)

    def get_topic_attributes(self, call: Call, TopicArn: str) -> dict[str, Any]:
        topic = self.topic(TopicArn)
        self._authorize_topic(call, "sns:GetTopicAttributes", topic)
        return {"Attributes": topic.render()}

    def set_topic_attributes(
        self, call: Call, TopicArn: str, AttributeName: str, AttributeValue: str | None = None
    ) -> None:
        topic = self.topic(TopicArn)
        self._authorize_topic(call, "sns:SetTopicAttributes", topic)
        value = check_topic_attribute(AttributeName, AttributeValue or "", topic.fifo)
        if value == "" and AttributeName != "DisplayName":
            topic.attributes.pop(AttributeName, None)
            if AttributeName == "Policy":  # an empty policy brings back the default
                topic.attributes["Policy"] = default_policy(topic.arn, topic.account)
        else:
            topic.attributes[AttributeName] = value

    # -- subscriptions ---------------------------------------------------------------------
    def subscribe(
        self, call: Call, TopicArn: str, Protocol: str, Endpoint: str | None = None,
        Attributes: dict[str, str] | None = None, ReturnSubscriptionArn: bool = False,
    ) -> dict[str, Any]:
        topic = self.topic(TopicArn)
        self._authorize_topic(call, "sns:Subscribe", topic)
        self._check_endpoint(topic, Protocol, Endpoint)
        endpoint = str(Endpoint)
        attributes = self._check_subscription_attributes(
            Protocol, dict(Attributes or {}), {}, subscribing=True
        )
        for existing in topic.subscriptions:
            if existing.endpoint == endpoint and existing.protocol == Protocol:
                if any(existing.attributes.get(k, "") != v for k, v in attributes.items()):
                    raise SnsInvalidParameter(
                        "Invalid parameter: Attributes Reason: Subscription already exists with "
                        "different attributes"
                    )
                return {"SubscriptionArn": existing.arn}
        reachable = Protocol in ("sqs", "lambda")
        subscription = Subscription(
            arn=f"{topic.arn}:{self.runtime.ids.uuid()}", topic_arn=topic.arn,
            protocol=Protocol, endpoint=endpoint, owner=call.caller.account,
            principal=call.caller.arn, attributes=attributes, pending=not reachable,
        )
        subscription.rules = compile_filter_policy(
            attributes.get("FilterPolicy", ""), subscription.filter_scope, subscribing=True
        )
        topic.subscriptions.append(subscription)
        self.subscriptions[subscription.arn] = subscription
        if subscription.pending and not ReturnSubscriptionArn:
            return {"SubscriptionArn": "pending confirmation"}
        return {"SubscriptionArn": subscription.arn}

    def _check_endpoint(self, topic: Topic, protocol: str, endpoint: str | None) -> None:
        if protocol not in PROTOCOLS:
            raise SnsInvalidParameter(
                f"Invalid parameter: Amazon SNS does not support this protocol string: {protocol}"
            )
        if not endpoint:
            raise SnsInvalidParameter("Invalid parameter: Endpoint")
        if protocol in ("sqs", "lambda"):
            try:
                service = Arn.parse(endpoint).service
            except ValueError:
                service = ""
            if service != protocol:
                kind = "SQS" if protocol == "sqs" else "Lambda"
                raise SnsInvalidParameter(f"Invalid parameter: {kind} endpoint ARN")
        if topic.fifo and protocol != "sqs":
            raise SnsInvalidParameter(f"Invalid parameter: Invalid protocol type: {protocol}")
        if not topic.fifo and protocol == "sqs" and endpoint.endswith(".fifo"):
            raise SnsInvalidParameter(
                "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not "
                "be subscribed to standard SNS topics"
            )

    def _check_subscription_attributes(
        self, protocol: str, given: dict[str, str], current: dict[str, str], *, subscribing: bool
    ) -> dict[str, str]:
        prefix = "Invalid parameter: Attributes Reason: " if subscribing else "Invalid parameter: "
        out: dict[str, str] = {}
        for name, value in given.items():
            if name not in SUBSCRIPTION_SETTABLE:
                raise SnsInvalidParameter(f"{prefix}AttributeName")
            if name == "RawMessageDelivery":
                if value.lower() not in ("true", "false"):
                    raise SnsInvalidParameter(
                        f"{prefix}RawMessageDelivery: Invalid value [{value}]. "
                        "Must be true or false."
                    )
                if protocol not in ("sqs", "http", "https", "firehose"):
                    raise SnsInvalidParameter(
                        f"{prefix}Delivery protocol [{protocol}] does not support raw message "
                        "delivery."
                    )
                value = value.lower()
            elif name == "FilterPolicyScope":
                check_scope(value, subscribing)
            elif name in ("RedrivePolicy", "DeliveryPolicy") and value:
                try:
                    json.loads(value)
                except ValueError:
                    raise SnsInvalidParameter(f"{prefix}{name}: failed to parse JSON.") from None
            out[name] = value
        merged = {**current, **out}
        compile_filter_policy(merged.get("FilterPolicy", ""),
                              merged.get("FilterPolicyScope") or "MessageAttributes",
                              subscribing=subscribing)
        return out

    def unsubscribe(self, call: Call, SubscriptionArn: str) -> None:
        parts = SubscriptionArn.split(":")
        if len(parts) < 6 or parts[0] != "arn":
            raise SnsInvalidParameter(
                "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 "
                f"elements, not {len(parts)}"
            )
        subscription = self.subscriptions.get(SubscriptionArn)
        if subscription is None:
            if len(parts) == 6:
                raise SnsInvalidParameter("Invalid parameter: SubscriptionId")
            return  # unsubscribing twice is fine
        topic = self.topics[subscription.topic_arn]
        self._authorize_topic(call, "sns:Unsubscribe", topic)
        topic.subscriptions.remove(subscription)
        topic.deleted_subscriptions += 1
        del self.subscriptions[SubscriptionArn]

    def confirm_subscription(
        self, call: Call, TopicArn: str, Token: str, AuthenticateOnUnsubscribe: str | None = None
    ) -> dict[str, Any]:
        self.topic(TopicArn)
        raise SnsInvalidParameter("Invalid parameter: Token")  # sqskit never sends tokens

    def list_subscriptions(self, call: Call, NextToken: str | None = None) -> dict[str, Any]:
        self.authorize(call, "sns:ListSubscriptions", self.topic_arn("*"),
                       resource_account=self.runtime.account_id)
        items = [s.summary() for s in self.subscriptions.values()]
        return _page("Subscriptions", items, NextToken)

    def list_subscriptions_by_topic(
        self, call: Call, TopicArn: str, NextToken: str | None = None
    ) -> dict[str, Any]:
        topic = self.topic(TopicArn)
        self._authorize_topic(call, "sns:ListSubscriptionsByTopic", topic)
        return _page("Subscriptions", [s.summary() for s in topic.subscriptions], NextToken)

    def get_subscription_attributes(self, call: Call, SubscriptionArn: str) -> dict[str, Any]:
        subscription = self.subscription(SubscriptionArn)
        self._authorize_topic(call, "sns:GetSubscriptionAttributes",
                              self.topics[subscription.topic_arn])
        return {"Attributes": subscription.render()}

    def set_subscription_attributes(
        self, call: Call, SubscriptionArn: str, AttributeName: str,
        AttributeValue: str | None = None,
    ) -> None:
        subscription = self.subscription(SubscriptionArn)
        self._authorize_topic(call, "sns:SetSubscriptionAttributes",
                              self.topics[subscription.topic_arn])
        value = AttributeValue or ""
        checked = self._check_subscription_attributes(
            subscription.protocol, {AttributeName: value}, subscription.attributes,
            subscribing=False,
        )
        subscription.attributes.update(checked)
        subscription.rules = compile_filter_policy(
            subscription.attributes.get("FilterPolicy", ""), subscription.filter_scope,
            subscribing=False,
        )

    # -- permissions and tags ----------------------------------------------------------------
    def add_permission(
        self, call: Call, TopicArn: str, Label: str, AWSAccountId: list[str],
        ActionName: list[str],
    ) -> None:
        topic = self.topic(TopicArn)
        self._authorize_topic(call, "sns:AddPermission", topic)
        policy = json.loads(topic.attributes["Policy"])
        if any(s.get("Sid") == Label for s in policy["Statement"]):
            raise SnsInvalidParameter("Invalid parameter: Statement already exists")
        principals = [f"arn:aws:iam::{a}:root" for a in AWSAccountId]
        policy["Statement"].append({
            "Sid": Label, "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": [f"SNS:{a}" for a in ActionName] if len(ActionName) > 1
            else f"SNS:{ActionName[0]}",
            "Resource": topic.arn,
        })
        topic.attributes["Policy"] = json.dumps(policy, separators=(",", ":"))

    def remove_permission(self, call: Call, TopicArn: str, Label: str) -> None:
        topic = self.topic(TopicArn)
        self._authorize_topic(call, "sns:RemovePermission", topic)
        policy = json.loads(topic.attributes["Policy"])
        policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != Label]
        topic.attributes["Policy"] = json.dumps(policy, separators=(",", ":"))

    def tag_resource(self, call: Call, ResourceArn: str, Tags: list[dict[str, str]]) -> None:
        topic = self.topic(ResourceArn)
        self._authorize_topic(call, "sns:TagResource", topic)
        keys = [t["Key"] for t in Tags]
        if len(set(keys)) != len(keys):
            raise SnsInvalidParameter("Invalid parameter: Duplicated keys are not allowed.")
        topic.tags.update({t["Key"]: t["Value"] for t in Tags})

    def untag_resource(self, call: Call, ResourceArn: str, TagKeys: list[str]) -> None:
        topic = self.topic(ResourceArn)
        self._authorize_topic(call, "sns:UntagResource", topic)
        for key in TagKeys:
            topic.tags.pop(key, None)

    def list_tags_for_resource(self, call: Call, ResourceArn: str) -> dict[str, Any]:
        topic = self.topic(ResourceArn)
        self._authorize_topic(call, "sns:ListTagsForResource", topic)
        return {"Tags": [{"Key": k, "Value": v} for k, v in topic.tags.items()]}


def _page(key: str, items: list[Any], token: str | None) -> dict[str, Any]:
    """One page of 100; the token is the index of the next item."""
    start = int(token) if token and token.isdigit() else 0
    out: dict[str, Any] = {key: items[start:start + PAGE]}
    if start + PAGE < len(items):
        out["NextToken"] = str(start + PAGE)
    return out
