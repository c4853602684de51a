"""What a handler sees while it runs: its role, its network, its output, its environment.

Rules: a function acts as its execution role (session named after the function); in a
VPC with an interface endpoint its calls carry aws:SourceVpc/aws:SourceVpce
(../shared/reference/integrations.md 2.8); output goes to the invocation's log; a handler
error never escapes into the caller's process.
"""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest

import sqskit
from tests.integration_support import Recorder, lambda_role

ROLE = "arn:aws:iam::123456789012:role/ParserRole"


def send_job(event, context):
    import logging

    logging.getLogger().warning("sending %s", event["job"])
    print("about to send")
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
    return sqs.send_message(QueueUrl=url, MessageBody=event["job"])["MessageId"]


@pytest.fixture(autouse=True)
def _roles(world):
    """The execution role exists in IAM, trusts Lambda, and may use the services."""
    lambda_role(world, "ParserRole")


@pytest.fixture
def lam(world):
    return world.client("lambda")


@pytest.fixture
def jobs(world):
    sqs = world.client("sqs")
    return sqs.create_queue(QueueName="jobs")["QueueUrl"]


def test_handler_calls_act_as_the_execution_role(world, lam, jobs):
    """boto3 inside the handler is the role's session, named after the function."""
    sqskit.deploy_function(lam, send_job, role=ROLE, name="parser")
    recorder = Recorder()
    world.audit = recorder
    lam.invoke(FunctionName="parser", Payload=json.dumps({"job": "report-1"}))
    [send] = recorder.find("sqs", "SendMessage")
    assert send.caller.arn == "arn:aws:sts::123456789012:assumed-role/ParserRole/parser"
    assert send.caller.type == "AssumedRole"
    assert send.caller.identity_arn == ROLE
    assert send.caller.source_vpc is None and send.caller.source_vpce is None
    message = world.client("sqs").receive_message(QueueUrl=jobs, AttributeNames=["SenderId"])
    assert message["Messages"][0]["Attributes"]["SenderId"].endswith(":parser")


def test_a_function_in_a_vpc_calls_through_its_endpoint(world, lam, jobs):
    """With an interface endpoint for SQS in its VPC, calls carry SourceVpc and SourceVpce."""
    ec2 = world.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName="com.amazonaws.us-east-1.sqs", VpcEndpointType="Interface",
        SubnetIds=[subnet], SecurityGroupIds=[group])["VpcEndpoint"]["VpcEndpointId"]
    config = sqskit.deploy_function(lam, send_job, role=ROLE, name="parser",
                                    VpcConfig={"SubnetIds": [subnet],
                                               "SecurityGroupIds": [group]})
    assert config["VpcConfig"]["VpcId"] == vpc
    recorder = Recorder()
    world.audit = recorder
    lam.invoke(FunctionName="parser", Payload=json.dumps({"job": "report-1"}))
    [send] = recorder.find("sqs", "SendMessage")
    assert (send.caller.source_vpc, send.caller.source_vpce) == (vpc, endpoint)
    assert send.caller.source_ip is None  # no aws:SourceIp through a VPC endpoint


def test_a_vpc_without_an_endpoint_calls_from_outside(world, lam, jobs):
    """No endpoint for the service: the call leaves through NAT and carries no VPC keys."""
    ec2 = world.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    sqskit.deploy_function(lam, send_job, role=ROLE, name="parser",
                           VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [group]})
    recorder = Recorder()
    world.audit = recorder
    lam.invoke(FunctionName="parser", Payload=json.dumps({"job": "report-1"}))
    [send] = recorder.find("sqs", "SendMessage")
    assert send.caller.source_vpce is None and send.caller.source_ip


def test_a_vpc_config_must_name_existing_subnets(world, lam):
    """Unknown subnets fail CreateFunction with the EC2 error inside Lambda's."""
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as err:
        sqskit.deploy_function(lam, send_job, role=ROLE, VpcConfig={
            "SubnetIds": ["subnet-0000000000000000a"], "SecurityGroupIds": ["sg-1"]})
    assert "InvalidSubnetID.NotFound" in err.value.response["Error"]["Message"]


def test_output_goes_to_the_log_not_to_the_notebook(world, lam, jobs, capsys):
    """print and logging are captured per invocation; nothing reaches the caller's stdout."""
    sqskit.deploy_function(lam, send_job, role=ROLE, name="parser")
    lam.invoke(FunctionName="parser", Payload=json.dumps({"job": "report-1"}))
    assert capsys.readouterr().out == ""
    [run] = world.service("lambda").functions["parser"].invocations
    assert "about to send\n" in run.logs
    assert f"[WARNING]\t2026-01-05T09:00:00.000Z\t{run.request_id}\tsending report-1\n" in run.logs
    assert run.logs.startswith(f"START RequestId: {run.request_id} Version: $LATEST\n")
    assert f"END RequestId: {run.request_id}\n" in run.logs


