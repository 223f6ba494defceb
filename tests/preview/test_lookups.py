"""Provider functions (lookups of existing infrastructure) answered offline, called as programs
call them, in the shapes AWS documents for what they return.

Each test names the AWS document its expected shapes come from.
"""

import base64
import gzip
import importlib
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tools.aws_functions import ANSWERS, Aws
from tools.program import REPO_ROOT, run_program

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ACCOUNT = "123456789012"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def lookups(tmp_path: Path, body: str, region: str | None = None) -> dict:
    """The exports of a program made of `body`, run offline (strict: an unanswered function
    fails the test)."""
    project = tmp_path / "lookups"
    project.mkdir(exist_ok=True)
    (project / "Pulumi.yaml").write_text("name: lookups-test\nruntime: python\n")
    if region:
        (project / "Pulumi.dev.yaml").write_text(f"config:\n  aws:region: {region}\n")
    program = "import json\nimport pulumi\nimport pulumi_aws as aws\n\n" + textwrap.dedent(body)
    (project / "__main__.py").write_text(program)
    return run_program(project, "dev", strict=True).outputs


def full(pattern: str, value) -> bool:
    return isinstance(value, str) and re.fullmatch(pattern, value) is not None


# --- every answer -------------------------------------------------------------------------------
SAMPLE_ARGS = {
    "aws:route53/getZone:getZone": {"name": "example.com"},
    "aws:acm/getCertificate:getCertificate": {"domain": "example.com"},
    "aws:ssm/getParameter:getParameter": {"name": "/app/db-host"},
    "aws:ssm/getParametersByPath:getParametersByPath": {"path": "/app"},
    "aws:kms/getAlias:getAlias": {"name": "alias/app"},
    "aws:kms/getKey:getKey": {"keyId": "alias/app"},
    "aws:secretsmanager/getSecret:getSecret": {"name": "app/db"},
    "aws:secretsmanager/getSecretVersion:getSecretVersion": {"secretId": "app/db"},
    "aws:iam/getPolicy:getPolicy": {"name": "ReadOnlyAccess"},
    "aws:iam/getRole:getRole": {"name": "app"},
    "aws:iam/getUser:getUser": {"userName": "ci"},
    "aws:iam/getInstanceProfile:getInstanceProfile": {"name": "app"},
    "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": {
        "url": "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"
    },
    "aws:iam/getSessionContext:getSessionContext": {
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/session-1"
    },
    "aws:iam/getPolicyDocument:getPolicyDocument": {
        "statements": [{"actions": ["s3:GetObject"], "resources": ["*"]}]
    },
    "aws:ecr/getRepository:getRepository": {"name": "app"},
    "aws:ecr/getImage:getImage": {"repositoryName": "app", "imageTag": "v1"},
    "aws:eks/getCluster:getCluster": {"name": "platform"},
    "aws:eks/getClusterAuth:getClusterAuth": {"name": "platform"},
    "aws:ec2/getInstanceType:getInstanceType": {"instanceType": "m6g.large"},
    "aws:s3/getBucket:getBucket": {"bucket": "assets"},
}


def _result_class(token: str):
    """The pulumi_aws `Get*Result` class of a function token (aws:MODULE/getName:getName)."""
    module, function = token.split(":")[1].split("/")
    package = "pulumi_aws" if module == "index" else f"pulumi_aws.{module}"
    # From the package, as programs see it (importing pulumi_aws.MODULE.get_x itself would
    # shadow the function get_x with its module).
    return getattr(importlib.import_module(package), "G" + function[1:] + "Result")


def _declared(cls) -> set:
    return {
        getattr(value.fget, "_pulumi_name", name)
        for name, value in vars(cls).items()
        if isinstance(value, property)
    }


@pytest.mark.parametrize("token", sorted(ANSWERS))
def test_each_answer_is_in_the_wire_shape_of_the_functions_result(token):
    # The provider's schema, as pulumi_aws declares it: the @pulumi.getter names of the result.
    declared = _declared(_result_class(token))
    answer = ANSWERS[token](Aws("us-east-1"), dict(SAMPLE_ARGS.get(token, {})))
    assert set(answer) <= declared, f"not in {token}'s result: {set(answer) - declared}"
    assert answer.get("id"), "every result has an id"
    if "region" in declared and token != "aws:index/getRegion:getRegion":
        assert answer["region"] == "us-east-1"


def test_the_public_examples_lookups_are_all_answered():
    # What the Python programs of github.com/pulumi/examples call (see the brief's grep).
    called = {
        "aws:ec2/getRouteTable:getRouteTable",
        "aws:ec2/getAmi:getAmi",
        "aws:route53/getZone:getZone",
        "aws:ecr/getAuthorizationToken:getAuthorizationToken",
        "aws:ecr/getCredentials:getCredentials",
        "aws:ec2/getVpc:getVpc",
        "aws:ec2/getSubnets:getSubnets",
        "aws:ec2/getSubnet:getSubnet",
        "aws:iam/getPolicyDocument:getPolicyDocument",
        "aws:index/getRegion:getRegion",
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getAvailabilityZones:getAvailabilityZones",
    }
    assert called <= set(ANSWERS)


