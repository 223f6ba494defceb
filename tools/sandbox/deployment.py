"""`pulumi up` into the emulator: the stack's program runs under the mocks tools.preview uses, and
each resource it registers is created in moto as it is registered, so later resources get real
values (a table's stream ARN, a queue's URL) exactly as the engine would hand them on.

What moto can hold is created there: buckets and their settings, tables with streams, queues and
their policies, roles with their policies, log groups. What moto cannot run (Lambda functions,
event source mappings, invoke permissions and configs, S3's notifications to functions) is
recorded in a Deployment for the sandbox, which plays the Lambda service; a bucket notifying
functions notifies an internal queue instead, from which the sandbox delivers S3's own event JSON.

Where AWS validates a resource on creation, so does this (a role Lambda cannot assume, a bucket
notification to a function whose policy does not let S3 invoke it, a mapping whose role cannot
read the stream): the deployment fails with AWS's message, as `pulumi up` would.
"""

import hashlib
import io
import json
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from tools.aws_mocks import PROVIDER, AwsMocks
from tools.sandbox.api_gateway import GATEWAY_TYPES, Recorder
from tools.sandbox.policy_evaluator import (
    PolicyError,
    Principal,
    Request,
    evaluate,
    validate_policy,
)


class DeploymentError(RuntimeError):
    pass


@dataclass
class FunctionSpec:
    name: str
    arn: str
    role_arn: str
    handler: str
    code: object  # pulumi.AssetArchive
    environment: dict
    timeout: int
    memory: int
    runtime: str
    log_group: str
    log_format: str
    log_level: str
    policy: list = field(default_factory=list)  # its resource policy's statements (Permissions)
    retries: int = 2  # asynchronous invocation (FunctionEventInvokeConfig)
    max_event_age: int = 21600
    on_failure: str | None = None
    tracing: bool = False  # X-Ray active tracing: Lambda sends segments with the role

    def may_be_invoked_by(self, service: str, source_arn: str) -> bool:
        """Whether the function's resource policy lets `service` (s3.amazonaws.com) invoke it
        on behalf of `source_arn` in the function's account."""
        request = Request(
            "lambda:InvokeFunction",
            self.arn,
            Principal("Service", service),
            {"aws:SourceArn": source_arn, "aws:SourceAccount": self.arn.split(":")[4]},
        )
        policy = {"Version": "2012-10-17", "Statement": self.policy}
        return evaluate(request, {}, policy, resource_policy_name=f"policy of {self.name}").allowed


@dataclass
class StreamMapping:
    uuid: str
    function: str
    stream_arn: str
    batch_size: int
    filter_criteria: dict | None
    bisect: bool
    retries: int  # -1: until the record expires
    max_record_age: int  # -1: until the record expires
    on_failure: str | None
    starting_position: str
    report_batch_item_failures: bool


@dataclass
class NotificationRule:
    function_arn: str
    events: list
    prefix: str
    suffix: str
    configuration_id: str


@dataclass
class Deployment:
    region: str
    functions: dict = field(default_factory=dict)  # name -> FunctionSpec
    mappings: list = field(default_factory=list)
    notifications: dict = field(default_factory=dict)  # bucket -> [NotificationRule]
    event_queues: dict = field(default_factory=dict)  # bucket -> internal queue URL
    queues: dict = field(default_factory=dict)  # ARN -> URL
    tables: dict = field(default_factory=dict)  # name -> stream ARN or None
    buckets: dict = field(default_factory=dict)  # name -> region
    roles: dict = field(default_factory=dict)  # name -> ARN
    log_groups: list = field(default_factory=list)
    not_emulated: list = field(default_factory=list)  # (type, name) the sandbox does not run
    outputs: dict = field(default_factory=dict)

    def function_by_arn(self, arn: str) -> FunctionSpec:
        name = arn.split(":")[6]
        if name not in self.functions:
            raise DeploymentError(f"no function {arn} in this stack")
        return self.functions[name]


