"""Deploy a stack into an embedded AWS emulator and run its pipelines, with IAM enforced.

    python -m tools.sandbox [--dir PROJECT_DIR] [--stack NAME] [--demo] [--port N] [--show-calls]

No Docker, no AWS account, no network: moto runs in this process on a loopback port (TLS), the
stack's program creates its resources there, and the sandbox plays Lambda (stream pollers, S3's
asynchronous invocations, retries, on-failure destinations), running each function's handler
with its own role's credentials and every call checked against that role's policy.

--demo tells each enabled pipeline's scripted story and exits 0 only if every outcome is verified.
Without it the sandbox keeps running until Ctrl-C, printing the endpoint, credentials and resource
names, and a line for each invocation, so you can poke it with `aws --endpoint-url ...`.
"""

import argparse
import signal
import sys
import threading
import uuid
from collections import Counter
from pathlib import Path

from tools.program import REPO_ROOT
from tools.sandbox import moto_version, scenarios
from tools.sandbox.deployment import DeploymentError
from tools.sandbox.sandbox import Sandbox


def _print_deployment(sandbox: Sandbox) -> None:
    d = sandbox.deployment
    print(
        f"Deployed stack '{sandbox.stack}' into the emulator ({len(sandbox.run.resources)} "
        f"resources, region {d.region}):"
    )
    for spec in d.functions.values():
        triggers = [
            f"stream of {m.stream_arn.split('/')[1]}" for m in d.mappings if m.function == spec.name
        ]
        triggers += [
            f"events of s3://{bucket}"
            for bucket, rules in d.notifications.items()
            if any(r.function_arn == spec.arn for r in rules)
        ]
        print(f"  function {spec.name} ({spec.handler}) <- {', '.join(triggers) or 'nothing'}")
        print(f"      role {spec.role_arn.rsplit('/', 1)[-1]}, logs {spec.log_group}")
    for name in d.tables:
        print(f"  table    {name}")
    for name in d.buckets:
        print(f"  bucket   {name}")
    for arn in d.queues:
        print(f"  queue    {arn.rsplit(':', 1)[-1]}")
    for kind, name in d.not_emulated:
        print(f"  (not emulated: {kind} {name})")


def _print_access(sandbox: Sandbox) -> None:
    e = sandbox.emulator
    keys = e.operator_credentials
    print(f"\nEndpoint {e.endpoint} (TLS, certificate {e.ca_bundle}). As the account's operator:")
    print(
        f"  export AWS_ENDPOINT_URL={e.endpoint} AWS_CA_BUNDLE={e.ca_bundle} "
        f"AWS_REGION={sandbox.region}"
    )
    print(
        f"  export AWS_ACCESS_KEY_ID={keys['aws_access_key_id']} "
        f"AWS_SECRET_ACCESS_KEY={keys['aws_secret_access_key']}"
    )
    outputs = sandbox.outputs
    if "userBucketsTableName" in outputs:
        print(
            f"  aws dynamodb put-item --table-name {outputs['userBucketsTableName']} "
            '--item \'{"id": {"S": "alice"}}\''
        )
    if "imageMetadataBucketName" in outputs:
        print(f"  aws s3 cp photo.jpg s3://{outputs['imageMetadataBucketName']}/photo.jpg")


def _print_iam(sandbox: Sandbox, show_calls: bool) -> None:
    print("\nIAM: every call made with a function's role, judged against its policy:")
    for name in sandbox.deployment.functions:
        calls = sandbox.guard.calls_of(name)
        denied = [c for c in calls if not c.allowed]
        used = Counter(
            ref.label
            for call in calls
            for _, decision in call.needs
            if decision.allowed
            for ref in decision.deciding
        )
        print(
            f"  {name}: {len(calls)} call(s), {len(denied)} denied; statements that allowed "
            f"them: {', '.join(f'{label} ({n})' for label, n in sorted(used.items())) or '-'}"
        )
        for call in denied if not show_calls else calls:
            print("    " + call.describe().replace("\n", "\n    "))


def demo(sandbox: Sandbox, show_calls: bool) -> int:
    stories = scenarios.enabled(sandbox)
    if not stories:
        print("This stack enables no pipeline with a scripted story.")
        return 1
    failed = 0
    for scenario in stories:
        print(f"\n== {scenario.pipeline}: {scenario.title}")
        outcome = scenarios.tell(sandbox, scenario, uuid.uuid4().hex[:6])
        for line in outcome.story:
            print(f"  did: {line}")
        for check in outcome.checks:
            print(check)
        failed += not outcome.ok
    _print_iam(sandbox, show_calls)
    # A story may tolerate what a user would not: a denied call, or a problem Lambda reported.
    denied = len(sandbox.guard.denied())
    problems = sandbox.journal.of("problem")
    for entry in problems:
        print(f"  problem: {entry}")
    if failed:
        verdict = f"{failed} scenario(s) FAILED"
    elif denied or problems:
        verdict = f"stories held, but {denied} call(s) were denied, {len(problems)} problem(s)"
    else:
        verdict = "every outcome verified"
    print(f"\nDemo: {verdict}.")
    return 0 if not (failed or denied or problems) else 1


def serve(sandbox: Sandbox) -> int:
    _print_access(sandbox)
    print("\nWatching for events; each invocation is printed. Ctrl-C stops the sandbox.")
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        sandbox.serve(stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.sandbox", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--dir", type=Path, default=REPO_ROOT, help="Pulumi project directory")
    parser.add_argument("--stack", default="dev", help="stack name (Pulumi.<stack>.yaml)")
    parser.add_argument("--demo", action="store_true", help="run the scripted scenarios, exit")
    parser.add_argument("--port", type=int, default=0, help="emulator port (default: any free)")
    parser.add_argument("--show-calls", action="store_true", help="print every judged AWS call")
    args = parser.parse_args(argv)

    print("Starting the emulator and deploying the stack (moto, in this process)...")
    sandbox = Sandbox(args.dir, args.stack, args.port, echo=None if args.demo else print)
    try:
        sandbox.start()
    except DeploymentError as error:
        print(f"error: the deployment failed: {error}", file=sys.stderr)
        return 2
    except moto_version.UnsupportedMoto as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        _print_deployment(sandbox)
        return demo(sandbox, args.show_calls) if args.demo else serve(sandbox)
    finally:
        sandbox.stop()


if __name__ == "__main__":
    sys.exit(main())
