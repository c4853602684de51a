"""Winterday's story module: names, data, people, Snowy's key, the helpers labs lean on."""

from __future__ import annotations

import json

import sqskit
from sqskit.lab import winterday as wd


def test_reports_are_seeded_and_name_winterdays_bucket() -> None:
    """The same jobs every run, each pointing at an upload in winterday-reports."""
    assert wd.reports(3) == wd.reports(3)
    job = wd.reports(1, first=7)[0]
    assert job["job"] == "P-0007" and job["bucket"] == wd.BUCKET
    assert json.loads(wd.body(job)) == job


def test_associated_data_is_canonical() -> None:
    """Key order does not change the associated data: seal and open agree."""
    assert wd.associated_data({"b": "2", "a": "1"}) == b'{"a":"1","b":"2"}'


def test_a_mask_shows_the_length_and_nothing_else() -> None:
    """Secrets print as their length."""
    secret = bytes(range(32))
    shown = wd.mask(secret)
    assert shown.startswith("32 bytes") and secret.hex()[:4] not in shown


def test_hiring_twice_changes_nothing(capsys) -> None:
    """hire() is safe to re-run (the reset cell may run more than once)."""
    world = sqskit.World(seed=0)
    wd.hire(world)
    wd.hire(world)
    iam = world.service("iam").directory(wd.ACCOUNT)
    assert sorted(iam.users) == ["ops-admin", "snowy"]
    assert sorted(iam.roles) == ["report-consumer", "report-parser"]


def test_hiring_into_another_account_is_refused() -> None:
    """Winterday's ARNs name account 123456789012: a world of another account is an error."""
    import pytest

    with pytest.raises(ValueError, match="Winterday's account"):
        wd.hire(sqskit.World(seed=0, account_id="111122223333"))


def test_snowys_key_lets_her_manage_it_but_not_use_it() -> None:
    """Separation of duties: the key administrator cannot encrypt with the key."""
    world = sqskit.World(seed=0)
    wd.hire(world)
    key_id = wd.create_key(world)
    kms = wd.client(world, wd.SNOWY, "kms")
    assert kms.describe_key(KeyId=wd.KEY_ALIAS)["KeyMetadata"]["KeyId"] == key_id
    try:
        kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    except kms.exceptions.ClientError as err:
        assert err.response["Error"]["Code"] == "AccessDeniedException"
    else:
        raise AssertionError("Snowy could use her own key")


def test_the_key_policy_stand_in_says_so(capsys) -> None:
    """An unwritten statement (...) is replaced by the reference, with a note."""
    policy = json.loads(wd.key_policy(...))
    assert [s["Sid"] for s in policy["Statement"]][-1] == "ParserUsesKeyThroughSqs"
    assert "not written yet" in capsys.readouterr().out


def test_the_queue_policy_leaves_out_unwritten_parts(capsys) -> None:
    """queue_policy skips ... parts (and says so); with nothing left, no policy at all."""
    statement = {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*"}
    assert wd.queue_policy(a=..., b=...) == ""
    assert json.loads(wd.queue_policy(a=statement, b=...))["Statement"] == [statement]
    assert capsys.readouterr().out.count("not written yet") == 3


def test_send_and_receive_helpers_print_one_line_per_job(capsys) -> None:
    """Failures print their code instead of raising, so later cells still run."""
    world = sqskit.World(seed=0)
    wd.hire(world)
    sqs = wd.client(world, wd.SNOWY)
    url = sqs.create_queue(QueueName=wd.QUEUE)["QueueUrl"]
    sent = wd.send_reports(wd.client(world, wd.PARSER), url, wd.reports(2))
    assert len(sent) == 2
    jobs = wd.receive_reports(wd.client(world, wd.CONSUMER), url)
    assert [j["job"] for j in jobs] == ["P-0001", "P-0002"]
    assert wd.send_reports(wd.client(world, wd.CONSUMER), url, wd.reports(1)) == []
    out = capsys.readouterr().out
    assert "✗ P-0001 not sent: AccessDenied" in out and "received P-0002" in out


def test_ensure_queue_makes_parse_jobs_encrypted_only_when_missing(capsys) -> None:
    """The catch-up helper creates the queue the exercise asks for, and says so."""
    world = sqskit.World(seed=0)
    wd.hire(world)
    wd.create_key(world)
    sqs = wd.client(world, wd.SNOWY)
    url = wd.ensure_queue(sqs)
    assert wd.ensure_queue(sqs) == url
    attributes = world.sqs.queues[wd.QUEUE].attributes
    assert attributes["KmsMasterKeyId"] == wd.KEY_ALIAS
    assert capsys.readouterr().out.count("created parse-jobs for you") == 1


def test_the_envelope_demo_waits_for_the_learners_functions(capsys) -> None:
    """With the stubs, the demo says what it needs instead of failing."""

    def stub(*_):
        raise NotImplementedError

    wd.envelope_demo(stub, stub, None, "key")
    assert "write seal and open_sealed first" in capsys.readouterr().out
