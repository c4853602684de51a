"""Shared fixtures: a fresh strict world per test, its clock, and an SQS client.

The suite also records every request a sqskit client answers (:func:`exchanges`), so
that one generic test (``tests/protocol/test_responses.py``, run last) can check
every response the suite produced against botocore's shapes and check that every
standard SQS operation was exercised.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import sqskit
from sqskit.protocol.wire import WireResponse

#: the module (``sqskit.client`` as an attribute is the convenience function)
CLIENT_MODULE = importlib.import_module("sqskit.client")

# -- fixtures --------------------------------------------------------------------------------


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


# -- the record of every exchange ---------------------------------------------------------


@dataclass(frozen=True)
class Exchanged:
    """One request a sqskit client answered: the operation, the wire reply, the parse."""

    service: str
    operation: str
    params: dict[str, Any]
    wire: WireResponse
    parsed: dict[str, Any]

    def __repr__(self) -> str:
        return f"<Exchanged {self.service}.{self.operation} {self.wire.status}>"


_RECORD: list[Exchanged] = []
_DESELECTED: list[str] = []
_SELECTED_FILES: set[Path] = set()


@pytest.fixture(scope="session", autouse=True)
def _record_exchanges() -> Iterator[None]:
    """Wrap the client's transport seam so every exchange of the session is kept."""
    original = CLIENT_MODULE.exchange

    def recording(service, operation, params, caller, *, strict=False):
        wire, parsed = original(service, operation, params, caller, strict=strict)
        _RECORD.append(Exchanged(service.name, operation.name, params, wire, parsed))
        return wire, parsed

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CLIENT_MODULE, "exchange", recording)
        yield


@pytest.fixture
def exchanges() -> list[Exchanged]:
    """Every exchange the session has recorded so far (shared, read-only by convention)."""
    return _RECORD


@pytest.fixture
def whole_run() -> Callable[[Path], bool]:
    """``whole_run(folder)``: did this session run every test file of ``folder``, unfiltered?"""

    def check(folder: Path) -> bool:
        files = {p.resolve() for p in folder.rglob("test_*.py")}
        return not _DESELECTED and files <= _SELECTED_FILES

    return check


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "after_suite: runs after every other test (checks what the suite did)"
    )


def pytest_deselected(items: list[pytest.Item]) -> None:
    _DESELECTED.extend(item.nodeid for item in items)


def pytest_collection_finish(session: pytest.Session) -> None:
    _SELECTED_FILES.update(Path(item.path).resolve() for item in session.items)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the ``after_suite`` tests to the end, keeping everything else in order."""
    items.sort(key=lambda item: item.get_closest_marker("after_suite") is not None)
