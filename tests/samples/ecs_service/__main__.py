"""A Fargate service: VPC, subnets, security group, ECR image URL, a StackReference to a
network stack and an AMI lookup."""

import json

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
net = pulumi.StackReference(cfg.require("networkStack"))
vpc_id = net.get_output("vpcId")

azs = aws.get_availability_zones(state="available")
vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", enable_dns_hostnames=True)
subnets = [
    aws.ec2.Subnet(f"private-{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24", availability_zone=az)
    for i, az in enumerate(azs.names[:2])
]
sg = aws.ec2.SecurityGroup(
    "svc",
    vpc_id=vpc.id,
    ingress=[{"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["10.0.0.0/16"]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
cluster = aws.ecs.Cluster("cluster")
exec_role = aws.iam.Role(
    "exec",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "exec-policy",
    role=exec_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)
repo = aws.ecr.Repository("app")
logs = aws.cloudwatch.LogGroup("app", retention_in_days=7)
task = aws.ecs.TaskDefinition(
    "app",
    family="app",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=exec_role.arn,
    container_definitions=pulumi.Output.json_dumps(
        [
            {
                "name": "app",
                "image": pulumi.Output.concat(repo.repository_url, ":latest"),
                "portMappings": [{"containerPort": 80}],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": logs.name,
                        "awslogs-region": aws.get_region().region,
                        "awslogs-stream-prefix": "app",
                    },
                },
            }
        ]
    ),
)
svc = aws.ecs.Service(
    "app",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=2,
    launch_type="FARGATE",
    network_configuration={"subnets": [s.id for s in subnets], "security_groups": [sg.id]},
)
ami = aws.ec2.get_ami(
    most_recent=True,
    owners=["amazon"],
    filters=[{"name": "name", "values": ["al2023-ami-*-x86_64"]}],
)
bastion = aws.ec2.Instance("bastion", ami=ami.id, instance_type="t3.micro", subnet_id=subnets[0].id)
pulumi.export("repo", repo.repository_url)
pulumi.export("peerVpc", vpc_id)
pulumi.export("azs", azs.names)
