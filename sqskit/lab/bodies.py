"""Reading a queued message's text for the lab views and checks, without an API call.

The engine keeps bodies opaque, and with server-side encryption a queue stores a sealed
form. Views and checks must neither call the API (that would show up in the learner's
audit trail) nor decrypt through KMS on the learner's behalf. So a service may offer a
teaching hook, ``peek_body(message) -> str``, that opens a stored body without any of
that; without one, a sealed body reads as None and the board shows "(encrypted)".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.message import Message

if TYPE_CHECKING:
    from ..world import World


def readable_body(world: World, message: Message) -> str | None:
    """The message's text, or None when it is sealed and the service cannot peek."""
    body = message.body
    if isinstance(body, str):
        return body
    peek = getattr(world.sqs, "peek_body", None)
    if callable(peek):
        try:
            return str(peek(message))
        except Exception:  # a view must never fail because a body cannot be opened
            return None
    return None
