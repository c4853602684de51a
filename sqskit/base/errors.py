"""Every error sqskit can return, each carrying the code, status and wording AWS uses.

::

    AwsError                     an error a real AWS service would return
     ├── CommonError             errors any service may return (AccessDenied, ...)
     ├── SqsError                Amazon SQS: JSON shape name + legacy query code
     │    └── SqsCommonError     SQS's common errors, ``...Exception`` on the JSON wire
     ├── KmsError                AWS KMS (TrentService)
     ├── SnsError                Amazon SNS (query protocol)
     ├── LambdaError             AWS Lambda (rest-json)
     ├── EventsError             Amazon EventBridge
     ├── S3Error                 Amazon S3 (rest-xml, with extra ``<Error>`` members)
     ├── Ec2Error                Amazon EC2 (the VPC pieces Lambda needs)
     ├── IamError                AWS IAM (query protocol)
     ├── CloudTrailError         AWS CloudTrail
     └── CloudWatchError         Amazon CloudWatch (JSON, legacy query codes)

One section per service below, in that order; a new service adds its branch and a
section. The errors live in this one module so that a code, a status or a wording is
found in one place; they are declarative (a class, its code, its HTTP status), so the
module is long but each section reads on its own.

A service raises these for user mistakes, never ``assert``/``KeyError``. The protocol
layer (``sqskit.protocol.wire``) is the one place that turns them into the wire shape a
boto3 client parses: ``__type``, message, HTTP status and, for ``awsQueryCompatible``
services (SQS, CloudWatch), the ``x-amzn-query-error`` header that makes
``err.response["Error"]["Code"]`` the legacy code while boto3 still raises the modeled
exception class (``sqs.exceptions.QueueDoesNotExist``).

Security failures stay opaque: an :class:`AccessDenied` says what AWS says; the
explanation of the decision rides along in :attr:`AwsError.detail` for the teaching
surface and never reaches the wire.

Sources: ../shared/reference/sqs-semantics.md section 10, kms-envelope.md section 2,
integrations.md, cloudtrail-cloudwatch.md; error texts recorded against AWS where noted.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AwsError(Exception):
    """An error a real AWS service returns for a request."""

    #: the error's shape name: the ``__type`` suffix and the botocore exception class
    code: ClassVar[str] = "InternalFailure"
    #: the legacy query-protocol code (``x-amzn-query-error``); None when the same as ``code``
    query_code: ClassVar[str | None] = None
    #: the namespace of ``__type`` on the JSON wire, e.g. ``com.amazonaws.sqs``
    namespace: ClassVar[str] = ""
    status: ClassVar[int] = 400
    sender_fault: ClassVar[bool] = True
    default_message: ClassVar[str] = ""

    def __init__(self, message: str | None = None, *, detail: Any = None) -> None:
        self.message = self.default_message if message is None else message
        #: teaching-only context (e.g. a policy decision); never sent on the wire
        self.detail = detail
        super().__init__(self.message)

    @property
    def wire_code(self) -> str:
        """The code a client shows as ``Error.Code``."""
        return self.query_code or self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


# ---------------------------------------------------------------------------------------
# Errors any AWS service may return ("common errors")
# ---------------------------------------------------------------------------------------


class CommonError(AwsError):
    """A common error: not modeled per service, the code is the error's own name."""


class AccessDenied(CommonError):
    code = "AccessDenied"
    status = 403


class InvalidParameterValue(CommonError):
    code = "InvalidParameterValue"


class MissingParameter(CommonError):
    code = "MissingParameter"


class InvalidParameterCombination(CommonError):
    code = "InvalidParameterCombination"


class InternalFailure(CommonError):
    code = "InternalFailure"
    status = 500
    sender_fault = False


# ---------------------------------------------------------------------------------------
# Amazon SQS
# ---------------------------------------------------------------------------------------


class SqsError(AwsError):
    namespace = "com.amazonaws.sqs"


class SqsCommonError(SqsError):
    """An SQS error outside the service model (AWS's "common errors").

    On the JSON wire AWS names these with an ``...Exception`` shape and keeps the
    query-era code for ``Error.Code`` (recorded against AWS: InvalidParameterValue
    travels as ``InvalidParameterValueException``).
    """


class SqsInvalidParameterValue(SqsCommonError):
    code = "InvalidParameterValueException"
    query_code = "InvalidParameterValue"


