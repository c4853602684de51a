"""Lambda functions through a real boto3 client (rest-json): deploy, read, invoke, policy.

Rules from the AWS Lambda developer guide and API reference (botocore's model).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile

import pytest

import sqskit
from sqskit.services.lambda_.package import build_zip, handler_module
from tests.integration_support import lambda_role

ROLE = "arn:aws:iam::123456789012:role/ParserRole"
LIMIT = 3


def greet(event, context):
    return {"hello": event.get("name", "world"), "limit": LIMIT}


def fail(event, context):
    raise ValueError(f"cannot parse {event.get('report')}")


@pytest.fixture(autouse=True)
def _roles(world):
    """The execution role exists in IAM, trusts Lambda, and may use the services."""
    lambda_role(world, "ParserRole")


@pytest.fixture
def lam(world):
    return world.client("lambda")


def test_build_zip_packs_the_handler_with_what_it_needs():
    """The package is a real zip holding lambda_function.py: imports, constants, helpers."""
    import json as json_module

    def helper(text):
        return json_module.dumps({"text": text})

    def handler(event, context):
        return helper(event["text"]) * LIMIT

    source = handler_module(handler)
    assert "import json as json_module" in source
    assert "LIMIT = 3" in source
    assert source.index("def helper") < source.index("def handler")
    with zipfile.ZipFile(io.BytesIO(build_zip(handler))) as archive:
        assert archive.namelist() == ["lambda_function.py"]
        assert archive.read("lambda_function.py").decode() == source
    assert build_zip(handler) == build_zip(handler)  # deterministic bytes


def test_create_function_reports_the_configuration(world, lam):
    """CreateFunction returns FunctionConfiguration: CodeSha256 is base64(SHA-256(zip))."""
    package = build_zip(greet)
    answer = lam.create_function(FunctionName="greet", Runtime="python3.12", Role=ROLE,
                                 Handler="lambda_function.greet", Code={"ZipFile": package},
                                 Environment={"Variables": {"STAGE": "lab"}})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert answer["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:greet"
    assert answer["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert answer["CodeSize"] == len(package)
    assert (answer["Timeout"], answer["MemorySize"], answer["Version"]) == (3, 128, "$LATEST")
    assert answer["Environment"] == {"Variables": {"STAGE": "lab"}}
    assert answer["LastModified"] == "2026-01-05T09:00:00.000+0000"
    got = lam.get_function(FunctionName="greet")
    assert got["Configuration"]["CodeSha256"] == answer["CodeSha256"]
    assert got["Code"]["RepositoryType"] == "S3"
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["greet"]


@pytest.mark.parametrize("change, code, message", [
    ({"Code": {"ZipFile": b"not a zip"}}, "InvalidParameterValueException",
     "Could not unzip uploaded file. Please check your file, then try to upload again."),
    ({"Timeout": 901}, "InvalidParameterValueException",
     "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: "
     "Member must have value less than or equal to 900"),
    ({"Role": "ParserRole"}, "InvalidParameterValueException", None),
    ({"Environment": {"Variables": {"AWS_REGION": "eu-west-1"}}},
     "InvalidParameterValueException",
     "Lambda was unable to configure your environment variables because the environment "
     "variables you have provided contains reserved keys that are currently not supported for "
     "modification. Reserved keys used in this request: AWS_REGION"),
])
def test_create_function_refuses_bad_input(lam, change, code, message):
    """Bad zips, out-of-range settings, malformed roles and reserved variables are refused."""
    params = {"FunctionName": "f", "Runtime": "python3.12", "Role": ROLE,
              "Handler": "lambda_function.greet", "Code": {"ZipFile": build_zip(greet)}}
    with pytest.raises(sqskit.ClientError) as err:
        lam.create_function(**{**params, **change})
    assert err.value.response["Error"]["Code"] == code
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    if message:
        assert err.value.response["Error"]["Message"] == message
    assert lam.list_functions()["Functions"] == []


def test_a_function_name_is_unique(world, lam):
    """Creating an existing function is a ResourceConflictException (HTTP 409)."""
    sqskit.deploy_function(lam, greet, role=ROLE)
    with pytest.raises(lam.exceptions.ResourceConflictException) as err:
        sqskit.deploy_function(lam, greet, role=ROLE)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_invoke_returns_the_result_as_a_streaming_payload(world, lam):
    """RequestResponse: StatusCode 200, Payload a StreamingBody of the JSON result."""
    sqskit.deploy_function(world, greet, role=ROLE)
    answer = lam.invoke(FunctionName="greet", Payload=json.dumps({"name": "Ada"}))
    assert answer["StatusCode"] == 200 and answer["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in answer
    assert json.loads(answer["Payload"].read()) == {"hello": "Ada", "limit": 3}
    by_arn = lam.invoke(FunctionName=world.service("lambda").function_arn("greet"))
    assert json.loads(by_arn["Payload"].read())["hello"] == "world"


def test_a_handler_error_is_an_unhandled_function_error(world, lam):
    """A raised exception: HTTP 200, FunctionError Unhandled, Lambda's error object."""
    sqskit.deploy_function(world, fail, role=ROLE)
    answer = lam.invoke(FunctionName="fail", Payload=b'{"report": "q1.csv"}', LogType="Tail")
    assert answer["StatusCode"] == 200 and answer["FunctionError"] == "Unhandled"
    error = json.loads(answer["Payload"].read())
    assert error["errorMessage"] == "cannot parse q1.csv"
    assert error["errorType"] == "ValueError"
    assert error["requestId"]
    assert error["stackTrace"][0].startswith('  File "/var/task/lambda_function.py", line ')
    log = base64.b64decode(answer["LogResult"]).decode()
    assert "[ERROR] ValueError: cannot parse q1.csv" in log
    assert log.startswith("START RequestId: ") and "\nREPORT RequestId: " in log


