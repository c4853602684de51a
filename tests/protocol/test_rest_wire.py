"""The REST (rest-json, rest-xml), EC2 and SNS query encoders read back like AWS's bytes.

For each case a response written the way the service documents it is parsed by
botocore's own parser, and so is sqskit's encoding of the same result: the two parses
must be equal (request ids aside), including headers-located members, status codes,
streaming payloads and modeled error members.
"""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser
from botocore.response import StreamingBody

from sqskit.base.errors import LambdaResourceNotFound, NoSuchKey, SnsNotFound
from sqskit.protocol.wire import WireResponse, encode_error, encode_result, parse, wire_protocol

SESSION = botocore.session.get_session()
RID = "c5d8c6f0-6b7a-4e41-9d3c-0e2c5f3d1b00"
NOW = 1767603600.0  # 2026-01-05T09:00:00Z


def operation(service, name):
    return SESSION.get_service_model(service).operation_model(name)


def aws(op, status, headers, body):
    """What botocore parses from a response written as AWS writes it."""
    raw = {"status_code": status, "headers": HeadersDict(headers), "body": body}
    if status < 300 and op.has_streaming_output:
        import io
        raw["body"] = StreamingBody(io.BytesIO(body), len(body))
    parsed = create_parser(wire_protocol(op)).parse(raw, op.output_shape)
    if status >= 300:
        code = parsed["Error"]["Code"]
        shape = op.service_model.shape_for_error_code(code)
        if shape is not None:
            parsed.update(create_parser(wire_protocol(op)).parse(
                {**raw, "body": body}, shape))
    return parsed


def comparable(parsed):
    out = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    for key, value in out.items():
        if isinstance(value, StreamingBody):
            out[key] = value.read()
    meta = parsed["ResponseMetadata"]
    return out, meta["HTTPStatusCode"]


def test_lambda_invoke_puts_members_in_headers_and_streams_the_payload():
    """Invoke: StatusCode is the HTTP status, FunctionError/LogResult are headers."""
    op = operation("lambda", "Invoke")
    payload = b'{"errorMessage": "boom"}'
    ours = parse(op, encode_result(op, {
        "StatusCode": 200, "FunctionError": "Unhandled", "LogResult": "U1RBUlQ=",
        "ExecutedVersion": "$LATEST", "Payload": payload}, RID, NOW))
    theirs = aws(op, 200, {"x-amzn-requestid": RID, "x-amz-function-error": "Unhandled",
                           "x-amz-log-result": "U1RBUlQ=", "x-amz-executed-version": "$LATEST",
                           "content-type": "application/json"}, payload)
    assert comparable(ours) == comparable(theirs)
    assert isinstance(parse(op, encode_result(op, {"StatusCode": 202, "Payload": b""}, RID,
                                              NOW))["Payload"], StreamingBody)


def test_a_lambda_error_carries_type_and_message():
    """rest-json errors: x-amzn-ErrorType names the error; Type and Message are members."""
    op = operation("lambda", "GetFunction")
    message = "Function not found: arn:aws:lambda:us-east-1:123456789012:function:f"
    ours = parse(op, encode_error(op, LambdaResourceNotFound(message), RID, NOW))
    theirs = aws(op, 404, {"x-amzn-requestid": RID,
                           "x-amzn-errortype": "ResourceNotFoundException"},
                 json.dumps({"Type": "User", "Message": message}).encode())
    assert comparable(ours) == comparable(theirs)
    assert ours["Error"]["Code"] == "ResourceNotFoundException" and ours["Type"] == "User"