def _int(value, default: int) -> int:
    return default if value is None else int(value)


def _tags(tags) -> list:
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


class SandboxMocks(AwsMocks):
    """AwsMocks whose resources also come to exist in the emulator."""

    def __init__(self, emulator, region: str):
        super().__init__(region=region, strict=True)
        self.emulator = emulator
        self.deployment = Deployment(region=region)
        self.gateway = Recorder(self.deployment)
        self._lock = threading.Lock()
        self._signed: dict = {}  # (bucket, key) -> the Signer profile that signed it
        self._signing_configs: dict = {}  # code signing config ARN -> its inputs
        self._create = {
            "aws:s3/bucket:Bucket": self._create_bucket,
            "aws:s3/bucketV2:BucketV2": self._create_bucket,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": self._create_public_access_block,
            "aws:s3/bucketServerSideEncryptionConfiguration:"
            "BucketServerSideEncryptionConfiguration": self._create_bucket_encryption,
            "aws:s3/bucketServerSideEncryptionConfigurationV2:"
            "BucketServerSideEncryptionConfigurationV2": self._create_bucket_encryption,
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls": self._create_ownership_controls,
            "aws:s3/bucketVersioning:BucketVersioning": self._create_versioning,
            "aws:s3/bucketVersioningV2:BucketVersioningV2": self._create_versioning,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": self._create_lifecycle,
            "aws:s3/bucketPolicy:BucketPolicy": self._create_bucket_policy,
            "aws:s3/bucketLogging:BucketLogging": self._create_bucket_logging,
            "aws:s3/bucketNotification:BucketNotification": self._create_bucket_notification,
            "aws:dynamodb/table:Table": self._create_table,
            "aws:sqs/queue:Queue": self._create_queue,
            "aws:sqs/queuePolicy:QueuePolicy": self._create_queue_policy,
            "aws:iam/role:Role": self._create_role,
            "aws:iam/rolePolicy:RolePolicy": self._create_role_policy,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment": self._create_role_policy_attachment,
            "aws:cloudwatch/logGroup:LogGroup": self._create_log_group,
            "aws:lambda/function:Function": self._create_function,
            "aws:lambda/eventSourceMapping:EventSourceMapping": self._create_event_source_mapping,
            "aws:lambda/permission:Permission": self._create_permission,
            "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": self._create_invoke_config,
            "aws:cognito/userPool:UserPool": self._create_user_pool,
            "aws:cognito/userPoolClient:UserPoolClient": self._create_user_pool_client,
            "aws:cognito/userPoolDomain:UserPoolDomain": self._create_user_pool_domain,
            "aws:s3/bucketObjectv2:BucketObjectv2": self._create_object,
            "aws:signer/signingJob:SigningJob": self._create_signing_job,
            "aws:kms/key:Key": self._create_key,
            "aws:kms/alias:Alias": self._create_alias,
            "aws:lambda/codeSigningConfig:CodeSigningConfig": self._create_code_signing_config,
        }

    def new_resource(self, args):
        physical, state = super().new_resource(args)
        if args.typ == PROVIDER or not args.typ.startswith("aws:"):
            return physical, state
        if args.typ in GATEWAY_TYPES:  # played by the sandbox, not created in moto
            try:
                self.gateway.record(GATEWAY_TYPES[args.typ], physical, state, args.inputs)
            except Exception as error:
                raise DeploymentError(f"{args.typ} {args.name!r}: {error}") from error
            return physical, state
        create = self._create.get(args.typ)
        if create is None:
            with self._lock:
                self.deployment.not_emulated.append((args.typ, args.name))
            return physical, state
        try:
            replaced = create(dict(state), args.inputs)
        except DeploymentError:
            raise
        except Exception as error:
            raise DeploymentError(f"creating {args.typ} {args.name!r} failed: {error}") from error
        if replaced:
            state.update(replaced)
            physical = replaced.get("id", physical)
        return physical, state

    def _client(self, service: str):
        return self.emulator.client(service, self.deployment.region)

    # --- S3 -------------------------------------------------------------------------------
    def _create_bucket(self, state, inputs):
        name = state["bucket"]
        request = {"Bucket": name}
        if self.deployment.region != "us-east-1":
            request["CreateBucketConfiguration"] = {"LocationConstraint": self.deployment.region}
        s3 = self._client("s3")
        s3.create_bucket(**request)
        if inputs.get("tags"):
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tags(inputs["tags"])})
        with self._lock:
            self.deployment.buckets[name] = self.deployment.region

    def _create_public_access_block(self, state, inputs):
        names = (
            "blockPublicAcls",
            "ignorePublicAcls",
            "blockPublicPolicy",
            "restrictPublicBuckets",
        )
        self._client("s3").put_public_access_block(
            Bucket=inputs["bucket"],
            PublicAccessBlockConfiguration={
                name[0].upper() + name[1:]: bool(inputs.get(name)) for name in names
            },
        )

    def _create_bucket_encryption(self, state, inputs):
        rules = []
        for rule in inputs.get("rules") or []:
            default = rule.get("applyServerSideEncryptionByDefault") or {}
            converted: dict[str, Any] = {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": default["sseAlgorithm"]}
            }
            if default.get("kmsMasterKeyId"):
                converted["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = default[
                    "kmsMasterKeyId"
                ]
            if rule.get("bucketKeyEnabled") is not None:
                converted["BucketKeyEnabled"] = bool(rule["bucketKeyEnabled"])
            rules.append(converted)
        self._client("s3").put_bucket_encryption(
            Bucket=inputs["bucket"], ServerSideEncryptionConfiguration={"Rules": rules}
        )

    def _create_ownership_controls(self, state, inputs):
        self._client("s3").put_bucket_ownership_controls(
            Bucket=inputs["bucket"],
            OwnershipControls={"Rules": [{"ObjectOwnership": inputs["rule"]["objectOwnership"]}]},
        )

    def _create_versioning(self, state, inputs):
        status = inputs["versioningConfiguration"]["status"]
        self._client("s3").put_bucket_versioning(
            Bucket=inputs["bucket"], VersioningConfiguration={"Status": status}
        )

    def _create_lifecycle(self, state, inputs):
        rules = []
        for rule in inputs.get("rules") or []:
            converted = {"ID": rule["id"], "Status": rule["status"]}
            converted["Filter"] = {"Prefix": (rule.get("filter") or {}).get("prefix") or ""}
            if rule.get("abortIncompleteMultipartUpload"):
                days = rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"]
                converted["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": int(days)}
            if rule.get("expiration", {}).get("days"):
                converted["Expiration"] = {"Days": int(rule["expiration"]["days"])}
            if rule.get("noncurrentVersionExpiration", {}).get("noncurrentDays"):
                days = rule["noncurrentVersionExpiration"]["noncurrentDays"]
                converted["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(days)}
            rules.append(converted)
        self._client("s3").put_bucket_lifecycle_configuration(
            Bucket=inputs["bucket"], LifecycleConfiguration={"Rules": rules}
        )

    def _create_bucket_policy(self, state, inputs):
        self._client("s3").put_bucket_policy(
            Bucket=inputs["bucket"], Policy=_principal_mappings_first(inputs["policy"])
        )

    def _create_bucket_logging(self, state, inputs):
        # S3 (and moto) refuse a target bucket whose policy does not admit the logging service.
        enabled = {
            "TargetBucket": inputs["targetBucket"],
            "TargetPrefix": inputs.get("targetPrefix") or "",
        }
        key_format = (inputs.get("targetObjectKeyFormat") or {}).get("partitionedPrefix")
        if key_format:
            enabled["TargetObjectKeyFormat"] = {
                "PartitionedPrefix": {"PartitionDateSource": key_format["partitionDateSource"]}
            }
        self._client("s3").put_bucket_logging(
            Bucket=inputs["bucket"], BucketLoggingStatus={"LoggingEnabled": enabled}
        )

    def _create_bucket_notification(self, state, inputs):
        bucket = inputs["bucket"]
        rules = []
        for index, target in enumerate(inputs.get("lambdaFunctions") or []):
            function = self.deployment.function_by_arn(target["lambdaFunctionArn"])
            self._check_s3_may_invoke(function, bucket)
            rules.append(
                NotificationRule(
                    function_arn=target["lambdaFunctionArn"],
                    events=list(target["events"]),
                    prefix=target.get("filterPrefix") or "",
                    suffix=target.get("filterSuffix") or "",
                    configuration_id=target.get("id") or f"lambda-{index}",
                )
            )
        if inputs.get("queues") or inputs.get("topics"):
            raise DeploymentError(f"bucket {bucket}: queue and topic notifications not emulated")
        queue_url = self._event_queue(bucket)
        with self._lock:
            self.deployment.notifications[bucket] = rules
        return {"id": bucket, "sandboxEventQueue": queue_url}

    def _event_queue(self, bucket: str) -> str:
        """The internal queue S3 delivers this bucket's events to (the sandbox reads it)."""
        sqs = self._client("sqs")
        digest = hashlib.sha256(bucket.encode()).hexdigest()[:12]
        url = sqs.create_queue(QueueName=f"sandbox-s3-events-{digest}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self._client("s3").put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {"QueueArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
                ]
            },
        )
        with self._lock:
            self.deployment.event_queues[bucket] = url
        return url

    def _check_s3_may_invoke(self, function: FunctionSpec, bucket: str) -> None:
        # S3 checks this when the configuration is put.
        if not function.may_be_invoked_by("s3.amazonaws.com", f"arn:aws:s3:::{bucket}"):
            raise DeploymentError(
                f"bucket {bucket}: Unable to validate the following destination configurations "
                f"({function.arn}: S3 is not allowed to invoke it; add a lambda Permission for "
                "s3.amazonaws.com with this bucket as source ARN)"
            )

    # --- DynamoDB ---------------------------------------------------------------------------
    def _create_table(self, state, inputs):
        name = state["name"]
        key_schema = [{"AttributeName": inputs["hashKey"], "KeyType": "HASH"}]
        if inputs.get("rangeKey"):
            key_schema.append({"AttributeName": inputs["rangeKey"], "KeyType": "RANGE"})
        request = {
            "TableName": name,
            "KeySchema": key_schema,
            "AttributeDefinitions": [
                {"AttributeName": a["name"], "AttributeType": a["type"]}
                for a in inputs.get("attributes") or []
            ],
            "BillingMode": inputs.get("billingMode") or "PROVISIONED",
            "DeletionProtectionEnabled": bool(inputs.get("deletionProtectionEnabled")),
        }
        if request["BillingMode"] == "PROVISIONED":
            request["ProvisionedThroughput"] = {
                "ReadCapacityUnits": _int(inputs.get("readCapacity"), 1),
                "WriteCapacityUnits": _int(inputs.get("writeCapacity"), 1),
            }
        if inputs.get("streamEnabled"):
            request["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": inputs["streamViewType"],
            }
        encryption = inputs.get("serverSideEncryption") or {}
        if encryption.get("enabled"):
            request["SSESpecification"] = {"Enabled": True, "SSEType": "KMS"}
            if encryption.get("kmsKeyArn"):
                request["SSESpecification"]["KMSMasterKeyId"] = encryption["kmsKeyArn"]
        if inputs.get("tags"):
            request["Tags"] = _tags(inputs["tags"])
        dynamodb = self._client("dynamodb")
        table = dynamodb.create_table(**request)["TableDescription"]
        if (inputs.get("pointInTimeRecovery") or {}).get("enabled"):
            dynamodb.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
        ttl = inputs.get("ttl") or {}
        if ttl.get("enabled"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["attributeName"]},
            )
        stream_arn = table.get("LatestStreamArn")
        with self._lock:
            self.deployment.tables[name] = stream_arn
        if stream_arn:
            return {"streamArn": stream_arn, "streamLabel": table["LatestStreamLabel"]}
        return None

    # --- SQS --------------------------------------------------------------------------------
    def _create_queue(self, state, inputs):
        names = {
            "messageRetentionSeconds": "MessageRetentionPeriod",
            "visibilityTimeoutSeconds": "VisibilityTimeout",
            "delaySeconds": "DelaySeconds",
            "maxMessageSize": "MaximumMessageSize",
            "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
            "kmsMasterKeyId": "KmsMasterKeyId",
            "redrivePolicy": "RedrivePolicy",
        }
        attributes = {}
        for name, attribute in names.items():
            value = inputs.get(name)
            if value is not None:
                attributes[attribute] = str(int(value)) if isinstance(value, float) else value
        if inputs.get("sqsManagedSseEnabled") is not None:
            attributes["SqsManagedSseEnabled"] = str(bool(inputs["sqsManagedSseEnabled"])).lower()
        if inputs.get("fifoQueue"):
            attributes["FifoQueue"] = "true"
        url = self._client("sqs").create_queue(QueueName=state["name"], Attributes=attributes)[
            "QueueUrl"
        ]
        with self._lock:
            self.deployment.queues[state["arn"]] = url
        return {"id": url, "url": url}

    def _create_queue_policy(self, state, inputs):
        url = self._queue_url(inputs["queueUrl"])
        self._client("sqs").set_queue_attributes(
            QueueUrl=url, Attributes={"Policy": inputs["policy"]}
        )
        return {"id": url, "queueUrl": url}

    def _queue_url(self, url: str) -> str:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        return self._client("sqs").get_queue_url(QueueName=name)["QueueUrl"]

    # --- IAM and logs -------------------------------------------------------------------------
    def _create_role(self, state, inputs):
        request = {
            "RoleName": state["name"],
            "Path": inputs.get("path") or "/",
            "AssumeRolePolicyDocument": inputs["assumeRolePolicy"],
            "Description": inputs.get("description") or "",
            "MaxSessionDuration": _int(inputs.get("maxSessionDuration"), 3600),
        }
        if inputs.get("tags"):
            request["Tags"] = _tags(inputs["tags"])
        for policy in inputs.get("inlinePolicies") or []:
            if policy.get("name") and policy.get("policy"):
                _check_role_policy(state["name"], policy["name"], policy["policy"])
        iam = self._client("iam")
        iam.create_role(**request)
        for policy in inputs.get("inlinePolicies") or []:
            if policy.get("name") and policy.get("policy"):
                iam.put_role_policy(
                    RoleName=state["name"],
                    PolicyName=policy["name"],
                    PolicyDocument=policy["policy"],
                )
        for arn in inputs.get("managedPolicyArns") or []:
            iam.attach_role_policy(RoleName=state["name"], PolicyArn=arn)
        with self._lock:
            self.deployment.roles[state["name"]] = state["arn"]

    def _create_role_policy(self, state, inputs):
        _check_role_policy(_role_name(inputs["role"]), state["name"], inputs["policy"])
        self._client("iam").put_role_policy(
            RoleName=_role_name(inputs["role"]),
            PolicyName=state["name"],
            PolicyDocument=inputs["policy"],
        )

    def _create_role_policy_attachment(self, state, inputs):
        self._client("iam").attach_role_policy(
            RoleName=_role_name(inputs["role"]), PolicyArn=inputs["policyArn"]
        )

    def _create_log_group(self, state, inputs):
        logs = self._client("logs")
        logs.create_log_group(logGroupName=state["name"], tags=inputs.get("tags") or {})
        if inputs.get("retentionInDays"):
            logs.put_retention_policy(
                logGroupName=state["name"], retentionInDays=int(inputs["retentionInDays"])
            )
        with self._lock:
            self.deployment.log_groups.append(state["name"])

    # --- Lambda: recorded for the sandbox, which runs it ---------------------------------------
    def _create_function(self, state, inputs):
        role_arn = inputs["role"]
        self._check_lambda_may_assume(role_arn, state["name"])
        logging_config = inputs.get("loggingConfig") or {}
        spec = FunctionSpec(
            name=state["name"],
            arn=state["arn"],
            role_arn=role_arn,
            handler=inputs["handler"],
            code=self._function_code(state["name"], inputs),
            environment=dict((inputs.get("environment") or {}).get("variables") or {}),
            timeout=_int(inputs.get("timeout"), 3),
            memory=_int(inputs.get("memorySize"), 128),
            runtime=inputs.get("runtime") or "",
            log_group=logging_config.get("logGroup") or f"/aws/lambda/{state['name']}",
            log_format=logging_config.get("logFormat") or "Text",
            log_level=logging_config.get("applicationLogLevel") or "INFO",
            tracing=(inputs.get("tracingConfig") or {}).get("mode") == "Active",
        )
        with self._lock:
            self.deployment.functions[spec.name] = spec

    def _check_lambda_may_assume(self, role_arn: str, function: str) -> None:
        role_name = role_arn.rsplit("/", 1)[-1]
        trust = self._client("iam").get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
        decision = evaluate(
            Request("sts:AssumeRole", role_arn, Principal("Service", "lambda.amazonaws.com")),
            {},
            trust,
            resource_policy_name=f"trust policy of {role_name}",
        )
        if not decision.allowed:
            raise DeploymentError(
                f"function {function}: The role defined for the function cannot be assumed by "
                "Lambda (its trust policy does not allow lambda.amazonaws.com sts:AssumeRole)"
            )

    def _function_name(self, value: str) -> str:
        return value.split(":")[6] if value.startswith("arn:") else value

    def _create_event_source_mapping(self, state, inputs):
        function = self.deployment.functions.get(self._function_name(inputs["functionName"]))
        if function is None:
            raise DeploymentError(f"event source mapping: no function {inputs['functionName']}")
        stream_arn = inputs["eventSourceArn"]
        if ":dynamodb:" not in stream_arn or "/stream/" not in stream_arn:
            raise DeploymentError(f"event source {stream_arn}: only DynamoDB streams are emulated")
        self._check_role_reads_stream(function, stream_arn)
        destination = ((inputs.get("destinationConfig") or {}).get("onFailure") or {}).get(
            "destinationArn"
        )
        mapping = StreamMapping(
            uuid=state["uuid"],
            function=function.name,
            stream_arn=stream_arn,
            batch_size=_int(inputs.get("batchSize"), 100),
            filter_criteria=inputs.get("filterCriteria"),
            bisect=bool(inputs.get("bisectBatchOnFunctionError")),
            retries=_int(inputs.get("maximumRetryAttempts"), -1),
            max_record_age=_int(inputs.get("maximumRecordAgeInSeconds"), -1),
            on_failure=destination,
            starting_position=inputs.get("startingPosition") or "LATEST",
            report_batch_item_failures="ReportBatchItemFailures"
            in (inputs.get("functionResponseTypes") or []),
        )
        with self._lock:
            self.deployment.mappings.append(mapping)

    def _check_role_reads_stream(self, function: FunctionSpec, stream_arn: str) -> None:
        role_name = function.role_arn.rsplit("/", 1)[-1]
        policies = self.emulator.role_policies(role_name)
        principal = Principal("AWS", function.role_arn, role_arn=function.role_arn)
        for action in (
            "dynamodb:DescribeStream",
            "dynamodb:GetShardIterator",
            "dynamodb:GetRecords",
        ):
            if not evaluate(Request(action, stream_arn, principal), policies).allowed:
                raise DeploymentError(
                    f"event source mapping of {function.name}: Cannot access stream {stream_arn}. "
                    "Please ensure the role can perform the GetRecords, GetShardIterator, "
                    "DescribeStream, and ListStreams Actions on your stream in IAM."
                )

    def _create_permission(self, state, inputs):
        function = self.deployment.functions.get(self._function_name(inputs["function"]))
        if function is None:
            raise DeploymentError(f"lambda permission: no function {inputs['function']}")
        principal = inputs["principal"]
        statement = {
            "Sid": inputs.get("statementId") or state.get("statementId") or "sandbox",
            "Effect": "Allow",
            "Principal": {"Service": principal}
            if principal.endswith(".amazonaws.com")
            else {"AWS": principal},
            "Action": inputs["action"],
            "Resource": function.arn,
        }
        condition = {}
        if inputs.get("sourceAccount"):
            condition["StringEquals"] = {"AWS:SourceAccount": inputs["sourceAccount"]}
        if inputs.get("sourceArn"):
            condition["ArnLike"] = {"AWS:SourceArn": inputs["sourceArn"]}
        if condition:
            statement["Condition"] = condition
        with self._lock:
            function.policy.append(statement)

    def _create_invoke_config(self, state, inputs):
        function = self.deployment.functions.get(self._function_name(inputs["functionName"]))
        if function is None:
            raise DeploymentError(f"invoke config: no function {inputs['functionName']}")
        function.retries = _int(inputs.get("maximumRetryAttempts"), 2)
        function.max_event_age = _int(inputs.get("maximumEventAgeInSeconds"), 21600)
        destination = (inputs.get("destinationConfig") or {}).get("onFailure") or {}
        function.on_failure = destination.get("destination")

    # --- Cognito (the sandbox signs users in from these pools) ------------------------------
    def _create_user_pool(self, state, inputs):
        pool = self._client("cognito-idp").create_user_pool(
            PoolName=state.get("name") or "sandbox-pool",
            UsernameAttributes=inputs.get("usernameAttributes") or [],
            AutoVerifiedAttributes=inputs.get("autoVerifiedAttributes") or [],
            MfaConfiguration=inputs.get("mfaConfiguration") or "OFF",
        )["UserPool"]
        return {"id": pool["Id"], "arn": pool["Arn"]}

    def _create_user_pool_client(self, state, inputs):
        client = self._client("cognito-idp").create_user_pool_client(
            UserPoolId=inputs["userPoolId"],
            ClientName=state.get("name") or "sandbox-client",
            GenerateSecret=bool(inputs.get("generateSecret")),
            CallbackURLs=inputs.get("callbackUrls") or [],
            AllowedOAuthFlows=inputs.get("allowedOauthFlows") or [],
        )["UserPoolClient"]
        return {"id": client["ClientId"]}

    def _create_user_pool_domain(self, state, inputs):
        self._client("cognito-idp").create_user_pool_domain(
            Domain=inputs["domain"], UserPoolId=inputs["userPoolId"]
        )

    def _create_object(self, state, inputs):
        source = inputs.get("source")
        if isinstance(source, pulumi.AssetArchive):  # a function's code, to be signed
            body = _zipped(source)
        elif source is not None:
            body = Path(source.path).read_bytes()
        else:
            body = (inputs.get("content") or "").encode()
        self._client("s3").put_object(
            Bucket=inputs["bucket"],
            Key=inputs["key"],
            Body=body,
            ContentType=inputs.get("contentType") or "binary/octet-stream",
        )

    # --- KMS ------------------------------------------------------------------------------------
    def _create_key(self, state, inputs):
        """A customer managed key in moto, under the id and ARN moto gives it; its policy is
        checked as AWS checks a key policy (well formed, every principal it names exists)."""
        policy = inputs.get("policy")
        if policy:
            try:
                validate_policy("key policy", policy, resource_based=True)
            except PolicyError as error:
                raise DeploymentError(f"MalformedPolicyDocumentException: {error}") from error
        kms = self._client("kms")
        key = kms.create_key(
            Description=inputs.get("description") or "",
            **({"Policy": policy} if policy else {}),
        )["KeyMetadata"]
        if inputs.get("enableKeyRotation"):
            kms.enable_key_rotation(KeyId=key["KeyId"])
        with self._lock:
            self.emulator.customer_keys.add(key["Arn"])
        return {"id": key["KeyId"], "keyId": key["KeyId"], "arn": key["Arn"]}

    def _create_alias(self, state, inputs):
        self._client("kms").create_alias(
            AliasName=inputs["name"], TargetKeyId=inputs["targetKeyId"]
        )

    # --- code signing (AWS Signer is played here: moto has no signing jobs) ---------------------
    def _create_signing_job(self, state, inputs):
        """The signed object appears where the job says (its signedObjects), recorded as signed
        by the job's profile."""
        source = inputs["source"]["s3"]
        signed = state["signedObjects"][0]["s3s"][0]
        s3 = self._client("s3")
        body = s3.get_object(Bucket=source["bucket"], Key=source["key"])["Body"].read()
        s3.put_object(Bucket=signed["bucket"], Key=signed["key"], Body=body)
        with self._lock:
            self._signed[(signed["bucket"], signed["key"])] = inputs["profileName"]

    def _create_code_signing_config(self, state, inputs):
        with self._lock:
            self._signing_configs[state["arn"]] = inputs

    def _function_code(self, function: str, inputs) -> pulumi.AssetArchive:
        """The function's archive: inline, or the S3 object it names, which a code signing config
        set to Enforce only accepts when signed by one of its profiles (as Lambda does)."""
        if inputs.get("code") is not None:
            return inputs["code"]
        bucket, key = inputs.get("s3Bucket"), inputs.get("s3Key")
        if not bucket or not key:
            raise DeploymentError(f"function {function}: no code (code, or s3Bucket and s3Key)")
        config = self._signing_configs.get(inputs.get("codeSigningConfigArn") or "")
        if config is not None and config["policies"]["untrustedArtifactOnDeployment"] == "Enforce":
            profile = self._signed.get((bucket, key))
            allowed = config["allowedPublishers"]["signingProfileVersionArns"]
            if profile is None or not any(f"/signing-profiles/{profile}/" in a for a in allowed):
                raise DeploymentError(
                    f"function {function}: CodeVerificationFailedException: s3://{bucket}/{key} "
                    "is not signed by a profile its code signing config allows"
                )
        body = self._client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        return _unzipped(body)


