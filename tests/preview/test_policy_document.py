"""tools/policy_document.py: aws.iam.get_policy_document rendered as the AWS provider renders it."""

import json
import zlib

from tools.policy_document import render


def test_defaults_single_values_and_reverse_sorted_lists():
    out = render(
        {
            "statements": [
                {
                    "actions": ["s3:GetBucketLocation", "s3:ListAllMyBuckets"],
                    "resources": ["arn:aws:s3:::*"],
                },
                {
                    "sid": "",
                    "effect": "Deny",
                    "notActions": ["iam:*"],
                    "notResources": ["arn:aws:iam::1:role/a"],
                },
            ]
        }
    )
    assert json.loads(out["json"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
                "Resource": "arn:aws:s3:::*",
            },
            {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:iam::1:role/a"},
        ],
    }


def test_key_order_formatting_and_id():
    out = render(
        {
            "policyId": "p1",
            "statements": [
                {"sid": "S", "actions": ["sqs:SendMessage"], "resources": ["arn:aws:sqs:::q"]}
            ],
        }
    )
    assert out["json"].startswith('{\n  "Version": "2012-10-17",\n  "Id": "p1",\n  "Statement"')
    assert out["minifiedJson"] == (
        '{"Version":"2012-10-17","Id":"p1","Statement":[{"Sid":"S",'
        '"Effect":"Allow","Action":"sqs:SendMessage",'
        '"Resource":"arn:aws:sqs:::q"}]}'
    )
    assert out["id"] == str(zlib.crc32(out["json"].encode()))


def test_principals_and_conditions():
    out = render(
        {
            "statements": [
                {
                    "effect": "Deny",
                    "principals": [{"type": "*", "identifiers": ["*"]}],
                    "actions": ["s3:*"],
                    "resources": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                    "conditions": [
                        {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
                    ],
                },
                {
                    "principals": [
                        {"type": "AWS", "identifiers": ["arn:aws:iam::111:root"]},
                        {
                            "type": "AWS",
                            "identifiers": ["arn:aws:iam::222:root", "arn:aws:iam::333:root"],
                        },
                        {"type": "Service", "identifiers": ["lambda.amazonaws.com"]},
                    ],
                    "actions": ["sts:AssumeRole"],
                    "conditions": [
                        {"test": "StringLike", "variable": "s3:prefix", "values": ["one/", "two/"]},
                        {"test": "StringLike", "variable": "s3:prefix", "values": ["three/"]},
                    ],
                },
            ]
        }
    )
    first, second = json.loads(out["json"])["Statement"]
    assert first["Principal"] == "*"
    assert first["Resource"] == ["arn:aws:s3:::b/*", "arn:aws:s3:::b"]
    assert first["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert second["Principal"] == {
        "AWS": ["arn:aws:iam::111:root", "arn:aws:iam::333:root", "arn:aws:iam::222:root"],
        "Service": "lambda.amazonaws.com",
    }
    assert second["Condition"] == {"StringLike": {"s3:prefix": ["one/", "two/", "three/"]}}
    aws_star = render(
        {
            "statements": [
                {"principals": [{"type": "AWS", "identifiers": ["*"]}], "actions": ["s3:GetObject"]}
            ]
        }
    )
    assert json.loads(aws_star["json"])["Statement"][0]["Principal"] == {"AWS": "*"}


def test_source_and_override_documents_merge_by_sid():
    source = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Keep", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"},
                {"Sid": "Replace", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            ],
        }
    )
    override = json.dumps(
        {"Statement": [{"Sid": "Replace", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    )
    out = render(
        {
            "sourcePolicyDocuments": [source],
            "overridePolicyDocuments": [override],
            "statements": [
                {"sid": "Mine", "actions": ["sqs:SendMessage"], "resources": ["arn:aws:sqs:::q"]}
            ],
        }
    )
    statements = json.loads(out["json"])["Statement"]
    assert [s["Sid"] for s in statements] == ["Keep", "Replace", "Mine"]
    assert statements[0]["Action"] == ["s3:GetObject"]  # read back as written, not normalized
    assert statements[1]["Effect"] == "Deny"


def test_no_statements_is_just_a_version():
    assert json.loads(render({})["json"]) == {"Version": "2012-10-17"}
