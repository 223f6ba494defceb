"""aws.iam.get_policy_document, offline: the JSON the AWS provider renders for it.

Follows the Terraform AWS provider's aws_iam_policy_document (which Pulumi's function wraps):
Version, Id, Statement in that order; per statement Sid (omitted when empty), Effect (default
Allow), Action, NotAction, Resource, NotResource, Principal, NotPrincipal, Condition; a single value
as a string, several sorted in reverse; principal type "*" with identifier "*" as "*"; conditions
as {test: {variable: value(s)}}; source documents, then the statements, then override documents,
merged by Sid. `json` is indented by two spaces, `minifiedJson` has no whitespace, and `id` is the
CRC-32 of `json`, as the provider computes them.
"""

import json
import zlib
from typing import Any

VERSION = "2012-10-17"


def _one_or_sorted(values: list) -> Any:
    values = [v.replace("&{", "${") if isinstance(v, str) else v for v in values]
    if len(values) == 1:
        return values[0]
    return sorted(values, reverse=True)


def _principals(blocks: list | None) -> Any:
    blocks = [b for b in blocks or [] if isinstance(b, dict)]
    if not blocks:
        return None
    if len(blocks) == 1 and blocks[0].get("type") == "*" and blocks[0].get("identifiers") == ["*"]:
        return "*"
    merged: dict = {}
    for block in blocks:
        merged.setdefault(block.get("type"), []).extend(
            sorted(block.get("identifiers") or [], reverse=True)
        )
    return {kind: (ids[0] if len(ids) == 1 else ids) for kind, ids in sorted(merged.items())}


def _conditions(blocks: list | None) -> Any:
    merged: dict = {}
    for block in blocks or []:
        variables = merged.setdefault(block.get("test"), {})
        variables.setdefault(block.get("variable"), []).extend(block.get("values") or [])
    return {
        test: {
            var: (vals[0] if len(vals) == 1 else vals) for var, vals in sorted(variables.items())
        }
        for test, variables in sorted(merged.items())
    } or None


def _statement(given: dict) -> dict:
    rendered: dict = {}
    if given.get("sid"):
        rendered["Sid"] = given["sid"]
    rendered["Effect"] = given.get("effect") or "Allow"
    for key, name in (
        ("actions", "Action"),
        ("notActions", "NotAction"),
        ("resources", "Resource"),
        ("notResources", "NotResource"),
    ):
        if given.get(key):
            rendered[name] = _one_or_sorted(list(given[key]))
    for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        principal = _principals(given.get(key))
        if principal is not None:
            rendered[name] = principal
    condition = _conditions(given.get("conditions"))
    if condition:
        rendered["Condition"] = condition
    return rendered


def _merge(document: dict, other: dict) -> None:
    if other.get("Id"):
        document["Id"] = other["Id"]
    if other.get("Version", "") > document.get("Version", ""):
        document["Version"] = other["Version"]
    statements = document.setdefault("Statement", [])
    others = other.get("Statement") or []
    for statement in [others] if isinstance(others, dict) else others:
        sid = statement.get("Sid")
        existing = [i for i, s in enumerate(statements) if sid and s.get("Sid") == sid]
        if existing:
            statements[existing[0]] = statement
        else:
            statements.append(statement)


def render(args: dict) -> dict:
    """The function's outputs for its (camelCase) arguments."""
    document: dict = {"Version": args.get("version") or VERSION}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    for source in args.get("sourcePolicyDocuments") or []:
        if source:
            _merge(document, json.loads(source))
    own = {"Statement": [_statement(s) for s in args.get("statements") or []]}
    _merge(document, own)
    for override in args.get("overridePolicyDocuments") or []:
        if override:
            _merge(document, json.loads(override))
    if not document["Statement"]:
        del document["Statement"]
    text = json.dumps(document, indent=2)
    return {
        "json": text,
        "minifiedJson": json.dumps(document, separators=(",", ":")),
        "id": str(zlib.crc32(text.encode())),
        **{k: v for k, v in args.items() if k in ("statements", "version", "policyId")},
    }