def _zipped(archive: pulumi.AssetArchive) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path, asset in archive.assets.items():
            if isinstance(asset, pulumi.StringAsset):
                zipped.writestr(path, asset.text)
            elif isinstance(asset, pulumi.FileAsset):
                zipped.write(asset.path, path)
            else:
                raise DeploymentError(f"archive entry {path}: not a file or string asset")
    return buffer.getvalue()


def _unzipped(body: bytes) -> pulumi.AssetArchive:
    with zipfile.ZipFile(io.BytesIO(body)) as zipped:
        return pulumi.AssetArchive(
            {name: pulumi.StringAsset(zipped.read(name).decode()) for name in zipped.namelist()}
        )


def _role_name(role: str) -> str:
    return role.rsplit("/", 1)[-1] if role.startswith("arn:") else role


def _check_role_policy(role: str, name: str, document) -> None:
    """Refuse a role policy AWS would store but not apply as written (a wildcard in the
    resource-type part of an ARN), naming the statement and the pattern."""
    try:
        validate_policy(name, document)
    except PolicyError as error:
        raise DeploymentError(f"role {role}: policy refused: {error}") from None


def _principal_mappings_first(policy: str) -> str:
    """The policy with statements whose Principal is a mapping first. moto 5.2's PutBucketLogging
    reads each statement's Principal as a mapping until one admits its logging service, and fails
    on "*"; statement order has no meaning in IAM, so this changes nothing else."""
    document = json.loads(policy)
    statements = document.get("Statement")
    if isinstance(statements, list):
        document["Statement"] = sorted(
            statements, key=lambda s: not isinstance(s.get("Principal"), dict)
        )
    return json.dumps(document)