class SqsMissingParameter(SqsCommonError):
    code = "MissingRequiredParameterException"
    query_code = "MissingParameter"


class SqsInvalidParameterCombination(SqsCommonError):
    code = "InvalidParameterCombinationException"  # shape name unverified; follows the pattern
    query_code = "InvalidParameterCombination"


class SqsAccessDenied(SqsCommonError):
    """IAM or queue-policy denial: ``(AccessDenied)`` in boto3's message, HTTP 403.

    The JSON shape name is unverified; ``AccessDeniedException`` follows the pattern
    of the other common errors.
    """

    code = "AccessDeniedException"
    query_code = "AccessDenied"
    status = 403


class QueueDoesNotExist(SqsError):
    code = "QueueDoesNotExist"
    query_code = "AWS.SimpleQueueService.NonExistentQueue"
    default_message = "The specified queue does not exist."


class QueueNameExists(SqsError):
    code = "QueueNameExists"
    query_code = "QueueAlreadyExists"


class QueueDeletedRecently(SqsError):
    code = "QueueDeletedRecently"
    query_code = "AWS.SimpleQueueService.QueueDeletedRecently"
    default_message = (  # recorded against AWS
        "You must wait 60 seconds after deleting a queue before you can create "
        "another with the same name."
    )


class PurgeQueueInProgress(SqsError):
    code = "PurgeQueueInProgress"
    query_code = "AWS.SimpleQueueService.PurgeQueueInProgress"
    status = 403


class ReceiptHandleIsInvalid(SqsError):
    code = "ReceiptHandleIsInvalid"
    query_code = "ReceiptHandleIsInvalid"
    status = 404


class InvalidIdFormat(SqsError):
    code = "InvalidIdFormat"  # no httpError trait in the model: HTTP 400 is unverified


class MessageNotInflight(SqsError):
    """In the model for ChangeMessageVisibility, but sqskit never raises it.

    Recorded against AWS (sqs-aws-recorded.md section 1e): on a standard queue a visibility
    change after the timeout ended succeeds, and one for a deleted message is
    InvalidParameterValue; when AWS still answers MessageNotInflight is unverified.
    """

    code = "MessageNotInflight"
    query_code = "AWS.SimpleQueueService.MessageNotInflight"


class TooManyEntriesInBatchRequest(SqsError):
    code = "TooManyEntriesInBatchRequest"
    query_code = "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


class EmptyBatchRequest(SqsError):
    code = "EmptyBatchRequest"
    query_code = "AWS.SimpleQueueService.EmptyBatchRequest"


class BatchEntryIdsNotDistinct(SqsError):
    code = "BatchEntryIdsNotDistinct"
    query_code = "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"


class BatchRequestTooLong(SqsError):
    code = "BatchRequestTooLong"
    query_code = "AWS.SimpleQueueService.BatchRequestTooLong"


class InvalidBatchEntryId(SqsError):
    code = "InvalidBatchEntryId"
    query_code = "AWS.SimpleQueueService.InvalidBatchEntryId"


class InvalidMessageContents(SqsError):
    code = "InvalidMessageContents"  # no httpError trait in the model: HTTP 400 is unverified


class InvalidAttributeName(SqsError):
    code = "InvalidAttributeName"


class InvalidAttributeValue(SqsError):
    code = "InvalidAttributeValue"


class OverLimit(SqsError):
    code = "OverLimit"
    query_code = "OverLimit"
    status = 403


class RequestThrottled(SqsError):
    code = "RequestThrottled"
    query_code = "RequestThrottled"
    status = 403


class InvalidAddress(SqsError):
    code = "InvalidAddress"
    query_code = "InvalidAddress"
    status = 404


class InvalidSecurity(SqsError):
    code = "InvalidSecurity"
    query_code = "InvalidSecurity"
    status = 403


class UnsupportedOperation(SqsError):
    code = "UnsupportedOperation"
    query_code = "AWS.SimpleQueueService.UnsupportedOperation"


class ResourceNotFoundException(SqsError):
    code = "ResourceNotFoundException"
    query_code = "ResourceNotFoundException"
    status = 404


class KmsAccessDenied(SqsError):
    code = "KmsAccessDenied"
    query_code = "KMS.AccessDeniedException"


class KmsDisabled(SqsError):
    code = "KmsDisabled"
    query_code = "KMS.DisabledException"


class KmsInvalidState(SqsError):
    code = "KmsInvalidState"
    query_code = "KMS.InvalidStateException"


