"""Queue management: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, PurgeQueue.

Source: ../shared/reference/sqs-semantics.md sections 1, 3, 7 and 10, and the errors
recorded against AWS (sqs-aws-recorded.md sections 1a, 1b, 1j).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

NOT_FOUND = "AWS.SimpleQueueService.NonExistentQueue"
NOT_FOUND_MESSAGE = "The specified queue does not exist."
NAME_RULE = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"


# -- CreateQueue -------------------------------------------------------------------------------


def test_create_queue_returns_the_regional_queue_url(sqs):
    """A queue URL is https://sqs.<region>.amazonaws.com/<account>/<name>."""
    url = sqs.create_queue(QueueName="print-jobs")["QueueUrl"]
    assert url == "https://sqs.us-east-1.amazonaws.com/123456789012/print-jobs"


@pytest.mark.parametrize(
    "name", ["a", "A" * 80, "Print_Jobs-2026", "0123456789"], ids=["1", "80", "mixed", "digits"]
)
def test_a_queue_name_has_1_to_80_letters_digits_hyphens_or_underscores(sqs, name):
    """Queue names use A-Z a-z 0-9 - _ and are 1 to 80 characters long."""
    assert sqs.create_queue(QueueName=name)["QueueUrl"].endswith("/" + name)


@pytest.mark.parametrize(
    "name", ["A" * 81, "print jobs", "print.jobs", "jobs/1", "résumé", ""],
    ids=["81", "space", "dot", "slash", "accent", "empty"],
)
def test_any_other_queue_name_is_invalid(sqs, aws_error, name):
    """Other names fail with InvalidParameterValue and create nothing."""
    with pytest.raises(ClientError) as caught:
        sqs.create_queue(QueueName=name)
    aws_error(caught, "InvalidParameterValue", NAME_RULE,
              query_code="InvalidParameterValueException")
    assert "QueueUrls" not in sqs.list_queues()


def test_a_standard_queue_name_may_not_end_in_fifo(sqs, aws_error):
    """Recorded against AWS: a .fifo name without FifoQueue=true is InvalidParameterValue."""
    with pytest.raises(ClientError) as caught:
        sqs.create_queue(QueueName="jobs.fifo")
    aws_error(caught, "InvalidParameterValue")


def test_queue_names_are_case_sensitive(sqs):
    """Jobs and jobs are two queues."""
    upper = sqs.create_queue(QueueName="Jobs")["QueueUrl"]
    lower = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    assert upper != lower
    assert len(sqs.list_queues()["QueueUrls"]) == 2


def test_create_queue_is_idempotent_for_the_same_attributes(sqs):
    """Same name, same (or no, or a subset of the same) attributes: the same URL back."""
    attributes = {"DelaySeconds": "1", "VisibilityTimeout": "45"}
    url = sqs.create_queue(QueueName="jobs", Attributes=attributes)["QueueUrl"]
    assert sqs.create_queue(QueueName="jobs", Attributes=attributes)["QueueUrl"] == url
    assert sqs.create_queue(QueueName="jobs")["QueueUrl"] == url
    assert sqs.create_queue(QueueName="jobs", Attributes={"DelaySeconds": "1"})["QueueUrl"] == url
    assert len(sqs.list_queues()["QueueUrls"]) == 1