def test_the_learners_boto3_and_environment_are_restored(world, lam, jobs, monkeypatch):
    """After a run, boto3's default session and os.environ are the learner's again."""
    import os

    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    before = boto3.DEFAULT_SESSION

    def peek(event, context):
        import os

        return {"name": os.environ["AWS_LAMBDA_FUNCTION_NAME"], "stage": os.environ["STAGE"],
                "region": os.environ["AWS_REGION"]}

    sqskit.deploy_function(lam, peek, role=ROLE, Environment={"Variables": {"STAGE": "lab"}})
    answer = json.loads(lam.invoke(FunctionName="peek")["Payload"].read())
    assert answer == {"name": "peek", "stage": "lab", "region": "us-east-1"}
    assert boto3.DEFAULT_SESSION is before
    assert "AWS_LAMBDA_FUNCTION_NAME" not in os.environ


def test_globals_survive_between_warm_invocations(world, lam):
    """A warm execution environment keeps module globals; new code starts cold."""

    def counter(event, context):
        global CALLS
        CALLS = globals().get("CALLS", 0) + 1
        return CALLS

    sqskit.deploy_function(lam, counter, role=ROLE)
    counts = [json.loads(lam.invoke(FunctionName="counter")["Payload"].read()) for _ in range(3)]
    assert counts == [1, 2, 3]
    lam.update_function_configuration(FunctionName="counter", Timeout=10)
    assert json.loads(lam.invoke(FunctionName="counter")["Payload"].read()) == 1
    runs = world.service("lambda").functions["counter"].invocations
    assert ["Init Duration" in r.logs for r in runs] == [True, False, False, True]


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lambda_function.py", source)
    return buffer.getvalue()


@pytest.mark.parametrize("source, handler, error_type, message", [
    ("def handler(e, c):\n    return 1\n", "other.handler", "Runtime.ImportModuleError",
     "Unable to import module 'other': No module named 'other'"),
    ("def handler(e, c):\n    return 1\n", "lambda_function.missing", "Runtime.HandlerNotFound",
     "Handler 'missing' missing on module 'lambda_function'"),
    ("raise RuntimeError('no config')\n", "lambda_function.handler",
     "Runtime.ImportModuleError", "Unable to import module 'lambda_function': no config"),
    ("def handler(e, c):\n    return object()\n", "lambda_function.handler",
     "Runtime.MarshalError", None),
])
def test_runtime_errors_are_reported_like_lambda(world, lam, source, handler, error_type,
                                                 message):
    """Import failures, missing handlers and unserialisable results are Runtime.* errors."""
    lam.create_function(FunctionName="f", Runtime="python3.12", Role=ROLE, Handler=handler,
                        Code={"ZipFile": _zip(source)})
    answer = lam.invoke(FunctionName="f")
    error = json.loads(answer["Payload"].read())
    assert answer["FunctionError"] == "Unhandled"
    assert error["errorType"] == error_type
    if message:
        assert error["errorMessage"] == message


def test_the_context_describes_the_invocation(world, lam):
    """context carries the function name, ARN, memory, request id and log names."""

    def describe(event, context):
        return {"name": context.function_name, "arn": context.invoked_function_arn,
                "memory": context.memory_limit_in_mb, "id": context.aws_request_id,
                "group": context.log_group_name, "left": context.get_remaining_time_in_millis()}

    sqskit.deploy_function(lam, describe, role=ROLE, MemorySize=256, Timeout=30)
    answer = json.loads(lam.invoke(FunctionName="describe")["Payload"].read())
    run = world.service("lambda").functions["describe"].invocations[0]
    assert answer == {"name": "describe", "memory": 256, "id": run.request_id,
                      "arn": "arn:aws:lambda:us-east-1:123456789012:function:describe",
                      "group": "/aws/lambda/describe", "left": 30000}


def test_a_function_invoked_by_another_logs_to_its_own_log(world, lam):
    """Nested invocations keep separate logs, environments and sessions."""

    def inner(event, context):
        import logging

        logging.getLogger().warning("inner speaking")
        return "inner done"

    def outer(event, context):
        import json

        import boto3

        answer = boto3.client("lambda").invoke(FunctionName="inner")
        print("outer got", json.loads(answer["Payload"].read()))
        return "outer done"

    sqskit.deploy_function(lam, inner, role=ROLE)
    sqskit.deploy_function(lam, outer, role=ROLE)
    assert json.loads(lam.invoke(FunctionName="outer")["Payload"].read()) == "outer done"
    functions = world.service("lambda").functions
    assert "inner speaking" in functions["inner"].invocations[0].logs
    assert "inner speaking" not in functions["outer"].invocations[0].logs
    assert "outer got inner done" in functions["outer"].invocations[0].logs


def test_sys_exit_in_a_handler_is_a_runtime_exit_error(world, lam):
    """sys.exit() ends Lambda's runtime: Runtime.ExitError, and the caller keeps running."""

    def quitter(event, context):
        import sys

        sys.exit(3)

    sqskit.deploy_function(lam, quitter, role=ROLE)
    error = json.loads(lam.invoke(FunctionName="quitter")["Payload"].read())
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"].endswith("Runtime exited with error: exit status 3")
