"""A corpus of least-privilege IAM identity-policy documents that a policy checker must accept.

Every document below was written for this project, by hand, in the shape of the AWS page (or the
AWS-maintained project's documented policy) named in its `source`: the same actions, resource
ARN forms and condition keys that page uses, with our own account (123456789012), Regions and
resource names. Nothing is copied from any repository's files. Where a page grants `service:*`,
`Action: "*"` or a whole-service wildcard, the document here lists the individual actions
instead, so that every document is least-privilege on its own terms:

- no `"*"` or `"service:*"` actions, no NotAction and no NotResource;
- Resource `"*"` only for actions that accept nothing else (X-Ray PutTraceSegments, ECR
  GetAuthorizationToken, CloudWatch PutMetricData, the EC2/ELB Describe calls, ...) or where a
  condition narrows the resources the statement reaches (resource tags, ses:FromAddress,
  ec2:CreateAction, iam:AWSServiceName, kms:ResourceAliases, ...);
- a wildcard in an ARN stays inside one resource family of one account, or stands for a part the
  policy cannot name in advance (a stack's unique ID, a task-definition revision, a function's
  versions and aliases), or comes with a condition or policy variable that narrows it (resource
  tags, aws:RequestTag on create actions, ec2:CreateAction, `${aws:username}`), written the
  way the source page writes it (`arn:aws:ec2:*:*:security-group/*`,
  `arn:aws:iam::*:user/${aws:username}`). One exception is kept on purpose: the AWS Load
  Balancer Controller's RegisterTargets/DeregisterTargets statement uses its documented
  `arn:aws:elasticloadbalancing:*:*:targetgroup/*/*` with no condition. ELB has no
  resource-based policies, so in practice that reaches only this account's target groups.

The Service Authorization Reference is followed where it is newer than the example page: e.g.
logs:GetQueryResults takes a log-group ARN and ecs:RegisterTaskDefinition a task-definition
ARN, although the pages cited for them still write "*".

Each entry is {"name", "source", "document"}; `document` is the policy as a dict (json.dumps it
to pass it where a program passes policy text). Used as a false-positive corpus: a good checker
must not refuse any of these.
"""

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "444455556666"  # the account that owns the role of the cross-account example
REGION = "us-east-1"

_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