def test_create_queue_is_idempotent_after_messages_changed_the_counters(sqs, queue_url):
    """Recorded against AWS: the Approximate* counters do not take part in the comparison."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    assert sqs.create_queue(QueueName="jobs")["QueueUrl"] == queue_url


def test_create_queue_with_the_default_value_spelled_out_is_idempotent(sqs, queue_url):
    """Giving an attribute its default value matches a queue created without it."""
    url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    assert url == queue_url


def test_create_queue_with_a_different_attribute_value_is_queue_already_exists(sqs, aws_error):
    """Recorded against AWS: QueueAlreadyExists (shape QueueNameExists), naming the attribute."""
    sqs.create_queue(QueueName="jobs", Attributes={"DelaySeconds": "1"})
    with pytest.raises(sqs.exceptions.QueueNameExists) as caught:
        sqs.create_queue(QueueName="jobs", Attributes={"DelaySeconds": "2"})
    aws_error(
        caught, "QueueAlreadyExists",
        "A queue already exists with the same name and a different value for attribute "
        "DelaySeconds",
        query_code="QueueNameExists",
    )


def test_create_queue_compares_with_the_current_attributes(sqs, aws_error):
    """Recorded against AWS: after SetQueueAttributes the new value is the one compared."""
    url = sqs.create_queue(QueueName="jobs", Attributes={"DelaySeconds": "1"})["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "2"})
    with pytest.raises(ClientError) as caught:
        sqs.create_queue(QueueName="jobs", Attributes={"DelaySeconds": "1"})
    aws_error(caught, "QueueAlreadyExists")
    assert sqs.create_queue(QueueName="jobs", Attributes={"DelaySeconds": "2"})["QueueUrl"] == url


def test_a_refused_create_queue_creates_nothing(sqs):
    """A bad attribute fails the call before any queue exists."""
    with pytest.raises(ClientError):
        sqs.create_queue(QueueName="jobs", Attributes={"DelaySeconds": "901"})
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="jobs")


def test_create_queue_with_tags_tags_the_queue(sqs):
    """CreateQueue accepts tags (lower-case ``tags`` in the API) and applies them."""
    url = sqs.create_queue(QueueName="jobs", tags={"team": "printing"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "printing"}


def test_a_new_queue_records_when_it_was_created_in_epoch_seconds(sqs, clock):
    """CreatedTimestamp and LastModifiedTimestamp are epoch seconds, as strings."""
    clock.advance(12.7)
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["CreatedTimestamp"] == str(int(clock.now))
    assert attributes["LastModifiedTimestamp"] == str(int(clock.now))
    clock.advance(100)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "3"})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["LastModifiedTimestamp"] == str(int(clock.now))
    assert attributes["CreatedTimestamp"] == str(int(clock.now - 100))


def test_sse_sqs_is_on_for_queues_created_over_https_only(world):
    """SqsManagedSseEnabled defaults to true, except for a queue created without TLS."""
    secure = world.client("sqs")
    plain = world.client("sqs", secure_transport=False)
    tls_url = secure.create_queue(QueueName="tls")["QueueUrl"]
    http_url = plain.create_queue(QueueName="http")["QueueUrl"]
    read = lambda url: secure.get_queue_attributes(  # noqa: E731
        QueueUrl=url, AttributeNames=["SqsManagedSseEnabled"])["Attributes"]
    assert read(tls_url) == {"SqsManagedSseEnabled": "true"}
    assert read(http_url) == {"SqsManagedSseEnabled": "false"}


# -- GetQueueUrl -------------------------------------------------------------------------------


def test_get_queue_url_finds_a_queue_by_name(sqs, queue_url):
    """GetQueueUrl returns the URL CreateQueue returned."""
    assert sqs.get_queue_url(QueueName="jobs")["QueueUrl"] == queue_url


def test_get_queue_url_of_an_unknown_queue_raises_the_modeled_exception(sqs, aws_error):
    """Recorded against AWS: QueueDoesNotExist, with the legacy code in Error.Code."""
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as caught:
        sqs.get_queue_url(QueueName="nope")
    aws_error(caught, NOT_FOUND, NOT_FOUND_MESSAGE, query_code="QueueDoesNotExist")


def test_get_queue_url_for_another_account_does_not_find_this_accounts_queue(sqs, queue_url):
    """QueueOwnerAWSAccountId names the owner; a queue of that name here is not it."""
    assert sqs.get_queue_url(QueueName="jobs", QueueOwnerAWSAccountId="123456789012")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="jobs", QueueOwnerAWSAccountId="210987654321")


# -- queue URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://sqs.us-east-1.amazonaws.com/210987654321/jobs",
        "https://sqs.us-east-1.amazonaws.com/123456789012/nope",
        "https://sqs.us-east-1.amazonaws.com/jobs",
        "jobs",
        "",
        "https://sqs.us-east-1.amazonaws.com/123456789012/jobs/extra",
    ],
    ids=["other-account", "unknown-name", "no-account", "bare-name", "empty", "extra-segment"],
)
def test_a_queue_url_that_names_no_queue_of_this_account_is_queue_does_not_exist(
    sqs, queue_url, aws_error, url
):
    """Another account's URL, an unknown name or a malformed URL: QueueDoesNotExist."""
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as caught:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    aws_error(caught, NOT_FOUND, NOT_FOUND_MESSAGE)


