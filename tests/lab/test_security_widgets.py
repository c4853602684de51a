"""The policy playground and envelope explorer views, driven without a browser."""

from __future__ import annotations

import json

import pytest

import sqskit
from sqskit.lab import EnvelopeExplorer, PolicyPlayground
from sqskit.lab import winterday as wd

pytest.importorskip("ipywidgets")


@pytest.fixture
def pipeline():
    world = sqskit.World(seed=5)
    wd.hire(world)
    key_id = wd.create_key(world)
    kms = wd.client(world, wd.SNOWY, "kms")
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=wd.key_policy(...))
    sqs = wd.client(world, wd.SNOWY)
    url = sqs.create_queue(QueueName=wd.QUEUE, Attributes={"KmsMasterKeyId": wd.KEY_ALIAS})[
        "QueueUrl"]
    return world, sqs, kms, key_id, url


TLS_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
    "Resource": wd.queue_arn(), "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})


def test_unticking_tls_flips_the_verdict_and_highlights_the_deny(pipeline) -> None:
    """A learner unticks TLS: the verdict turns to explicit deny and the TLS-only
    statement is the highlighted row, its condition showing the value 'false'."""
    world, sqs, *_ = pipeline
    sqs.set_queue_attributes(QueueUrl=wd.queue_url(), Attributes={"Policy": TLS_ONLY})
    view = PolicyPlayground(world, principals=wd.PRINCIPALS, endpoints=wd.ENDPOINTS,
                            principal="report-parser", action="sqs:SendMessage",
                            resource="parse-jobs")
    assert 'data-verdict="allowed"' in view.result.value
    view.tls.value = False
    assert 'data-verdict="explicit deny"' in view.result.value
    row = view.result.value.split('data-decides="true"')[1].split("</tr>")[0]
    assert "TlsOnly" in row and "request has &#x27;false&#x27; -&gt; true" in row
    assert "DENIED (explicit deny)" in view.text()


def test_the_editor_shows_the_worlds_policy_and_tries_edits(pipeline) -> None:
    """The editor starts from the world's policy; an edit is tried, not applied; the
    reset button goes back to the world's policy."""
    world, sqs, *_ = pipeline
    sqs.set_queue_attributes(QueueUrl=wd.queue_url(), Attributes={"Policy": TLS_ONLY})
    view = PolicyPlayground(world, principals=wd.PRINCIPALS, principal="report-parser",
                            action="sqs:SendMessage", resource="parse-jobs",
                            secure_transport=False)
    assert json.loads(view.policy.value) == json.loads(TLS_ONLY)
    view.policy.value = view.policy.value.replace('"false"', '"true"')
    assert 'data-verdict="allowed"' in view.result.value
    assert "the resource policy edited" in view.text()
    assert json.loads(world.sqs.policy_for(wd.queue_arn())) == json.loads(TLS_ONLY)
    view.policy.value = "{"
    assert 'data-verdict="invalid"' in view.result.value
    view.reset_button.click()
    assert 'data-verdict="explicit deny"' in view.result.value


def test_a_new_queue_policy_in_the_world_shows_at_once(pipeline) -> None:
    """The playground follows the world: Snowy sets a policy, the view redraws."""
    world, sqs, *_ = pipeline
    view = PolicyPlayground(world, principals=wd.PRINCIPALS, principal="report-parser",
                            action="sqs:SendMessage", resource="parse-jobs",
                            secure_transport=False)
    assert 'data-verdict="allowed"' in view.result.value
    sqs.set_queue_attributes(QueueUrl=wd.queue_url(), Attributes={"Policy": TLS_ONLY})
    assert 'data-verdict="explicit deny"' in view.result.value
    assert "TlsOnly" in view.policy.value


def test_probes_given_to_the_playground_are_shown_and_in_the_text_twin(pipeline) -> None:
    """The probe table sits under the decision; each row says whether it went as expected."""
    world, sqs, *_ = pipeline
    sqs.set_queue_attributes(QueueUrl=wd.queue_url(), Attributes={"Policy": TLS_ONLY})
    view = PolicyPlayground(world, principals=wd.PRINCIPALS, probes=wd.pipeline_probes())
    assert view.probe_view.value.count('data-ok="false"') == 2  # no VPC rules yet
    assert "Probes: 4 of 6 as expected" in view.text()


def test_the_explorer_follows_its_message_and_a_disabled_key(pipeline) -> None:
    """The explorer redraws when the key is disabled: the consumer's box turns to the error."""
    world, _, kms, key_id, url = pipeline
    sent = wd.send_reports(wd.client(world, wd.PARSER), url, wd.reports(2))
    view = EnvelopeExplorer(world, url, sent[0])
    assert [value for _, value in view.choice.options] == sent
    assert 'data-state="Enabled"' in view.html.value and "sha256 " in view.html.value
    kms.disable_key(KeyId=key_id)
    assert 'data-state="Disabled"' in view.html.value
    assert "KMS.DisabledException" in view.text()


def test_choosing_another_message_shows_its_envelope(pipeline) -> None:
    """The message menu picks which envelope is opened."""
    world, _, _, _, url = pipeline
    sent = wd.send_reports(wd.client(world, wd.PARSER), url, wd.reports(2))
    view = EnvelopeExplorer(world, url, sent[0])
    view.choice.value = sent[1]
    assert view.model.message_id == sent[1]
    assert f"Envelope of message {sent[1][:8]}" in view.text()
