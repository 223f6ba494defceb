"""ECR repositories, images and registry credentials.

A repository's URI is ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME, its ARN
arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME; an image's digest sha256: + 64 hexadecimal
digits; an authorization token the base64 of AWS:PASSWORD, for the registry's https endpoint, valid
12 hours (ECR API Reference: Repository, ImageDetail, AuthorizationData).
"""

import base64
import hashlib

from tools.aws_lookups.core import CREATED_EPOCH, EXPIRES, Aws, stable_hex


def _registry(aws: Aws, args: dict) -> str:
    return args.get("registryId") or aws.account_id


def _repository(aws: Aws, args: dict) -> dict:
    name, registry = args.get("name"), _registry(aws, args)
    return {
        "id": name,
        "name": name,
        "arn": f"arn:{aws.partition}:ecr:{aws.region}:{registry}:repository/{name}",
        "encryptionConfigurations": [{"encryptionType": "AES256", "kmsKey": ""}],
        "imageScanningConfigurations": [{"scanOnPush": False}],
        "imageTagMutability": "MUTABLE",
        "imageTagMutabilityExclusionFilters": [],
        "mostRecentImageTags": ["latest"],
        "region": aws.region,
        "registryId": registry,
        "repositoryUrl": f"{aws.ecr_registry(registry)}/{name}",
        "tags": dict(args.get("tags") or {}),
    }


def _credentials(aws: Aws, registry: str) -> dict:
    # A stand-in for the token's password (a long base64 blob signed for the caller).
    password = base64.b64encode(hashlib.sha512(f"{registry}/{aws.region}".encode()).digest() * 4)
    password = password.decode()
    return {
        "authorizationToken": base64.b64encode(f"AWS:{password}".encode()).decode(),
        "expiresAt": EXPIRES,
        "password": password,
        "proxyEndpoint": f"https://{aws.ecr_registry(registry)}",
        "userName": "AWS",
    }


def _authorization_token(aws: Aws, args: dict) -> dict:
    return {
        **_credentials(aws, _registry(aws, args)),
        "id": aws.region,
        "region": aws.region,
        "registryId": args.get("registryId"),
    }


def _legacy_credentials(aws: Aws, args: dict) -> dict:
    registry = _registry(aws, args)
    return {**_credentials(aws, registry), "id": registry, "registryId": registry}


def _image(aws: Aws, args: dict) -> dict:
    repository, registry = args.get("repositoryName"), _registry(aws, args)
    tag = args.get("imageTag") or ("latest" if not args.get("imageDigest") else None)
    digest = args.get("imageDigest") or "sha256:" + stable_hex(
        registry, aws.region, str(repository), str(tag), length=64
    )
    return {
        "id": digest,
        "imageDigest": digest,
        "imagePushedAt": CREATED_EPOCH,
        "imageSizeInBytes": 50_000_000 + int(digest[-6:], 16),
        "imageTag": args.get("imageTag"),
        "imageTags": [tag] if tag else [],
        "imageUri": f"{aws.ecr_registry(registry)}/{repository}@{digest}",
        "mostRecent": args.get("mostRecent"),
        "region": aws.region,
        "registryId": registry,
        "repositoryName": repository,
    }


ANSWERS = {
    "aws:ecr/getRepository:getRepository": _repository,
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": _authorization_token,
    "aws:ecr/getCredentials:getCredentials": _legacy_credentials,
    "aws:ecr/getImage:getImage": _image,
}
