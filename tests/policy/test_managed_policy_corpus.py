"""Every AWS managed policy through the pack, attached and written inline.

The documents are moto's copy of AWS's (moto/iam/aws_managed_policies.py, 1,582 policies in moto
5.2.5), not the pack's snapshot of them. The expected verdicts come from a content rule written
here from AWS's documentation, in code of its own (no pattern matcher, no action catalog, no
import of the pack): it reads the same definition the pack documents (docs/iam-semantics.md) in
a second, plain way, so it catches the pack's machinery going wrong, not a wrong definition. For
that, HAND_VERDICTS holds verdicts decided one policy at a time from their documents.

Content rule ("broad"): an Allow statement whose Action holds "*" or "service:*" (or that uses
NotAction), on every resource (Resource "*", NotResource, an ARN whose resource part is only
wildcards, one of any account whose resource part is a type and wildcards, a wildcard service, a
bucket wildcard for S3), that no condition narrows to some resources, and that no unconditional
Deny of the same document takes back.
- Narrowing conditions (IAM User Guide, "Controlling access to AWS resources using tags" and "AWS
  global condition context keys"; service keys from the Service Authorization Reference): a
  positive string or ARN operator (or ForAnyValue: of one) on a resource-tag key, or on one of
  NARROWING_KEYS with values that name something, or `Null: false` on a resource-tag key. An
  account key (aws:ResourceAccount...) counts as naming the account in the ARN.
- Taken back (IAM User Guide, "Policy evaluation logic": an explicit deny wins): a Deny without
  Condition on Resource "*" whose Action holds "*" or the same value, or whose NotAction names
  nothing of that service.
"""

import json
import re

import pytest
from moto.iam.aws_managed_policies import aws_managed_policies_data

from tests.policy.harness import finding, urn_of
from tools import policy_pack

POLICIES = json.loads(aws_managed_policies_data)
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
INLINE = "aws:iam/policy:Policy"

NARROWING_KEYS = {
    "ses:fromaddress",
    "ec2:createaction",
    "secretsmanager:secretid",
    "kms:resourcealiases",
    "lambda:functionarn",
    "iam:awsservicename",
    "redshift-data:statement-owner-iam-userid",
}
ACCOUNT_KEYS = {"aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths"}
RESOURCE_TAG = re.compile(
    r"^([a-z0-9-]+:resourcetag/|rds:[a-z-]+-tag/|s3:existingobjecttag/)", re.IGNORECASE
)
POSITIVE = {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}

# Decided by reading each document (moto 5.2.5's copy), not by any rule: True when attaching it
# should be refused.
HAND_VERDICTS = {
    "AdministratorAccess": True,  # "*" on "*"
    "PowerUserAccess": True,  # NotAction iam:*, organizations:*, account:* on "*"
    "job-function/SystemAdministrator": True,  # s3:*, sqs:*, ... on "*"
    "AmazonS3FullAccess": True,  # s3:* on "*"
    "AWSLambdaExecute": True,  # logs:* on arn:aws:logs:*:*:*
    "AmazonAPIGatewayAdministrator": True,  # apigateway:* on arn:aws:apigateway:*::/*
    "AWSElementalMediaStoreFullAccess": True,  # mediastore:* on "*"; SecureTransport only
    "ReadOnlyAccess": False,  # Get*, List*, Describe*: no "service:*"
    "AmazonS3ReadOnlyAccess": False,  # s3:Get*, s3:List*
    "AWSLambdaBasicExecutionRole": False,  # three logs actions
    "AWSMarketplaceMeteringFullAccess": False,  # one action, whatever the name says
    "AWSWAFFullAccess": True,  # waf:* on every WAF resource type (webacl/*, rule/*...), any account
    "AmazonConnectServiceLinkedRolePolicy": True,  # connect:* on "*", unconditioned
    "AWSSupportAccess": True,  # support:* on "*"
    "AmazonEC2ReadOnlyAccess": False,  # ec2:Describe*, elasticloadbalancing:Describe*, ...
}


def as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def statements(document: dict) -> list:
    found = document.get("Statement")
    return [found] if isinstance(found, dict) else found


def wildcard_only(text: str) -> bool:
    return bool(text) and set(text) <= {"*", "?"} and "*" in text


def names_something(value: str) -> bool:
    return bool(str(value).strip("*?")) and not every_resource(str(value), False)


def conditions(statement: dict):
    for operator, pairs in (statement.get("Condition") or {}).items():
        qualifier, _, base = operator.lower().rpartition(":")
        for key in pairs:
            yield qualifier, base, key, [str(v) for v in as_list(pairs[key])]


def narrowed(statement: dict) -> bool:
    for qualifier, base, key, values in conditions(statement):
        tag = bool(RESOURCE_TAG.match(key))
        if base == "null" and not qualifier and tag and all(v.lower() == "false" for v in values):
            return True
        positive = base in POSITIVE and qualifier in ("", "foranyvalue")
        named = key.lower() in NARROWING_KEYS and all(names_something(v) for v in values)
        if positive and (tag or named):
            return True
    return False


def account_bound(statement: dict) -> bool:
    return any(
        base in POSITIVE
        and qualifier in ("", "foranyvalue")
        and key.lower() in ACCOUNT_KEYS
        and all(names_something(v) for v in values)
        for qualifier, base, key, values in conditions(statement)
    )