def test_a_queue_url_is_resolved_by_account_and_name_whatever_the_host(sqs, queue_url):
    """Like SQS behind a local endpoint, the path /<account>/<name> identifies the queue."""
    for url in ("http://localhost:4566/123456789012/jobs",
                "https://queue.amazonaws.com/123456789012/jobs"):
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert len(sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]) == 2


# -- ListQueues --------------------------------------------------------------------------------


@pytest.fixture
def six_queues(sqs) -> list[str]:
    return [sqs.create_queue(QueueName=n)["QueueUrl"]
            for n in ("alpha", "beta", "print-1", "print-2", "print-3", "Print-4")]


def test_list_queues_lists_every_queue_of_the_account(sqs, six_queues):
    """Without arguments ListQueues returns all queue URLs and no NextToken."""
    result = sqs.list_queues()
    assert sorted(result["QueueUrls"]) == sorted(six_queues)
    assert "NextToken" not in result


def test_list_queues_filters_by_a_case_sensitive_name_prefix(sqs, six_queues):
    """QueueNamePrefix matches the start of the name, case-sensitively."""
    urls = sqs.list_queues(QueueNamePrefix="print")["QueueUrls"]
    assert [u.rsplit("/", 1)[1] for u in urls] == ["print-1", "print-2", "print-3"]


def test_list_queues_with_no_match_omits_queue_urls(sqs, six_queues):
    """Recorded against AWS: an empty result has no QueueUrls key at all."""
    result = sqs.list_queues(QueueNamePrefix="zzz")
    assert set(result) == {"ResponseMetadata"}


def test_list_queues_pages_with_max_results_and_next_token(sqs, six_queues):
    """Recorded against AWS: MaxResults adds NextToken; the last page has none."""
    first = sqs.list_queues(MaxResults=4)
    assert len(first["QueueUrls"]) == 4 and "NextToken" in first
    rest = sqs.list_queues(MaxResults=4, NextToken=first["NextToken"])
    assert len(rest["QueueUrls"]) == 2 and "NextToken" not in rest
    assert sorted(first["QueueUrls"] + rest["QueueUrls"]) == sorted(six_queues)


def test_a_page_that_ends_exactly_at_the_last_queue_has_no_next_token(sqs, six_queues):
    """NextToken appears only when more queues follow."""
    assert "NextToken" not in sqs.list_queues(MaxResults=6)


def test_the_boto3_paginator_walks_all_pages(sqs, six_queues):
    """The list_queues paginator (MaxResults/NextToken) sees every queue exactly once."""
    paginator = sqs.get_paginator("list_queues")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["QueueUrls"]) for p in pages] == [2, 2, 2]
    urls = list(paginator.paginate(QueueNamePrefix="print",
                                   PaginationConfig={"PageSize": 2}).search("QueueUrls[]"))
    assert [u.rsplit("/", 1)[1] for u in urls] == ["print-1", "print-2", "print-3"]
    config = {"MaxItems": 3, "PageSize": 2}
    limited = paginator.paginate(PaginationConfig=config).build_full_result()
    assert len(limited["QueueUrls"]) == 3 and "NextToken" in limited


def test_a_queue_created_between_pages_is_not_lost(sqs, six_queues):
    """The token remembers a position by name, so later pages stay consistent."""
    first = sqs.list_queues(MaxResults=3)
    sqs.create_queue(QueueName="zeta")
    rest = sqs.list_queues(MaxResults=10, NextToken=first["NextToken"])
    names = {u.rsplit("/", 1)[1] for u in first["QueueUrls"] + rest["QueueUrls"]}
    assert "zeta" in names and len(names) == 7


@pytest.mark.parametrize("max_results", [0, 1001, -1])
def test_max_results_must_be_1_to_1000(sqs, aws_error, max_results):
    """MaxResults outside 1..1000 is InvalidParameterValue."""
    with pytest.raises(ClientError) as caught:
        sqs.list_queues(MaxResults=max_results)
    aws_error(caught, "InvalidParameterValue", contains="MaxResults")