# --- Route 53 and ACM ---------------------------------------------------------------------------
def test_a_hosted_zone_is_found_by_name_or_id_and_takes_records(tmp_path):
    # Route 53 API Reference, GetHostedZone / HostedZone / DelegationSet: the id (Z + 13 to 21
    # upper-case alphanumerics), four name servers across .com/.net/.org/.co.uk; ARN format from
    # the Service Authorization Reference (Route 53): arn:aws:route53:::hostedzone/ID.
    out = lookups(
        tmp_path,
        """
        zone = aws.route53.get_zone(name="Example.COM.")
        again = aws.route53.get_zone(zone_id=zone.zone_id)
        private = aws.route53.get_zone(name="internal.example", private_zone=True)
        aws.route53.Record("www", zone_id=zone.zone_id, name=f"www.{zone.name}", type="A",
                           ttl=60, records=["192.0.2.1"])
        pulumi.export("zone", {"id": zone.id, "zone_id": zone.zone_id, "name": zone.name,
                               "arn": zone.arn, "ns": zone.name_servers,
                               "primary": zone.primary_name_server})
        pulumi.export("again", {"id": again.zone_id, "name": again.name})
        pulumi.export("private", {"id": private.zone_id, "private": private.private_zone})
        pulumi.export("zones", aws.route53.get_zones().ids)
        """,
    )
    zone = out["zone"]
    assert full(r"Z[0-9A-Z]{13,21}", zone["zone_id"]) and zone["id"] == zone["zone_id"]
    assert zone["name"] == "example.com"  # lower-cased, trailing dot stripped, as the provider
    assert zone["arn"] == f"arn:aws:route53:::hostedzone/{zone['zone_id']}"
    assert len(zone["ns"]) == 4 and zone["primary"] == zone["ns"][0]
    assert all(full(r"ns-\d{1,4}\.awsdns-\d{2}\.(com|net|org|co\.uk)", ns) for ns in zone["ns"])
    assert {ns.split(".", 2)[2] for ns in zone["ns"]} == {"com", "net", "org", "co.uk"}
    assert out["again"] == {"id": zone["zone_id"], "name": "example.com"}
    assert out["private"]["private"] is True and out["private"]["id"] != zone["zone_id"]
    assert all(full(r"Z[0-9A-Z]{13,21}", i) for i in out["zones"])


def test_a_certificate_is_found_by_domain(tmp_path):
    # ACM API Reference, DescribeCertificate / CertificateDetail, and the Service Authorization
    # Reference (ACM): arn:aws:acm:REGION:ACCOUNT:certificate/CERTIFICATE_ID (a UUID).
    out = lookups(
        tmp_path,
        """
        east = aws.Provider("us-east-1", region="us-east-1")
        cert = aws.acm.get_certificate(domain="*.example.com", statuses=["ISSUED"],
                                       most_recent=True,
                                       opts=pulumi.InvokeOptions(provider=east))
        local = aws.acm.get_certificate(domain="api.example.com")
        pulumi.export("cert", {"arn": cert.arn, "id": cert.id, "domain": cert.domain,
                               "status": cert.status, "keyTypes": cert.key_types,
                               "pem": cert.certificate})
        pulumi.export("local", local.arn)
        """,
        region="eu-west-1",
    )
    cert = out["cert"]
    assert full(rf"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/{UUID}", cert["arn"])
    assert cert["id"] == cert["arn"] and cert["domain"] == "*.example.com"
    assert cert["status"] == "ISSUED" and cert["keyTypes"] == ["RSA_2048"]
    assert cert["pem"].startswith("-----BEGIN CERTIFICATE-----\n")
    assert full(rf"arn:aws:acm:eu-west-1:{ACCOUNT}:certificate/{UUID}", out["local"])


