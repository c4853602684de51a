"""Winterday's secure report pipeline: the story of labs 05 to 11, as names, data and set-up.

Winterday is an accounting firm. Customers upload quarterly financial reports to the S3
bucket ``winterday-reports``; S3 tells the queue ``report-uploads`` about each upload, and
a Lambda function, **report-parser**, turns each upload into a *parsing job* on the SQS
queue **parse-jobs**. A consumer running inside Winterday's VPC, **report-consumer**,
takes the jobs off. Snowy, who ran the print shop of labs 00 to 04, is now Winterday's
platform engineer: she owns the customer managed KMS key ``alias/winterday-reports``
that encrypts the queue. The security requirements (:data:`REQUIREMENTS`) are what the
capstone checks.

This package gives the labs that world without hiding the calls a learner writes:
``story`` holds the names, ARNs, identity policies and seeded report bodies; ``people``
hires Winterday's IAM users and roles and creates Snowy's key with its policy;
``pipeline`` sends and receives reports, catches a learner up, and runs the demos;
``day`` runs a working day of the pipeline (labs 07, 08, 11).
"""

from __future__ import annotations

from ..models.delivered import delivered_frame
from . import capstone, incident
from .capstone import Site, upload
from .capstone import site as capstone_site
from .day import Consumer, Script, hide_reads, morning, prepare, run
from .fanout import *  # noqa: F403  (lab 09: report-events, large-reports, the worker)
from .fanout import __all__ as _fanout
from .incident import restart_consumer, run_incident, waiting_jobs
from .people import KEY_ADMIN_ACTIONS, client, create_key, hire, key_policy
from .pipeline import (
    ensure_queue,
    envelope_demo,
    measure_kms_calls,
    pipeline_probes,
    queue_policy,
    receive_reports,
    send_reports,
)
from .spike import (
    alerting,
    alerts_statement,
    ensure_alarms,
    first_hour,
    notifications,
    route_alarms,
    second_hour,
)
from .story import *  # noqa: F403  (the names a notebook uses: winterday.PARSER, ...)
from .story import __all__ as _story
from .verify import REQUIREMENTS as CAPSTONE_REQUIREMENTS
from .verify import Verification, verify
from .verify import findings as verify_run

__all__ = [
    "KEY_ADMIN_ACTIONS", "Consumer", "Script", "client", "create_key", "delivered_frame",
    "ensure_queue",
    "envelope_demo", "hide_reads", "hire", "key_policy", "measure_kms_calls", "morning",
    "pipeline_probes", "prepare", "queue_policy", "receive_reports", "run", "send_reports",
    "alerting", "alerts_statement", "ensure_alarms", "first_hour", "notifications",
    "route_alarms", "second_hour",
    "CAPSTONE_REQUIREMENTS", "capstone", "incident", "Site", "Verification", "capstone_site",
    "upload", "verify", "verify_run", "restart_consumer", "run_incident", "waiting_jobs",
    *_story, *_fanout,
]
