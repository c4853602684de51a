"""Shared fixtures: a fresh strict world per test, its clock, and an SQS client."""

from __future__ import annotations

import pytest

import sqskit


@pytest.fixture
def world() -> sqskit.World:
    """A fresh world that checks every response against botocore's output shapes."""
    return sqskit.World(seed=0, strict=True)


@pytest.fixture
def clock(world):
    return world.clock


@pytest.fixture
def sqs(world):
    """A boto3 SQS client acting as the account's root user."""
    return world.client("sqs")


@pytest.fixture
def queue_url(sqs) -> str:
    return sqs.create_queue(QueueName="jobs")["QueueUrl"]
