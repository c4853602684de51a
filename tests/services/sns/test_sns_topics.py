"""SNS topics and subscriptions through a real boto3 client (query protocol, XML).

Rules from ../shared/reference/integrations.md section 1 and AWS-recorded texts.
"""

from __future__ import annotations

import json

import pytest

from tests.integration_support import queue_arn


@pytest.fixture
def sns(world):
    return world.client("sns")


@pytest.fixture
def topic(sns):
    return sns.create_topic(Name="reports")["TopicArn"]


def test_create_topic_returns_the_arn_and_is_idempotent(sns):
    """A topic ARN is arn:aws:sns:<region>:<account>:<name>; creating it again returns it."""
    first = sns.create_topic(Name="reports")["TopicArn"]
    assert first == "arn:aws:sns:us-east-1:123456789012:reports"
    assert sns.create_topic(Name="reports")["TopicArn"] == first
    assert sns.list_topics()["Topics"] == [{"TopicArn": first}]


@pytest.mark.parametrize("name", ["bad name", "x" * 257, "émoji"])
def test_a_bad_topic_name_is_an_invalid_parameter(sns, name):
    """Names are 1-256 letters, digits, hyphens and underscores."""
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.create_topic(Name=name)
    assert err.value.response["Error"]["Message"] == "Invalid parameter: Topic Name"


def test_a_fifo_topic_needs_the_suffix_and_the_attribute(sns):
    """A FIFO topic name ends in .fifo and FifoTopic is true; one without the other fails."""
    arn = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true"
    assert attributes["ContentBasedDeduplication"] == "false"
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.create_topic(Name="jobs2.fifo")
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.create_topic(Name="jobs3", Attributes={"FifoTopic": "true"})
    assert err.value.response["Error"]["Message"].startswith("Fifo Topic names must end with .fifo")


def test_a_new_topic_has_the_default_policy_and_counts(sns, topic):
    """The default topic policy lets the owner account do everything (AWS:SourceOwner)."""
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    policy = json.loads(attributes["Policy"])
    statement = policy["Statement"][0]
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceOwner": "123456789012"}}
    assert "SNS:Publish" in statement["Action"] and statement["Resource"] == topic
    assert attributes["Owner"] == "123456789012"
    assert (attributes["SubscriptionsConfirmed"], attributes["SubscriptionsPending"],
            attributes["SubscriptionsDeleted"]) == ("0", "0", "0")
    assert json.loads(attributes["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]


def test_an_unknown_topic_is_not_found_with_http_404(sns, topic):
    """A missing topic is NotFound (HTTP 404); a malformed ARN is an InvalidParameter."""
    with pytest.raises(sns.exceptions.NotFoundException) as err:
        sns.get_topic_attributes(TopicArn=topic + "-gone")
    assert err.value.response["Error"] == {
        "Type": "Sender", "Code": "NotFound", "Message": "Topic does not exist"}
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(sns.exceptions.InvalidParameterException) as bad:
        sns.get_topic_attributes(TopicArn="reports")
    assert bad.value.response["Error"]["Message"] == (
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1")


def test_set_topic_attributes_checks_names_and_values(sns, topic):
    """Only settable attributes, with their allowed values; FIFO-only ones need a FIFO topic."""
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="R")
    sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion", AttributeValue="2")
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["DisplayName"] == "R" and attributes["SignatureVersion"] == "2"
    for name, value in (("SignatureVersion", "3"), ("ContentBasedDeduplication", "true"),
                        ("NoSuchThing", "1")):
        with pytest.raises(sns.exceptions.InvalidParameterException):
            sns.set_topic_attributes(TopicArn=topic, AttributeName=name, AttributeValue=value)


def test_subscribing_a_queue_confirms_it_at_once(world, sns, topic):
    """An SQS queue of the same account is confirmed when subscribed; its ARN is topic:uuid."""
    sqs = world.client("sqs")
    endpoint = queue_arn(sqs, sqs.create_queue(QueueName="jobs")["QueueUrl"])
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=endpoint)["SubscriptionArn"]
    assert arn.startswith(topic + ":") and len(arn) == len(topic) + 37
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes == {
        "ConfirmationWasAuthenticated": "true", "Endpoint": endpoint,
        "Owner": "123456789012", "PendingConfirmation": "false", "Protocol": "sqs",
        "RawMessageDelivery": "false", "SubscriptionArn": arn,
        "SubscriptionPrincipal": "arn:aws:iam::123456789012:root", "TopicArn": topic,
    }
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed == [{"SubscriptionArn": arn, "Owner": "123456789012", "Protocol": "sqs",
                       "Endpoint": endpoint, "TopicArn": topic}]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "1"


def test_subscribing_the_same_endpoint_twice_returns_the_same_subscription(sns, topic):
    """Subscribe is idempotent, unless the attributes differ."""
    endpoint = "arn:aws:sqs:us-east-1:123456789012:jobs"
    first = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=endpoint)["SubscriptionArn"]
    again = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=endpoint)["SubscriptionArn"]
    assert first == again
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=endpoint,
                      Attributes={"RawMessageDelivery": "true"})
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: Attributes Reason: Subscription already exists with different "
        "attributes")


