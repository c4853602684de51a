"""Lab 10's capstone: the site a learner builds on, and the run that tests what was built.

:func:`site` prepares what Winterday already has: its people (the roles get a second
inline policy, ``pipeline``: the parser reads uploads, the consumer writes results), a
VPC with a subnet, a security group and endpoints for SQS (interface) and S3 (gateway),
the bucket ``winterday-reports`` and the topic ``pipeline-alarms``. It returns a
:class:`Site` with their ids, which differ from world to world.

:func:`exercise` runs a learner's ``build_pipeline(world, site)`` in a world of its own
and plays a morning through it: three customers upload their quarterly reports (one of
them broken: no customer) and the clock runs for 15 minutes. The result is a
:class:`Run` that ``verify.py`` reads, requirement by requirement. Nothing of the
learner's own world is touched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .people import client, hire
from .story import ALERTS_TOPIC, BUCKET, PIPELINE_POLICIES, SNOWY

if TYPE_CHECKING:
    from ...world import World

REGION_SERVICE = "com.amazonaws.us-east-1"
PARSER_FUNCTION = "report-parser"
CONSUMER_FUNCTION = "report-consumer"
RUN_SECONDS = 15 * 60

#: what three customers upload: (key, content); the third report has no customer
UPLOADS: tuple[tuple[str, dict[str, str]], ...] = (
    ("uploads/2025-q4/acme-ltd.json", {"job": "P-0401", "customer": "acme-ltd",
                                       "quarter": "2025-Q4"}),
    ("uploads/2025-q4/birch-and-co.json", {"job": "P-0402", "customer": "birch-and-co",
                                           "quarter": "2025-Q4"}),
    ("uploads/2025-q4/broken.json", {"job": "P-0403", "quarter": "2025-Q4"}),
)
GOOD_JOBS = ("P-0401", "P-0402")
POISON_JOB = "P-0403"


@dataclass(frozen=True)
class Site:
    """What Winterday already has: the network, the bucket, the alarms topic."""

    vpc: str
    subnet: str
    security_group: str
    sqs_endpoint: str
    s3_endpoint: str
    bucket: str = BUCKET
    topic: str = ""

    def text(self) -> str:
        return "\n".join([
            f"VPC {self.vpc}: subnet {self.subnet}, security group {self.security_group}",
            f"  SQS interface endpoint {self.sqs_endpoint}, S3 gateway endpoint "
            f"{self.s3_endpoint}",
            f"bucket {self.bucket}; alarms topic {self.topic}",
        ])

    def __repr__(self) -> str:
        return self.text()


def site(world: World) -> Site:
    """Hire Winterday's people and build the network, the bucket and the topic (as Snowy)."""
    hire(world)
    iam = world.client("iam")
    for arn, document in PIPELINE_POLICIES.items():
        iam.put_role_policy(RoleName=arn.rsplit("/", 1)[-1], PolicyName="pipeline",
                            PolicyDocument=document)
    ec2 = client(world, SNOWY, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="report-consumer", VpcId=vpc,
                                      Description="the consumer's functions")["GroupId"]
    sqs_endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=f"{REGION_SERVICE}.sqs", VpcEndpointType="Interface",
        SubnetIds=[subnet], SecurityGroupIds=[group])["VpcEndpoint"]["VpcEndpointId"]
    s3_endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=f"{REGION_SERVICE}.s3",
        VpcEndpointType="Gateway")["VpcEndpoint"]["VpcEndpointId"]
    client(world, SNOWY, "s3").create_bucket(Bucket=BUCKET)
    topic = client(world, SNOWY, "sns").create_topic(Name=ALERTS_TOPIC)["TopicArn"]
    return Site(vpc, subnet, group, sqs_endpoint, s3_endpoint, BUCKET, topic)


def upload(world: World, uploads: Any = UPLOADS) -> None:
    """Customers upload their reports (as the account root: any signed-in uploader)."""
    s3 = world.client("s3")
    for key, content in uploads:
        s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(content).encode())


@dataclass
class Run:
    """A learner's pipeline, built in a world of its own, after the morning's uploads."""

    world: Any
    site: Site
    built: bool
    error: str = ""
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        state = "built" if self.built else f"not built ({self.error})"
        return f"<Run {state}>"


def exercise(build: Any, *, seed: int = 10) -> Run:
    """Build the learner's pipeline in a fresh world, upload, let 15 minutes pass."""
    from ...world import World

    world = World(seed=seed)
    where = site(world)
    try:
        build(world, where)
    except NotImplementedError:
        raise
    except Exception as err:  # the learner's code: report it, never a traceback
        detail = err.response["Error"] if hasattr(err, "response") else None
        text = f"{detail['Code']}: {detail['Message']}" if detail else \
            f"{type(err).__name__}: {err}"
        return Run(world, where, False, f"build_pipeline raised {text}")
    upload(world)
    world.clock.advance(RUN_SECONDS)
    return Run(world, where, True)


def invocations(world: World, function: str) -> list[Any]:
    lam: Any = world.service("lambda")
    found = lam.functions.get(function)
    return list(found.invocations) if found is not None else []


def jobs_in(invocation: Any) -> list[str]:
    """The job ids of the SQS records an invocation got."""
    out = []
    for record in (invocation.event or {}).get("Records", []):
        try:
            out.append(str(json.loads(record.get("body", "")).get("job")))
        except (TypeError, ValueError, AttributeError):
            continue
    return out

