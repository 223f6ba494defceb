"""Pipeline "notes API" (seed 003): a notes application, each user seeing only their own notes.

    browser ──HTTPS──> CloudFront ──OAC──> private site bucket (index.html, app.js, config.js)
       │  signs in on the Cognito managed login page (code + PKCE) ──> ID token
       └──Authorization: <ID token>──> REST API, stage <stack> (Cognito authorizer, models)
              ──> function notes_api ──Query/PutItem/UpdateItem/DeleteItem──> notes table
                                     ──SynthesizeSpeech──> Polly ──PutObject──> audio bucket
                                     <──presigned GET URL of the MP3── (expires as configured)

The caller is the token's `sub`, never a field of the request: the seed trusted a UserId in the
body. The site is a private bucket behind CloudFront, not the seed's public website bucket.
"""

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws

from . import grants
from .args import NotesApiArgs, outputs_of, resolve_notes_api, stack_region
from .checks import ArgsError
from .function import Function, FunctionArgs
from .log_bucket import standalone_protection
from .protection import Protection
from .rest_api import LambdaRestApi, RestApiArgs, Route
from .secure_bucket import SecureBucket, SecureBucketArgs
from .static_site import StaticSite, StaticSiteArgs
from .table import secure_table
from .user_pool import UserPool, UserPoolArgs

SITE_DIR = Path(__file__).resolve().parent.parent / "site"
AUDIO_PREFIX = "audio/"
MAX_NOTE_ID = 2**53 - 1  # what a JavaScript number holds exactly
MAX_NOTE_LENGTH = 3000  # Polly's limit for plain text in one request

_NOTE = {"type": "string", "minLength": 1, "maxLength": MAX_NOTE_LENGTH}
_INCOMPLETE = {"type": "boolean"}
# The seed's model, without UserId: who writes a note is the caller, not a field of it.
NEW_NOTE = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "NewNote",
    "type": "object",
    "properties": {
        "NoteId": {"type": "integer", "minimum": 1, "maximum": MAX_NOTE_ID},
        "Note": _NOTE,
        "Is_Incomplete": _INCOMPLETE,
    },
    "required": ["Note"],
    "additionalProperties": False,
}
NOTE_UPDATE = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "NoteUpdate",
    "type": "object",
    "properties": {"Note": _NOTE, "Is_Incomplete": _INCOMPLETE},
    "minProperties": 1,
    "additionalProperties": False,
}
ROUTES = (
    Route("GET", "/notes", query_parameters=("limit", "nextToken")),
    Route("POST", "/notes", body_schema=NEW_NOTE),
    Route("PUT", "/notes/{noteId}", body_schema=NOTE_UPDATE),
    Route("DELETE", "/notes/{noteId}"),
    Route("POST", "/notes/{noteId}/speech"),
)


def content_security_policy(api_origin, auth_origin, audio_bucket, region, dns_suffix):
    """What the page may load and call: its own files, the API, Cognito's token endpoint, and the
    MP3s of the audio bucket (presigned URLs, virtual-hosted, global or regional endpoint)."""
    return pulumi.Output.all(api_origin, auth_origin, audio_bucket, region, dns_suffix).apply(
        lambda v: "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                "img-src 'self' data:",
                f"connect-src 'self' {v[0]} {v[1]}",
                f"media-src https://{v[2]}.s3.{v[4]} https://{v[2]}.s3.{v[3]}.{v[4]}",
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'none'",
                "frame-ancestors 'none'",
                # The browser refuses HTML strings written into the page: text only.
                "require-trusted-types-for 'script'",
            ]
        )
    )


def _check_protection(protection: Protection) -> None:
    """What the notes API needs of a protection it is given: Shared(web_endpoints=True) makes it."""
    problems = []
    if protection.log_bucket is not None and not protection.cloudfront_logs:
        problems.append(
            "protection.log_bucket: given without protection.cloudfront_logs; the "
            "distribution's logs go there, so the bucket must admit CloudFront's log delivery "
            "(a Shared made with web_endpoints=True does)"
        )
    if protection.waf and protection.regional_web_acl is None:
        problems.append(
            "protection.waf: on, but no web ACL was made for the API stage and the distribution "
            "(a Shared made with web_endpoints=True makes them)"
        )
    if problems:
        raise ArgsError(problems, "invalid protection for NotesApi")