def test_s3_get_object_reads_headers_metadata_and_body():
    """GetObject: ETag, Content-Type, Last-Modified and x-amz-meta-* headers, body streamed."""
    op = operation("s3", "GetObject")
    result = {"Body": b"hello", "ContentLength": 5, "ContentType": "text/plain",
              "ETag": '"5d41402abc4b2a76b9719d911017c592"', "LastModified": NOW,
              "Metadata": {"team": "finance"}, "AcceptRanges": "bytes",
              "ServerSideEncryption": "AES256"}
    ours = parse(op, encode_result(op, result, RID, NOW))
    theirs = aws(op, 200, {
        "x-amz-request-id": RID, "content-length": "5", "content-type": "text/plain",
        "etag": '"5d41402abc4b2a76b9719d911017c592"', "accept-ranges": "bytes",
        "last-modified": "Mon, 05 Jan 2026 09:00:00 GMT", "x-amz-meta-team": "finance",
        "x-amz-server-side-encryption": "AES256"}, b"hello")
    assert comparable(ours) == comparable(theirs)


def test_s3_list_objects_v2_reads_flattened_contents():
    """ListObjectsV2: <Contents> entries are flattened; numbers and booleans typed."""
    op = operation("s3", "ListObjectsV2")
    result = {"IsTruncated": False, "Name": "reports", "Prefix": "", "MaxKeys": 1000,
              "KeyCount": 2, "Contents": [
                  {"Key": "a.csv", "LastModified": NOW, "ETag": '"x"', "Size": 3,
                   "StorageClass": "STANDARD"},
                  {"Key": "b.csv", "LastModified": NOW, "ETag": '"y"', "Size": 4,
                   "StorageClass": "STANDARD"}]}
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult '
        b'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>reports</Name><Prefix></Prefix>'
        b"<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
        b"<Contents><Key>a.csv</Key><LastModified>2026-01-05T09:00:00.000Z</LastModified>"
        b"<ETag>&quot;x&quot;</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass>"
        b"</Contents><Contents><Key>b.csv</Key><LastModified>2026-01-05T09:00:00.000Z"
        b"</LastModified><ETag>&quot;y&quot;</ETag><Size>4</Size><StorageClass>STANDARD"
        b"</StorageClass></Contents></ListBucketResult>")
    ours = parse(op, encode_result(op, result, RID, NOW))
    assert comparable(ours) == comparable(aws(op, 200, {"x-amz-request-id": RID}, body))


def test_s3_errors_are_error_documents_and_head_errors_have_no_body():
    """<Error><Code>NoSuchKey</Code>...<Key>; a HEAD 404 comes back as Code "404"."""
    op = operation("s3", "GetObject")
    ours = parse(op, encode_error(op, NoSuchKey(Key="k"), RID, NOW))
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The '
            "specified key does not exist.</Message><Key>k</Key><RequestId>" + RID +
            "</RequestId><HostId>h</HostId></Error>").encode()
    theirs = aws(op, 404, {"x-amz-request-id": RID, "x-amz-id-2": "h"}, body)
    assert comparable(ours)[0]["Error"] == comparable(theirs)[0]["Error"]
    head = operation("s3", "HeadObject")
    assert parse(head, encode_error(head, NoSuchKey(Key="k"), RID, NOW))["Error"] == {
        "Code": "404", "Message": "Not Found"}


