"""The virtual clock refuses what is not a number of seconds (sqskit.base.clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sqskit.base.clock import VirtualClock


@pytest.mark.parametrize("seconds", ["90", timedelta(seconds=90), None, True])
def test_advance_refuses_what_is_not_a_number_of_seconds_and_leaves_the_time(seconds):
    """advance(seconds) counts seconds as a number; a string, a timedelta, None or a bool
    gets a TypeError naming the type, and the clock does not move."""
    clock = VirtualClock(100)
    with pytest.raises(TypeError, match="number of seconds"):
        clock.advance(seconds)
    with pytest.raises(TypeError, match="number of seconds"):
        clock.advance_to(seconds)
    assert clock.now == 100


def test_advance_still_takes_ints_and_floats():
    """Numbers move the clock as before."""
    clock = VirtualClock(0)
    clock.advance(1)
    clock.advance(0.5)
    clock.advance_to(2)
    assert clock.now == 2
