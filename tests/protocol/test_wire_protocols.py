"""sqskit answers each service in the protocol botocore's client chose (sqskit.protocol.wire)."""

from __future__ import annotations

import pytest
from botocore.parsers import PROTOCOL_PARSERS

from sqskit.protocol.wire import wire_protocol
from sqskit.world import SERVICES


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_the_wire_protocol_is_the_one_the_boto3_client_parses(world, name):
    """A client's response parser and sqskit's encoder agree (CloudWatch: JSON 1.0, not CBOR)."""
    client = world.client(name)
    model = client.meta.service_model
    operation = model.operation_model(model.operation_names[0])
    expected = next(p for p, cls in PROTOCOL_PARSERS.items()
                    if type(client._response_parser) is cls)
    assert wire_protocol(operation) == expected


def test_cloudwatch_doubles_and_timestamps_parse_as_botocore_types(world):
    """Datapoint statistics are floats and timestamps aware datetimes, as from AWS."""
    cw = world.client("cloudwatch")
    cw.put_metric_data(Namespace="Lab", MetricData=[{"MetricName": "m", "Value": 3}])
    world.clock.advance(60)
    start = world.clock.datetime().replace(minute=0)
    [point] = cw.get_metric_statistics(Namespace="Lab", MetricName="m", StartTime=start,
                                       EndTime=world.clock.datetime(), Period=60,
                                       Statistics=["Sum", "SampleCount"])["Datapoints"]
    assert type(point["Sum"]) is float and type(point["SampleCount"]) is float
    assert point["Timestamp"].tzinfo is not None
    assert point["Timestamp"].timestamp() == start.timestamp()