class KmsNotFound(SqsError):
    code = "KmsNotFound"
    query_code = "KMS.NotFoundException"


class KmsInvalidKeyUsage(SqsError):
    code = "KmsInvalidKeyUsage"
    query_code = "KMS.InvalidKeyUsageException"


class KmsOptInRequired(SqsError):
    code = "KmsOptInRequired"
    query_code = "KMS.OptInRequired"
    status = 403


class KmsThrottled(SqsError):
    code = "KmsThrottled"
    query_code = "KMS.ThrottlingException"


def invalid_value(
    name: str, value: object, reason: str, *, end: str = "."
) -> SqsInvalidParameterValue:
    """The InvalidParameterValue AWS returns for one out-of-range request parameter.

    AWS ends most reasons with a full stop; a few recorded ones have none (``end=""``).
    """
    return SqsInvalidParameterValue(
        f"Value {value} for parameter {name} is invalid. Reason: {reason}{end}"
    )


# ---------------------------------------------------------------------------------------
# AWS KMS (TrentService). On the JSON 1.1 wire ``__type`` is the bare shape name. Every
# KMS client error recorded against AWS came back with HTTP 400 (kms-envelope.md
# section 2), so 400 is used even where the Smithy model says 404/409. Messages name
# keys by ARN and never carry key material or plaintext.
# ---------------------------------------------------------------------------------------


class KmsError(AwsError):
    """An error of AWS KMS."""


class NotFoundException(KmsError):
    code = "NotFoundException"


class DisabledException(KmsError):
    code = "DisabledException"


class KMSInvalidStateException(KmsError):
    code = "KMSInvalidStateException"


class InvalidCiphertextException(KmsError):
    """Ciphertext, its encryption context or its key do not match.

    AWS sends no message at all (recorded), and sqskit never says which check
    failed: a tampered byte, a wrong context and a wrong key look the same.
    """

    code = "InvalidCiphertextException"


class IncorrectKeyException(KmsError):
    code = "IncorrectKeyException"
    default_message = (
        "The key ID in the request does not identify a CMK that can perform this operation."
    )


class InvalidKeyUsageException(KmsError):
    code = "InvalidKeyUsageException"


class AlreadyExistsException(KmsError):
    code = "AlreadyExistsException"


class InvalidAliasNameException(KmsError):
    code = "InvalidAliasNameException"


class InvalidArnException(KmsError):
    code = "InvalidArnException"


class InvalidMarkerException(KmsError):
    code = "InvalidMarkerException"
    default_message = "Invalid marker"


class MalformedPolicyDocumentException(KmsError):
    code = "MalformedPolicyDocumentException"


class KmsTagException(KmsError):
    code = "TagException"


class KmsLimitExceededException(KmsError):
    code = "LimitExceededException"


class KmsUnsupportedOperationException(KmsError):
    code = "UnsupportedOperationException"


class KmsValidationException(KmsError):
    """A request member outside the model's constraints (not modeled: no ``message`` member)."""

    code = "ValidationException"


class DryRunOperationException(KmsError):
    code = "DryRunOperationException"
    status = 412
    default_message = "The request would have succeeded, but the DryRun option is set."


class KmsAccessDeniedException(KmsError):
    """A key policy (or IAM policy) does not allow the call.

    Not in the KMS model; AWS words it "User: <principal> is not authorized to perform:
    kms:<Action> on resource: <key ARN> because no resource-based policy allows the
    kms:<Action> action". HTTP 400 is the common-errors value (unverified for KMS).
    """

    code = "AccessDeniedException"


# ---------------------------------------------------------------------------------------
# Amazon SNS (query protocol: ``code`` is the shape name, ``query_code`` what travels)
# ---------------------------------------------------------------------------------------


class SnsError(AwsError):
    """An SNS error; the wire carries the short code (``NotFound``, ``InvalidParameter``)."""


class SnsInvalidParameter(SnsError):
    code = "InvalidParameterException"
    query_code = "InvalidParameter"


class SnsInvalidParameterValue(SnsError):
    code = "InvalidParameterValueException"
    query_code = "ParameterValueInvalid"


class SnsNotFound(SnsError):
    code = "NotFoundException"
    query_code = "NotFound"
    status = 404


class SnsAuthorizationError(SnsError):
    """SNS's AccessDenied: HTTP 403, code ``AuthorizationError``."""

    code = "AuthorizationErrorException"
    query_code = "AuthorizationError"
    status = 403


