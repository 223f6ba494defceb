"""KMS keys and aliases.

A key id is a UUID (multi-Region keys: mrk- + 32 hexadecimal digits), its ARN
arn:PARTITION:kms:REGION:ACCOUNT:key/ID; an alias is named alias/NAME, its ARN
arn:PARTITION:kms:REGION:ACCOUNT:alias/NAME (KMS Developer Guide: Key identifiers (KeyId); KMS API
Reference: KeyMetadata, AliasListEntry). A key looked up by alias is the alias's target key;
aliases alias/aws/... name AWS managed keys.
"""

from tools.aws_lookups.core import CREATED, Aws, stable_uuid


def key_id_of_alias(aws: Aws, alias: str) -> str:
    return stable_uuid(aws.account_id, aws.region, "kms", alias)


def _alias_name(name: str) -> str:
    return name if name.startswith("alias/") else f"alias/{name}"


def _alias(aws: Aws, args: dict) -> dict:
    name = _alias_name(args.get("name") or "alias/aws/s3")
    key_id = key_id_of_alias(aws, name)
    arn = aws.arn("kms", name)
    return {
        "id": arn,
        "arn": arn,
        "name": name,
        "region": aws.region,
        "targetKeyArn": aws.arn("kms", f"key/{key_id}"),
        "targetKeyId": key_id,
    }


def _resolve(aws: Aws, asked: str) -> tuple:
    """(the key's Aws, key id, alias or None) for a key id, key ARN, alias name or alias ARN."""
    if asked.startswith("arn:"):
        _, _, _, region, account, resource = asked.split(":", 5)
        aws = Aws(region or aws.region, account or aws.account_id)
        asked = resource
    if asked.startswith("alias/"):
        return aws, key_id_of_alias(aws, asked), asked
    return aws, asked.removeprefix("key/"), None


def _key(aws: Aws, args: dict) -> dict:
    aws, key_id, alias = _resolve(aws, args.get("keyId") or "")
    aws_managed = bool(alias and alias.startswith("alias/aws/"))
    return {
        "id": key_id,
        "keyId": key_id,
        "arn": aws.arn("kms", f"key/{key_id}"),
        "awsAccountId": aws.account_id,
        "cloudHsmClusterId": "",
        "creationDate": CREATED,
        "customKeyStoreId": "",
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "deletionDate": "",
        "description": "",
        "enabled": True,
        "expirationModel": "",
        "grantTokens": args.get("grantTokens"),
        "keyManager": "AWS" if aws_managed else "CUSTOMER",
        "keySpec": "SYMMETRIC_DEFAULT",
        "keyState": "Enabled",
        "keyUsage": "ENCRYPT_DECRYPT",
        "multiRegion": key_id.startswith("mrk-"),
        "multiRegionConfigurations": [],
        "origin": "AWS_KMS",
        "pendingDeletionWindowInDays": 0,
        "region": aws.region,
        "validTo": "",
        "xksKeyConfigurations": [],
    }


ANSWERS = {
    "aws:kms/getAlias:getAlias": _alias,
    "aws:kms/getKey:getKey": _key,
}
