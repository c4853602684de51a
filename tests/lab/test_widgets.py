"""The ipywidgets views, driven without a browser: clicks, refreshes, text twins."""

from __future__ import annotations

import gc

import pytest

import sqskit
from sqskit.lab import ClockControls, Dashboard, MessageTimeline, QueueBoard
from sqskit.lab.watch import _Tee, watch

pytest.importorskip("ipywidgets")


@pytest.fixture
def busy_world():
    world = sqskit.World(seed=1)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="print-jobs")["QueueUrl"]
    return world, sqs, url


def test_clicking_advance_moves_the_clock_and_the_board_follows(busy_world) -> None:
    """The Advance button moves the virtual clock by the seconds in its box, and the board
    redraws: an in-flight card becomes visible."""
    world, sqs, url = busy_world
    dashboard = Dashboard(world)
    sqs.send_message(QueueUrl=url, MessageBody="job")
    sqs.receive_message(QueueUrl=url)
    assert 'data-state="in flight"' in dashboard.board.html.value.split("sqskit-card")[1]
    dashboard.clock.seconds.value = 30
    dashboard.clock.advance_button.click()
    assert world.clock.elapsed == 30
    assert "Advanced 30 s." in dashboard.clock.status.value
    assert 'data-state="visible"' in dashboard.board.html.value.split("sqskit-card")[1]
    assert "1 visible · 0 in flight" in dashboard.board.html.value


def test_clicking_next_event_jumps_to_the_next_change(busy_world) -> None:
    """Next event advances exactly to the end of the visibility timeout."""
    world, sqs, url = busy_world
    controls = ClockControls(world)
    sqs.send_message(QueueUrl=url, MessageBody="job", DelaySeconds=45)
    controls.next_button.click()
    assert world.clock.elapsed == 45
    assert "Advanced 45 s" in controls.status.value


def test_the_board_redraws_after_each_api_call(busy_world) -> None:
    """A learner's send shows on the board at once (the watcher tees the audit sink)."""
    world, sqs, url = busy_world
    board = QueueBoard(world)
    assert "0 visible" in board.html.value
    sqs.send_message(QueueUrl=url, MessageBody="job")
    assert "1 visible" in board.html.value


def test_a_widget_prints_as_its_text_twin(busy_world) -> None:
    """text/plain of a widget is the model's text (what nbval compares and a screen reader
    reads); the widget view itself is offered beside it."""
    world, _, _ = busy_world
    board = QueueBoard(world)
    bundle = board._repr_mimebundle_()
    assert bundle["text/plain"] == board.text() == str(board)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert Dashboard(world)._repr_mimebundle_()["text/plain"].startswith("Virtual clock:")


def test_the_timeline_widget_shows_the_rows_of_its_model(busy_world) -> None:
    """Each timeline row becomes a table row."""
    world, sqs, url = busy_world
    watch(world)
    sent = sqs.send_message(QueueUrl=url, MessageBody="job")
    timeline = MessageTimeline(world, sent)
    assert timeline.html.value.count("<tr>") == 2  # header + "sent"
    sqs.receive_message(QueueUrl=url)
    assert "received (receive #1)" in timeline.html.value
    assert timeline.frame().shape[0] == 2


def test_the_watcher_passes_every_audit_record_on(busy_world) -> None:
    """Watching never hides a call from the audit sink that was there before."""
    world, sqs, url = busy_world
    seen = []

    class Sink:
        def record(self, call, result, error):
            seen.append(call.operation)

    world.audit = Sink()
    watch(world)
    assert isinstance(world.audit, _Tee)
    sqs.send_message(QueueUrl=url, MessageBody="job")
    assert seen == ["SendMessage"]


def test_the_watcher_keeps_an_observer_that_was_already_there(busy_world) -> None:
    """An engine observer installed by someone else still hears every event."""
    world, sqs, url = busy_world
    heard = []
    world.sqs.queues["print-jobs"].engine.observer = lambda e, m, now: heard.append(e)
    watch(world)
    sqs.send_message(QueueUrl=url, MessageBody="job")
    assert heard == ["sent"]
    assert [e.event for e in watch(world).events] == ["sent"]


def test_a_closed_view_is_no_longer_refreshed(busy_world) -> None:
    """A closed board is dropped: it does not slow later calls down."""
    world, sqs, url = busy_world
    QueueBoard(world).close()
    gc.collect()
    sqs.send_message(QueueUrl=url, MessageBody="job")
    assert watch(world)._listeners == []


def test_only_the_newest_views_are_kept_current(busy_world) -> None:
    """Re-running a cell leaves old boards behind; only the newest MAX_VIEWS refresh."""
    from sqskit.lab.watch import MAX_VIEWS

    world, sqs, url = busy_world
    boards = [QueueBoard(world) for _ in range(MAX_VIEWS + 2)]
    sqs.send_message(QueueUrl=url, MessageBody="job")
    assert ["1 visible" in b.html.value for b in boards] == [False] * 2 + [True] * MAX_VIEWS
