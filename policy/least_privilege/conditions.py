"""Which conditions narrow the resources a statement applies to.

`"Resource": "*"` with `{"StringEquals": {"aws:ResourceTag/team": "payments"}}` applies only to the
resources tagged so (attribute-based access control); with `{"Bool": {"aws:SecureTransport":
"true"}}` it still applies to every resource. A rule that refuses "every resource" must tell the
two apart. The keys below narrow the resources; no other key does.

Keys that name the resources (they narrow every rule that judges "every resource"):
- `aws:ResourceTag/<key>` and the services' own resource-tag keys (`ec2:ResourceTag/<key>`,
  `iam:ResourceTag/<key>`, `ssm:resourceTag/<key>`, ..., RDS's `rds:db-tag/<key>` and the like,
  S3's `s3:ExistingObjectTag/<key>`): IAM User Guide, "Controlling access to AWS resources using
  tags" and each service's condition keys in the Service Authorization Reference.
- service keys whose value is the resource itself, each from the service's page of the Service
  Authorization Reference: SERVICE_KEYS.

Keys that bound the account or organization of the resource (`aws:ResourceAccount`,
`aws:ResourceOrgID`, `aws:ResourceOrgPaths`; IAM User Guide, "AWS global condition context
keys") count as an ARN naming the account (bounds_account): `table/*` of any account becomes one
account's tables, while `*` stays every resource, as `arn:aws:logs:REGION:ACCOUNT:*` does. They
do nothing against privilege escalation, which happens inside the account.

A request tag (`aws:RequestTag/<key>`) narrows only a statement of actions that create the
resources it names (CREATES, `ec2:CreateVolume` on `volume/*`): what they create carries the tag.
Service keys and account keys narrow only with values that name something: none only wildcards,
no ARN pattern covering a whole service (`arn:aws:secretsmanager:*`).

Only conditions that must hold for the statement to apply count: a positive operator
(StringEquals, StringLike, ArnEquals, ArnLike, their IgnoreCase forms, and ForAnyValue: of them,
false when the key is absent) with a value that is not only wildcards; for tag keys also
`Null: false` (the tag must be present) or a wildcard value (the same). `...IfExists` and
ForAllValues: are true when the key is absent, and negated operators (StringNotEquals, ...) allow
everything but the values named: none of them narrows anything. Keys that look related but do
not narrow resources: `aws:RequestTag/*`, `aws:TagKeys` (the request's tags), `iam:PassedToService`
(which service receives a role, not which role), `kms:ViaService`, `s3:prefix` and
`dynamodb:LeadingKeys` (parts of a resource, not which resource), `aws:SourceArn`/`aws:SourceAccount`
(the caller of a service principal).
"""

import re

from .documents import covers_any_resource
from .props import as_list

# Service keys whose value is the resource (or the resource being created), with the action they
# scope and where AWS documents it.
SERVICE_KEYS = {
    # Amazon SES: "ses:FromAddress ... the 'From' address of a message": the sending identity.
    "ses:fromaddress": "the SES identity the email is sent from",
    # Amazon EC2 CreateTags: only on resources being created by the named action.
    "ec2:createaction": "tags only on the resources the named EC2 action creates",
    # AWS Secrets Manager: "secretsmanager:SecretId - the ARN or name of the secret".
    "secretsmanager:secretid": "the secret",
    # AWS KMS: "kms:ResourceAliases - aliases associated with the KMS key".
    "kms:resourcealiases": "the KMS keys with those aliases",
    # AWS Lambda event source mappings: "lambda:FunctionArn".
    "lambda:functionarn": "the function",
    # IAM CreateServiceLinkedRole: "iam:AWSServiceName" names the role that may be created.
    "iam:awsservicename": "the service-linked role of that service",
    # Amazon Redshift Data API: statements owned by the caller.
    "redshift-data:statement-owner-iam-userid": "the caller's own statements",
}
ACCOUNT_KEYS = {"aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths"}
TAG_KEY = re.compile(
    r"^(?:[a-z0-9-]+:resourcetag/.+|rds:[a-z-]+-tag/.+|s3:existingobjecttag/.+)$", re.IGNORECASE
)
POSITIVE = {
    "stringequals",
    "stringequalsignorecase",
    "stringlike",
    "arnequals",
    "arnlike",
}
NAMES = "names"  # narrows to named resources
ACCOUNT = "account"  # bounds the account or organization only


