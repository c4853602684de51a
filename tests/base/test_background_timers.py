"""Background timers: they fire as time passes but are not events (sqskit.base.clock)."""

from __future__ import annotations

from sqskit.base.clock import VirtualClock


def test_a_background_timer_fires_in_order_but_is_not_the_next_event():
    """next_timer_at ignores background timers; advance fires every timer in time order."""
    clock = VirtualClock(0)
    fired = []
    clock.call_at(60, lambda: fired.append(("minute", clock.now)), background=True)
    clock.call_at(90, lambda: fired.append(("event", clock.now)))
    clock.call_at(90, lambda: fired.append(("tie", clock.now)), background=True)
    assert clock.next_timer_at() == 90
    clock.advance(100)
    assert fired == [("minute", 60), ("event", 90), ("tie", 90)]
    assert clock.next_timer_at() is None


def test_a_cancelled_background_timer_never_fires():
    """Cancelling works for background timers as for the others."""
    clock = VirtualClock(0)
    fired = []
    clock.call_at(10, lambda: fired.append(1), background=True).cancel()
    clock.advance(20)
    assert fired == []


def test_the_cloudwatch_minute_is_a_background_timer(world, sqs, queue_url):
    """Publishing metrics never shows up as the next event (labs jump to real events)."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    assert world.clock.next_timer_at() is None
    world.clock.advance(60)
    assert world.cloudwatch.store.series is not None and len(world.cloudwatch.store) > 0