# --- SSM, Secrets Manager, KMS ------------------------------------------------------------------
def test_ssm_parameters_have_their_names_arns_and_stand_in_values(tmp_path):
    # Systems Manager API Reference, GetParameter / Parameter, and the Service Authorization
    # Reference (Systems Manager): arn:aws:ssm:REGION:ACCOUNT:parameter/NAME-WITHOUT-LEADING-SLASH;
    # public parameters (Systems Manager User Guide, "Discovering public parameters") have no
    # account in their ARN, and the AMI ones hold an AMI id.
    out = lookups(
        tmp_path,
        """
        host = aws.ssm.get_parameter(name="/app/prod/db-host")
        password = aws.ssm.get_parameter(name="/app/prod/db-password")
        plain = aws.ssm.get_parameter(name="feature-flags")
        ami = aws.ssm.get_parameter_output(
            name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")
        tree = aws.ssm.get_parameters_by_path(path="/app/prod", recursive=True)
        pulumi.export("host", {"id": host.id, "name": host.name, "arn": host.arn,
                               "value": host.value, "insecure": host.insecure_value,
                               "type": host.type, "version": host.version})
        pulumi.export("password", {"type": password.type, "insecure": password.insecure_value})
        pulumi.export("plain", plain.arn)
        pulumi.export("ami", {"arn": ami.arn, "value": ami.value})
        pulumi.export("tree", {"names": tree.names, "arns": tree.arns, "values": tree.values})
        """,
    )
    host = out["host"]
    assert host["name"] == host["id"] == "/app/prod/db-host"
    assert host["arn"] == f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/prod/db-host"
    assert host["type"] == "String" and host["version"] == 1
    assert host["value"] == host["insecure"] and host["value"]
    assert out["password"] == {"type": "SecureString", "insecure": None}  # none for SecureStrings
    assert out["plain"] == f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/feature-flags"
    assert out["ami"]["arn"].startswith("arn:aws:ssm:us-east-1::parameter/aws/service/")
    assert full(r"ami-[0-9a-f]{17}", out["ami"]["value"])
    assert all(n.startswith("/app/prod/") for n in out["tree"]["names"])
    assert len(out["tree"]["arns"]) == len(out["tree"]["values"]) == len(out["tree"]["names"])


def test_secrets_and_their_values(tmp_path):
    # Secrets Manager User Guide, "ARN of a secret": the name, a hyphen and six random
    # characters (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX); API Reference,
    # GetSecretValue: SecretString, VersionId (a UUID), VersionStages (AWSCURRENT).
    out = lookups(
        tmp_path,
        """
        secret = aws.secretsmanager.get_secret(name="app/prod/db")
        by_arn = aws.secretsmanager.get_secret(arn=secret.arn)
        value = aws.secretsmanager.get_secret_version(secret_id=secret.id)
        listed = aws.secretsmanager.get_secrets(filters=[{"name": "name", "values": ["app/x"]}])
        password = aws.secretsmanager.get_random_password(password_length=20,
                                                          exclude_punctuation=True)
        pulumi.export("secret", {"arn": secret.arn, "id": secret.id, "name": secret.name})
        pulumi.export("by_arn", by_arn.name)
        pulumi.export("value", {"arn": value.secret_arn, "string": value.secret_string,
                                "version": value.version_id, "stages": value.version_stages})
        pulumi.export("listed", {"names": listed.names, "arns": listed.arns})
        pulumi.export("password", password.random_password)
        """,
    )
    secret = out["secret"]
    pattern = rf"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:app/prod/db-[A-Za-z0-9]{{6}}"
    assert full(pattern, secret["arn"]) and secret["id"] == secret["arn"]
    assert secret["name"] == out["by_arn"] == "app/prod/db"
    assert out["value"]["arn"] == secret["arn"]
    assert isinstance(json.loads(out["value"]["string"]), dict)
    assert full(UUID, out["value"]["version"]) and out["value"]["stages"] == ["AWSCURRENT"]
    assert out["listed"]["names"] == ["app/x"]
    assert full(r"arn:aws:secretsmanager:.*:secret:app/x-[A-Za-z0-9]{6}", out["listed"]["arns"][0])
    assert full(r"[A-Za-z0-9]{20}", out["password"])


def test_kms_aliases_and_keys_agree(tmp_path):
    # AWS KMS Developer Guide, "Key identifiers (KeyId)": key id a UUID, key ARN
    # arn:aws:kms:REGION:ACCOUNT:key/KEY_ID, alias ARN arn:aws:kms:REGION:ACCOUNT:alias/NAME;
    # KMS API Reference, DescribeKey / KeyMetadata (KeyManager, KeyState, KeySpec, KeyUsage).
    out = lookups(
        tmp_path,
        """
        alias = aws.kms.get_alias(name="alias/app-data")
        key = aws.kms.get_key(key_id="alias/app-data")
        by_arn = aws.kms.get_key(key_id=alias.target_key_arn)
        managed = aws.kms.get_key(key_id="alias/aws/s3")
        pulumi.export("alias", {"name": alias.name, "arn": alias.arn, "key": alias.target_key_id,
                                "keyArn": alias.target_key_arn})
        pulumi.export("key", {"id": key.key_id, "arn": key.arn, "manager": key.key_manager,
                              "state": key.key_state, "enabled": key.enabled,
                              "spec": key.key_spec, "usage": key.key_usage})
        pulumi.export("by_arn", by_arn.key_id)
        pulumi.export("managed", managed.key_manager)
        """,
    )
    alias, key = out["alias"], out["key"]
    assert alias["name"] == "alias/app-data"
    assert alias["arn"] == f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/app-data"
    assert full(UUID, alias["key"])
    assert alias["keyArn"] == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{alias['key']}"
    assert key["id"] == alias["key"] == out["by_arn"] and key["arn"] == alias["keyArn"]
    assert (key["manager"], key["state"], key["enabled"]) == ("CUSTOMER", "Enabled", True)
    assert (key["spec"], key["usage"]) == ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    assert out["managed"] == "AWS"


