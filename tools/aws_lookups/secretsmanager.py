"""Secrets Manager secrets and their values.

A secret's ARN is arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX, six random
characters after its name (Secrets Manager User Guide: ARN of a secret; API Reference:
DescribeSecret, GetSecretValue). A version is a UUID with stages (AWSCURRENT). The value stands in
for one stored as the console stores credentials: a JSON object of text.
"""

import json
import re

from tools.aws_lookups.core import CREATED, Aws, filter_values, stable_chars, stable_uuid

SECRET_STRING = json.dumps({"username": "offline-preview", "password": "offline-preview-secret"})
_ARN_NAME = re.compile(r"^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)-[A-Za-z0-9]{6}$")


def secret_arn(aws: Aws, name_or_arn: str) -> str:
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    suffix = stable_chars(aws.account_id, aws.region, "secret", name_or_arn, length=6)
    return aws.arn("secretsmanager", f"secret:{name_or_arn}-{suffix}")


def secret_name(name_or_arn: str) -> str:
    match = _ARN_NAME.match(name_or_arn)
    return match.group(1) if match else name_or_arn


def _secret(aws: Aws, args: dict) -> dict:
    asked = args.get("arn") or args.get("name") or ""
    arn = secret_arn(aws, asked)
    return {
        "id": arn,
        "arn": arn,
        "createdDate": CREATED,
        "description": "",
        "kmsKeyId": "",  # encrypted with the account's aws/secretsmanager key
        "lastChangedDate": CREATED,
        "name": secret_name(asked),
        "policy": "",
        "region": aws.region,
        "tags": dict(args.get("tags") or {}),
    }


def _secret_version(aws: Aws, args: dict) -> dict:
    secret_id = args.get("secretId") or ""
    arn = secret_arn(aws, secret_id)
    stage = args.get("versionStage") or "AWSCURRENT"
    version_id = args.get("versionId") or stable_uuid(arn, stage)
    return {
        "id": f"{secret_id}|{args.get('versionId') or stage}",
        "arn": arn,
        "createdDate": CREATED,
        "region": aws.region,
        "secretArn": arn,
        "secretBinary": "",
        "secretId": secret_id,
        "secretString": SECRET_STRING,
        "versionId": version_id,
        "versionStage": args.get("versionStage"),
        "versionStages": [stage],
    }


def _secrets(aws: Aws, args: dict) -> dict:
    names = filter_values(args).get("name") or ["offline-preview-secret"]
    return {
        "id": aws.region,
        "arns": [secret_arn(aws, name) for name in names],
        "filters": args.get("filters"),
        "names": names,
        "region": aws.region,
    }


PASSWORD_CHARACTERS = {
    "excludeLowercase": "abcdefghijklmnopqrstuvwxyz",
    "excludeUppercase": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "excludeNumbers": "0123456789",
    "excludePunctuation": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
}


def _random_password(aws: Aws, args: dict) -> dict:
    """A stand-in password as GetRandomPassword makes one: 32 characters unless asked for
    another length, of the kinds not excluded, one of each kind when so required."""
    excluded = args.get("excludeCharacters") or ""
    kinds = [
        "".join(c for c in characters if c not in excluded)
        for flag, characters in PASSWORD_CHARACTERS.items()
        if not args.get(flag)
    ]
    kinds = [k for k in kinds if k] + ([" "] if args.get("includeSpace") else [])
    length = int(args.get("passwordLength") or 32)
    seed = (aws.account_id, "password", json.dumps(args, sort_keys=True))
    password = stable_chars(*seed, length=length, alphabet="".join(kinds) or "x")
    if args.get("requireEachIncludedType") is not False:  # GetRandomPassword's default
        firsts = "".join(stable_chars(*seed, kind, length=1, alphabet=kind) for kind in kinds)
        password = (firsts + password)[:length]
    echoed = ["excludeCharacters", "includeSpace", "passwordLength", "requireEachIncludedType"]
    return {
        **{key: args.get(key) for key in [*PASSWORD_CHARACTERS, *echoed]},
        "id": aws.region,
        "randomPassword": password,
        "region": aws.region,
    }


ANSWERS = {
    "aws:secretsmanager/getSecret:getSecret": _secret,
    "aws:secretsmanager/getSecretVersion:getSecretVersion": _secret_version,
    "aws:secretsmanager/getSecrets:getSecrets": _secrets,
    "aws:secretsmanager/getRandomPassword:getRandomPassword": _random_password,
}