def test_an_unreachable_protocol_stays_pending_confirmation(sns, topic):
    """HTTP/e-mail endpoints must confirm; offline they never can, so they stay pending."""
    answer = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
    assert answer["SubscriptionArn"] == "pending confirmation"
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsPending"] == "1"
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.subscribe(TopicArn=topic, Protocol="carrier-pigeon", Endpoint="x")
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon")


def test_a_fifo_queue_cannot_subscribe_to_a_standard_topic(sns, topic):
    """FIFO SQS queues can only subscribe to FIFO topics."""
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.subscribe(TopicArn=topic, Protocol="sqs",
                      Endpoint="arn:aws:sqs:us-east-1:123456789012:jobs.fifo")
    assert "FIFO SQS Queues can not be subscribed to standard SNS topics" in (
        err.value.response["Error"]["Message"])


def test_subscription_attributes_are_validated(sns, topic):
    """RawMessageDelivery is true/false; FilterPolicyScope is MessageAttributes|MessageBody."""
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs",
                        Endpoint="arn:aws:sqs:us-east-1:123456789012:q")["SubscriptionArn"]
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="RawMessageDelivery",
                                    AttributeValue="TRUE")
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"][
        "RawMessageDelivery"] == "true"
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicyScope",
                                        AttributeValue="RandomValue")
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: FilterPolicyScope: Invalid value [RandomValue]. Please use either "
        "MessageBody or MessageAttributes")


def test_a_filter_policy_shows_its_scope_and_an_empty_one_removes_it(sns, topic):
    """FilterPolicyScope appears with a FilterPolicy; setting the policy to "" removes it."""
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs",
                        Endpoint="arn:aws:sqs:us-east-1:123456789012:q")["SubscriptionArn"]
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicyScope",
                                    AttributeValue="MessageBody")
    assert "FilterPolicyScope" not in sns.get_subscription_attributes(
        SubscriptionArn=arn)["Attributes"]
    policy = json.dumps({"attr": ["match-this"]})
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy",
                                    AttributeValue=policy)
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert (attributes["FilterPolicy"], attributes["FilterPolicyScope"]) == (policy, "MessageBody")
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy",
                                    AttributeValue="")
    assert "FilterPolicy" not in sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]


def test_unsubscribe_and_delete_topic(sns, topic):
    """Unsubscribe removes one subscription (and is idempotent); DeleteTopic removes all."""
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs",
                        Endpoint="arn:aws:sqs:us-east-1:123456789012:q")["SubscriptionArn"]
    sns.unsubscribe(SubscriptionArn=arn)
    sns.unsubscribe(SubscriptionArn=arn)
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsDeleted"] == "1"
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_subscription_attributes(SubscriptionArn=arn)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:123456789012:q")
    sns.delete_topic(TopicArn=topic)
    sns.delete_topic(TopicArn=topic)  # deleting twice is fine
    assert sns.list_subscriptions()["Subscriptions"] == []
    assert sns.list_topics()["Topics"] == []


def test_add_permission_writes_a_statement_into_the_topic_policy(sns, topic):
    """AddPermission adds a statement (Sid = Label) for the given accounts and actions."""
    sns.add_permission(TopicArn=topic, Label="partner", AWSAccountId=["444455556666"],
                       ActionName=["Publish"])
    statements = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])[
        "Statement"]
    assert statements[-1] == {"Sid": "partner", "Effect": "Allow",
                              "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                              "Action": "SNS:Publish", "Resource": topic}
    sns.remove_permission(TopicArn=topic, Label="partner")
    assert len(json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])[
        "Statement"]) == 1


def test_topics_are_tagged_and_listed_in_pages_of_100(sns):
    """Tags are kept per topic; ListTopics pages hold 100 topics with a NextToken."""
    arn = sns.create_topic(Name="t0", Tags=[{"Key": "team", "Value": "finance"}])["TopicArn"]
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "finance"}]
    for n in range(1, 101):
        sns.create_topic(Name=f"t{n}")
    page = sns.list_topics()
    assert len(page["Topics"]) == 100 and "NextToken" in page
    rest = sns.list_topics(NextToken=page["NextToken"])
    assert len(rest["Topics"]) == 1 and "NextToken" not in rest
    paginated = [t for p in sns.get_paginator("list_topics").paginate() for t in p["Topics"]]
    assert len(paginated) == 101
