"""TagQueue, UntagQueue, ListQueueTags.

Recorded against AWS (sqs-aws-recorded.md section 1j): TagQueue overwrites, keys are
case-sensitive, an empty value is allowed, UntagQueue ignores unknown keys, no tags means
no Tags key. Limits (sqs-semantics.md section 1): key 1..128, value up to 256, ``aws:``
reserved; the wording of those errors is unverified.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def tags_of(sqs, url: str) -> dict[str, str] | None:
    return sqs.list_queue_tags(QueueUrl=url).get("Tags")


def test_a_queue_without_tags_lists_no_tags_key(sqs, queue_url):
    """Recorded against AWS: the empty map is omitted."""
    assert set(sqs.list_queue_tags(QueueUrl=queue_url)) == {"ResponseMetadata"}


def test_tag_queue_adds_and_overwrites(sqs, queue_url):
    """A second TagQueue with the same key replaces its value."""
    sqs.tag_queue(QueueUrl=queue_url, Tags={"team": "print", "env": "lab"})
    sqs.tag_queue(QueueUrl=queue_url, Tags={"team": "reports"})
    assert tags_of(sqs, queue_url) == {"team": "reports", "env": "lab"}


def test_tag_keys_are_case_sensitive_and_values_may_be_empty(sqs, queue_url):
    """MyTag and mytag are two tags; '' is a valid value."""
    sqs.tag_queue(QueueUrl=queue_url, Tags={"MyTag": "a", "mytag": ""})
    assert tags_of(sqs, queue_url) == {"MyTag": "a", "mytag": ""}


def test_untag_queue_removes_keys_and_ignores_unknown_ones(sqs, queue_url):
    """Recorded against AWS: untagging a key that is not there is no error."""
    sqs.tag_queue(QueueUrl=queue_url, Tags={"a": "1", "b": "2"})
    sqs.untag_queue(QueueUrl=queue_url, TagKeys=["a", "nope"])
    assert tags_of(sqs, queue_url) == {"b": "2"}
    sqs.untag_queue(QueueUrl=queue_url, TagKeys=["b"])
    assert tags_of(sqs, queue_url) is None


@pytest.mark.parametrize(
    "tags", [{"": "x"}, {"k" * 129: "x"}, {"k": "v" * 257}, {"aws:team": "x"},
             {"AWS:team": "x"}],
    ids=["empty-key", "long-key", "long-value", "aws-prefix", "AWS-prefix"],
)
def test_tags_beyond_the_limits_are_refused_and_change_nothing(sqs, queue_url, aws_error, tags):
    """Keys 1..128 characters, values up to 256, the aws: prefix reserved."""
    sqs.tag_queue(QueueUrl=queue_url, Tags={"keep": "me"})
    with pytest.raises(ClientError) as caught:
        sqs.tag_queue(QueueUrl=queue_url, Tags={"new": "one", **tags})
    aws_error(caught, "InvalidParameterValue")
    assert tags_of(sqs, queue_url) == {"keep": "me"}


def test_the_longest_allowed_tag_is_accepted(sqs, queue_url):
    """A 128-character key with a 256-character value is fine."""
    sqs.tag_queue(QueueUrl=queue_url, Tags={"k" * 128: "v" * 256})
    assert tags_of(sqs, queue_url) == {"k" * 128: "v" * 256}


def test_tag_calls_need_an_existing_queue(sqs):
    """All three tag calls answer QueueDoesNotExist for an unknown queue."""
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/nope"
    for call in (lambda: sqs.tag_queue(QueueUrl=url, Tags={"a": "b"}),
                 lambda: sqs.untag_queue(QueueUrl=url, TagKeys=["a"]),
                 lambda: sqs.list_queue_tags(QueueUrl=url)):
        with pytest.raises(sqs.exceptions.QueueDoesNotExist):
            call()


def test_more_than_fifty_tags_are_not_recommended_but_accepted(sqs, queue_url):
    """AWS (TagQueue; queue quotas, sqs-semantics.md section 1): adding more than 50 tags to
    a queue is "not recommended", which is advice, not a quota that fails the call."""
    many = {f"k{i}": "v" for i in range(51)}
    sqs.tag_queue(QueueUrl=queue_url, Tags=many)
    assert tags_of(sqs, queue_url) == many