# --- IAM ----------------------------------------------------------------------------------------
def _snapshot_document(name: str) -> dict:
    path = REPO_ROOT / "policy" / "least_privilege" / "data" / "aws_managed_policies.json.gz"
    return json.loads(gzip.decompress(path.read_bytes()))["policies"][name]["document"]


def test_aws_managed_policies_come_with_their_real_documents(tmp_path):
    # AWS Managed Policy Reference Guide: AdministratorAccess allows "*" on "*", ReadOnlyAccess
    # allows read actions; IAM User Guide, "IAM identifiers": policy ids start ANPA, ARNs
    # arn:aws:iam::aws:policy/PATH/NAME for AWS managed policies.
    out = lookups(
        tmp_path,
        """
        admin = aws.iam.get_policy(name="AdministratorAccess")
        read = aws.iam.get_policy(arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        lambda_basic = aws.iam.get_policy(name="AWSLambdaBasicExecutionRole")
        own = aws.iam.get_policy(name="app-deploy", path_prefix="/team/")
        own_arn = aws.iam.get_policy(arn="arn:aws:iam::123456789012:policy/team/app-read")
        for name, p in [("admin", admin), ("read", read), ("lambda", lambda_basic),
                        ("own", own), ("own_arn", own_arn)]:
            pulumi.export(name, {"arn": p.arn, "name": p.name, "path": p.path,
                                 "policy": p.policy, "policyId": p.policy_id})
        """,
    )
    admin, read = out["admin"], out["read"]
    assert admin["arn"] == "arn:aws:iam::aws:policy/AdministratorAccess"
    assert json.loads(admin["policy"])["Statement"] == [
        {"Action": "*", "Effect": "Allow", "Resource": "*"}
    ]
    assert full(r"ANPA[0-9A-Z]{17}", admin["policyId"])
    assert read["name"] == "ReadOnlyAccess" and read["path"] == "/"
    statements = json.loads(read["policy"])["Statement"]
    assert statements and {s["Effect"] for s in statements} == {"Allow"}
    assert json.loads(read["policy"]) == _snapshot_document("ReadOnlyAccess")
    lambda_basic = out["lambda"]
    assert lambda_basic["path"] == "/service-role/"
    assert lambda_basic["arn"] == "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    own = out["own"]
    assert own["arn"] == f"arn:aws:iam::{ACCOUNT}:policy/team/app-deploy"
    assert own["path"] == "/team/" and own["name"] == "app-deploy"
    assert json.loads(own["policy"])["Version"] == "2012-10-17"  # valid, grants nothing
    assert {s["Effect"] for s in json.loads(own["policy"])["Statement"]} == {"Deny"}
    assert (out["own_arn"]["name"], out["own_arn"]["path"]) == ("app-read", "/team/")


