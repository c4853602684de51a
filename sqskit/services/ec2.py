"""Amazon EC2, only the networking a Lambda function in a VPC needs: VPCs, subnets,
security groups and VPC endpoints.

Why it matters for SQS security: a queue policy can insist that calls arrive through a
particular VPC endpoint (``aws:SourceVpce``) or from a particular VPC
(``aws:SourceVpc``). A Lambda function placed in a VPC (``VpcConfig`` with subnets and
security groups) reaches SQS through the VPC's *interface endpoint* for
``com.amazonaws.<region>.sqs`` when there is one, and its calls then carry those keys.
:meth:`Ec2Service.endpoint_for` answers "which endpoint would this VPC use for that
service?" for the Lambda service.

Simplified: no route tables, network ACLs, ENIs or availability-zone capacity; an
endpoint is ``Available`` at once (the API model's casing; the CLI shows ``available``) and
an interface endpoint uses private DNS unless told not to; there is no default VPC.
Source: botocore's EC2 model (shapes), ../shared/reference/integrations.md 2.8.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..base.errors import (
    AwsError,
    Ec2Coded,
    Ec2InvalidParameterValue,
    Ec2Unauthorized,
    LambdaInvalidParameterValue,
)
from .base import Call, Runtime, Service

if TYPE_CHECKING:
    from ..security.policy import Decision


@dataclass
class Network:
    """One VPC and what lives in it."""

    vpc_id: str
    cidr: str
    subnets: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"<Vpc {self.vpc_id} {self.cidr}: {len(self.subnets)} subnets, "
                f"{len(self.endpoints)} endpoints>")


class Ec2Service(Service):
    """VPC networking of one world."""

    name = "ec2"
    event_source = "ec2.amazonaws.com"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.vpcs: dict[str, Network] = {}

    def access_denied(self, decision: Decision) -> AwsError:
        """EC2's AccessDenied: ``UnauthorizedOperation``, HTTP 403."""
        return Ec2Unauthorized(decision.message(), detail=decision)

    def _id(self, prefix: str) -> str:
        return f"{prefix}-{self.runtime.ids.hex(9)[:17]}"

    def _vpc(self, vpc_id: str | None) -> Network:
        network = self.vpcs.get(vpc_id or "")
        if network is None:
            raise Ec2Coded("InvalidVpcID.NotFound", f"The vpc ID '{vpc_id}' does not exist")
        return network

    def _arn(self, kind: str, resource_id: str) -> str:
        return f"arn:aws:ec2:{self.runtime.region}:{self.runtime.account_id}:{kind}/{resource_id}"

    # -- actions ---------------------------------------------------------------------------
    def create_vpc(self, call: Call, CidrBlock: str | None = None, **_: Any) -> dict[str, Any]:
        self.authorize(call, "ec2:CreateVpc", self._arn("vpc", "*"),
                       resource_account=self.runtime.account_id)
        cidr = _network(CidrBlock or "", "CidrBlock")
        vpc_id = self._id("vpc")
        self.vpcs[vpc_id] = Network(vpc_id, cidr)
        return {"Vpc": self._render_vpc(self.vpcs[vpc_id])}

    def _render_vpc(self, network: Network) -> dict[str, Any]:
        return {"VpcId": network.vpc_id, "CidrBlock": network.cidr, "State": "available",
                "OwnerId": self.runtime.account_id, "InstanceTenancy": "default",
                "IsDefault": False, "DhcpOptionsId": "dopt-00000000000000000"}

    def describe_vpcs(self, call: Call, VpcIds: list[str] | None = None,
                      **_: Any) -> dict[str, Any]:
        self.authorize(call, "ec2:DescribeVpcs", "*", resource_account=self.runtime.account_id)
        chosen = [self._vpc(v) for v in VpcIds] if VpcIds else list(self.vpcs.values())
        return {"Vpcs": [self._render_vpc(n) for n in chosen]}

    def create_subnet(self, call: Call, VpcId: str, CidrBlock: str | None = None,
                      AvailabilityZone: str | None = None, **_: Any) -> dict[str, Any]:
        network = self._vpc(VpcId)
        self.authorize(call, "ec2:CreateSubnet", self._arn("subnet", "*"),
                       resource_account=self.runtime.account_id)
        cidr = _network(CidrBlock or "", "CidrBlock")
        if not ipaddress.ip_network(cidr).subnet_of(ipaddress.ip_network(network.cidr)):  # type: ignore[arg-type]
            raise Ec2InvalidParameterValue(f"The CIDR '{cidr}' is invalid.")
        subnet_id = self._id("subnet")
        size = ipaddress.ip_network(cidr).num_addresses - 5  # AWS keeps five per subnet
        network.subnets[subnet_id] = {
            "SubnetId": subnet_id, "VpcId": VpcId, "CidrBlock": cidr, "State": "available",
            "AvailabilityZone": AvailabilityZone or f"{self.runtime.region}a",
            "AvailableIpAddressCount": size, "OwnerId": self.runtime.account_id,
            "DefaultForAz": False, "MapPublicIpOnLaunch": False,
            "SubnetArn": self._arn("subnet", subnet_id),
        }
        return {"Subnet": dict(network.subnets[subnet_id])}

    def describe_subnets(self, call: Call, SubnetIds: list[str] | None = None,
                         **_: Any) -> dict[str, Any]:
        self.authorize(call, "ec2:DescribeSubnets", "*",
                       resource_account=self.runtime.account_id)
        every = {k: v for n in self.vpcs.values() for k, v in n.subnets.items()}
        for wanted in SubnetIds or []:
            if wanted not in every:
                raise Ec2Coded("InvalidSubnetID.NotFound",
                                  f"The subnet ID '{wanted}' does not exist")
        chosen = [every[s] for s in SubnetIds] if SubnetIds else list(every.values())
        return {"Subnets": [dict(s) for s in chosen]}

    def create_security_group(self, call: Call, GroupName: str, Description: str,
                              VpcId: str | None = None, **_: Any) -> dict[str, Any]:
        network = self._vpc(VpcId)
        self.authorize(call, "ec2:CreateSecurityGroup", self._arn("security-group", "*"),
                       resource_account=self.runtime.account_id)
        if any(g["GroupName"] == GroupName for g in network.groups.values()):
            raise Ec2Coded("InvalidGroup.Duplicate",
                              f"The security group '{GroupName}' already exists for VPC '{VpcId}'")
        group_id = self._id("sg")
        network.groups[group_id] = {"GroupId": group_id, "GroupName": GroupName,
                                    "Description": Description, "VpcId": VpcId,
                                    "OwnerId": self.runtime.account_id}
        return {"GroupId": group_id, "SecurityGroupArn": self._arn("security-group", group_id)}

    def describe_security_groups(self, call: Call, GroupIds: list[str] | None = None,
                                 **_: Any) -> dict[str, Any]:
        self.authorize(call, "ec2:DescribeSecurityGroups", "*",
                       resource_account=self.runtime.account_id)
        every = {k: v for n in self.vpcs.values() for k, v in n.groups.items()}
        chosen = [every[g] for g in GroupIds if g in every] if GroupIds else list(every.values())
        return {"SecurityGroups": [dict(g) for g in chosen]}

    def create_vpc_endpoint(
        self, call: Call, VpcId: str, ServiceName: str, VpcEndpointType: str = "Gateway",
        SubnetIds: list[str] | None = None, SecurityGroupIds: list[str] | None = None,
        PolicyDocument: str | None = None, PrivateDnsEnabled: bool | None = None, **_: Any,
    ) -> dict[str, Any]:
        network = self._vpc(VpcId)
        self.authorize(call, "ec2:CreateVpcEndpoint", self._arn("vpc-endpoint", "*"),
                       resource_account=self.runtime.account_id)
        prefix = f"com.amazonaws.{self.runtime.region}."
        if not ServiceName.startswith(prefix):
            raise Ec2InvalidParameterValue(
                f"The Vpc Endpoint Service '{ServiceName}' does not exist"
            )
        for subnet in SubnetIds or []:
            if subnet not in network.subnets:
                raise Ec2Coded("InvalidSubnetID.NotFound",
                                  f"The subnet ID '{subnet}' does not exist")
        endpoint_id = self._id("vpce")
        private_dns = VpcEndpointType == "Interface" if PrivateDnsEnabled is None \
            else PrivateDnsEnabled
        network.endpoints[endpoint_id] = {
            "VpcEndpointId": endpoint_id, "VpcEndpointType": VpcEndpointType, "VpcId": VpcId,
            "ServiceName": ServiceName, "State": "Available",
            "PolicyDocument": PolicyDocument or _FULL_ACCESS,
            "SubnetIds": list(SubnetIds or []),
            "Groups": [{"GroupId": g, "GroupName": network.groups.get(g, {}).get("GroupName", g)}
                       for g in SecurityGroupIds or []],
            "PrivateDnsEnabled": bool(private_dns),
            "RequesterManaged": False, "CreationTimestamp": call.now,
            "OwnerId": self.runtime.account_id,
        }
        return {"VpcEndpoint": dict(network.endpoints[endpoint_id])}

    def describe_vpc_endpoints(self, call: Call, VpcEndpointIds: list[str] | None = None,
                               **_: Any) -> dict[str, Any]:
        self.authorize(call, "ec2:DescribeVpcEndpoints", "*",
                       resource_account=self.runtime.account_id)
        every = {k: v for n in self.vpcs.values() for k, v in n.endpoints.items()}
        chosen = ([every[e] for e in VpcEndpointIds if e in every] if VpcEndpointIds
                  else list(every.values()))
        return {"VpcEndpoints": [dict(e) for e in chosen]}

    # -- for the Lambda service ------------------------------------------------------------
    def vpc_of(self, subnet_ids: list[str], group_ids: list[str]) -> str:
        """The VPC a function's VpcConfig places it in (Lambda's errors if it is wrong)."""
        every = {k: v for n in self.vpcs.values() for k, v in n.subnets.items()}
        groups = {k: v for n in self.vpcs.values() for k, v in n.groups.items()}
        for subnet in subnet_ids:
            if subnet not in every:
                raise LambdaInvalidParameterValue(
                    "Error occurred while DescribeSubnets. EC2 Error Code: "
                    f"InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID '{subnet}' "
                    "does not exist"
                )
        for group in group_ids:
            if group not in groups:
                raise LambdaInvalidParameterValue(
                    "Error occurred while DescribeSecurityGroups. EC2 Error Code: "
                    f"InvalidGroup.NotFound. EC2 Error Message: The security group '{group}' "
                    "does not exist"
                )
        vpcs = {every[s]["VpcId"] for s in subnet_ids} | {groups[g]["VpcId"] for g in group_ids}
        if len(vpcs) != 1:
            raise LambdaInvalidParameterValue(
                "Security groups and subnets must belong to the same VPC."
                if vpcs else "SubnetIds and SecurityGroupIds must coexist or be both empty list."
            )
        return vpcs.pop()

    def endpoint_for(self, vpc_id: str, service_name: str) -> str | None:
        """The endpoint a VPC uses to reach ``service_name`` (``sqs``, ``kms`` ...), if any."""
        network = self.vpcs.get(vpc_id)
        if network is None:
            return None
        wanted = f"com.amazonaws.{self.runtime.region}.{service_name}"
        for endpoint in network.endpoints.values():
            routed = endpoint["PrivateDnsEnabled"] or endpoint["VpcEndpointType"] == "Gateway"
            if endpoint["ServiceName"] == wanted and endpoint["State"] == "Available" and routed:
                return str(endpoint["VpcEndpointId"])
        return None

    def __repr__(self) -> str:
        return f"<Ec2Service {len(self.vpcs)} VPCs>"


_FULL_ACCESS = ('{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
                '"Action":"*","Resource":"*"}]}')


def _network(text: str, name: str) -> str:
    try:
        return str(ipaddress.ip_network(text, strict=True))
    except ValueError:
        raise Ec2InvalidParameterValue(f"Value ({text}) for parameter {name} is invalid. "
                                       "This is not a valid CIDR block.") from None
