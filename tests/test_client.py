"""Real boto3 clients answered in-process: validation, isolation from the host, no network."""

from __future__ import annotations

import importlib

import pytest
from botocore.exceptions import ParamValidationError

import sqskit

client_module = importlib.import_module("sqskit.client")

HOSTILE_ENVIRONMENT = {
    "AWS_PROFILE": "no-such-profile",
    "AWS_DEFAULT_PROFILE": "no-such-profile",
    "AWS_DEFAULT_REGION": "mars-north-1",
    "AWS_ACCESS_KEY_ID": "AKIAREALKEYREALKEY00",
    "AWS_SECRET_ACCESS_KEY": "real-secret",
    "AWS_SESSION_TOKEN": "real-token",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:9",
    "AWS_USE_FIPS_ENDPOINT": "true",
    "AWS_USE_DUALSTACK_ENDPOINT": "true",
    "AWS_DEFAULTS_MODE": "bogus",
    "AWS_RETRY_MODE": "bogus",
    "AWS_MAX_ATTEMPTS": "not-a-number",
    "AWS_REQUEST_CHECKSUM_CALCULATION": "bogus",
    "AWS_RESPONSE_CHECKSUM_VALIDATION": "bogus",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "bogus",
    "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES": "bogus",
    "AWS_CA_BUNDLE": "/no/such/bundle.pem",
    "AWS_DATA_PATH": "/no/such/models",
}


def test_a_sqskit_client_ignores_the_learners_aws_environment(monkeypatch, tmp_path):
    """No AWS_* variable and no ~/.aws file breaks a client or leaks into it."""
    broken = tmp_path / "config"
    broken.write_text("this is [not an ini file\n")
    for name, value in HOSTILE_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(broken))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(broken))
    monkeypatch.setenv("HOME", str(tmp_path))
    world = sqskit.World(strict=True)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    assert sqs.meta.region_name == "us-east-1"
    assert sqs.meta.endpoint_url == "https://sqs.us-east-1.amazonaws.com"
    credentials = sqs._request_signer._credentials
    assert credentials.access_key.startswith("SQSKIT") and credentials.token is None


def test_a_sqskit_client_never_sends_over_the_network(sqs):
    """Every request is answered before botocore would send it; sending is refused."""
    with pytest.raises(client_module.NetworkRefused):
        sqs.meta.events.emit("before-send.sqs.SendMessage", request=None)


def test_making_many_clients_does_not_grow_the_shared_model_loader(world):
    """boto3 adds its data folder to the loader per session; sqskit keeps it once."""
    world.client("sqs")
    paths = len(client_module._LOADER.search_paths)
    for _ in range(20):
        world.client("sqs")
    assert len(client_module._LOADER.search_paths) == paths


@pytest.mark.parametrize(
    "call",
    [
        {"QueueUrl": "u", "MessageBody": 5},
        {"QueueUrl": "u"},
        {"QueueUrl": "u", "MessageBody": "x", "DelaySeconds": "10"},
        {"QueueUrl": "u", "MessageBody": "x", "Unexpected": 1},
        {"QueueUrl": "u", "MessageBody": "x",
         "MessageAttributes": {"a": {"StringValue": "no type"}}},
    ],
    ids=["wrong-type", "missing", "string-for-int", "unknown-parameter", "missing-member"],
)
def test_boto3_validates_parameters_before_sqskit_sees_them(sqs, call):
    """Wrong types and missing members are boto3's own ParamValidationError."""
    with pytest.raises(ParamValidationError):
        sqs.send_message(**call)


def test_the_module_level_default_world_is_the_same_machinery():
    """sqskit.reset() gives a fresh default world; sqskit.client() uses it."""
    world = sqskit.reset(seed=3)
    sqs = sqskit.client("sqs")
    sqs.create_queue(QueueName="default")
    assert sqskit.default_world() is world and "default" in world.sqs.queues
    assert "default" not in sqskit.reset(seed=3).sqs.queues


def test_modeled_exceptions_are_shared_by_all_clients_of_a_world(world) -> None:
    """An error raised through one principal's client is caught by another client's class.

    Learners write ``except sqs.exceptions.QueueDoesNotExist`` around calls made with a
    producer's client; in boto3 that works for clients of one session, so it must here.
    """
    owner = world.client("sqs")
    other = world.client("sqs", principal="arn:aws:iam::123456789012:user/alice")
    with pytest.raises(owner.exceptions.QueueDoesNotExist):
        other.get_queue_url(QueueName="missing")