def _operator(name: str) -> tuple:
    """(base operator lowercased, set qualifier) of "ForAnyValue:StringEquals" and the like."""
    qualifier, _, base = name.rpartition(":")
    return base.lower(), qualifier.lower()


def _specific(value) -> bool:
    """A value that names something: not only wildcards, and no ARN pattern covering every
    resource of its service (`arn:aws:secretsmanager:*` names no secret)."""
    if not isinstance(value, str) or not value.strip("*?"):
        return False
    return not (value.lower().startswith("arn") and covers_any_resource(value))


def _scope_of(operator: str, key: str, value) -> str | None:
    base, qualifier = _operator(operator)
    values = as_list(value)
    if not values or not all(isinstance(v, (str, bool)) for v in values):
        return None
    lowered = key.lower()
    is_tag = bool(TAG_KEY.match(key))
    if base == "null":
        # The tag must be present: every value "false".
        present = all(str(v).lower() == "false" for v in values)
        return NAMES if is_tag and present and not qualifier else None
    if base not in POSITIVE or qualifier not in ("", "foranyvalue"):
        return None  # IfExists forms end in "ifexists" and are not in POSITIVE
    if is_tag:
        return NAMES
    if not all(_specific(v) for v in values):  # one broad value lets everything through
        return None
    if lowered in SERVICE_KEYS:
        return NAMES
    if lowered in ACCOUNT_KEYS:
        return ACCOUNT
    return None


def resource_scopes(condition) -> list:
    """[(key, NAMES or ACCOUNT)] for each part of a Condition element that narrows resources."""
    if not isinstance(condition, dict):
        return []
    found = []
    for operator, pairs in condition.items():
        if not isinstance(operator, str) or not isinstance(pairs, dict):
            continue
        for key, value in pairs.items():
            scope = _scope_of(operator, key, value) if isinstance(key, str) else None
            if scope:
                found.append((key, scope))
    return found


REQUEST_TAG = re.compile(r"^aws:requesttag/.+$", re.IGNORECASE)
# Actions whose resource is the one they create, so it cannot be named before the call, each
# with the type of that resource (EC2 User Guide, "Grant permission to tag resources during
# creation"): a required request tag narrows a statement of them on that type only.
CREATES = {
    "ec2:createvolume": "volume",
    "ec2:createsecuritygroup": "security-group",
    "ec2:createlaunchtemplate": "launch-template",
    "ec2:createkeypair": "key-pair",
    "ec2:allocateaddress": "elastic-ip",
    "ec2:createvpc": "vpc",
    "ec2:createsubnet": "subnet",
    "ec2:createinternetgateway": "internet-gateway",
    "ec2:createnatgateway": "natgateway",
    "ec2:createroutetable": "route-table",
}


def _creates_only(actions: list, resources: list) -> bool:
    """Every action is one of CREATES (named exactly: `ec2:Create*` also tags and snapshots)
    and every resource is of the type it creates."""
    types = {CREATES.get(a.lower()) if isinstance(a, str) else None for a in actions}
    if not actions or None in types or len(types) != 1:
        return False
    (created,) = types
    return bool(resources) and all(
        isinstance(r, str) and r.split(":", 5)[-1].startswith(f"{created}/") for r in resources
    )


def narrowing_keys(condition, actions: list | None = None, resources: list | None = None) -> list:
    """Keys of `condition` that narrow the statement's resources to named ones. For a
    statement whose `actions` all create their `resources` (CREATES), a required request tag
    (`aws:RequestTag/<key>`, positive operator) narrows it too: what is created carries that tag
    (IAM User Guide, "Controlling access during AWS requests"; the EBS CSI driver's published
    policy writes ec2:CreateVolume on volume/* so)."""
    found = [key for key, scope in resource_scopes(condition) if scope == NAMES]
    if actions and _creates_only(actions, resources or []) and isinstance(condition, dict):
        for operator, pairs in condition.items():
            base, qualifier = _operator(operator) if isinstance(operator, str) else ("", "")
            if base in POSITIVE and qualifier in ("", "foranyvalue") and isinstance(pairs, dict):
                found += [k for k in pairs if isinstance(k, str) and REQUEST_TAG.match(k)]
    return found


def bounds_account(condition) -> bool:
    """The condition names the resource's account or organization (aws:ResourceAccount...)."""
    return any(scope == ACCOUNT for _, scope in resource_scopes(condition))


def condition_keys(condition) -> list:
    """Every key a Condition element tests, for messages."""
    if not isinstance(condition, dict):
        return []
    return [key for pairs in condition.values() if isinstance(pairs, dict) for key in pairs]
