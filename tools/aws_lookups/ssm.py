"""SSM Parameter Store parameters.

A parameter's ARN is arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME, NAME without its leading
slash; AWS's public parameters (/aws/service/...) have no account in theirs (Systems Manager
API Reference: GetParameter, Parameter; Service Authorization Reference: SSM resource types).
Values are stand-ins: public parameters naming an AMI hold an AMI id, names that read as secrets
are SecureStrings (whose value, when not decrypted, is ciphertext), others hold a plain string.
"""

import base64
import hashlib
import json
import re

from tools.aws_lookups.core import Aws, stable_hex

STAND_IN_VALUE = "offline-preview-value"
STAND_IN_SECRET = "offline-preview-secret"
SECRET_WORDS = re.compile(
    r"password|passwd|secret|token|credential|private[-_]?key|api[-_]?key", re.IGNORECASE
)


def parameter_arn(aws: Aws, name: str) -> str:
    if name.startswith("arn:"):
        return name
    public = name.startswith("/aws/service/")
    return aws.arn("ssm", f"parameter/{name.removeprefix('/')}", account=not public)


def _ami_id(aws: Aws, name: str) -> str:
    return f"ami-{stable_hex(aws.region, 'ami', name)}"


def parameter(aws: Aws, name: str, decrypted: bool = True) -> dict:
    """Type and value of the parameter `name`."""
    if name.startswith("/aws/service/") and re.search(r"ami", name):
        if name.endswith("/recommended"):  # the ECS/EKS recommended image, as JSON
            value = json.dumps({"image_id": _ami_id(aws, name), "image_name": name.split("/")[-2]})
            return {"type": "String", "value": value}
        return {"type": "String", "value": _ami_id(aws, name)}
    if SECRET_WORDS.search(name):
        if decrypted:
            return {"type": "SecureString", "value": STAND_IN_SECRET}
        ciphertext = hashlib.sha512(f"{aws.region}/{name}".encode()).digest()
        return {"type": "SecureString", "value": base64.b64encode(ciphertext).decode()}
    return {"type": "String", "value": STAND_IN_VALUE}


def _parameter(aws: Aws, args: dict) -> dict:
    name = args.get("name") or ""
    decrypted = args.get("withDecryption") is not False  # the provider decrypts by default
    found = parameter(aws, name, decrypted)
    return {
        "id": name,
        "arn": parameter_arn(aws, name),
        "name": name,
        **found,
        # The provider fills insecureValue only for parameters that are not SecureStrings.
        "insecureValue": found["value"] if found["type"] != "SecureString" else None,
        "region": aws.region,
        "version": 1,
        "withDecryption": args.get("withDecryption"),
    }


def _parameters_by_path(aws: Aws, args: dict) -> dict:
    path = args.get("path") or "/"
    decrypted = args.get("withDecryption") is not False
    names = [f"{path.rstrip('/')}/{leaf}" for leaf in ("param-1", "param-2")]
    found = [parameter(aws, name, decrypted) for name in names]
    return {
        "id": path,
        "path": path,
        "arns": [parameter_arn(aws, name) for name in names],
        "names": names,
        "recursive": args.get("recursive"),
        "region": aws.region,
        "types": [f["type"] for f in found],
        "values": [f["value"] for f in found],
        "withDecryption": args.get("withDecryption"),
    }


ANSWERS = {
    "aws:ssm/getParameter:getParameter": _parameter,
    "aws:ssm/getParametersByPath:getParametersByPath": _parameters_by_path,
}