def test_a_next_token_sqskit_did_not_issue_is_invalid(sqs, aws_error, six_queues):
    """A forged NextToken is InvalidParameterValue (wording unverified)."""
    with pytest.raises(ClientError) as caught:
        sqs.list_queues(MaxResults=2, NextToken="not-a-token")
    aws_error(caught, "InvalidParameterValue")


# -- DeleteQueue -------------------------------------------------------------------------------


def test_delete_queue_removes_the_queue_and_its_messages(sqs, queue_url):
    """After DeleteQueue the URL names nothing."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    sqs.delete_queue(QueueUrl=queue_url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="jobs")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.receive_message(QueueUrl=queue_url)
    assert "QueueUrls" not in sqs.list_queues()


def test_delete_queue_of_an_unknown_queue_is_queue_does_not_exist(sqs, queue_url, aws_error):
    """Deleting twice: the second call finds no queue."""
    sqs.delete_queue(QueueUrl=queue_url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as caught:
        sqs.delete_queue(QueueUrl=queue_url)
    aws_error(caught, NOT_FOUND, NOT_FOUND_MESSAGE)


def test_a_deleted_name_cannot_be_reused_for_60_seconds(sqs, queue_url, clock, aws_error):
    """Recorded against AWS: QueueDeletedRecently within 60 s of DeleteQueue."""
    sqs.delete_queue(QueueUrl=queue_url)
    clock.advance(59)
    with pytest.raises(sqs.exceptions.QueueDeletedRecently) as caught:
        sqs.create_queue(QueueName="jobs")
    aws_error(
        caught, "AWS.SimpleQueueService.QueueDeletedRecently",
        "You must wait 60 seconds after deleting a queue before you can create another "
        "with the same name.",
        query_code="QueueDeletedRecently",
    )
    assert sqs.create_queue(QueueName="other")  # other names are free
    clock.advance(1)
    assert sqs.create_queue(QueueName="jobs")["QueueUrl"] == queue_url


def test_a_recreated_queue_starts_empty_and_ignores_old_receipts(sqs, queue_url, clock):
    """A queue created again under the same name is a new queue: no old messages or handles."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="old")
    handle = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_queue(QueueUrl=queue_url)
    clock.advance(60)
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)


# -- PurgeQueue --------------------------------------------------------------------------------


def test_purge_queue_deletes_visible_in_flight_and_delayed_messages(sqs, queue_url, count):
    """PurgeQueue empties the queue, whatever state its messages are in."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="visible")
    sqs.send_message(QueueUrl=queue_url, MessageBody="delayed", DelaySeconds=60)
    sqs.send_message(QueueUrl=queue_url, MessageBody="in flight")
    sqs.receive_message(QueueUrl=queue_url)
    assert count(queue_url) == (1, 1, 1)
    sqs.purge_queue(QueueUrl=queue_url)
    assert count(queue_url) == (0, 0, 0)


def test_a_second_purge_within_60_seconds_is_purge_queue_in_progress(
    sqs, queue_url, clock, aws_error
):
    """Recorded against AWS: HTTP 403 and 'Only one PurgeQueue operation on <name> ...'."""
    sqs.purge_queue(QueueUrl=queue_url)
    clock.advance(59)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress) as caught:
        sqs.purge_queue(QueueUrl=queue_url)
    aws_error(
        caught, "AWS.SimpleQueueService.PurgeQueueInProgress",
        "Only one PurgeQueue operation on jobs is allowed every 60 seconds.",
        query_code="PurgeQueueInProgress", status=403,
    )
    clock.advance(1)
    sqs.purge_queue(QueueUrl=queue_url)


def test_messages_sent_after_a_purge_are_kept(sqs, queue_url):
    """Purge deletes what is there at the time of the call, not what comes later."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="before")
    sqs.purge_queue(QueueUrl=queue_url)
    sqs.send_message(QueueUrl=queue_url, MessageBody="after")
    assert sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"] == "after"


def test_purge_queue_of_an_unknown_queue_is_queue_does_not_exist(sqs):
    """PurgeQueue needs an existing queue."""
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.purge_queue(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/nope")
