"""Where moto 5.2 differs from AWS in ways the pipelines would notice, and how the sandbox closes
the gap while it runs (moto runs in this process, so these are patches of its modules, undone on
exit):

- IAM: moto judges most services' requests against Resource "*" (it does not know their resource
  ARNs), so a statement scoped to a table or a log group looks like no permission at all. For such
  requests moto still authenticates the caller (signature, key, session token) but leaves the
  decision to the sandbox's policy evaluator, which sees every call with its real ARN
  (tools.sandbox.guard). Requests moto can place on a resource (S3, SQS) it keeps judging too.
- moto applies a bucket policy to object requests itself, but reads any Condition it cannot
  resolve as failing, so the TLS-only statement every secure bucket carries (Deny unless
  aws:SecureTransport) denies everything. Here the bucket policy is evaluated by the sandbox's
  evaluator instead, with aws:SecureTransport true: the emulator only speaks TLS.
- S3 event notifications lack `sequencer` (S3's per-key order of events) and, for versioned
  buckets, the object's `versionId`; and deleting an object of a versioned bucket (which adds a
  delete marker) sends no event where S3 sends ObjectRemoved:DeleteMarkerCreated.
- moto 5.2.6 names an S3 request's IAM action after its API operation (s3:HeadObject), not the
  action IAM authorizes (s3:GetObject): translated before moto's own check (iam_action).

Every patched name is listed in PATCHED; tests/sandbox/test_moto_patches.py fails when one moves
or changes its signature; moto_version.SUPPORTED_MOTO is the range they and the stories pass on.
"""

import contextlib
import itertools

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import AccessDeniedError
from moto.iam import access_control
from moto.iam.access_control import PermissionResult
from moto.s3 import models as s3_models
from moto.s3 import notifications

from tools.sandbox.authorization import s3_action_of
from tools.sandbox.policy_evaluator import EXPLICIT_DENY, Request, evaluate

# What the patches replace: (owner, attribute, the parameters it must take).
PATCHED = (
    (
        ActionAuthenticatorMixin,
        "_authenticate_and_authorize_s3_action",
        ("self", "bucket_name", "key_name"),
    ),
    (access_control.IAMRequestBase, "check_action_permitted", ("self", "resource")),
    (s3_models.FakeBucket, "get_permission", ("self", "action", "resource")),
    (notifications, "_get_s3_event", ("event_name", "bucket", "key", "notification_id")),
    (s3_models.S3Backend, "_set_delete_marker", ("self", "bucket_name", "key_name")),
)


@contextlib.contextmanager
def patched(presigned_judge=None):
    """`presigned_judge(access_key, action, resource_arn) -> bool` authorizes requests made with
    a presigned S3 URL (moto's IAM check expects an Authorization header and fails on them)."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(
            _replaced(
                ActionAuthenticatorMixin,
                "_authenticate_and_authorize_s3_action",
                lambda original: _presigned_s3(original, presigned_judge),
            )
        )
        stack.enter_context(
            _replaced(
                access_control.IAMRequestBase, "check_action_permitted", _check_action_permitted
            )
        )
        stack.enter_context(_replaced(s3_models.FakeBucket, "get_permission", _bucket_permission))
        stack.enter_context(_replaced(notifications, "_get_s3_event", _s3_event))
        stack.enter_context(
            _replaced(s3_models.S3Backend, "_set_delete_marker", _set_delete_marker)
        )
        yield


@contextlib.contextmanager
def _replaced(owner, name: str, replacement_factory):
    original = getattr(owner, name)
    setattr(owner, name, replacement_factory(original))
    try:
        yield
    finally:
        setattr(owner, name, original)


def _presigned_s3(original, judge):
    def authenticate_and_authorize_s3_action(self, bucket_name=None, key_name=None):
        credential = (self.querystring.get("X-Amz-Credential") or [""])[0]
        enforced = ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT
        if not (enforced and credential and "Authorization" not in self.headers):
            return original(self, bucket_name, key_name)
        access_key = credential.split("/")[0]
        arn = f"{bucket_name}/{key_name}" if key_name else bucket_name
        action = f"s3:{self._get_action()}"
        if judge is None or not judge(access_key, action, f"arn:aws:s3:::{arn}"):
            raise AccessDeniedError(user_arn=access_key, action=action)

    return authenticate_and_authorize_s3_action


def iam_action(action: str) -> str:
    """The IAM action for what moto calls the action of a request. moto 5.2.5 names an S3
    request by its IAM action (s3:PutBucketPublicAccessBlock); 5.2.6 by its API operation
    (s3:PutPublicAccessBlock, s3:HeadObject), which no policy grants. Both come out as the
    IAM action; every other name is left as it is."""
    service, _, name = action.partition(":")
    if service != "s3":
        return action
    return s3_action_of(name) or action


def _check_action_permitted(original):
    def check_action_permitted(self, resource: str) -> None:
        self._action = iam_action(self._action)
        if resource == "*" and self._action != "s3:ListAllMyBuckets":
            return  # no resource to judge against: tools.sandbox.guard decides
        original(self, resource)

    return check_action_permitted


def _bucket_permission(original):
    def get_permission(self, action: str, resource: str):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        request = Request(action, resource, None, {"aws:SecureTransport": "true"})
        decision = evaluate(request, {}, self.policy.decode(), f"policy of bucket {self.name}")
        if decision.reason == EXPLICIT_DENY:
            return PermissionResult.DENIED
        return PermissionResult.PERMITTED if decision.allowed else PermissionResult.NEUTRAL

    return get_permission


# S3 sequencers are hexadecimal and grow with each operation on a key; one counter for all keys
# satisfies that. Fixed width (S3's are 18 digits today) keeps plain string comparison valid.
_sequencers = itertools.count(0x0062C5A8F3B1000000)


def _s3_event(original):
    def get_s3_event(event_name, bucket, key, notification_id):
        if isinstance(key, s3_models.FakeDeleteMarker):
            event = _delete_marker_event(original, event_name, bucket, key, notification_id)
        else:
            event = original(event_name, bucket, key, notification_id)
        obj = event["Records"][0]["s3"]["object"]
        obj["sequencer"] = f"{next(_sequencers):018X}"
        version = getattr(key, "version_id", None)
        if bucket.is_versioned and version not in (None, "null"):
            obj["versionId"] = version
        return event

    return get_s3_event


def _delete_marker_event(original, event_name, bucket, marker, notification_id) -> dict:
    """S3's DeleteMarkerCreated record: the key and the marker's version, no size or ETag."""
    event = original(event_name, bucket, marker.key, notification_id)
    obj = event["Records"][0]["s3"]["object"]
    obj.pop("size", None)
    obj.pop("eTag", None)
    return event


def _set_delete_marker(original):
    def set_delete_marker(self, bucket_name: str, key_name: str):
        marker = original(self, bucket_name, key_name)
        notifications.send_event(
            self.account_id,
            notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT,
            self.get_bucket(bucket_name),
            marker,
        )
        return marker

    return set_delete_marker