def test_ec2_answers_with_items_and_dotted_error_codes():
    """EC2: <CreateVpcResponse> with lowerCamel members; errors in <Response><Errors>."""
    op = operation("ec2", "CreateVpc")
    vpc = {"VpcId": "vpc-0abc", "CidrBlock": "10.0.0.0/16", "State": "available",
           "OwnerId": "123456789012", "IsDefault": False}
    body = ('<CreateVpcResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>'
            + RID + "</requestId><vpc><vpcId>vpc-0abc</vpcId><state>available</state>"
            "<cidrBlock>10.0.0.0/16</cidrBlock><ownerId>123456789012</ownerId>"
            "<isDefault>false</isDefault></vpc></CreateVpcResponse>").encode()
    ours = parse(op, encode_result(op, {"Vpc": vpc}, RID, NOW))
    assert comparable(ours) == comparable(aws(op, 200, {}, body))
    from sqskit.base.errors import Ec2Coded

    error = parse(op, encode_error(op, Ec2Coded("InvalidVpcID.NotFound", "nope"), RID, NOW))
    assert error["Error"]["Code"] == "InvalidVpcID.NotFound"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("name, result", [
    ("Publish", {"MessageId": "m-1"}),
    ("GetTopicAttributes", {"Attributes": {"Owner": "123456789012", "DisplayName": ""}}),
    ("ListTopics", {"Topics": [{"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}],
                    "NextToken": "100"}),
])
def test_sns_query_responses_read_back_as_written_by_sns(name, result):
    """SNS's query protocol: <NameResponse><NameResult>members</NameResult> and metadata."""
    op = operation("sns", name)
    ours = parse(op, encode_result(op, result, RID, NOW))
    inner = {
        "Publish": "<MessageId>m-1</MessageId>",
        "GetTopicAttributes": "<Attributes><entry><key>Owner</key><value>123456789012</value>"
                              "</entry><entry><key>DisplayName</key><value></value></entry>"
                              "</Attributes>",
        "ListTopics": "<Topics><member><TopicArn>arn:aws:sns:us-east-1:123456789012:t"
                      "</TopicArn></member></Topics><NextToken>100</NextToken>",
    }[name]
    body = (f'<{name}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
            f"<{name}Result>{inner}</{name}Result><ResponseMetadata><RequestId>{RID}"
            f"</RequestId></ResponseMetadata></{name}Response>").encode()
    assert comparable(ours) == comparable(aws(op, 200, {}, body))


def test_an_sns_error_reads_back_with_its_modeled_class():
    """<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code>: HTTP 404."""
    op = operation("sns", "GetTopicAttributes")
    ours = parse(op, encode_error(op, SnsNotFound("Topic does not exist"), RID, NOW))
    body = ('<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender'
            "</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error>"
            f"<RequestId>{RID}</RequestId></ErrorResponse>").encode()
    assert comparable(ours) == comparable(aws(op, 404, {}, body))
    assert op.service_model.shape_for_error_code(ours["Error"]["Code"]).name == (
        "NotFoundException")


def test_a_wire_response_is_plain_bytes():
    """What the encoders produce is an HTTP response a server could send as is."""
    op = operation("lambda", "ListFunctions")
    wire = encode_result(op, {"Functions": []}, RID, NOW)
    assert isinstance(wire, WireResponse) and wire.status == 200
    assert wire.headers["content-length"] == str(len(wire.body))
    assert json.loads(wire.body) == {"Functions": []}


def test_iam_query_responses_read_back_as_written_by_iam():
    """IAM (query protocol): members, lists of <member>, timestamps and booleans.

    IAM sends policy documents URL-encoded; boto3 decodes them into dicts after the
    call, so an IAM service must hand the encoder the encoded text, as AWS does.
    """
    from urllib.parse import quote

    op = operation("iam", "ListRoles")
    document = quote('{"Version":"2012-10-17","Statement":[]}')
    role = {"Path": "/", "RoleName": "Parser", "RoleId": "AROAEXAMPLEID",
            "Arn": "arn:aws:iam::123456789012:role/Parser", "CreateDate": NOW,
            "AssumeRolePolicyDocument": document, "MaxSessionDuration": 3600}
    ours = parse(op, encode_result(op, {"Roles": [role], "IsTruncated": False}, RID, NOW))
    body = ('<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult>'
            "<IsTruncated>false</IsTruncated><Roles><member><Path>/</Path><AssumeRolePolicyDocument>"
            f"{document}</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration>"
            "<RoleId>AROAEXAMPLEID</RoleId><RoleName>Parser</RoleName><Arn>arn:aws:iam::"
            "123456789012:role/Parser</Arn><CreateDate>2026-01-05T09:00:00Z</CreateDate></member>"
            "</Roles></ListRolesResult><ResponseMetadata><RequestId>" + RID + "</RequestId>"
            "</ResponseMetadata></ListRolesResponse>").encode()
    assert comparable(ours) == comparable(aws(op, 200, {}, body))
