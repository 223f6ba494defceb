"""UserPool: Cognito sign-in for a single-page app, secure by default.

    user pool (email as user name, strong passwords, MFA as configured, recovery by email)
        ── managed login domain https://<prefix>.auth.<region>.amazoncognito.com
        ── app client without secret: authorization code + PKCE only, back to the app's URLs

A page cannot keep a client secret, so the client has none and allows no password flow through
the API (no USER_PASSWORD_AUTH): users sign in on Cognito's own page, and the app gets tokens
through the code flow with PKCE.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .args import NotesApiSettings, read_auth_domain_prefix, read_mfa
from .checks import Section, check_args


def default_domain_prefix(logical_name: str) -> str:
    """`<project>-<stack>-<name>` trimmed, plus a hash: unique per stack, as Cognito requires of
    a prefix in a region, and free of the words it reserves."""
    scope = f"{pulumi.get_project()}/{pulumi.get_stack()}/{logical_name}"
    suffix = hashlib.sha256(scope.encode()).hexdigest()[:8]
    words = f"{pulumi.get_project()}-{pulumi.get_stack()}-{logical_name}".lower()
    for reserved in ("aws", "amazon", "cognito"):
        words = words.replace(reserved, "")
    cleaned = "".join(c if c.isalnum() else "-" for c in words).strip("-")
    while "--" in cleaned:
        cleaned = cleaned.replace("--", "-")
    return f"{cleaned[: 62 - len(suffix)].strip('-')}-{suffix}"


@dataclass(frozen=True)
class UserPoolArgs:
    """A user pool: every field left out takes its secure default (the notes API's)."""

    # Multi-factor sign-in with a TOTP app: OFF, OPTIONAL or ON.
    mfa: str = NotesApiSettings.mfa
    # Prefix of the managed login domain; default: derived from project, stack and name.
    domain_prefix: str | None = None
    deletion_protection: bool = False

    def __post_init__(self):
        check_args(self, _check)


def _check(section: Section) -> None:
    read_mfa(section, "mfa", NotesApiSettings.mfa)
    read_auth_domain_prefix(section, "domain_prefix")
    section.boolean("deletion_protection", False)


class UserPool(pulumi.ComponentResource):
    def __init__(self, name: str, args: UserPoolArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("event-pipelines:index:UserPool", name, None, opts)
        mfa = args.mfa
        child = pulumi.ResourceOptions(parent=self)
        self._logical_name = name

        self.pool = aws.cognito.UserPool(
            name,
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            username_configuration={"case_sensitive": False},
            password_policy={
                "minimum_length": 12,
                "require_lowercase": True,
                "require_uppercase": True,
                "require_numbers": True,
                "require_symbols": True,
                "temporary_password_validity_days": 3,
            },
            # TOTP apps only: SMS would need an SNS role and is the weaker factor.
            mfa_configuration=mfa,
            software_token_mfa_configuration={"enabled": True} if mfa != "OFF" else None,
            account_recovery_setting={
                "recovery_mechanisms": [{"name": "verified_email", "priority": 1}]
            },
            deletion_protection="ACTIVE" if args.deletion_protection else "INACTIVE",
            opts=child,
        )
        prefix = args.domain_prefix or default_domain_prefix(name)
        self.domain = aws.cognito.UserPoolDomain(
            f"{name}-domain",
            domain=prefix,
            user_pool_id=self.pool.id,
            managed_login_version=2,
            opts=child,
        )
        region = aws.get_region_output().region
        self.domain_url = pulumi.Output.concat(
            "https://", prefix, ".auth.", region, ".amazoncognito.com"
        )
        self.register_outputs({"userPoolId": self.pool.id, "domainUrl": self.domain_url})

    def app_client(self, app_urls: Sequence[pulumi.Input[str]]) -> aws.cognito.UserPoolClient:
        """The client a page at `app_urls` (its first one is the default) signs in with."""
        return aws.cognito.UserPoolClient(
            f"{self._logical_name}-client",
            user_pool_id=self.pool.id,
            generate_secret=False,
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_flows=["code"],
            allowed_oauth_scopes=["openid", "email"],
            supported_identity_providers=["COGNITO"],
            callback_urls=list(app_urls),
            logout_urls=list(app_urls),
            default_redirect_uri=app_urls[0],
            explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH"],
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            # Short-lived ID and access tokens; the refresh token keeps a user signed in a day.
            id_token_validity=60,
            access_token_validity=60,
            refresh_token_validity=24,
            token_validity_units={
                "id_token": "minutes",
                "access_token": "minutes",
                "refresh_token": "hours",
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
