"""Lookups of existing networking (default VPC, its subnets) and a StackReference."""

import pulumi
import pulumi_aws as aws

net = pulumi.StackReference("acme/network/dev")
vpc_id = "vpc-123"
default_vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [default_vpc.id]}])
for i, subnet in enumerate(subnets.ids):
    aws.ec2.NetworkInterface(f"eni-{i}", subnet_id=subnet)
sg = aws.ec2.SecurityGroup("sg", vpc_id=vpc_id)
pulumi.export("vpc", vpc_id)