class SnsEmptyBatchRequest(SnsError):
    code = "EmptyBatchRequestException"
    query_code = "EmptyBatchRequest"


class SnsTooManyEntriesInBatchRequest(SnsError):
    code = "TooManyEntriesInBatchRequestException"
    query_code = "TooManyEntriesInBatchRequest"


class SnsBatchEntryIdsNotDistinct(SnsError):
    code = "BatchEntryIdsNotDistinctException"
    query_code = "BatchEntryIdsNotDistinct"


class SnsInvalidBatchEntryId(SnsError):
    code = "InvalidBatchEntryIdException"
    query_code = "InvalidBatchEntryId"


class SnsBatchRequestTooLong(SnsError):
    code = "BatchRequestTooLongException"
    query_code = "BatchRequestTooLong"


class SnsKmsAccessDenied(SnsError):
    code = "KMSAccessDeniedException"
    query_code = "KMSAccessDenied"


# ---------------------------------------------------------------------------------------
# AWS Lambda (rest-json: the shape name travels in the x-amzn-ErrorType header)
# ---------------------------------------------------------------------------------------


class LambdaError(AwsError):
    """A Lambda API error."""


class LambdaResourceNotFound(LambdaError):
    code = "ResourceNotFoundException"
    status = 404


class LambdaResourceConflict(LambdaError):
    code = "ResourceConflictException"
    status = 409


class LambdaInvalidParameterValue(LambdaError):
    code = "InvalidParameterValueException"


class LambdaInvalidRequestContent(LambdaError):
    code = "InvalidRequestContentException"


class LambdaRequestTooLarge(LambdaError):
    code = "RequestTooLargeException"
    status = 413


class LambdaPreconditionFailed(LambdaError):
    code = "PreconditionFailedException"
    status = 412


class LambdaAccessDenied(LambdaError):
    code = "AccessDeniedException"
    status = 403


class LambdaInvalidZipFile(LambdaError):
    code = "InvalidZipFileException"
    status = 502
    sender_fault = False


# ---------------------------------------------------------------------------------------
# Amazon EventBridge (AWS JSON 1.1)
# ---------------------------------------------------------------------------------------


class EventsError(AwsError):
    """An EventBridge error (``__type`` is the bare shape name)."""


class EventsResourceNotFound(EventsError):
    code = "ResourceNotFoundException"


class EventsResourceAlreadyExists(EventsError):
    code = "ResourceAlreadyExistsException"


class EventsValidation(EventsError):
    code = "ValidationException"


class EventsInvalidEventPattern(EventsError):
    code = "InvalidEventPatternException"


class EventsLimitExceeded(EventsError):
    code = "LimitExceededException"


class EventsAccessDenied(EventsError):
    code = "AccessDeniedException"


# ---------------------------------------------------------------------------------------
# Amazon S3 (rest-xml: <Error><Code>, plus members such as BucketName or Key)
# ---------------------------------------------------------------------------------------


class S3Error(AwsError):
    """An S3 error; ``extra`` members (``BucketName``, ``Key``) join the ``<Error>`` body."""

    def __init__(self, message: str | None = None, *, detail: Any = None, **extra: str) -> None:
        super().__init__(message, detail=detail)
        self.extra = extra


class NoSuchBucket(S3Error):
    code = "NoSuchBucket"
    status = 404
    default_message = "The specified bucket does not exist"


class NoSuchKey(S3Error):
    code = "NoSuchKey"
    status = 404
    default_message = "The specified key does not exist."


class NoSuchBucketPolicy(S3Error):
    code = "NoSuchBucketPolicy"
    status = 404
    default_message = "The bucket policy does not exist"


class BucketAlreadyExists(S3Error):
    code = "BucketAlreadyExists"
    status = 409
    default_message = (
        "The requested bucket name is not available. The bucket namespace is shared by all "
        "users of the system. Please select a different name and try again."
    )


class BucketNotEmpty(S3Error):
    code = "BucketNotEmpty"
    status = 409
    default_message = "The bucket you tried to delete is not empty"


class InvalidBucketName(S3Error):
    code = "InvalidBucketName"
    default_message = "The specified bucket is not valid."


class S3InvalidArgument(S3Error):
    code = "InvalidArgument"


class MalformedPolicy(S3Error):
    code = "MalformedPolicy"


class S3AccessDenied(S3Error):
    code = "AccessDenied"
    status = 403
    default_message = "Access Denied"


