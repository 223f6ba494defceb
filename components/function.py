"""Function: a Lambda function with everything that makes it safe to run unattended.

    log group (retention) ──┐
    dead-letter queue ──────┤
    role ── inline policy ──┴──> function (python3.13, arm64, JSON logs into that group)

- The code is only the handler's modules from handlers/, inlined.
- The role trusts lambda.amazonaws.com alone and has exactly one inline policy: the pipeline's
  least-privilege statements plus writing its own log group and sending to its own DLQ. No managed
  policy is ever attached.
- Asynchronous invocations (S3 notifications) retry a bounded number of times within a bounded
  age (default: twice within six hours), then land in the DLQ. Stream mappings invoke
  synchronously and set their own on-failure destination to the same queue.
- What the stack protects everything with (components.protection.Protection) applies here once: the
  customer key for the log group, the DLQ and the environment, with the key grants the role's
  other grants then need; X-Ray tracing; signed code; alarms on errors and on the DLQ.
- The log group `/aws/lambda/<function name>` exists, with retention, before the function does, so
  Lambda never creates an unbounded one; the function name is therefore chosen here, not by the
  provider's auto-naming (which only picks it while creating the function).
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from . import alarms, grants
from .args import AsyncSettings, FunctionSettings, read_function, read_invoke, read_retention
from .checks import Section, check_args
from .dead_letter_queue import dead_letter_queue
from .handler_code import handler_archive, handler_entry_point, handler_modules
from .policies import document, service_trust_policy
from .protection import Protection

RUNTIME = "python3.13"
ARCHITECTURE = "arm64"
MAX_NAME_LENGTH = 64


@dataclass(frozen=True)
class FunctionArgs:
    handler_module: str  # a module of handlers/ exposing handler(event, context)
    log_retention_days: int
    statements: Sequence[dict] = ()  # least-privilege statements from components.grants
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    description: str = ""
    # memory, timeout and an optional fixed name (default: stable_function_name below)
    settings: FunctionSettings = field(default_factory=FunctionSettings)
    invoke: AsyncSettings = field(default_factory=AsyncSettings)
    # False for a function only ever invoked synchronously (an API's): no dead-letter queue, no
    # asynchronous retry settings, since nothing could ever reach them.
    asynchronous: bool = True
    protection: Protection = field(default_factory=Protection)
    # False for a function granted s3:GetObject only to HEAD objects: it needs no kms:Decrypt.
    reads_object_data: bool = True

    def __post_init__(self):
        check_args(self, _check, nested=("settings", "invoke"))


def _check(section: Section) -> None:
    modules = handler_modules()
    section.text(
        "handler_module",
        None,
        "a module of handlers/ defining handler(event, context): " + ", ".join(modules),
        modules.__contains__,
    )
    read_retention(section)
    read_function(section.sub("settings"), FunctionSettings())
    read_invoke(section.sub("invoke"))
    section.boolean("asynchronous", True)
    section.boolean("reads_object_data", True)


def stable_function_name(logical_name: str, max_length: int = MAX_NAME_LENGTH) -> str:
    """`<logical name>-<7 hex>`, like Pulumi's auto-naming but derived from project, stack and
    logical name, so it is known before the function exists and differs between stacks (also
    for other names that must be unique per account and region)."""
    scope = f"{pulumi.get_project()}/{pulumi.get_stack()}/{logical_name}"
    suffix = hashlib.sha256(scope.encode()).hexdigest()[:7]
    return f"{logical_name[: max_length - len(suffix) - 1]}-{suffix}"


class Function(pulumi.ComponentResource):
    def __init__(self, name: str, args: FunctionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("event-pipelines:index:Function", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.function_name = args.settings.function_name or stable_function_name(name)
        protection = args.protection

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/lambda/{self.function_name}",
            retention_in_days=args.log_retention_days,
            kms_key_id=protection.kms_key_arn,
            opts=child,
        )
        self.dead_letter_queue = (
            dead_letter_queue(f"{name}-dlq", kms_key_arn=protection.kms_key_arn, opts=child)
            if args.asynchronous
            else None
        )
        self.role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=service_trust_policy("lambda.amazonaws.com"),
            description=f"Execution role of Lambda function {self.function_name}",
            opts=child,
        )
        self.statements = [*args.statements, grants.write_logs(self.log_group.arn)]
        if self.dead_letter_queue is not None:
            self.statements.append(grants.send_to_queue(self.dead_letter_queue.arn))
        if protection.kms_key_arn is not None:
            # What the grants above need of the key, once it encrypts what they reach.
            region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
            self.statements += grants.key_use(
                protection.kms_key_arn, self.statements, region, args.reads_object_data
            )
        if protection.tracing:
            self.statements.append(grants.write_traces())
        self.role_policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=self.role.id,
            policy=document(self.statements),
            opts=child,
        )
        archive = handler_archive(args.handler_module)
        if protection.code_signing is not None:
            bucket, key = protection.code_signing.signed_code(name, archive, parent=self)
            code: dict = {
                "s3_bucket": bucket,
                "s3_key": key,
                "code_signing_config_arn": protection.code_signing.arn,
            }
        else:
            code = {"code": archive}
        self.function = aws.lambda_.Function(
            name,
            name=self.function_name,
            description=args.description,
            runtime=RUNTIME,
            architectures=[ARCHITECTURE],
            handler=handler_entry_point(args.handler_module),
            **code,
            role=self.role.arn,
            memory_size=args.settings.memory_size,
            timeout=args.settings.timeout,
            reserved_concurrent_executions=args.settings.reserved_concurrency,
            tracing_config={"mode": "Active"} if protection.tracing else None,
            environment={"variables": dict(args.environment)} if args.environment else None,
            kms_key_arn=protection.kms_key_arn if args.environment else None,
            logging_config={
                "log_format": "JSON",
                "log_group": self.log_group.name,
                "application_log_level": "INFO",
                "system_log_level": "WARN",
            },
            # The log group must exist first (else Lambda creates one that never expires), and the
            # policy too (else an event source mapping cannot read its stream).
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[self.log_group, self.role_policy],
                # The name is fixed, so a replacement must delete the old function first.
                delete_before_replace=True,
            ),
        )
        outputs = {
            "functionName": self.function.name,
            "functionArn": self.function.arn,
            "roleArn": self.role.arn,
            "logGroupName": self.log_group.name,
        }
        self.async_invoke_config = None
        if self.dead_letter_queue is not None:
            self.async_invoke_config = aws.lambda_.FunctionEventInvokeConfig(
                f"{name}-async",
                function_name=self.function.name,
                maximum_retry_attempts=args.invoke.maximum_retry_attempts,
                maximum_event_age_in_seconds=args.invoke.maximum_event_age_in_seconds,
                destination_config={"on_failure": {"destination": self.dead_letter_queue.arn}},
                opts=child,
            )
            outputs["deadLetterQueueUrl"] = self.dead_letter_queue.url
            outputs["deadLetterQueueArn"] = self.dead_letter_queue.arn
        if protection.alarm_topic_arn is not None:
            topic = protection.alarm_topic_arn
            alarms.function_errors(f"{name}-errors", self.function.name, topic, opts=child)
            if self.dead_letter_queue is not None:
                alarms.queue_not_empty(
                    f"{name}-dlq-not-empty", self.dead_letter_queue.name, topic, opts=child
                )
        self.arn = self.function.arn
        self.register_outputs(outputs)

    def required_dead_letter_queue(self) -> aws.sqs.Queue:
        """The dead-letter queue, for callers that wire failures to it: an error on a function
        built with asynchronous=False, which has none."""
        if self.dead_letter_queue is None:
            raise ValueError(
                f"function {self.function_name} was built with asynchronous=False: "
                "it has no dead-letter queue"
            )
        return self.dead_letter_queue