def test_an_event_invocation_runs_later_and_retries_twice(world, lam):
    """InvocationType Event: HTTP 202 now; a failing handler is retried after 1 and 2 minutes."""
    sqskit.deploy_function(world, fail, role=ROLE)
    answer = lam.invoke(FunctionName="fail", InvocationType="Event", Payload=b"{}")
    assert answer["StatusCode"] == 202
    runs = world.service("lambda").functions["fail"].invocations
    assert runs == []
    world.clock.advance(0)
    assert len(runs) == 1
    world.clock.advance(59)
    assert len(runs) == 1
    world.clock.advance(1)
    assert len(runs) == 2
    world.clock.advance(120)
    world.clock.advance(3600)
    assert [r.attempt for r in runs] == [1, 2, 3]


def test_a_dry_run_only_checks_permission(world, lam):
    """InvocationType DryRun answers 204 and runs nothing."""
    sqskit.deploy_function(world, greet, role=ROLE)
    assert lam.invoke(FunctionName="greet", InvocationType="DryRun")["StatusCode"] == 204
    assert world.service("lambda").functions["greet"].invocations == []


def test_invoke_refuses_a_payload_that_is_not_json(world, lam):
    """A payload that does not parse is InvalidRequestContentException (HTTP 400)."""
    sqskit.deploy_function(world, greet, role=ROLE)
    with pytest.raises(lam.exceptions.InvalidRequestContentException) as err:
        lam.invoke(FunctionName="greet", Payload=b"{not json")
    assert err.value.response["Error"]["Message"].startswith(
        "Could not parse request body into json: Could not parse payload into json:")


def test_an_unknown_function_is_resource_not_found(lam):
    """ResourceNotFoundException, HTTP 404, naming the function ARN."""
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as err:
        lam.invoke(FunctionName="ghost")
    assert err.value.response["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert err.value.response["Type"] == "User"


def test_delete_function_answers_204(world, lam):
    """DeleteFunction: HTTP 204, then the function is gone."""
    sqskit.deploy_function(world, greet, role=ROLE)
    assert lam.delete_function(FunctionName="greet")["StatusCode"] == 204
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName="greet")


def test_add_permission_builds_the_resource_based_policy(world, lam):
    """AddPermission adds a statement for a service principal, scoped to a source."""
    sqskit.deploy_function(world, greet, role=ROLE)
    statement = json.loads(lam.add_permission(
        FunctionName="greet", StatementId="s3-invoke", Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::reports",
        SourceAccount="123456789012")["Statement"])
    assert statement == {
        "Sid": "s3-invoke", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet",
        "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"},
                      "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::reports"}}}
    policy = json.loads(lam.get_policy(FunctionName="greet")["Policy"])
    assert policy["Statement"] == [statement]
    with pytest.raises(lam.exceptions.ResourceConflictException):
        lam.add_permission(FunctionName="greet", StatementId="s3-invoke",
                           Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    lam.remove_permission(FunctionName="greet", StatementId="s3-invoke")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName="greet")


def test_update_function_code_starts_a_cold_environment(world, lam):
    """New code: a new CodeSha256 and RevisionId, and the next run imports it afresh."""
    sqskit.deploy_function(world, greet, role=ROLE)
    before = lam.get_function_configuration(FunctionName="greet")
    after = lam.update_function_code(FunctionName="greet", ZipFile=build_zip(fail))
    assert after["RevisionId"] != before["RevisionId"]
    lam.update_function_configuration(FunctionName="greet", Handler="lambda_function.fail")
    answer = lam.invoke(FunctionName="greet", Payload=b'{"report": "x"}')
    assert answer["FunctionError"] == "Unhandled"
    with pytest.raises(lam.exceptions.PreconditionFailedException):
        lam.update_function_configuration(FunctionName="greet", Timeout=5,
                                          RevisionId=before["RevisionId"])


def test_the_execution_role_must_exist_and_trust_lambda(world, lam):
    """CreateFunction refuses a role IAM does not have, or one Lambda may not assume."""
    iam = world.client("iam")
    iam.create_role(RoleName="NotForLambda", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}))
    for role in ("arn:aws:iam::123456789012:role/Nobody",
                 "arn:aws:iam::123456789012:role/NotForLambda"):
        with pytest.raises(lam.exceptions.InvalidParameterValueException) as err:
            sqskit.deploy_function(lam, greet, role=role)
        assert err.value.response["Error"]["Message"] == (
            "The role defined for the function cannot be assumed by Lambda.")
