"""Checks of lab 06 (access control): learners write policies; probes judge them.

Each exercise's probes are requests to Winterday's queues that must be allowed and
requests that must be denied, each tied to the mistake that would turn it around
(``policies.py``). The principals bring the identity policies Winterday gave them
(``callers.py``), so a probe shows how the learner's policy combines with IAM.

* ``least_privilege.py``: 06.1, the parser's identity policy;
* ``network.py``: 06.2 TLS only, and 06.3 only the consumer through the VPC endpoint;
* ``outsiders.py``: 06.4 S3 notifications, 06.5 the public policy fixed, 06.6 the
  auditors across accounts.
"""

from __future__ import annotations

from ..callers import ALL_SQS, ID, IN_VPC, PAYROLL, QUEUE, SCRAPER, UPLOADS
from .least_privilege import parser_least_privilege, parser_probes
from .network import TLS_OFF, tls_only_statement, tls_probes, vpc_only_reader, vpc_probes
from .outsiders import (
    S3,
    auditor_probes,
    auditors_cross_account,
    public_policy_fixed,
    public_probes,
    s3_may_notify,
    s3_probes,
)

__all__ = [
    "ALL_SQS", "ID", "IN_VPC", "PAYROLL", "QUEUE", "S3", "SCRAPER", "TLS_OFF", "UPLOADS",
    "auditor_probes", "auditors_cross_account", "parser_least_privilege", "parser_probes",
    "public_policy_fixed", "public_probes", "s3_may_notify", "s3_probes", "tls_only_statement",
    "tls_probes", "vpc_only_reader", "vpc_probes",
]
