"""Snowy's printing service: jobs, the printer's tray, and a fleet on the virtual clock."""

from __future__ import annotations

import json

import pytest

import sqskit
from sqskit.lab import snowy


def test_seeded_jobs_are_the_same_every_run() -> None:
    """A notebook prints the same jobs every time it runs."""
    assert snowy.jobs(5, seed=3) == snowy.jobs(5, seed=3)
    assert [j["job"] for j in snowy.jobs(3, first=7)] == ["J-0007", "J-0008", "J-0009"]


def test_the_printer_jams_on_a_poison_job_until_the_format_is_installed() -> None:
    """A HEIC photo jams the printer every time; adding the format fixes it."""
    printer = snowy.Printer()
    poison = snowy.body(snowy.poison_job())
    for _ in range(2):
        with pytest.raises(snowy.PrinterJam, match=r"cannot print \.heic"):
            printer.print_job(poison)
    printer.add_format("heic")
    assert printer.print_job(poison)["job"] == "J-013"


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"no": "job"}'])
def test_the_printer_jams_on_what_is_not_a_job(body) -> None:
    """Anything but a job's JSON is a jam, never a crash of another kind."""
    with pytest.raises(snowy.PrinterJam):
        snowy.Printer().print_job(body)


def test_the_tray_counts_copies() -> None:
    """printed_twice() names every job that came out more than once."""
    printer = snowy.Printer()
    for job in ("J-001", "J-002", "J-001"):
        printer.print_job(json.dumps(snowy.job(job, "ana", "a.pdf", 1)))
    assert printer.printed_twice() == ["J-001"]


def fleet_run(visibility: str) -> snowy.PrinterFleet:
    world = sqskit.World(seed=4)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="print-jobs",
                           Attributes={"VisibilityTimeout": visibility})["QueueUrl"]
    jobs = [snowy.job(f"J-{n}", "ana", "a.pdf", 40 if n % 2 else 1) for n in range(20)]
    snowy.send_all(world, url, [json.dumps(j) for j in jobs])
    fleet = snowy.PrinterFleet(world, url, printers=2, seconds_per_page=2).start()
    world.clock.advance(3600)
    fleet.stop()
    return fleet


def test_a_fleet_with_a_long_enough_visibility_timeout_prints_each_job_once() -> None:
    """Printers that finish within the visibility timeout never print a job twice."""
    fleet = fleet_run("120")
    assert len(set(fleet.printed)) == 20 and fleet.printed_twice() == []


def test_a_fleet_with_a_short_visibility_timeout_prints_long_jobs_twice() -> None:
    """An 80-second print outlasting a 30-second timeout comes back and is printed again:
    at-least-once delivery, made visible."""
    fleet = fleet_run("30")
    assert fleet.printed_twice()
    assert all(int(j.split("-")[1]) % 2 for j in fleet.printed_twice())  # only the long jobs


def test_a_stopped_fleet_does_nothing_more() -> None:
    """stop() cancels the printers' timers."""
    world = sqskit.World(seed=4)
    url = world.client("sqs").create_queue(QueueName="q")["QueueUrl"]
    fleet = snowy.PrinterFleet(world, url, printers=2).start()
    world.clock.advance(60)
    fleet.stop()
    receives = fleet.receives
    world.clock.advance(600)
    assert fleet.receives == receives and world.clock.next_timer_at() is None
