"""Who the probes of labs 06 and 11 are: Winterday's principals, with their identity
policies, and where they call from.

A probe names a principal, an action and a resource; :func:`probe` gives the principal
the identity policies Winterday gave it (``winterday.IDENTITY_POLICIES``), so a probe
shows how the learner's policy combines with IAM (reference sheet
iam-policy-evaluation.md): a queue-policy Allow does not stop an operator whose identity
policy allows, a cross-account grant needs the other account's identity policy too.
``ALL_SQS`` is what a principal might be given tomorrow, for probes of "only X may".
"""

from __future__ import annotations

import json
from typing import Any

from .. import winterday as wd
from ..models.probes import Probe

QUEUE, UPLOADS, PAYROLL = wd.queue_arn(), wd.queue_arn(wd.UPLOADS_QUEUE), wd.queue_arn(
    "payroll-jobs")
ID = wd.IDENTITY_POLICIES
ALL_SQS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]})
SCRAPER = f"arn:aws:iam::{wd.OUTSIDER_ACCOUNT}:role/scraper"
IN_VPC: dict[str, Any] = {"source_vpce": wd.VPCE, "source_vpc": wd.VPC}


def probe(says: str, who: str | None, action: str, expect: str, resource: str = QUEUE,
          **options: Any) -> Probe:
    """A probe of ``who`` doing ``action``, with its identity policies unless given."""
    identity = options.pop("identity", (ID[who],) if who in ID else ())
    return Probe(says, who, action, resource, expect, identity=identity,  # type: ignore[arg-type]
                 **options)