def every_resource(resource: str, bound: bool) -> bool:
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6:  # stops early: "arn:aws:s3:*", "arn:*"
        return wildcard_only(parts[-1])
    _, _, service, _, account, name = parts
    if "*" in service or "?" in service or wildcard_only(name):
        return True
    if service == "s3":
        return wildcard_only(name.split("/")[0])
    rest = name.replace(":", "/").split("/", 1)[-1]
    return account in ("*", "") and not bound and wildcard_only(rest)


def full_wildcards(statement: dict) -> list:
    if "NotAction" in statement:
        return ["*"]
    return [a for a in as_list(statement.get("Action")) if re.fullmatch(r"([^:]+:)?\*+", a)]


def taken_back(document: dict, action: str) -> bool:
    service = action.split(":")[0].lower() if ":" in action else None
    for deny in statements(document):
        if deny.get("Effect") != "Deny" or deny.get("Condition"):
            continue
        if "*" not in as_list(deny.get("Resource")):
            continue
        if "*" in as_list(deny.get("Action")) or action in as_list(deny.get("Action")):
            return True
        if "NotAction" in deny and service:
            named = {a.split(":")[0].lower() for a in as_list(deny["NotAction"])}
            if service not in named:
                return True
    return False


def broad(document: dict) -> bool:
    for statement in statements(document):
        if statement.get("Effect") != "Allow" or narrowed(statement):
            continue
        bound = account_bound(statement)
        every = "NotResource" in statement or any(
            every_resource(r, bound) for r in as_list(statement.get("Resource"))
        )
        actions = [a for a in full_wildcards(statement) if not taken_back(document, a)]
        if every and actions:
            return True
    return False


def wildcard_actions(document: dict) -> bool:
    """What iam-no-wildcard-actions refuses: any Allow of "*", "service:*" or NotAction that a
    Deny does not take back, whatever its resources or conditions."""
    return any(
        statement.get("Effect") == "Allow"
        and [a for a in full_wildcards(statement) if not taken_back(document, a)]
        for statement in statements(document)
    )


def analyze(pack, resource_type: str, name: str, props: dict) -> list:
    struct = policy_pack.to_struct(props)
    return pack.analyze(
        policy_pack.AnalyzedResource(
            urn=urn_of(resource_type, name),
            type=resource_type,
            name=name,
            inputs=struct,
            outputs=struct,
        )
    )


@pytest.fixture(scope="module")
def verdicts(pack):
    pack.configure({})
    found = {}
    for name, entry in POLICIES.items():
        arn = f"arn:aws:iam::aws:policy{entry['Path']}{name}"
        attached = analyze(pack, ATTACHMENT, name, {"role": "app", "policyArn": arn})
        written = analyze(pack, INLINE, name, {"policy": json.dumps(entry["Document"])})
        found[name] = (attached, written)
    return found


def test_the_corpus_is_the_whole_of_aws_managed_policies():
    assert len(POLICIES) >= 1500
    assert {"AdministratorAccess", "ReadOnlyAccess", "SystemAdministrator"} <= set(POLICIES)


@pytest.mark.parametrize("name, refused", sorted(HAND_VERDICTS.items()))
def test_policies_judged_by_hand_get_the_same_verdict(verdicts, name, refused):
    key = name.rsplit("/", 1)[-1]
    assert broad(POLICIES[key]["Document"]) is refused  # the test's rule agrees with the hand
    attached, _ = verdicts[key]
    assert bool(attached) is refused, [finding(v) for v in attached]


def test_an_attached_managed_policy_is_refused_exactly_when_its_document_is_broad(verdicts):
    wrong = {
        name: [finding(v) for v in attached]
        for name, (attached, _) in verdicts.items()
        if bool(attached) != broad(POLICIES[name]["Document"])
    }
    assert wrong == {}
    refused = sum(bool(attached) for attached, _ in verdicts.values())
    # 298 of moto 5.2.5's 1,582. A reading that takes any condition as narrowing and only "*"
    # as every resource counts 282: five more have only aws:SecureTransport,
    # aws:IsMcpServiceAction, deepracer:UserToken or partnercentral:Catalog, which narrow
    # nothing; eleven grant "service:*" on every resource of the service written as an ARN
    # (logs:* on arn:aws:logs:*:*:*, apigateway:* on arn:aws:apigateway:*::/*).
    assert 250 <= refused <= 350
    assert all(v.policy == "iam-no-broad-managed-policies" for a, _ in verdicts.values() for v in a)


def test_written_inline_every_wildcard_action_is_refused_and_nothing_else_by_that_rule(verdicts):
    wrong = {
        name
        for name, (_, written) in verdicts.items()
        if any(v.policy == "iam-no-wildcard-actions" for v in written)
        != wildcard_actions(POLICIES[name]["Document"])
    }
    assert wrong == set()


def test_every_finding_names_its_statement_and_proposes_what_to_write(verdicts):
    for name, (attached, written) in verdicts.items():
        for violation in attached + written:
            message = finding(violation)
            assert "statement" in message, (name, message)
            assert any(
                advice in message
                for advice in (
                    "Instead,",
                    "name ",
                    "Name ",
                    "List ",
                    "list ",
                    "Scope",
                    "scope",
                    "pass only",
                    "narrow",
                )
            ), (name, message)
            assert "the the" not in message and "every the" not in message