# ---------------------------------------------------------------------------------------
# Amazon EC2 (only the VPC pieces a Lambda function needs)
# ---------------------------------------------------------------------------------------


class Ec2Error(AwsError):
    """An EC2 error; codes are dotted (``InvalidSubnetID.NotFound``)."""


class Ec2Coded(Ec2Error):
    """An EC2 error whose dotted code is given per instance (``InvalidSubnetID.NotFound``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # type: ignore[misc]


class Ec2InvalidParameterValue(Ec2Error):
    code = "InvalidParameterValue"


class Ec2Unauthorized(Ec2Error):
    """EC2's AccessDenied (AWS encodes the decision in the message; sqskit keeps it readable)."""

    code = "UnauthorizedOperation"
    status = 403


# ---------------------------------------------------------------------------------------
# AWS Identity and Access Management (IAM) - query protocol, codes as botocore models them.
# Wording of the messages follows errors seen from IAM; the rarer ones are unverified.
# ---------------------------------------------------------------------------------------


class IamError(AwsError):
    namespace = "iam"


class NoSuchEntity(IamError):
    code = "NoSuchEntity"
    status = 404


class EntityAlreadyExists(IamError):
    code = "EntityAlreadyExists"
    status = 409


class MalformedPolicyDocument(IamError):
    code = "MalformedPolicyDocument"


class IamLimitExceeded(IamError):
    code = "LimitExceeded"
    status = 409


class DeleteConflict(IamError):
    code = "DeleteConflict"
    status = 409


class IamInvalidInput(IamError):
    code = "InvalidInput"


class PolicyNotAttachable(IamError):
    code = "PolicyNotAttachable"


class IamValidationError(IamError):
    """A request member breaking the model's pattern (a common error, not modeled)."""

    code = "ValidationError"


def iam_pattern_error(member: str, value: str, pattern: str) -> IamValidationError:
    """The ValidationError AWS returns for a name that breaks the model's pattern."""
    return IamValidationError(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {pattern}"
    )


# ---------------------------------------------------------------------------------------
# AWS CloudTrail (JSON 1.1: ``__type`` is the shape name)
# ---------------------------------------------------------------------------------------


class CloudTrailError(AwsError):
    namespace = ""


class InvalidLookupAttributes(CloudTrailError):
    code = "InvalidLookupAttributesException"


class InvalidTimeRange(CloudTrailError):
    code = "InvalidTimeRangeException"
    default_message = "Start time must be before end time."


class InvalidMaxResults(CloudTrailError):
    code = "InvalidMaxResultsException"
    default_message = "MaxResults must be between 1 and 50."


class CloudTrailInvalidNextToken(CloudTrailError):
    code = "InvalidNextTokenException"
    default_message = "Invalid NextToken."


class InvalidEventCategory(CloudTrailError):
    code = "InvalidEventCategoryException"


class TrailNotFound(CloudTrailError):
    code = "TrailNotFoundException"
    status = 404


# ---------------------------------------------------------------------------------------
# Amazon CloudWatch (JSON 1.0, awsQueryCompatible: Error.Code is the query-era code)
# ---------------------------------------------------------------------------------------


class CloudWatchError(AwsError):
    namespace = "com.amazonaws.cloudwatch"


class CwInvalidParameterValue(CloudWatchError):
    code = "InvalidParameterValueException"
    query_code = "InvalidParameterValue"


class CwMissingParameter(CloudWatchError):
    code = "MissingRequiredParameterException"
    query_code = "MissingParameter"


class CwInvalidParameterCombination(CloudWatchError):
    code = "InvalidParameterCombinationException"
    query_code = "InvalidParameterCombination"


class CwValidationError(CloudWatchError):
    """CloudWatch's unmodelled validation error (``ValidationError``, HTTP 400)."""

    code = "ValidationError"


class CwResourceNotFound(CloudWatchError):
    code = "ResourceNotFound"
    query_code = "ResourceNotFound"
    status = 404


class CwInvalidFormat(CloudWatchError):
    code = "InvalidFormatFault"
    query_code = "InvalidFormat"


class CwInvalidNextToken(CloudWatchError):
    code = "InvalidNextToken"
    query_code = "InvalidNextToken"
    default_message = "The service cannot process the NextToken."


class CwLimitExceeded(CloudWatchError):
    code = "LimitExceededFault"
    query_code = "LimitExceeded"
