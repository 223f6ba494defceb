"""IAM policies, roles, users, instance profiles and OIDC providers, and policy documents.

ARNs have no region (arn:PARTITION:iam::ACCOUNT:role/PATH/NAME, policy/..., user/...,
instance-profile/..., oidc-provider/HOST/PATH; AWS managed policies have the account `aws`);
unique ids are a four-letter prefix (AROA roles, AIDA users, ANPA policies, AIPA instance
profiles) and 17 upper-case letters and digits (IAM User Guide: IAM identifiers).

An AWS managed policy looked up by name or ARN has its real document, path and version, read from
the snapshot the policy pack judges attachments by (policy/least_privilege/data); its policy id
is a stand-in (the snapshot does not carry it).
"""

import gzip
import json
import re
from functools import cache
from pathlib import Path

from tools.aws_lookups.core import CREATED, Aws, stable_hex
from tools.policy_document import render as render_policy_document

SNAPSHOT = (
    Path(__file__).resolve().parents[2]
    / "policy"
    / "least_privilege"
    / "data"
    / "aws_managed_policies.json.gz"
)
MANAGED_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy(/(?:.*/)?)([^/]+)$")
# The document of a customer managed policy looked up by name or ARN (or of an AWS managed policy
# newer than the snapshot). Its real one is in the account, which an offline preview cannot read;
# this one is valid and grants nothing, so that a program copying it gets a well-formed policy
# and no rule judges permissions nobody wrote.
UNKNOWN_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "OfflinePreviewUnknownDocument", "Effect": "Deny", "Action": "*", "Resource": "*"}
    ],
}
MAX_SESSION_DURATION = 3600  # seconds: a role's default


@cache
def managed_policies() -> dict:
    """{name: {path, version, updated, document}} of every AWS managed policy in the snapshot."""
    return json.loads(gzip.decompress(SNAPSHOT.read_bytes()))["policies"]


def unique_id(prefix: str, name: str) -> str:
    return prefix + stable_hex(name).upper()


def _managed_entry(aws: Aws, args: dict) -> tuple | None:
    """(path, name, snapshot entry) when the policy asked for is an AWS managed one we know."""
    arn = args.get("arn")
    if arn:
        match = MANAGED_POLICY_ARN.match(arn)
        path, name = (match.group(1), match.group(2)) if match else (None, None)
    else:
        name = args.get("name")
        path = (managed_policies().get(name) or {}).get("path")
        if path and not path.startswith(args.get("pathPrefix") or "/"):
            path = None
    entry = managed_policies().get(name)
    if path is None or entry is None or entry["path"] != path:
        return None
    return path, name, entry


def _iam_policy(aws: Aws, args: dict) -> dict:
    managed = _managed_entry(aws, args)
    if managed:
        path, name, entry = managed
        arn = args.get("arn") or f"arn:{aws.partition}:iam::aws:policy{path}{name}"
        document = entry["document"]
    elif args.get("arn"):
        arn = args["arn"]
        resource = arn.split(":", 5)[-1].removeprefix("policy")
        path, name = resource.rsplit("/", 1)[0] + "/", resource.rsplit("/", 1)[-1]
        document = UNKNOWN_DOCUMENT
    else:
        name, path = args.get("name"), args.get("pathPrefix") or "/"
        arn = aws.arn("iam", f"policy{path}{name}", region=False)
        document = UNKNOWN_DOCUMENT
    return {
        "id": arn,
        "arn": arn,
        "attachmentCount": 0,
        "description": "",
        "name": name,
        "path": path,
        "pathPrefix": args.get("pathPrefix"),
        "policy": json.dumps(document),
        "policyId": unique_id("ANPA", arn),
        "tags": dict(args.get("tags") or {}),
    }


def _iam_role(aws: Aws, args: dict) -> dict:
    name = args.get("name")
    # Who may assume it is the account's business; the account itself stands in.
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": aws.arn("iam", "root", region=False)},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    return {
        "id": name,
        "name": name,
        "arn": aws.arn("iam", f"role/{name}", region=False),
        "assumeRolePolicy": json.dumps(trust),
        "createDate": CREATED,
        "description": "",
        "maxSessionDuration": MAX_SESSION_DURATION,
        "path": "/",
        "permissionsBoundary": "",
        "roleLastUseds": [],
        "tags": dict(args.get("tags") or {}),
        "uniqueId": unique_id("AROA", str(name)),
    }


def _iam_user(aws: Aws, args: dict) -> dict:
    name = args.get("userName")
    user_id = unique_id("AIDA", str(name))
    return {
        "id": user_id,
        "userId": user_id,
        "userName": name,
        "arn": aws.arn("iam", f"user/{name}", region=False),
        "path": "/",
        "permissionsBoundary": "",
        "tags": dict(args.get("tags") or {}),
    }


def _instance_profile(aws: Aws, args: dict) -> dict:
    name = args.get("name")
    profile_id = unique_id("AIPA", str(name))
    return {
        "id": profile_id,
        "name": name,
        "arn": aws.arn("iam", f"instance-profile/{name}", region=False),
        "createDate": CREATED,
        "path": "/",
        "roleArn": aws.arn("iam", f"role/{name}", region=False),  # its role, of the same name
        "roleId": unique_id("AROA", str(name)),
        "roleName": name,
    }


def _open_id_connect_provider(aws: Aws, args: dict) -> dict:
    url = args.get("url") or ""
    arn = args.get("arn") or aws.arn(
        "iam", f"oidc-provider/{url.removeprefix('https://')}", region=False
    )
    return {
        "id": arn,
        "arn": arn,
        "clientIdLists": ["sts.amazonaws.com"],
        "tags": dict(args.get("tags") or {}),
        "thumbprintLists": [stable_hex(arn, "thumbprint", length=40)],
        "url": url.removeprefix("https://") or arn.split("oidc-provider/", 1)[-1],
    }


def _session_context(aws: Aws, args: dict) -> dict:
    """The role behind an assumed-role ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)."""
    arn = args.get("arn") or ""
    match = re.match(r"^arn:([^:]+):sts::(\d+):assumed-role/(.+)/([^/]+)$", arn)
    if not match:
        return {
            "id": arn,
            "arn": arn,
            "issuerArn": arn,
            "issuerId": "",
            "issuerName": "",
            "sessionName": "",
        }
    partition, account, role, session = match.groups()
    return {
        "id": arn,
        "arn": arn,
        "issuerArn": f"arn:{partition}:iam::{account}:role/{role}",
        "issuerId": unique_id("AROA", role.rsplit("/", 1)[-1]),
        "issuerName": role.rsplit("/", 1)[-1],
        "sessionName": session,
    }


ANSWERS = {
    "aws:iam/getPolicyDocument:getPolicyDocument": lambda _aws, args: render_policy_document(args),
    "aws:iam/getPolicy:getPolicy": _iam_policy,
    "aws:iam/getRole:getRole": _iam_role,
    "aws:iam/getUser:getUser": _iam_user,
    "aws:iam/getInstanceProfile:getInstanceProfile": _instance_profile,
    "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": _open_id_connect_provider,
    "aws:iam/getSessionContext:getSessionContext": _session_context,
}
