"""Lab 00's checks fail on each anticipated mistake (with its tip) and pass on the answer."""

from __future__ import annotations

import pytest

import sqskit

from .cases import Case, ids


def moved(seconds: float) -> tuple:
    world = sqskit.World(seed=0)
    if seconds:
        world.clock.advance(seconds)
    return (world,)


def with_hello(name: str = "hello", keep: str = "url") -> tuple:
    world = sqskit.World(seed=0)
    response = world.client("sqs").create_queue(QueueName=name)
    return world, response["QueueUrl"] if keep == "url" else response


def hello_sent(received: str = "body", text: str = "Hello, Snowy!", receive: bool = True) -> tuple:
    world, url = with_hello()
    sqs = world.client("sqs")
    sqs.send_message(QueueUrl=url, MessageBody=text)
    response = sqs.receive_message(QueueUrl=url) if receive else {}
    pick = {
        "body": lambda: response["Messages"][0]["Body"],
        "response": lambda: response,
        "list": lambda: response["Messages"],
        "message": lambda: response["Messages"][0],
        "literal": lambda: "Hello, Snowy!",
    }[received]
    return world, pick()


def sent_response() -> tuple:
    world, url = with_hello()
    return world, world.client("sqs").send_message(QueueUrl=url, MessageBody="Hello, Snowy!")


def empty_receive() -> tuple:
    world, url = with_hello()
    return world, world.client("sqs").receive_message(QueueUrl=url)


CASES = [
    Case("00.1", "the clock moved 90 seconds", lambda: moved(90), "passed"),
    Case("00.1", "the clock did not move", lambda: moved(0), "not attempted"),
    Case("00.1", "moved 1.5 (minutes)", lambda: moved(1.5), "failed", "minutes"),
    Case("00.1", "moved 90 minutes", lambda: moved(5400), "failed", "minutes"),
    Case("00.1", "the cell ran twice", lambda: moved(180), "failed", "ran-twice"),
    Case("00.1", "moved 45 seconds", lambda: moved(45), "failed"),
    Case("00.1", "1.5, then 90 more", lambda: moved(91.5), "failed", "overshot"),
    Case("00.1", "a string instead of the world", lambda: ("world",), "failed"),
    Case("00.2", "hello_url is the URL", lambda: with_hello(), "passed"),
    Case("00.2", "hello_url is still the stub", lambda: (with_hello()[0], ...), "not attempted"),
    Case("00.2", "hello_url is the response", lambda: with_hello(keep="response"), "failed",
         "response-dict"),
    Case("00.2", "the queue is called Hello", lambda: with_hello("Hello"), "failed", "name-case"),
    Case("00.2", "no queue at all", lambda: (sqskit.World(seed=0), "hello"), "failed", "no-queue"),
    Case("00.2", "the URL of another queue", lambda: (with_hello()[0], with_hello("other")[1]),
         "failed", "wrong-url"),
    Case("00.3", "the body received", lambda: hello_sent(), "passed"),
    Case("00.3", "received_body is the stub", lambda: (sqskit.World(seed=0), ...),
         "not attempted"),
    Case("00.3", "the whole response", lambda: hello_sent("response"), "failed",
         "whole-response"),
    Case("00.3", "the list of messages", lambda: hello_sent("list"), "failed", "message-list"),
    Case("00.3", "the message dictionary", lambda: hello_sent("message"), "failed",
         "message-dict"),
    Case("00.3", "a lower-case text", lambda: hello_sent(text="hello, snowy"), "failed", "typo"),
    Case("00.3", "another text, sent and received", lambda: hello_sent(text="Hi"), "failed",
         "other-text"),
    Case("00.3", "the text without its comma", lambda: hello_sent(text="hello snowy"),
         "failed", "typo"),
    Case("00.3", "the text sent as JSON", lambda: hello_sent(text='"Hello, Snowy!"'),
         "failed", "typo"),
    Case("00.3", "a text never sent", lambda: (hello_sent()[0], "Hi"), "failed", "not-sent"),
    Case("00.3", "the response of send_message", sent_response, "failed", "send-response"),
    Case("00.3", "an empty receive", empty_receive, "failed", "not-sent"),
    Case("00.3", "the right text, never received", lambda: hello_sent("literal", receive=False),
         "failed", "not-sent"),
]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_lab00_check_says_the_right_thing_about_an_answer(case: Case) -> None:
    """Each check passes the answer, says "not attempted yet" for a stub, and names each
    anticipated mistake with its tip; no answer ever produces a traceback."""
    case.run()
