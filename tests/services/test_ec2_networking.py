"""The EC2 networking a Lambda function in a VPC needs, through a real boto3 client (ec2).

Rules: a subnet lies inside its VPC's CIDR; an endpoint's service name is
com.amazonaws.<region>.<service>; errors are dotted codes (InvalidVpcID.NotFound).
"""

from __future__ import annotations

import pytest

import sqskit


@pytest.fixture
def ec2(world):
    return world.client("ec2")


def test_vpcs_subnets_groups_and_endpoints(ec2):
    """Create and describe a VPC with a subnet, a security group and an SQS endpoint."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert vpc["VpcId"].startswith("vpc-") and len(vpc["VpcId"]) == 21
    assert vpc["State"] == "available"
    subnet = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.0.1.0/24")["Subnet"]
    assert subnet["AvailableIpAddressCount"] == 251  # AWS keeps five addresses per subnet
    group = ec2.create_security_group(GroupName="fn", Description="functions",
                                      VpcId=vpc["VpcId"])["GroupId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc["VpcId"], ServiceName="com.amazonaws.us-east-1.sqs",
        VpcEndpointType="Interface", SubnetIds=[subnet["SubnetId"]],
        SecurityGroupIds=[group])["VpcEndpoint"]
    assert endpoint["VpcEndpointId"].startswith("vpce-") and endpoint["PrivateDnsEnabled"]
    assert ec2.describe_vpcs()["Vpcs"][0]["CidrBlock"] == "10.0.0.0/16"
    assert ec2.describe_subnets(SubnetIds=[subnet["SubnetId"]])["Subnets"][0]["VpcId"] == (
        vpc["VpcId"])
    assert ec2.describe_vpc_endpoints()["VpcEndpoints"][0]["ServiceName"] == (
        "com.amazonaws.us-east-1.sqs")


def test_ec2_errors_carry_dotted_codes(ec2):
    """Unknown ids are <Kind>.NotFound; a subnet must fit inside its VPC."""
    with pytest.raises(sqskit.ClientError) as err:
        ec2.create_subnet(VpcId="vpc-00000000000000000", CidrBlock="10.0.1.0/24")
    assert err.value.response["Error"]["Code"] == "InvalidVpcID.NotFound"
    assert err.value.response["Error"]["Message"] == (
        "The vpc ID 'vpc-00000000000000000' does not exist")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    with pytest.raises(sqskit.ClientError) as err:
        ec2.create_subnet(VpcId=vpc, CidrBlock="192.168.0.0/24")
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(sqskit.ClientError) as err:
        ec2.describe_subnets(SubnetIds=["subnet-00000000000000000"])
    assert err.value.response["Error"]["Code"] == "InvalidSubnetID.NotFound"
