"""A storefront on infrastructure that already exists: the company's DNS zone and certificate,
configuration in SSM and Secrets Manager, the shared KMS key, the image in ECR, the platform EKS
cluster, and the network team's VPC, subnets and security groups, all found by lookups."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
domain = config.require("domain")
us_east_1 = aws.Provider("us-east-1", region="us-east-1")  # CloudFront certificates live there

# --- the website ---------------------------------------------------------------------------------
zone = aws.route53.get_zone(name=config.require("zone"), private_zone=False)
certificate = aws.acm.get_certificate(
    domain=f"*.{zone.name}",
    statuses=["ISSUED"],
    most_recent=True,
    opts=pulumi.InvokeOptions(provider=us_east_1),
)

site = aws.s3.Bucket("site")
aws.s3.BucketPublicAccessBlock(
    "site",
    bucket=site.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
access = aws.cloudfront.OriginAccessControl(
    "site",
    origin_access_control_origin_type="s3",
    signing_behavior="always",
    signing_protocol="sigv4",
)
cdn = aws.cloudfront.Distribution(
    "site",
    enabled=True,
    aliases=[domain],
    default_root_object="index.html",
    origins=[
        {
            "origin_id": "site",
            "domain_name": site.bucket_regional_domain_name,
            "origin_access_control_id": access.id,
        }
    ],
    default_cache_behavior={
        "target_origin_id": "site",
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": ["GET", "HEAD"],
        "cached_methods": ["GET", "HEAD"],
        "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6",  # Managed-CachingOptimized
    },
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={
        "acm_certificate_arn": certificate.arn,
        "ssl_support_method": "sni-only",
        "minimum_protocol_version": "TLSv1.2_2021",
    },
)
site_policy = aws.iam.get_policy_document_output(
    statements=[
        {
            "sid": "CloudFrontReads",
            "principals": [{"type": "Service", "identifiers": ["cloudfront.amazonaws.com"]}],
            "actions": ["s3:GetObject"],
            "resources": [pulumi.Output.concat(site.arn, "/*")],
            "conditions": [
                {"test": "StringEquals", "variable": "AWS:SourceArn", "values": [cdn.arn]}
            ],
        },
        {
            "sid": "TlsOnly",
            "effect": "Deny",
            "principals": [{"type": "*", "identifiers": ["*"]}],
            "actions": ["s3:*"],
            "resources": [site.arn, pulumi.Output.concat(site.arn, "/*")],
            "conditions": [
                {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
            ],
        },
    ]
)
aws.s3.BucketPolicy("site", bucket=site.id, policy=site_policy.json)
aws.route53.Record(
    "site",
    zone_id=zone.zone_id,
    name=domain,
    type="A",
    aliases=[
        {
            "name": cdn.domain_name,
            "zone_id": cdn.hosted_zone_id,
            "evaluate_target_health": False,
        }
    ],
)

# --- the API: configuration, secrets, the shared key -----------------------------------------------
db_host = aws.ssm.get_parameter(name="/storefront/prod/db-host")
db_secret = aws.secretsmanager.get_secret(name="storefront/prod/db")
db_credentials = aws.secretsmanager.get_secret_version(secret_id=db_secret.id)
data_key = aws.kms.get_alias(name="alias/storefront-data")

# --- the network team's VPC ------------------------------------------------------------------------
vpc = aws.ec2.get_vpc(tags={"Name": "prod"})
private_subnets = aws.ec2.get_subnets(
    filters=[{"name": "vpc-id", "values": [vpc.id]}],
    tags={"Tier": "private"},
)
subnet = aws.ec2.get_subnet(id=private_subnets.ids[0])
database_sg = aws.ec2.get_security_group(vpc_id=vpc.id, name="storefront-db")

api_sg = aws.ec2.SecurityGroup(
    "api",
    vpc_id=vpc.id,
    description="Storefront API functions",
    egress=[
        {
            "protocol": "tcp",
            "from_port": 5432,
            "to_port": 5432,
            "security_groups": [database_sg.id],
        }
    ],
)

# --- the API function, from the image in ECR -------------------------------------------------------
repository = aws.ecr.get_repository(name="storefront/api")
image = aws.ecr.get_image(repository_name=repository.name, image_tag="v1.4.2")

role = aws.iam.Role(
    "api",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
vpc_access = aws.iam.get_policy(name="AWSLambdaVPCAccessExecutionRole")
aws.iam.RolePolicyAttachment("api-vpc", role=role.name, policy_arn=vpc_access.arn)
aws.iam.RolePolicy(
    "api-config",
    role=role.id,
    policy=aws.iam.get_policy_document(
        statements=[
            {"actions": ["ssm:GetParameter"], "resources": [db_host.arn]},
            {"actions": ["secretsmanager:GetSecretValue"], "resources": [db_secret.arn]},
            {"actions": ["kms:Decrypt"], "resources": [data_key.target_key_arn]},
        ]
    ).json,
)
logs = aws.cloudwatch.LogGroup("api", name="/aws/lambda/storefront-api", retention_in_days=30)
api = aws.lambda_.Function(
    "api",
    name="storefront-api",
    package_type="Image",
    image_uri=image.image_uri,
    role=role.arn,
    timeout=10,
    kms_key_arn=data_key.target_key_arn,
    vpc_config={"subnet_ids": private_subnets.ids, "security_group_ids": [api_sg.id]},
    environment={
        "variables": {
            "DB_HOST": db_host.value,
            "DB_SECRET_ARN": db_secret.arn,
            "AVAILABILITY_ZONE": subnet.availability_zone,
        }
    },
    opts=pulumi.ResourceOptions(depends_on=[logs]),
)

# --- the platform cluster, for the team's workloads ------------------------------------------------
cluster = aws.eks.get_cluster(name="platform")
kubeconfig = json.dumps(
    {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": cluster.name,
                "cluster": {
                    "server": cluster.endpoint,
                    "certificate-authority-data": cluster.certificate_authorities[0].data,
                },
            }
        ],
        "users": [{"name": "storefront", "user": {"token": "see aws eks get-token"}}],
        "contexts": [
            {"name": "platform", "context": {"cluster": cluster.name, "user": "storefront"}}
        ],
        "current-context": "platform",
    }
)

pulumi.export("url", f"https://{domain}")
pulumi.export("certificate", certificate.arn)
pulumi.export("nameServers", zone.name_servers)
pulumi.export("image", image.image_uri)
pulumi.export("subnets", private_subnets.ids)
pulumi.export("clusterIssuer", cluster.identities[0].oidcs[0].issuer)
pulumi.export("kubeconfig", pulumi.Output.secret(kubeconfig))
pulumi.export(
    "dbPassword", pulumi.Output.secret(json.loads(db_credentials.secret_string)["password"])
)