LEAST_PRIVILEGE = [
    # --- Amazon S3 ---------------------------------------------------------------------------
    {
        "name": "s3-read-one-prefix",
        "source": "Amazon S3 User Guide, 'Allowing an IAM user access to one of your buckets'",
        "document": _doc(
            {
                "Sid": "ListReportsPrefix",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::acme-finance-reports",
                "Condition": {"StringLike": {"s3:prefix": ["reports/", "reports/*"]}},
            },
            {
                "Sid": "ReadReports",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": "arn:aws:s3:::acme-finance-reports/reports/*",
            },
        ),
    },
    {
        "name": "s3-read-write-objects-one-bucket",
        "source": "IAM User Guide, 'Amazon S3: Allows read and write access to objects in an S3 "
        "bucket'",
        "document": _doc(
            {
                "Sid": "ListObjectsInBucket",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::acme-order-uploads",
            },
            {
                "Sid": "AllObjectActions",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": "arn:aws:s3:::acme-order-uploads/*",
            },
        ),
    },
    {
        "name": "s3-home-directory-username",
        "source": "IAM User Guide, 'Amazon S3: Allows IAM users access to their S3 home "
        "directory, programmatically and in the console'",
        "document": _doc(
            {
                "Sid": "ListAllBucketsForConsole",
                "Effect": "Allow",
                "Action": "s3:ListAllMyBuckets",
                "Resource": "*",
            },
            {
                "Sid": "LocateHomeBucket",
                "Effect": "Allow",
                "Action": "s3:GetBucketLocation",
                "Resource": "arn:aws:s3:::acme-user-homes",
            },
            {
                "Sid": "ListOwnHomeDirectory",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::acme-user-homes",
                "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}},
            },
            {
                "Sid": "ObjectsInOwnHomeDirectory",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": [
                    "arn:aws:s3:::acme-user-homes/home/${aws:username}",
                    "arn:aws:s3:::acme-user-homes/home/${aws:username}/*",
                ],
            },
        ),
    },
    {
        "name": "s3-write-only-encrypted-uploads",
        "source": "Amazon S3 User Guide, 'Bucket policy examples using condition keys' "
        "(s3:x-amz-server-side-encryption), written as an identity policy",
        "document": _doc(
            {
                "Sid": "UploadOnlyWithKms",
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::acme-ingest/incoming/*",
                "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
            },
        ),
    },
    {
        "name": "s3-objects-allow-then-deny-delete",
        "source": "IAM User Guide, 'Policy evaluation logic' (an explicit deny overrides an "
        "allow) applied to 'Amazon S3: Allows read and write access to objects in an S3 bucket'",
        "document": _doc(
            {
                "Sid": "ReadWriteArchiveObjects",
                "Effect": "Allow",
                "Action": [
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:DeleteObjectVersion",
                ],
                "Resource": "arn:aws:s3:::acme-audit-archive/*",
            },
            {
                "Sid": "NeverDeleteSealedRecords",
                "Effect": "Deny",
                "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
                "Resource": "arn:aws:s3:::acme-audit-archive/sealed/*",
            },
        ),
    },
    {
        "name": "s3-multipart-upload-one-prefix",
        "source": "Amazon S3 User Guide, 'Multipart upload API and permissions'",
        "document": _doc(
            {
                "Sid": "UploadParts",
                "Effect": "Allow",
                "Action": [
                    "s3:PutObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
                "Resource": "arn:aws:s3:::acme-media-masters/video/*",
            },
            {
                "Sid": "ListInProgressUploads",
                "Effect": "Allow",
                "Action": "s3:ListBucketMultipartUploads",
                "Resource": "arn:aws:s3:::acme-media-masters",
            },
        ),
    },
    {
        "name": "s3-sse-kms-bucket-via-service",
        "source": "AWS KMS Developer Guide, 'kms:ViaService' with the Amazon S3 User Guide, "
        "'Using server-side encryption with AWS KMS keys (SSE-KMS)'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": "arn:aws:s3:::acme-customer-exports/*",
            },
            {
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": _KEY,
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}},
            },
        ),
    },
    # --- Amazon DynamoDB ---------------------------------------------------------------------
    {
        "name": "dynamodb-single-table-crud",
        "source": "IAM User Guide, 'Amazon DynamoDB: Allows access to a specific table'",
        "document": _doc(
            {
                "Sid": "OrdersTableItems",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:DescribeTable",
                ],
                "Resource": [
                    f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders",
                    f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders/index/*",
                ],
            },
        ),
    },
    {
        "name": "dynamodb-leading-keys-cognito-identity",
        "source": "IAM User Guide, 'Amazon DynamoDB: Allows item-level access to DynamoDB based "
        "on an Amazon Cognito ID'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Query",
                ],
                "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/user-preferences",
                "Condition": {
                    "ForAllValues:StringEquals": {
                        "dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"]
                    }
                },
            },
        ),
    },
    {
        "name": "dynamodb-leading-keys-specific-attributes",
        "source": "Amazon DynamoDB Developer Guide, 'Using IAM policy conditions for "
        "fine-grained access control' (dynamodb:LeadingKeys, dynamodb:Attributes, dynamodb:Select)",
        "document": _doc(
            {
                "Sid": "ReadOwnScoresOnly",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
                "Resource": [
                    f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/GameScores",
                    f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/GameScores/index/TopScoreIndex",
                ],
                "Condition": {
                    "ForAllValues:StringEquals": {
                        "dynamodb:LeadingKeys": ["${www.amazon.com:user_id}"],
                        "dynamodb:Attributes": [
                            "UserId",
                            "GameTitle",
                            "TopScore",
                            "TopScoreDateTime",
                        ],
                    },
                    "StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
                },
            },
        ),
    },
    {
        "name": "dynamodb-table-name-prefix-read",
        "source": "Amazon DynamoDB Developer Guide, 'Identity-based policy examples for "
        "DynamoDB' (table ARN patterns)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "dynamodb:Scan",
                    "dynamodb:DescribeTable",
                ],
                "Resource": [
                    f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders*",
                    f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders*/index/*",
                ],
            },
        ),
    },
    {
        "name": "dynamodb-stream-consumer",
        "source": "AWS Lambda Developer Guide, 'Using AWS Lambda with Amazon DynamoDB' "
        "(execution role permissions, shape of AWSLambdaDynamoDBExecutionRole)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                ],
                "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders/stream/*",
            },
            {
                "Effect": "Allow",
                "Action": "dynamodb:ListStreams",
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/orders-stream-handler:*",
            },
        ),
    },
    # --- AWS Lambda --------------------------------------------------------------------------
    {
        "name": "lambda-basic-execution-one-log-group",
        "source": "AWS Lambda Developer Guide, 'Defining Lambda function permissions with an "
        "execution role' (shape of AWSLambdaBasicExecutionRole, scoped to one log group)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "logs:CreateLogGroup",
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/order-processor:*",
            },
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/order-processor:*",
            },
        ),
    },
    {
        "name": "lambda-dynamodb-table-access",
        "source": "IAM User Guide, 'AWS Lambda: Allows a Lambda function to access an Amazon "
        "DynamoDB table'",
        "document": _doc(
            {
                "Sid": "ReadWriteTable",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:BatchGetItem",
                    "dynamodb:GetItem",
                    "dynamodb:Query",
                    "dynamodb:Scan",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                ],
                "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/customer-profiles",
            },
            {
                "Sid": "GetStreamRecords",
                "Effect": "Allow",
                "Action": "dynamodb:GetRecords",
                "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/customer-profiles/stream/*",
            },
            {
                "Sid": "WriteLogStreamsAndGroups",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/profile-sync:*",
            },
            {
                "Sid": "CreateLogGroup",
                "Effect": "Allow",
                "Action": "logs:CreateLogGroup",
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/profile-sync:*",
            },
        ),
    },
    {
        "name": "lambda-invoke-one-function",
        "source": "AWS Lambda Developer Guide, 'Identity-based IAM policies for Lambda' "
        "(function ARNs with and without a qualifier)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": [
                    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:thumbnail-generator",
                    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:thumbnail-generator:*",
                ],
            },
        ),
    },
    {
        "name": "lambda-sqs-event-source",
        "source": "AWS Lambda Developer Guide, 'Using Lambda with Amazon SQS' (shape of "
        "AWSLambdaSQSQueueExecutionRole, scoped to one queue)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ],
                "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:invoice-events",
            },
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/invoice-worker:*",
            },
        ),
    },
    {
        "name": "lambda-deploy-from-ci",
        "source": "AWS Lambda Developer Guide, 'Identity-based IAM policies for Lambda' "
        "(function deployment), as a GitHub Actions OIDC deploy role's permissions",
        "document": _doc(
            {
                "Sid": "UpdateOneFunction",
                "Effect": "Allow",
                "Action": [
                    "lambda:GetFunction",
                    "lambda:GetFunctionConfiguration",
                    "lambda:UpdateFunctionCode",
                    "lambda:UpdateFunctionConfiguration",
                    "lambda:PublishVersion",
                    "lambda:UpdateAlias",
                ],
                "Resource": [
                    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders-api",
                    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders-api:*",
                ],
            },
            {
                "Sid": "ReadBuildArtifact",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::acme-build-artifacts/orders-api/*",
            },
        ),
    },
    # --- Amazon SQS / Amazon SNS -------------------------------------------------------------
    {
        "name": "sqs-consume-one-queue",
        "source": "Amazon SQS Developer Guide, 'Using identity-based policies with Amazon SQS'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                    "sqs:GetQueueUrl",
                ],
                "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:shipment-requests",
            },
        ),
    },
    {
        "name": "sqs-send-kms-encrypted-queue",
        "source": "Amazon SQS Developer Guide, 'Key management' (producer permissions for a "
        "queue encrypted with a customer managed key)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": ["sqs:SendMessage", "sqs:GetQueueUrl"],
                "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:payment-events.fifo",
            },
            {
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": _KEY,
                "Condition": {"StringEquals": {"kms:ViaService": f"sqs.{REGION}.amazonaws.com"}},
            },
        ),
    },
    {
        "name": "sns-publish-one-topic",
        "source": "Amazon SNS Developer Guide, 'Example cases for Amazon SNS access control' "
        "(publish to a topic)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "sns:Publish",
                "Resource": f"arn:aws:sns:{REGION}:{ACCOUNT}:order-notifications",
            },
        ),
    },
    {
        "name": "sns-publish-encrypted-topic",
        "source": "Amazon SNS Developer Guide, 'Data encryption' (publisher permissions for a "
        "topic encrypted with a customer managed key)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "sns:Publish",
                "Resource": f"arn:aws:sns:{REGION}:{ACCOUNT}:fraud-alerts",
            },
            {
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": _KEY,
                "Condition": {"StringEquals": {"kms:ViaService": f"sns.{REGION}.amazonaws.com"}},
            },
        ),
    },
    # --- AWS KMS -----------------------------------------------------------------------------
    {
        "name": "kms-decrypt-via-secrets-manager",
        "source": "AWS KMS Developer Guide, 'kms:ViaService' condition key example",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": _KEY,
                "Condition": {
                    "StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}
                },
            },
        ),
    },
    {
        "name": "kms-key-user-one-key",
        "source": "AWS KMS Developer Guide, 'Default key policy: Allows key users to use the "
        "KMS key', written as an identity policy on one key",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncryptFrom",
                    "kms:ReEncryptTo",
                    "kms:GenerateDataKey",
                    "kms:GenerateDataKeyWithoutPlaintext",
                    "kms:DescribeKey",
                ],
                "Resource": _KEY,
            },
        ),
    },
    {
        "name": "kms-decrypt-by-alias",
        "source": "AWS KMS Developer Guide, 'Use aliases to control access to KMS keys' "
        "(kms:ResourceAliases)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": f"arn:aws:kms:*:{ACCOUNT}:key/*",
                "Condition": {
                    "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/payments-data"}
                },
            },
        ),
    },
    {
        "name": "kms-abac-resource-tag",
        "source": "AWS KMS Developer Guide, 'Use tags to control access to KMS keys' "
        "(aws:ResourceTag)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*",
                "Condition": {"StringEquals": {"aws:ResourceTag/Project": "Alpha"}},
            },
        ),
    },
    # --- AWS Secrets Manager -----------------------------------------------------------------
    {
        "name": "secretsmanager-read-one-secret",
        "source": "AWS Secrets Manager User Guide, 'Permissions policy examples' (read one secret)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/orders/db-AbCdEf",
            },
        ),
    },
    {
        "name": "secretsmanager-rotation-function",
        "source": "AWS Secrets Manager User Guide, 'Lambda rotation function execution role "
        "permissions for AWS Secrets Manager'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/orders/db-AbCdEf",
            },
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetRandomPassword",
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": _KEY,
            },
        ),
    },
    # --- AWS Systems Manager -----------------------------------------------------------------
    {
        "name": "ssm-parameters-by-path",
        "source": "AWS Systems Manager User Guide, 'Restricting access to Parameter Store "
        "parameters using IAM policies'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "ssm:GetParameter",
                    "ssm:GetParameters",
                    "ssm:GetParametersByPath",
                ],
                "Resource": [
                    f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/prod/orders",
                    f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/prod/orders/*",
                ],
            },
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": _KEY,
                "Condition": {"StringEquals": {"kms:ViaService": f"ssm.{REGION}.amazonaws.com"}},
            },
        ),
    },
    {
        "name": "ssm-session-manager-tagged-instances",
        "source": "AWS Systems Manager User Guide, 'Sample IAM policies for Session Manager' "
        "(end user policy, instances by tag)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "ssm:StartSession",
                "Resource": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/*",
                "Condition": {"StringLike": {"ssm:resourceTag/Team": ["WebServers"]}},
            },
            {
                "Effect": "Allow",
                "Action": "ssm:StartSession",
                "Resource": f"arn:aws:ssm:{REGION}:{ACCOUNT}:document/SSM-SessionManagerRunShell",
            },
            {
                "Effect": "Allow",
                "Action": ["ssm:TerminateSession", "ssm:ResumeSession"],
                "Resource": f"arn:aws:ssm:{REGION}:{ACCOUNT}:session/${{aws:username}}-*",
            },
        ),
    },
    {
        "name": "ssm-managed-instance-core",
        "source": "AWS Systems Manager User Guide, 'Configure instance permissions required for "
        "Systems Manager' (shape of AmazonSSMManagedInstanceCore)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "ssm:UpdateInstanceInformation",
                    "ssm:ListInstanceAssociations",
                    "ssm:UpdateInstanceAssociationStatus",
                ],
                "Resource": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/*",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                    "ec2messages:AcknowledgeMessage",
                    "ec2messages:DeleteMessage",
                    "ec2messages:FailMessage",
                    "ec2messages:GetEndpoint",
                    "ec2messages:GetMessages",
                    "ec2messages:SendReply",
                ],
                "Resource": "*",
            },
        ),
    },
    # --- Amazon CloudWatch, CloudWatch Logs, AWS X-Ray ---------------------------------------
    {
        "name": "logs-wildcard-partition-app-groups",
        "source": "AWS managed policy reference (ARNs written with a wildcard partition, e.g. "
        "arn:*:logs:...) with the CloudWatch Logs User Guide, 'Identity-based policy examples'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "logs:DescribeLogStreams",
                ],
                "Resource": f"arn:*:logs:{REGION}:{ACCOUNT}:log-group:/app/*",
            },
        ),
    },
    {
        "name": "logs-insights-query-one-group",
        "source": "Amazon CloudWatch Logs User Guide, 'Using identity-based policies (IAM "
        "policies) for CloudWatch Logs' (Logs Insights queries), with the Service Authorization "
        "Reference's resource types (GetQueryResults takes a log-group; StopQuery and "
        'DescribeQueries only "*")',
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "logs:StartQuery",
                    "logs:GetQueryResults",
                    "logs:FilterLogEvents",
                    "logs:GetLogEvents",
                    "logs:DescribeLogStreams",
                ],
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders-api:*",
            },
            {
                "Effect": "Allow",
                "Action": ["logs:StopQuery", "logs:DescribeQueries"],
                "Resource": "*",
            },
        ),
    },
    {
        "name": "cloudwatch-put-metric-data-namespace",
        "source": "Amazon CloudWatch User Guide, 'Using condition keys to limit access to "
        "CloudWatch namespaces'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": "OrdersService"}},
            },
        ),
    },
    {
        "name": "xray-write-traces",
        "source": "AWS X-Ray Developer Guide, 'Identity and access management for AWS X-Ray' "
        '(shape of AWSXrayWriteOnlyAccess; these actions accept only "*")',
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:GetSamplingStatisticSummaries",
                ],
                "Resource": "*",
            },
        ),
    },
    {
        "name": "fluent-bit-cloudwatch-and-firehose",
        "source": "aws-for-fluent-bit / amazon-cloudwatch-logs-for-fluent-bit README (IAM "
        "permissions for the cloudwatch_logs and kinesis_firehose outputs)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                    "logs:PutRetentionPolicy",
                ],
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/eks/prod/containers:*",
            },
            {
                "Effect": "Allow",
                "Action": "firehose:PutRecordBatch",
                "Resource": f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/eks-prod-logs",
            },
        ),
    },
    # --- Amazon ECR / Amazon ECS -------------------------------------------------------------
    {
        "name": "ecr-pull-one-repository",
        "source": "Amazon ECR User Guide, 'Private repository policy examples' and "
        "'Registry authentication' (GetAuthorizationToken accepts only \"*\")",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "ecr:GetAuthorizationToken",
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                ],
                "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/orders-api",
            },
        ),
    },
    {
        "name": "ecr-push-github-actions",
        "source": "aws-actions/amazon-ecr-login README (permissions to push to one repository) "
        "for a GitHub Actions OIDC deploy role",
        "document": _doc(
            {
                "Sid": "GetAuthorizationToken",
                "Effect": "Allow",
                "Action": "ecr:GetAuthorizationToken",
                "Resource": "*",
            },
            {
                "Sid": "PushOneRepository",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:CompleteLayerUpload",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:InitiateLayerUpload",
                    "ecr:PutImage",
                    "ecr:UploadLayerPart",
                ],
                "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/orders-api",
            },
        ),
    },
    {
        "name": "ecs-task-execution-role",
        "source": "Amazon ECS Developer Guide, 'Amazon ECS task execution IAM role' (with the "
        "Secrets Manager and Systems Manager secrets permissions)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "ecr:GetAuthorizationToken",
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                ],
                "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/orders-api",
            },
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/orders-api:*",
            },
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/orders/db-AbCdEf",
            },
            {
                "Effect": "Allow",
                "Action": "ssm:GetParameters",
                "Resource": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/prod/orders/*",
            },
        ),
    },
    {
        "name": "ecs-deploy-service-github-actions",
        "source": "aws-actions/amazon-ecs-deploy-task-definition README (permissions), for a "
        "GitHub Actions OIDC deploy role; RegisterTaskDefinition scoped to one family, as the "
        'Service Authorization Reference allows (the README\'s "*" predates that)',
        "document": _doc(
            {
                "Sid": "RegisterTaskDefinition",
                "Effect": "Allow",
                "Action": "ecs:RegisterTaskDefinition",
                "Resource": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/orders-api:*",
            },
            {
                "Sid": "DescribeTaskDefinition",
                "Effect": "Allow",
                "Action": "ecs:DescribeTaskDefinition",
                "Resource": "*",
            },
            {
                "Sid": "PassRolesInTaskDefinition",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": [
                    f"arn:aws:iam::{ACCOUNT}:role/orders-api-task-role",
                    f"arn:aws:iam::{ACCOUNT}:role/orders-api-execution-role",
                ],
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            },
            {
                "Sid": "DeployService",
                "Effect": "Allow",
                "Action": ["ecs:UpdateService", "ecs:DescribeServices"],
                "Resource": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/orders-api",
            },
        ),
    },
    # --- Amazon EKS and its add-ons ----------------------------------------------------------
    {
        "name": "eks-describe-one-cluster",
        "source": "Amazon EKS User Guide, 'Amazon EKS identity-based policy examples' (allow "
        "users to describe a cluster for kubeconfig)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": ["eks:DescribeCluster", "eks:AccessKubernetesApi"],
                "Resource": f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/prod",
            },
        ),
    },
    {
        "name": "lb-controller-security-group-tags",
        "source": "AWS Load Balancer Controller, docs/install/iam_policy.json (ec2:CreateTags "
        "and ec2:DeleteTags on security groups)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "ec2:CreateTags",
                "Resource": "arn:aws:ec2:*:*:security-group/*",
                "Condition": {
                    "StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"},
                    "Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"},
                },
            },
            {
                "Effect": "Allow",
                "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
                "Resource": "arn:aws:ec2:*:*:security-group/*",
                "Condition": {
                    "Null": {
                        "aws:RequestTag/elbv2.k8s.aws/cluster": "true",
                        "aws:ResourceTag/elbv2.k8s.aws/cluster": "false",
                    }
                },
            },
            {
                "Effect": "Allow",
                "Action": [
                    "ec2:AuthorizeSecurityGroupIngress",
                    "ec2:RevokeSecurityGroupIngress",
                    "ec2:DeleteSecurityGroup",
                ],
                "Resource": "*",
                "Condition": {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}},
            },
        ),
    },
    {
        "name": "lb-controller-load-balancer-tags",
        "source": "AWS Load Balancer Controller, docs/install/iam_policy.json (Describe calls, "
        "the service-linked role, and tagging its own load balancers and target groups)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "iam:CreateServiceLinkedRole",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}
                },
            },
            {
                "Effect": "Allow",
                "Action": [
                    "ec2:DescribeAccountAttributes",
                    "ec2:DescribeAvailabilityZones",
                    "ec2:DescribeInstances",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeTags",
                    "ec2:DescribeVpcs",
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeLoadBalancerAttributes",
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTags",
                    "elasticloadbalancing:DescribeTargetGroupAttributes",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetHealth",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                "Resource": [
                    "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
                    "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
                    "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
                ],
                "Condition": {
                    "Null": {
                        "aws:RequestTag/elbv2.k8s.aws/cluster": "true",
                        "aws:ResourceTag/elbv2.k8s.aws/cluster": "false",
                    }
                },
            },
            {
                "Effect": "Allow",
                "Action": [
                    "elasticloadbalancing:ModifyLoadBalancerAttributes",
                    "elasticloadbalancing:SetSecurityGroups",
                    "elasticloadbalancing:SetSubnets",
                    "elasticloadbalancing:DeleteLoadBalancer",
                    "elasticloadbalancing:ModifyTargetGroup",
                    "elasticloadbalancing:ModifyTargetGroupAttributes",
                    "elasticloadbalancing:DeleteTargetGroup",
                ],
                "Resource": "*",
                "Condition": {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}},
            },
            {
                "Effect": "Allow",
                "Action": [
                    "elasticloadbalancing:RegisterTargets",
                    "elasticloadbalancing:DeregisterTargets",
                ],
                "Resource": "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
            },
        ),
    },
    {
        "name": "external-dns-one-hosted-zone",
        "source": "external-dns, docs/tutorials/aws.md (IAM policy, narrowed to one hosted zone)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "route53:ChangeResourceRecordSets",
                    "route53:ListResourceRecordSets",
                    "route53:ListTagsForResource",
                ],
                "Resource": "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
            },
            {
                "Effect": "Allow",
                "Action": "route53:ListHostedZones",
                "Resource": "*",
            },
        ),
    },
    {
        "name": "cluster-autoscaler-tagged-groups",
        "source": "kubernetes/autoscaler, cluster-autoscaler/cloudprovider/aws/README.md "
        "('Full Cluster Autoscaler Features Policy', tag-based)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "autoscaling:SetDesiredCapacity",
                    "autoscaling:TerminateInstanceInAutoScalingGroup",
                ],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
                        "aws:ResourceTag/k8s.io/cluster-autoscaler/prod": "owned",
                    }
                },
            },
            {
                "Effect": "Allow",
                "Action": "eks:DescribeNodegroup",
                "Resource": f"arn:aws:eks:{REGION}:{ACCOUNT}:nodegroup/prod/*",
            },
        ),
    },
    {
        "name": "ebs-csi-driver-tagged-volumes",
        "source": "aws-ebs-csi-driver, docs/example-iam-policy.json (shape of "
        "AmazonEBSCSIDriverPolicy)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "ec2:DescribeAvailabilityZones",
                    "ec2:DescribeInstances",
                    "ec2:DescribeSnapshots",
                    "ec2:DescribeTags",
                    "ec2:DescribeVolumes",
                    "ec2:DescribeVolumesModifications",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": "ec2:CreateTags",
                "Resource": ["arn:aws:ec2:*:*:volume/*", "arn:aws:ec2:*:*:snapshot/*"],
                "Condition": {
                    "StringEquals": {"ec2:CreateAction": ["CreateVolume", "CreateSnapshot"]}
                },
            },
            {
                "Effect": "Allow",
                "Action": "ec2:CreateVolume",
                "Resource": "arn:aws:ec2:*:*:volume/*",
                "Condition": {"StringLike": {"aws:RequestTag/ebs.csi.aws.com/cluster": "true"}},
            },
            {
                "Effect": "Allow",
                "Action": ["ec2:AttachVolume", "ec2:DetachVolume", "ec2:ModifyVolume"],
                "Resource": "arn:aws:ec2:*:*:volume/*",
                "Condition": {"StringLike": {"ec2:ResourceTag/ebs.csi.aws.com/cluster": "true"}},
            },
            {
                "Effect": "Allow",
                "Action": ["ec2:AttachVolume", "ec2:DetachVolume"],
                "Resource": "arn:aws:ec2:*:*:instance/*",
                "Condition": {"StringEquals": {"aws:ResourceTag/eks:cluster-name": "prod"}},
            },
            {
                "Effect": "Allow",
                "Action": "ec2:DeleteVolume",
                "Resource": "arn:aws:ec2:*:*:volume/*",
                "Condition": {"StringLike": {"ec2:ResourceTag/ebs.csi.aws.com/cluster": "true"}},
            },
        ),
    },
    # --- AWS Step Functions / Amazon EventBridge ---------------------------------------------
    {
        "name": "stepfunctions-invoke-named-functions",
        "source": "AWS Step Functions Developer Guide, 'IAM policies for invoking AWS Lambda "
        "functions' (static resources)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": [
                    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:validate-order",
                    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:validate-order:*",
                    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:charge-card",
                    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:charge-card:*",
                ],
            },
        ),
    },
    {
        "name": "stepfunctions-start-one-state-machine",
        "source": "AWS Step Functions Developer Guide, 'Creating granular permissions for "
        "non-admin users' (state machine and execution ARNs)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "states:StartExecution",
                "Resource": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:order-workflow",
            },
            {
                "Effect": "Allow",
                "Action": ["states:DescribeExecution", "states:GetExecutionHistory"],
                "Resource": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:order-workflow:*",
            },
        ),
    },
    {
        "name": "stepfunctions-ecs-run-task-sync",
        "source": "AWS Step Functions Developer Guide, 'IAM policies for Amazon ECS/AWS "
        "Fargate' (Run a Job (.sync), static resources)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "ecs:RunTask",
                "Resource": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/monthly-billing:7",
            },
            {
                "Effect": "Allow",
                "Action": ["ecs:StopTask", "ecs:DescribeTasks"],
                "Resource": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/batch/*",
            },
            {
                "Effect": "Allow",
                "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                "Resource": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventsForECSTaskRule",
            },
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": [
                    f"arn:aws:iam::{ACCOUNT}:role/monthly-billing-task-role",
                    f"arn:aws:iam::{ACCOUNT}:role/monthly-billing-execution-role",
                ],
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            },
        ),
    },
    {
        "name": "eventbridge-put-events-one-bus",
        "source": "Amazon EventBridge User Guide, 'Using identity-based policies for "
        "EventBridge' (PutEvents to a custom bus)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "events:PutEvents",
                "Resource": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/orders",
            },
        ),
    },
    {
        "name": "eventbridge-manage-rules-on-bus",
        "source": "Amazon EventBridge User Guide, 'Using IAM policy conditions in Amazon "
        "EventBridge' (rules on one bus, events:TargetArn)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "events:PutRule",
                    "events:DeleteRule",
                    "events:DescribeRule",
                    "events:EnableRule",
                    "events:DisableRule",
                    "events:ListTargetsByRule",
                    "events:RemoveTargets",
                ],
                "Resource": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/orders/orders-*",
            },
            {
                "Effect": "Allow",
                "Action": "events:PutTargets",
                "Resource": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/orders/orders-*",
                "Condition": {
                    "ArnLike": {
                        "events:TargetArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders-*"
                    }
                },
            },
        ),
    },
    # --- Amazon Kinesis / Amazon Data Firehose -----------------------------------------------
    {
        "name": "kinesis-producer-one-stream",
        "source": "Amazon Kinesis Data Streams Developer Guide, 'Controlling access to Amazon "
        "Kinesis Data Streams resources using IAM' (producer)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "kinesis:PutRecord",
                    "kinesis:PutRecords",
                    "kinesis:DescribeStreamSummary",
                ],
                "Resource": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/clickstream",
            },
        ),
    },
    {
        "name": "kinesis-kcl-consumer",
        "source": "Amazon Kinesis Data Streams Developer Guide, 'IAM permissions required for "
        "KCL consumer applications'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:ListShards",
                ],
                "Resource": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/clickstream",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "dynamodb:CreateTable",
                    "dynamodb:DescribeTable",
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Scan",
                ],
                "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/clickstream-aggregator",
            },
            {
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": "clickstream-aggregator"}},
            },
        ),
    },
    {
        "name": "firehose-s3-destination-role",
        "source": "Amazon Data Firehose Developer Guide, 'Grant Firehose access to an Amazon S3 "
        "destination'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "s3:AbortMultipartUpload",
                    "s3:GetBucketLocation",
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:ListBucketMultipartUploads",
                    "s3:PutObject",
                ],
                "Resource": ["arn:aws:s3:::acme-log-lake", "arn:aws:s3:::acme-log-lake/*"],
            },
            {
                "Effect": "Allow",
                "Action": "logs:PutLogEvents",
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/kinesisfirehose/app-logs:log-stream:*",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "kinesis:DescribeStream",
                    "kinesis:GetShardIterator",
                    "kinesis:GetRecords",
                ],
                "Resource": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/app-logs-source",
            },
        ),
    },
    # --- Amazon SES / Amazon Cognito / Amazon API Gateway ------------------------------------
    {
        "name": "ses-send-from-one-address",
        "source": "Amazon SES Developer Guide, 'Controlling access to Amazon SES' "
        "(ses:FromAddress condition)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                "Resource": "*",
                "Condition": {"StringEquals": {"ses:FromAddress": "noreply@example.com"}},
            },
        ),
    },
    {
        "name": "ses-send-from-verified-identity",
        "source": "Amazon SES Developer Guide, 'Controlling access to Amazon SES' (identity "
        "ARNs in the Resource)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": ["ses:SendEmail", "ses:SendTemplatedEmail"],
                "Resource": [
                    f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/example.com",
                    f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/transactional",
                ],
            },
        ),
    },
    {
        "name": "cognito-identity-private-prefix",
        "source": "Amazon Cognito Developer Guide, 'IAM roles' (policy variable "
        "${cognito-identity.amazonaws.com:sub} for per-identity S3 prefixes)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::acme-mobile-uploads",
                "Condition": {
                    "StringLike": {
                        "s3:prefix": [
                            "private/${cognito-identity.amazonaws.com:sub}/",
                            "private/${cognito-identity.amazonaws.com:sub}/*",
                        ]
                    }
                },
            },
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": "arn:aws:s3:::acme-mobile-uploads/private/${cognito-identity.amazonaws.com:sub}/*",
            },
        ),
    },
    {
        "name": "cognito-user-pool-admin-backend",
        "source": "Amazon Cognito Developer Guide, 'Using the Amazon Cognito user pools API' "
        "(admin actions on one user pool)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "cognito-idp:AdminGetUser",
                    "cognito-idp:AdminCreateUser",
                    "cognito-idp:AdminUpdateUserAttributes",
                    "cognito-idp:AdminDisableUser",
                    "cognito-idp:AdminAddUserToGroup",
                ],
                "Resource": f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/us-east-1_aBcDeFgHi",
            },
        ),
    },
    {
        "name": "execute-api-invoke-one-route",
        "source": "Amazon API Gateway Developer Guide, 'Control access for invoking an API' "
        "(execute-api:Invoke)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "execute-api:Invoke",
                "Resource": [
                    f"arn:aws:execute-api:{REGION}:{ACCOUNT}:a1b2c3d4e5/prod/GET/orders",
                    f"arn:aws:execute-api:{REGION}:{ACCOUNT}:a1b2c3d4e5/prod/GET/orders/*",
                ],
            },
        ),
    },
    # --- AWS CloudFormation / AWS CDK / AWS CodeBuild / Amazon CloudFront --------------------
    {
        "name": "cloudformation-deploy-one-stack",
        "source": "AWS CloudFormation User Guide, 'Controlling access with AWS Identity and "
        "Access Management' (change sets on one stack, with a service role)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "cloudformation:CreateChangeSet",
                    "cloudformation:DescribeChangeSet",
                    "cloudformation:ExecuteChangeSet",
                    "cloudformation:DeleteChangeSet",
                    "cloudformation:DescribeStacks",
                    "cloudformation:DescribeStackEvents",
                    "cloudformation:GetTemplateSummary",
                ],
                "Resource": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/orders-api/*",
            },
            {
                "Effect": "Allow",
                "Action": "cloudformation:CreateChangeSet",
                "Resource": f"arn:aws:cloudformation:{REGION}:aws:transform/Serverless-2016-10-31",
            },
            {
                "Effect": "Allow",
                "Action": "cloudformation:ValidateTemplate",
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/orders-api-cfn-exec",
                "Condition": {
                    "StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}
                },
            },
        ),
    },
    {
        "name": "cdk-deploy-assume-bootstrap-roles",
        "source": "AWS CDK Developer Guide, 'AWS CDK bootstrapping' (the deploy, publishing and "
        "lookup roles a CI principal assumes)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": [
                    f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-deploy-role-{ACCOUNT}-{REGION}",
                    f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-file-publishing-role-{ACCOUNT}-{REGION}",
                    f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-image-publishing-role-{ACCOUNT}-{REGION}",
                    f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-lookup-role-{ACCOUNT}-{REGION}",
                ],
            },
        ),
    },
    {
        "name": "codebuild-project-service-role",
        "source": "AWS CodeBuild User Guide, 'Allow CodeBuild to interact with other AWS "
        "services' (service role policy)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [
                    f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/orders-api",
                    f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/orders-api:*",
                ],
            },
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"],
                "Resource": "arn:aws:s3:::acme-codepipeline-artifacts/orders-api/*",
            },
            {
                "Effect": "Allow",
                "Action": ["s3:GetBucketAcl", "s3:GetBucketLocation"],
                "Resource": "arn:aws:s3:::acme-codepipeline-artifacts",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "codebuild:CreateReportGroup",
                    "codebuild:CreateReport",
                    "codebuild:UpdateReport",
                    "codebuild:BatchPutTestCases",
                    "codebuild:BatchPutCodeCoverages",
                ],
                "Resource": f"arn:aws:codebuild:{REGION}:{ACCOUNT}:report-group/orders-api-*",
            },
        ),
    },
    {
        "name": "static-site-deploy-github-actions",
        "source": "GitHub Docs, 'Configuring OpenID Connect in Amazon Web Services' (deploy "
        "role) with the Amazon CloudFront Developer Guide, 'Identity-based policy examples' "
        "(CreateInvalidation on one distribution)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::acme-www-site",
            },
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:DeleteObject", "s3:GetObject"],
                "Resource": "arn:aws:s3:::acme-www-site/*",
            },
            {
                "Effect": "Allow",
                "Action": ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
                "Resource": f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2QWRUHEXAMPLE",
            },
        ),
    },
    # --- AWS Glue / Amazon Athena ------------------------------------------------------------
    {
        "name": "glue-job-one-database",
        "source": "AWS Glue Developer Guide, 'Identity-based policy examples for AWS Glue' "
        "(Data Catalog resource ARNs: catalog, database, table)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "glue:GetDatabase",
                    "glue:GetTable",
                    "glue:GetTables",
                    "glue:GetPartitions",
                    "glue:BatchCreatePartition",
                    "glue:UpdateTable",
                ],
                "Resource": [
                    f"arn:aws:glue:{REGION}:{ACCOUNT}:catalog",
                    f"arn:aws:glue:{REGION}:{ACCOUNT}:database/sales",
                    f"arn:aws:glue:{REGION}:{ACCOUNT}:table/sales/*",
                ],
            },
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::acme-data-lake/raw/sales/*",
            },
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:DeleteObject"],
                "Resource": "arn:aws:s3:::acme-data-lake/curated/sales/*",
            },
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws-glue/jobs/*",
            },
        ),
    },
    {
        "name": "athena-query-one-workgroup",
        "source": "Amazon Athena User Guide, 'Example workgroup policies' and 'Fine-grained "
        "access to databases and tables in the AWS Glue Data Catalog'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "athena:StartQueryExecution",
                    "athena:GetQueryExecution",
                    "athena:GetQueryResults",
                    "athena:StopQueryExecution",
                    "athena:GetWorkGroup",
                ],
                "Resource": f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/analytics",
            },
            {
                "Effect": "Allow",
                "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
                "Resource": [
                    f"arn:aws:glue:{REGION}:{ACCOUNT}:catalog",
                    f"arn:aws:glue:{REGION}:{ACCOUNT}:database/sales",
                    f"arn:aws:glue:{REGION}:{ACCOUNT}:table/sales/orders",
                ],
            },
            {
                "Effect": "Allow",
                "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
                "Resource": ["arn:aws:s3:::acme-data-lake", "arn:aws:s3:::acme-athena-results"],
            },
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::acme-data-lake/curated/sales/*",
            },
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                "Resource": "arn:aws:s3:::acme-athena-results/analytics/*",
            },
        ),
    },
    # --- Amazon RDS / Amazon Bedrock ---------------------------------------------------------
    {
        "name": "rds-iam-auth-connect",
        "source": "Amazon RDS User Guide, 'Creating and using an IAM policy for IAM database "
        "access'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "rds-db:connect",
                "Resource": f"arn:aws:rds-db:{REGION}:{ACCOUNT}:dbuser:db-ABCDEFGHIJKL01234/app_user",
            },
        ),
    },
    {
        "name": "rds-data-api-one-cluster",
        "source": "Amazon Aurora User Guide, 'Authorizing access to the RDS Data API'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "rds-data:ExecuteStatement",
                    "rds-data:BatchExecuteStatement",
                    "rds-data:BeginTransaction",
                    "rds-data:CommitTransaction",
                    "rds-data:RollbackTransaction",
                ],
                "Resource": f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:orders-aurora",
            },
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!cluster-orders-aurora-Gh56Jk",
            },
        ),
    },
    {
        "name": "bedrock-invoke-one-model",
        "source": "Amazon Bedrock User Guide, 'Identity-based policy examples for Amazon "
        "Bedrock' (allow invoking one foundation model)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                "Resource": f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            },
        ),
    },
    # --- Amazon EC2 --------------------------------------------------------------------------
    {
        "name": "ec2-start-stop-by-resource-tag",
        "source": "IAM User Guide, 'Amazon EC2: Allows starting or stopping EC2 instances a "
        "user has tagged, programmatically and in the console' / 'based on matching principal "
        "and resource tags'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": ["ec2:StartInstances", "ec2:StopInstances"],
                "Resource": "arn:aws:ec2:*:*:instance/*",
                "Condition": {
                    "StringEquals": {"aws:ResourceTag/Project": "${aws:PrincipalTag/Project}"}
                },
            },
            {
                "Effect": "Allow",
                "Action": "ec2:DescribeInstances",
                "Resource": "*",
            },
        ),
    },
    {
        "name": "ec2-attach-detach-volumes-by-tag",
        "source": "IAM User Guide, 'Amazon EC2: Attach or detach Amazon EBS volumes to EC2 "
        "instances based on tags'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": ["ec2:AttachVolume", "ec2:DetachVolume"],
                "Resource": "arn:aws:ec2:*:*:instance/*",
                "Condition": {"StringEquals": {"aws:ResourceTag/Department": "Development"}},
            },
            {
                "Effect": "Allow",
                "Action": ["ec2:AttachVolume", "ec2:DetachVolume"],
                "Resource": "arn:aws:ec2:*:*:volume/*",
                "Condition": {"StringEquals": {"aws:ResourceTag/VolumeUser": "${aws:username}"}},
            },
        ),
    },
    {
        "name": "ec2-security-groups-one-vpc",
        "source": "IAM User Guide, 'Amazon EC2: Allows managing EC2 security groups associated "
        "with a specific VPC, programmatically and in the console'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeTags",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "ec2:AuthorizeSecurityGroupIngress",
                    "ec2:RevokeSecurityGroupIngress",
                    "ec2:AuthorizeSecurityGroupEgress",
                    "ec2:RevokeSecurityGroupEgress",
                    "ec2:ModifySecurityGroupRules",
                    "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
                    "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
                ],
                "Resource": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/*",
                "Condition": {
                    "ArnEquals": {"ec2:Vpc": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/vpc-0a1b2c3d"}
                },
            },
        ),
    },
    # --- IAM / AWS STS -----------------------------------------------------------------------
    {
        "name": "iam-pass-one-role-to-lambda",
        "source": "IAM User Guide, 'IAM: Pass an IAM role to a specific AWS service'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/orders-lambda-role",
                "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
            },
            {
                "Effect": "Allow",
                "Action": "iam:GetRole",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/orders-lambda-role",
            },
        ),
    },
    {
        "name": "iam-create-service-linked-role",
        "source": "IAM User Guide, 'Service-linked role permissions' (iam:CreateServiceLinkedRole "
        "narrowed by iam:AWSServiceName)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "iam:CreateServiceLinkedRole",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*",
                "Condition": {"StringLike": {"iam:AWSServiceName": "autoscaling.amazonaws.com"}},
            },
            {
                "Effect": "Allow",
                "Action": [
                    "iam:DeleteServiceLinkedRole",
                    "iam:GetServiceLinkedRoleDeletionStatus",
                ],
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*",
            },
        ),
    },
    {
        "name": "sts-assume-cross-account-role",
        "source": "IAM User Guide, 'IAM tutorial: Delegate access across AWS accounts using IAM "
        "roles' (permission to assume one role in another account)",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": f"arn:aws:iam::{OTHER_ACCOUNT}:role/analytics-readonly",
            },
        ),
    },
    {
        "name": "iam-self-manage-access-keys",
        "source": "IAM User Guide, 'IAM: Allows IAM users to rotate their own access keys, "
        "programmatically and in the console'",
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": [
                    "iam:ListAccessKeys",
                    "iam:GetAccessKeyLastUsed",
                    "iam:CreateAccessKey",
                    "iam:UpdateAccessKey",
                    "iam:DeleteAccessKey",
                ],
                "Resource": "arn:aws:iam::*:user/${aws:username}",
            },
        ),
    },
    {
        "name": "iam-self-manage-mfa",
        "source": "IAM User Guide, 'IAM: Allows IAM users to self-manage an MFA device'",
        "document": _doc(
            {
                "Sid": "AllowListActions",
                "Effect": "Allow",
                "Action": "iam:ListVirtualMFADevices",
                "Resource": "*",
            },
            {
                "Sid": "AllowManageOwnVirtualMFADevice",
                "Effect": "Allow",
                "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
                "Resource": f"arn:aws:iam::{ACCOUNT}:mfa/${{aws:username}}",
            },
            {
                "Sid": "AllowManageOwnMFADevice",
                "Effect": "Allow",
                "Action": [
                    "iam:EnableMFADevice",
                    "iam:ListMFADevices",
                    "iam:ResyncMFADevice",
                    "iam:GetUser",
                ],
                "Resource": f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
            },
            {
                "Sid": "AllowDeactivateOwnMFAOnlyWhenUsingMFA",
                "Effect": "Allow",
                "Action": "iam:DeactivateMFADevice",
                "Resource": f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            },
        ),
    },
    {
        "name": "iam-change-own-password",
        "source": "IAM User Guide, 'IAM: Allows IAM users to change their own console password' "
        '(GetAccountPasswordPolicy accepts only "*")',
        "document": _doc(
            {
                "Effect": "Allow",
                "Action": "iam:GetAccountPasswordPolicy",
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": "iam:ChangePassword",
                "Resource": "arn:aws:iam::*:user/${aws:username}",
            },
        ),
    },
]