class NotesApi(pulumi.ComponentResource):
    """Notes of signed-in users, read aloud: a CloudFront site, a Cognito user pool, a REST API."""

    api_url: pulumi.Output[str]
    """The API's URL (its custom domain's when one is set)."""
    site_url: pulumi.Output[str]
    """The site's URL."""
    user_pool_id: pulumi.Output[str]
    """The Cognito user pool's id."""
    user_pool_client_id: pulumi.Output[str]
    """The site's app client id."""
    sign_in_url: pulumi.Output[str]
    """The managed sign-in domain's URL."""
    table_name: pulumi.Output[str]
    """The notes table's name."""
    audio_bucket_name: pulumi.Output[str]
    """The bucket of generated speech."""
    function_name: pulumi.Output[str]
    """The function's name."""
    function_arn: pulumi.Output[str]
    """The function's ARN."""

    def __init__(
        self,
        name: str,
        args: NotesApiArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        protection: Protection | None = None,
    ):
        settings = resolve_notes_api(args, region=stack_region(opts))
        if protection is not None:  # checked before anything registers
            _check_protection(protection)
        super().__init__("event-pipelines:index:NotesApi", name, None, opts)
        # On its own (no protection given), its buckets still log their access: Shared's default.
        if protection is None:
            protection = standalone_protection(name, self, cloudfront_logs=True)
        child = pulumi.ResourceOptions(parent=self)
        region = aws.get_region_output().region
        partition = aws.get_partition_output()

        self.table = secure_table(
            f"{name}-table",
            hash_key="UserId",
            range_key=("NoteId", "N"),
            table_name=settings.table_name,
            deletion_protection=settings.deletion_protection,
            kms_key_arn=protection.kms_key_arn,
            opts=child,
        )
        self.audio = SecureBucket(
            f"{name}-audio",
            SecureBucketArgs(
                versioning=False, force_destroy=settings.force_destroy, protection=protection
            ),
            opts=child,
        )
        self.users = UserPool(
            f"{name}-users",
            UserPoolArgs(
                mfa=settings.mfa,
                domain_prefix=settings.auth_domain_prefix,
                deletion_protection=settings.deletion_protection,
            ),
            opts=child,
        )
        # The API exists first (the site's headers name it) and gets its routes once the
        # function exists (whose allowed origins name the site).
        self.api = LambdaRestApi(
            f"{name}-api",
            RestApiArgs(
                user_pool_arn=self.users.pool.arn,
                stage_name=pulumi.get_stack(),
                throttling_rate_limit=settings.throttling_rate_limit,
                throttling_burst_limit=settings.throttling_burst_limit,
                log_retention_days=settings.log_retention_days,
                set_account_cloudwatch_role=settings.set_account_cloud_watch_role,
                description="Notes of each signed-in user",
                protection=protection,
                domain=settings.domain.api_domain,
                certificate_arn=settings.domain.api_certificate_arn,
                zone_id=settings.domain.hosted_zone_id,
            ),
            opts=child,
        )
        self.site = StaticSite(
            f"{name}-site",
            StaticSiteArgs(
                directory=SITE_DIR,
                content_security_policy=content_security_policy(
                    self.api.origin,
                    self.users.domain_url,
                    self.audio.bucket_name,
                    region,
                    partition.dns_suffix,
                ),
                force_destroy=settings.force_destroy,
                protection=protection,
                domain=settings.domain.site_domain,
                certificate_arn=settings.domain.site_certificate_arn,
                zone_id=settings.domain.hosted_zone_id,
            ),
            opts=child,
        )
        # Cognito sends users back to these after sign-in and sign-out: the site, and the
        # stack's extra origins (a page served locally while developing it).
        app_urls = [
            pulumi.Output.concat(self.site.url, "/"),
            *(f"{origin}/" for origin in settings.allowed_origins),
        ]
        self.client = self.users.app_client(app_urls)

        self.function = Function(
            f"{name}-fn",
            FunctionArgs(
                handler_module="notes_api",
                description="Notes API: each signed-in user's notes, and speech from them",
                log_retention_days=settings.log_retention_days,
                statements=[
                    grants.query_and_write_items(self.table.arn, sid="ReadWriteNotes"),
                    grants.synthesize_speech(sid="SynthesizeSpeech"),
                    grants.read_write_objects(
                        self.audio.arn, AUDIO_PREFIX, sid="ReadWriteSpeechAudio"
                    ),
                ],
                environment={
                    "TABLE_NAME": self.table.name,
                    "AUDIO_BUCKET": self.audio.bucket_name,
                    "AUDIO_PREFIX": AUDIO_PREFIX,
                    "SPEECH_URL_EXPIRY_SECONDS": str(settings.speech_url_expiry_seconds),
                    "VOICE_ID": settings.voice_id,
                    "ALLOWED_ORIGINS": pulumi.Output.concat(
                        self.site.url, *(f",{origin}" for origin in settings.allowed_origins)
                    ),
                },
                settings=settings.function,
                protection=protection,
                asynchronous=False,
            ),
            opts=child,
        )
        self.url = self.api.serve(self.function, ROUTES, site_origin=self.site.url)
        self.site.add_generated(
            "config.js",
            pulumi.Output.all(
                self.url, self.users.domain_url, self.client.id, self.site.url, region
            ).apply(
                lambda v: (
                    "window.NOTES_CONFIG = "
                    + json.dumps(
                        {
                            "apiUrl": v[0],
                            "cognitoDomain": v[1],
                            "clientId": v[2],
                            "redirectUri": f"{v[3]}/",
                            "region": v[4],
                        },
                        indent=2,
                    )
                    + ";\n"
                )
            ),
        )
        self.api_url = self.url
        self.site_url = self.site.url
        self.user_pool_id = self.users.pool.id
        self.user_pool_client_id = self.client.id
        self.sign_in_url = self.users.domain_url
        self.table_name = self.table.name
        self.audio_bucket_name = self.audio.bucket_name
        self.function_name = self.function.function.name
        self.function_arn = self.function.arn
        self.outputs = outputs_of(self)
        self.register_outputs(self.outputs)