def test_roles_users_and_instance_profiles(tmp_path):
    # IAM User Guide, "IAM identifiers": ARNs arn:aws:iam::ACCOUNT:role/NAME, user/NAME,
    # instance-profile/NAME; unique ids AROA (role), AIDA (user), AIPA (instance profile) + 17;
    # IAM API Reference, Role: MaxSessionDuration 3600 by default, CreateDate.
    out = lookups(
        tmp_path,
        """
        role = aws.iam.get_role(name="app-runner")
        user = aws.iam.get_user(user_name="ci")
        profile = aws.iam.get_instance_profile(name="app-runner")
        pulumi.export("role", {"arn": role.arn, "id": role.id, "unique": role.unique_id,
                               "max": role.max_session_duration, "created": role.create_date,
                               "trust": role.assume_role_policy})
        pulumi.export("user", {"arn": user.arn, "id": user.user_id, "name": user.user_name})
        pulumi.export("profile", {"arn": profile.arn, "id": profile.id,
                                  "role": profile.role_arn, "roleId": profile.role_id})
        """,
    )
    role, user, profile = out["role"], out["user"], out["profile"]
    assert role["arn"] == f"arn:aws:iam::{ACCOUNT}:role/app-runner" and role["id"] == "app-runner"
    assert full(r"AROA[0-9A-Z]{17}", role["unique"]) and role["max"] == 3600
    assert full(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", role["created"])
    assert json.loads(role["trust"])["Statement"][0]["Action"] == "sts:AssumeRole"
    assert user["arn"] == f"arn:aws:iam::{ACCOUNT}:user/ci" and user["name"] == "ci"
    assert full(r"AIDA[0-9A-Z]{17}", user["id"])
    assert profile["arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/app-runner"
    assert full(r"AIPA[0-9A-Z]{17}", profile["id"])
    assert (profile["role"], profile["roleId"]) == (role["arn"], role["unique"])


# --- ECR and EKS --------------------------------------------------------------------------------
def test_ecr_repository_image_and_registry_credentials(tmp_path):
    # Amazon ECR User Guide, "Private registry": ACCOUNT.dkr.ecr.REGION.amazonaws.com; ECR API
    # Reference, GetAuthorizationToken / AuthorizationData: authorizationToken is base64 of
    # USER:PASSWORD, user AWS, proxyEndpoint https://REGISTRY; ImageDetail: sha256 digests.
    out = lookups(
        tmp_path,
        """
        repo = aws.ecr.get_repository(name="team/app")
        token = aws.ecr.get_authorization_token_output(registry_id=repo.registry_id)
        creds = aws.ecr.get_credentials(registry_id=repo.registry_id)
        image = aws.ecr.get_image(repository_name="team/app", image_tag="v1.2.3")
        pulumi.export("repo", {"url": repo.repository_url, "arn": repo.arn,
                               "registry": repo.registry_id})
        pulumi.export("token", token.apply(lambda t: {
            "token": t.authorization_token, "user": t.user_name, "password": t.password,
            "endpoint": t.proxy_endpoint}))
        pulumi.export("creds", creds.authorization_token)
        pulumi.export("image", {"digest": image.image_digest, "uri": image.image_uri,
                                "tags": image.image_tags})
        """,
        region="eu-central-1",
    )
    repo, token, image = out["repo"], out["token"], out["image"]
    assert repo["url"] == f"{ACCOUNT}.dkr.ecr.eu-central-1.amazonaws.com/team/app"
    assert repo["arn"] == f"arn:aws:ecr:eu-central-1:{ACCOUNT}:repository/team/app"
    assert repo["registry"] == ACCOUNT
    assert base64.b64decode(token["token"]).decode() == f"AWS:{token['password']}"
    assert token["user"] == "AWS"
    assert token["endpoint"] == f"https://{ACCOUNT}.dkr.ecr.eu-central-1.amazonaws.com"
    assert base64.b64decode(out["creds"]).decode().startswith("AWS:")
    assert full(r"sha256:[0-9a-f]{64}", image["digest"]) and image["tags"] == ["v1.2.3"]
    assert image["uri"] == f"{repo['url']}@{image['digest']}"


def test_an_eks_cluster_and_its_token(tmp_path):
    # EKS API Reference, DescribeCluster / Cluster: endpoint https://ID.gr7.REGION.eks.amazonaws.com
    # (ID 32 upper-case hex), certificateAuthority.data base64 of a PEM certificate,
    # identity.oidc.issuer https://oidc.eks.REGION.amazonaws.com/id/ID, status ACTIVE; ARN
    # arn:aws:eks:REGION:ACCOUNT:cluster/NAME. Tokens: `aws eks get-token` (k8s-aws-v1.).
    out = lookups(
        tmp_path,
        """
        cluster = aws.eks.get_cluster(name="platform")
        auth = aws.eks.get_cluster_auth(name="platform")
        subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id",
                                                "values": [cluster.vpc_config.vpc_id]}])
        pulumi.export("cluster", {
            "arn": cluster.arn, "endpoint": cluster.endpoint, "status": cluster.status,
            "ca": cluster.certificate_authorities[0].data, "version": cluster.version,
            "issuer": cluster.identities[0].oidcs[0].issuer, "role": cluster.role_arn,
            "subnets": cluster.vpc_config.subnet_ids})
        pulumi.export("vpc_subnets", subnets.ids)
        pulumi.export("token", auth.token)
        """,
    )
    cluster = out["cluster"]
    assert cluster["arn"] == f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/platform"
    match = re.fullmatch(
        r"https://([0-9A-F]{32})\.gr7\.us-east-1\.eks\.amazonaws\.com", cluster["endpoint"]
    )
    assert match and cluster["status"] == "ACTIVE"
    assert cluster["issuer"] == f"https://oidc.eks.us-east-1.amazonaws.com/id/{match.group(1)}"
    assert base64.b64decode(cluster["ca"]).decode().startswith("-----BEGIN CERTIFICATE-----")
    assert full(r"1\.\d+", cluster["version"])
    assert full(rf"arn:aws:iam::{ACCOUNT}:role/.+", cluster["role"])
    assert cluster["subnets"] == out["vpc_subnets"]
    token = out["token"]
    assert token.startswith("k8s-aws-v1.")
    url = base64.urlsafe_b64decode(token[len("k8s-aws-v1.") :] + "==").decode()
    assert url.startswith("https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity")


# --- VPC family ---------------------------------------------------------------------------------
def test_the_default_vpc_its_subnets_and_zones_agree(tmp_path):
    # Amazon VPC User Guide, "Default VPCs": 172.31.0.0/16, a /20 default subnet per zone; EC2
    # API Reference, DescribeVpcs / DescribeSubnets, resource ids PREFIX-17 hex digits; ARN
    # arn:aws:ec2:REGION:ACCOUNT:subnet/ID; AWS RAM User Guide, "Availability Zone IDs".
    out = lookups(
        tmp_path,
        """
        zones = aws.get_availability_zones(state="available")
        vpc = aws.ec2.get_vpc(default=True)
        subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
        details = [aws.ec2.get_subnet(id=i) for i in subnets.ids]
        in_b = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]},
                                            {"name": "availability-zone",
                                             "values": [zones.names[1]]}])
        pulumi.export("zones", {"names": zones.names, "ids": zones.zone_ids})
        pulumi.export("vpc", {"id": vpc.id, "cidr": vpc.cidr_block, "default": vpc.default,
                              "arn": vpc.arn, "main": vpc.main_route_table_id})
        pulumi.export("subnets", subnets.ids)
        pulumi.export("details", [{"id": s.id, "vpc": s.vpc_id, "az": s.availability_zone,
                                   "azId": s.availability_zone_id, "cidr": s.cidr_block,
                                   "arn": s.arn, "public": s.map_public_ip_on_launch}
                                  for s in details])
        pulumi.export("in_b", in_b.ids)
        """,
    )
    vpc, details = out["vpc"], out["details"]
    assert full(r"vpc-[0-9a-f]{17}", vpc["id"]) and vpc["default"] is True
    assert vpc["cidr"] == "172.31.0.0/16"
    assert vpc["arn"] == f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc/{vpc['id']}"
    assert full(r"rtb-[0-9a-f]{17}", vpc["main"])
    assert all(full(r"use1-az\d", z) for z in out["zones"]["ids"])
    assert len(out["subnets"]) == len(out["zones"]["names"]) == 3
    assert [d["id"] for d in details] == out["subnets"]
    for detail in details:
        assert full(r"subnet-[0-9a-f]{17}", detail["id"]) and detail["vpc"] == vpc["id"]
        assert detail["arn"] == f"arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/{detail['id']}"
        assert detail["cidr"].startswith("172.31.") and detail["cidr"].endswith("/20")
        assert detail["public"] is True
    assert [d["az"] for d in details] == out["zones"]["names"]
    assert [d["azId"] for d in details] == out["zones"]["ids"]
    assert out["in_b"] == [details[1]["id"]]


def test_a_vpc_found_by_tags_has_them_and_its_own_subnets(tmp_path):
    # EC2 API Reference, DescribeVpcs / DescribeSubnets filters (tag:KEY, cidr, vpc-id).
    out = lookups(
        tmp_path,
        """
        vpc = aws.ec2.get_vpc(tags={"Name": "prod"})
        same = aws.ec2.get_vpc(id=vpc.id)
        by_cidr = aws.ec2.get_vpc(cidr_block="10.20.0.0/16")
        vpcs = aws.ec2.get_vpcs(tags={"Name": "prod"})
        private = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}],
                                      tags={"Tier": "private"})
        one = aws.ec2.get_subnet(id=private.ids[0])
        pulumi.export("vpc", {"id": vpc.id, "tags": vpc.tags, "default": vpc.default,
                              "cidr": vpc.cidr_block})
        pulumi.export("same", {"id": same.id, "tags": same.tags, "cidr": same.cidr_block})
        pulumi.export("by_cidr", by_cidr.cidr_block)
        pulumi.export("vpcs", vpcs.ids)
        pulumi.export("one", {"vpc": one.vpc_id, "tags": one.tags, "cidr": one.cidr_block,
                              "public": one.map_public_ip_on_launch})
        """,
    )
    vpc = out["vpc"]
    assert vpc["tags"] == {"Name": "prod"} and vpc["default"] is False
    assert out["same"] == {"id": vpc["id"], "tags": {"Name": "prod"}, "cidr": vpc["cidr"]}
    assert out["by_cidr"] == "10.20.0.0/16"
    assert out["vpcs"] == [vpc["id"]]
    one = out["one"]
    assert one["vpc"] == vpc["id"] and one["tags"] == {"Tier": "private"}
    assert one["cidr"].startswith("10.0.") and one["public"] is False


def test_security_groups_route_tables_and_gateways(tmp_path):
    # EC2 API Reference: DescribeSecurityGroups (sg-), DescribeRouteTables (rtb-, rtbassoc-),
    # DescribeInternetGateways (igw-, attachments), DescribeNatGateways (nat-, eipalloc-),
    # DescribeVpcEndpoints (vpce-), DescribePrefixLists (pl- + 8 hex), DescribeNetworkInterfaces.
    out = lookups(
        tmp_path,
        """
        vpc = aws.ec2.get_vpc(default=True)
        sg = aws.ec2.get_security_group(name="default", vpc_id=vpc.id)
        groups = aws.ec2.get_security_groups(filters=[{"name": "group-name",
                                                       "values": ["web", "db"]}])
        subnet = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}]).ids[0]
        table = aws.ec2.get_route_table(subnet_id=subnet)
        tables = aws.ec2.get_route_tables(vpc_id=vpc.id)
        igw = aws.ec2.get_internet_gateway(filters=[{"name": "attachment.vpc-id",
                                                     "values": [vpc.id]}])
        nat = aws.ec2.get_nat_gateway(subnet_id=subnet)
        endpoint = aws.ec2.get_vpc_endpoint(vpc_id=vpc.id, service_name="com.amazonaws.us-east-1.s3")
        prefix = aws.ec2.get_prefix_list(name="com.amazonaws.us-east-1.s3")
        eni = aws.ec2.get_network_interface(filters=[{"name": "subnet-id", "values": [subnet]}])
        pulumi.export("subnet", subnet)
        pulumi.export("sg", {"id": sg.id, "arn": sg.arn, "name": sg.name, "vpc": sg.vpc_id})
        pulumi.export("groups", {"ids": groups.ids, "vpcs": groups.vpc_ids})
        pulumi.export("table", {"id": table.id, "vpc": table.vpc_id, "routes": [
            {"cidr": r.cidr_block, "gw": r.gateway_id} for r in table.routes]})
        pulumi.export("tables", tables.ids)
        pulumi.export("igw", {"id": igw.id, "vpc": igw.attachments[0].vpc_id, "arn": igw.arn})
        pulumi.export("nat", {"id": nat.id, "subnet": nat.subnet_id, "alloc": nat.allocation_id,
                              "ip": nat.private_ip})
        pulumi.export("endpoint", {"id": endpoint.id, "type": endpoint.vpc_endpoint_type,
                                   "service": endpoint.service_name,
                                   "prefix": endpoint.prefix_list_id})
        pulumi.export("prefix", {"id": prefix.id, "name": prefix.name})
        pulumi.export("eni", {"id": eni.id, "subnet": eni.subnet_id, "ip": eni.private_ip,
                              "mac": eni.mac_address, "dns": eni.private_dns_name})
        """,
    )
    vpc_hex = r"[0-9a-f]{17}"
    sg = out["sg"]
    assert full(rf"sg-{vpc_hex}", sg["id"]) and sg["name"] == "default"
    assert sg["arn"] == f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{sg['id']}"
    assert len(set(out["groups"]["ids"])) == 2 and set(out["groups"]["vpcs"]) == {sg["vpc"]}
    table = out["table"]
    assert full(rf"rtb-{vpc_hex}", table["id"]) and table["vpc"] == sg["vpc"]
    assert table["id"] in out["tables"]
    assert table["routes"] == [{"cidr": "0.0.0.0/0", "gw": out["igw"]["id"]}]
    assert full(rf"igw-{vpc_hex}", out["igw"]["id"]) and out["igw"]["vpc"] == sg["vpc"]
    assert (
        out["igw"]["arn"] == f"arn:aws:ec2:us-east-1:{ACCOUNT}:internet-gateway/{out['igw']['id']}"
    )
    nat = out["nat"]
    assert full(rf"nat-{vpc_hex}", nat["id"]) and full(rf"eipalloc-{vpc_hex}", nat["alloc"])
    assert nat["subnet"] == out["subnet"] and nat["ip"].startswith("172.31.")
    endpoint = out["endpoint"]
    assert full(rf"vpce-{vpc_hex}", endpoint["id"]) and endpoint["type"] == "Gateway"
    assert endpoint["service"] == "com.amazonaws.us-east-1.s3"
    assert endpoint["prefix"] == out["prefix"]["id"] and full(r"pl-[0-9a-f]{8}", endpoint["prefix"])
    assert out["prefix"]["name"] == "com.amazonaws.us-east-1.s3"
    eni = out["eni"]
    assert full(rf"eni-{vpc_hex}", eni["id"]) and eni["subnet"] == out["subnet"]
    assert full(r"0e(:[0-9a-f]{2}){5}", eni["mac"])
    assert eni["dns"] == f"ip-{eni['ip'].replace('.', '-')}.ec2.internal"


def test_amis_and_instance_types(tmp_path):
    # EC2 API Reference, DescribeImages / Image (ami- + 17 hex, OwnerId, ImageOwnerAlias);
    # ARN format (Service Authorization Reference, EC2): arn:aws:ec2:REGION::image/ID;
    # DescribeInstanceTypes / InstanceTypeInfo (VCpuInfo, MemoryInfo.SizeInMiB, architectures).
    out = lookups(
        tmp_path,
        """
        ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"],
                              filters=[{"name": "name", "values": ["al2023-ami-*-arm64"]}])
        ids = aws.ec2.get_ami_ids(owners=["amazon"],
                                  filters=[{"name": "name", "values": ["al2023-ami-*-arm64"]}])
        small = aws.ec2.get_instance_type(instance_type="t3.micro")
        graviton = aws.ec2.get_instance_type(instance_type="m6g.xlarge")
        arm = aws.ec2.get_instance_types(filters=[{
            "name": "processor-info.supported-architecture", "values": ["arm64"]}])
        pulumi.export("ami", {"id": ami.id, "arn": ami.arn, "owner": ami.owner_id,
                              "alias": ami.image_owner_alias, "name": ami.name,
                              "arch": ami.architecture})
        pulumi.export("ids", ids.ids)
        pulumi.export("small", {"vcpus": small.default_vcpus, "memory": small.memory_size,
                                "arch": small.supported_architectures})
        pulumi.export("graviton", {"vcpus": graviton.default_vcpus,
                                   "memory": graviton.memory_size,
                                   "arch": graviton.supported_architectures})
        pulumi.export("arm", arm.instance_types)
        """,
    )
    ami = out["ami"]
    assert full(r"ami-[0-9a-f]{17}", ami["id"])
    assert ami["arn"] == f"arn:aws:ec2:us-east-1::image/{ami['id']}"
    assert (ami["owner"], ami["alias"], ami["arch"]) == ("137112412989", "amazon", "arm64")
    assert full(r"al2023-ami-\d+-arm64", ami["name"])
    assert out["ids"][0] == ami["id"] and len(out["ids"]) == 2
    assert out["small"] == {"vcpus": 2, "memory": 1024, "arch": ["x86_64"]}
    assert out["graviton"] == {"vcpus": 4, "memory": 16384, "arch": ["arm64"]}
    assert out["arm"] and all(re.fullmatch(r"[a-z]+\d+g[a-z]*\..+", t) for t in out["arm"])


# --- regions, partitions, stability -------------------------------------------------------------
def test_answers_follow_the_region_asked_for_and_its_partition(tmp_path):
    # AWS General Reference, "Amazon Resource Names" (partitions aws, aws-cn, aws-us-gov) and the
    # China regions' endpoints (amazonaws.com.cn).
    out = lookups(
        tmp_path,
        """
        pulumi.export("ssm", aws.ssm.get_parameter(name="/x", region="eu-west-1").arn)
        pulumi.export("repo", aws.ecr.get_repository(name="app").repository_url)
        pulumi.export("cluster", aws.eks.get_cluster(name="c").endpoint)
        pulumi.export("zones", aws.get_availability_zones().zone_ids)
        """,
        region="cn-north-1",
    )
    assert out["ssm"] == f"arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/x"
    assert out["repo"] == f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn/app"
    assert out["cluster"].endswith(".gr7.cn-north-1.eks.amazonaws.com.cn")
    assert out["zones"][0] == "cnn1-az1"


def test_answers_are_the_same_on_every_run(tmp_path):
    # A fresh interpreter (nothing remembered from other lookups) answers as this one does.
    body = """
        vpc = aws.ec2.get_vpc(tags={"Name": "stable"})
        pulumi.export("values", {
            "zone": aws.route53.get_zone(name="example.org").zone_id,
            "secret": aws.secretsmanager.get_secret(name="s").arn,
            "key": aws.kms.get_alias(name="alias/k").target_key_id,
            "subnets": aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}]).ids,
        })
        """
    first = lookups(tmp_path, body)["values"]
    assert lookups(tmp_path, body)["values"] == first
    script = (
        "import json, sys\n"
        "from tools.program import run_program\n"
        "print(json.dumps(run_program(sys.argv[1], 'dev').outputs['values']))\n"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "lookups")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(fresh.stdout.strip().splitlines()[-1]) == first


# --- a program written as real ones are -----------------------------------------------------------
def test_the_lookups_sample_previews_with_every_function_answered(tmp_path):
    # Every lookup of a website, an app and its platform is answered: no unanswered function,
    # and the preview judges the program (exit 0: clean, 1: violations), not its lookups.
    report_path = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "tools.preview", "--dir", str(SAMPLES / "lookups"),
         "--json", str(report_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout + result.stderr
    report = json.loads(report_path.read_text())
    assert report["unansweredFunctions"] == []
    types = {r["type"] for r in report["resources"]}
    assert {"aws:route53/record:Record", "aws:lambda/function:Function"} <= types
