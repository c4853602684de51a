"""Checks of lab 00 (orientation): the virtual clock, a first queue, a first message."""

from __future__ import annotations

from typing import Any

from ..bodies import readable_body
from ..exercises import attempted, exercise, fail, shown
from ..feedback import NotAttempted
from .look import expect_world, messages, queue

HELLO = "Hello, Snowy!"


def _letters(text: str) -> str:
    """The letters of a text, lower case: what is left once capitals and punctuation go."""
    return "".join(c for c in text.lower() if c.isalnum())


@exercise("00.1", mistakes={
    "minutes": "advance() counts seconds: 90 seconds is world.clock.advance(90).",
    "ran-twice": "Each run of a cell moves the clock again. Run the reset cell at the top, "
                 "then your cell once.",
    "overshot": "The clock only moves forward. Run the reset cell at the top (a fresh world "
                "starts at 09:00:00), then your cell once.",
})
def clock_moved(world: Any) -> str:
    world = expect_world(world)
    moved = world.clock.elapsed
    if moved == 0:
        raise NotAttempted()
    if moved == 90:
        return f"the clock reads {world.clock.isoformat()}, 90 seconds after the start"
    if moved in (1.5, 90 * 60):
        fail(f"the clock moved {moved:g} seconds, not 90", "minutes")
    if moved % 90 == 0:
        fail(f"the clock moved {moved:g} seconds: {moved / 90:g} times 90", "ran-twice")
    if moved > 90:
        fail(f"the clock moved {moved:g} seconds, more than 90", "overshot")
    fail(f"the clock moved {moved:g} seconds; the exercise asks for 90")


@exercise("00.2", mistakes={
    "response-dict": "create_queue returns a dictionary (the response); "
                     "the URL is its \"QueueUrl\" entry.",
    "name-case": "Queue names are case-sensitive: the exercise asks for \"hello\".",
    "no-queue": "Call sqs.create_queue(QueueName=\"hello\") and keep what it returns.",
    "wrong-url": "hello_url should be the URL create_queue gave you for the queue \"hello\".",
})
def hello_queue(world: Any, hello_url: Any) -> str:
    world = expect_world(world)
    attempted(hello_url)
    record = queue(world, "hello")
    if record is None:
        lookalikes = [n for n in world.sqs.queues if n.lower() == "hello"]
        if lookalikes:
            fail(f"there is a queue {lookalikes[0]!r} but no queue \"hello\"", "name-case")
        fail("there is no queue called \"hello\" in your world", "no-queue")
    if isinstance(hello_url, dict) and "QueueUrl" in hello_url:
        fail("hello_url holds the whole response, not the URL", "response-dict")
    if hello_url != record.url:
        fail(f"hello_url is {hello_url!r}, not the URL of \"hello\"", "wrong-url")
    return f"queue \"hello\" exists and hello_url is its URL ({record.url})"


@exercise("00.3", mistakes={
    "whole-response": "receive_message returns a response; the messages are in its "
                      "\"Messages\" list, and each message's text is its \"Body\".",
    "message-list": "That is the list of messages: take the first one, then its \"Body\".",
    "message-dict": "That is one message (a dictionary): its text is under \"Body\".",
    "typo": "Compare your text with \"Hello, Snowy!\": capitals and punctuation count.",
    "other-text": "You received what you sent, but the exercise asks you to send the text "
                  "Hello, Snowy! itself (as it is, not json.dumps of it).",
    "send-response": "That is what send_message returned (its MessageId and MD5): the text "
                     "comes back from receive_message, in [\"Messages\"][0][\"Body\"].",
    "not-sent": "Send the text to the queue \"hello\" first, then receive it.",
})
def hello_received(world: Any, received_body: Any) -> str:
    world = expect_world(world)
    attempted(received_body)
    if isinstance(received_body, dict) and "Messages" in received_body:
        fail("received_body holds the whole receive_message response", "whole-response")
    if isinstance(received_body, dict) and "MD5OfMessageBody" in received_body:
        fail("received_body holds the response of send_message", "send-response")
    if isinstance(received_body, dict) and "ResponseMetadata" in received_body:
        fail("the response has no messages: the queue was empty when you received",
             "not-sent")
    if isinstance(received_body, list):
        fail("received_body is a list of messages", "message-list")
    if isinstance(received_body, dict) and "Body" in received_body:
        fail("received_body is a message dictionary", "message-dict")
    if not isinstance(received_body, str):
        fail(f"received_body is a {type(received_body).__name__}, not the message text")
    record = queue(world, "hello")
    if received_body != HELLO:
        if _letters(received_body) == _letters(HELLO):
            fail(f"you received {shown(received_body, 40)}", "typo")
        if record is not None and any(
                m.receive_count and readable_body(world, m) == received_body
                for m in messages(world, record)):
            fail(f"you received {shown(received_body, 40)}, not {HELLO!r}", "other-text")
        fail(f"{shown(received_body, 40)} is not a text you received from \"hello\"",
             "not-sent")
    if record is None or not any(m.receive_count for m in messages(world, record)):
        fail("the text is right, but no message of \"hello\" was ever received", "not-sent")
    return f"you sent {HELLO!r} to \"hello\" and received it back"
