"""What a subscriber receives: the SNS notification envelope, raw delivery, the Lambda event.

By default SNS wraps each message in a JSON *envelope* (the SQS message body is that
JSON text): ``Type``, ``MessageId``, ``TopicArn``, ``Subject`` (only when one was given),
``Message`` (the published text, verbatim: a JSON payload arrives as an escaped
string), ``Timestamp`` (UTC, milliseconds), the signature fields of standard topics
(``SignatureVersion``, ``Signature``, ``SigningCertURL``), ``UnsubscribeURL`` and
``MessageAttributes`` (``{"name": {"Type": ..., "Value": ...}}``, only when there are
any). FIFO topics add ``SequenceNumber`` and, as LocalStack recorded, send no
signature fields (**unverified** against AWS's documentation).

With ``RawMessageDelivery`` the queue gets the message text itself, and the message
attributes become SQS message attributes. A Lambda subscriber gets
``{"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
"EventSubscriptionArn": ..., "Sns": {...}}]}`` where the URL keys are spelled
``SigningCertUrl`` / ``UnsubscribeUrl``, ``Subject`` is ``null`` when absent and
``MessageAttributes`` is always present.

The envelope is laid out as AWS lays it out (two-space indent, ``"Key" : value``).
Source: ../shared/reference/integrations.md sections 1.2-1.4.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from ...security.signing import signing_key


@dataclass(frozen=True)
class Notification:
    """One published message, as every subscriber of the topic sees it."""

    message_id: str
    topic_arn: str
    message: str
    timestamp: str
    region: str
    subject: str | None = None
    attributes: dict[str, dict[str, Any]] | None = None
    signature_version: str = "1"
    sequence_number: str | None = None  # FIFO topics
    group_id: str | None = None
    dedup_id: str | None = None

    @property
    def fifo(self) -> bool:
        return self.sequence_number is not None

    def string_to_sign(self) -> str:
        """The canonical text SNS signs: sorted keys, ``name\\nvalue\\n`` each."""
        fields = {"Message": self.message, "MessageId": self.message_id,
                  "Subject": self.subject, "Timestamp": self.timestamp,
                  "TopicArn": self.topic_arn, "Type": "Notification"}
        return "".join(f"{k}\n{v}\n" for k, v in sorted(fields.items()) if v is not None)

    def signature_fields(self) -> dict[str, str]:
        key = signing_key(self.region)
        return {
            "SignatureVersion": self.signature_version,
            "Signature": key.sign(self.string_to_sign(), self.signature_version),
            "SigningCertURL": f"https://sns.{self.region}.amazonaws.com/{key.certificate_name}",
        }

    def unsubscribe_url(self, subscription_arn: str) -> str:
        return (f"https://sns.{self.region}.amazonaws.com/?Action=Unsubscribe"
                f"&SubscriptionArn={subscription_arn}")

    def envelope_attributes(self) -> dict[str, dict[str, str]]:
        out = {}
        for name, value in (self.attributes or {}).items():
            if "BinaryValue" in value:
                text = base64.b64encode(value["BinaryValue"]).decode("ascii")
            else:
                text = value.get("StringValue", "")
            out[name] = {"Type": value["DataType"], "Value": text}
        return out

    def envelope(self, subscription_arn: str) -> str:
        """The JSON body an SQS subscriber receives without raw delivery."""
        fields: dict[str, Any] = {"Type": "Notification", "MessageId": self.message_id}
        if self.fifo:
            fields["SequenceNumber"] = self.sequence_number
        fields["TopicArn"] = self.topic_arn
        if self.subject is not None:
            fields["Subject"] = self.subject
        fields["Message"] = self.message
        fields["Timestamp"] = self.timestamp
        if not self.fifo:
            fields.update(self.signature_fields())
        fields["UnsubscribeURL"] = self.unsubscribe_url(subscription_arn)
        if self.attributes:
            fields["MessageAttributes"] = self.envelope_attributes()
        return layout(fields)

    def sqs_attributes(self) -> dict[str, dict[str, Any]] | None:
        """Raw delivery: SNS attributes as SQS message attributes (SQS allows ten)."""
        if not self.attributes:
            return None
        return {name: dict(value) for name, value in self.attributes.items()}

    def lambda_event(self, subscription_arn: str) -> dict[str, Any]:
        """The event a Lambda function subscribed to the topic is invoked with."""
        signed = self.signature_fields()
        return {"Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": subscription_arn,
            "Sns": {
                "Type": "Notification",
                "MessageId": self.message_id,
                "TopicArn": self.topic_arn,
                "Subject": self.subject,
                "Message": self.message,
                "Timestamp": self.timestamp,
                "SignatureVersion": signed["SignatureVersion"],
                "Signature": signed["Signature"],
                "SigningCertUrl": signed["SigningCertURL"],
                "UnsubscribeUrl": self.unsubscribe_url(subscription_arn),
                "MessageAttributes": self.envelope_attributes(),
            },
        }]}


    def __repr__(self) -> str:
        topic = self.topic_arn.rsplit(":", 1)[-1]
        return f"<Notification {self.message_id} on {topic}>"

def layout(fields: dict[str, Any]) -> str:
    """JSON as SNS writes its envelope: one ``"Key" : value`` per line."""
    lines = []
    for key, value in fields.items():
        if isinstance(value, dict):
            inner = ",\n".join(
                f"    {_dump(k)} : {_dump(v, compact=True)}"
                for k, v in value.items()
            )
            text = "{\n" + inner + "\n  }"
        else:
            text = _dump(value)
        lines.append(f"  {_dump(key)} : {text}")
    return "{\n" + ",\n".join(lines) + "\n}"


def _dump(value: Any, compact: bool = False) -> str:
    separators = (",", ":") if compact else None
    return json.dumps(value, ensure_ascii=False, separators=separators)
