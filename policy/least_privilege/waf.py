"""WAF rules: what the internet can reach has a web application firewall in front of it.
Advisory by default.

--- web-acl-on-public-endpoints ------------------------------------------------------------------

What: every stage of a public REST API (an `aws.apigateway.RestApi` whose endpoint type is EDGE,
the default, or REGIONAL) has an `aws.wafv2.WebAclAssociation` whose `resource_arn` is the stage's
ARN (`arn:aws:apigateway:<region>::/restapis/<id>/stages/<name>`, by value or computed from the
stage); every CloudFront distribution names a web ACL in `web_acl_id`.

Why: throttling and authorizers run after API Gateway has accepted a request; a web ACL drops
floods from one address (rate-based rules), known exploit payloads and bad-reputation sources
before they cost an invocation, a table read or a bill. Both kinds of endpoint are public by
default, so both need one.

How to fix: create an `aws.wafv2.WebAcl` with scope REGIONAL in the API's region and associate it
with `aws.wafv2.WebAclAssociation(resource_arn=stage.arn, web_acl_arn=acl.arn)`; for a
distribution, a WebAcl with scope CLOUDFRONT, which WAF keeps in us-east-1 whatever the stack's
region, and `web_acl_id=acl.arn`.

Out of scope:
- PRIVATE REST APIs: only reachable through an interface VPC endpoint.
- HTTP and WebSocket APIs (`aws.apigatewayv2`): AWS WAF cannot be associated with them (API
  Gateway Developer Guide, "Choose between REST APIs and HTTP APIs": AWS WAF, REST API yes, HTTP
  API no). Put a distribution with a web ACL in front of one instead.
- A stage's own `web_acl_arn` output is not read: it reports what AWS had at the last refresh
  (stale once the association leaves the program). An ACL associated outside the stack (AWS
  Firewall Manager) is what `exemptResources` is for.

During preview: an API whose endpoint type is unknown, a stage whose API is not in the stack (or
not known), and a stage an association with an unknown, unlinked resource ARN may be for, are not
reported. A `web_acl_id` unknown during preview counts as set.
"""

from pulumi_policy import EnforcementLevel, Severity

from .props import as_list, dig, is_unknown
from .rule import Resource, RuleInfo, Targets, of_types, stack_rule

REST_API = "aws:apigateway/restApi:RestApi"
STAGE = "aws:apigateway/stage:Stage"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


def _is_public(api: Resource) -> bool | None:
    """True for EDGE (the default) and REGIONAL APIs, False for PRIVATE, None when unknown.
    pulumi-aws v7 makes `types` one string; a list (older programs) is accepted too."""
    types = dig(api.props, "endpointConfiguration", "types")
    if is_unknown(types) or any(is_unknown(t) for t in as_list(types)):
        return None
    return "PRIVATE" not in as_list(types)


def _stage_path(value) -> str | None:
    """The "/restapis/<id>/stages/<name>" part of a stage ARN."""
    if isinstance(value, str) and value.startswith("arn:") and "::/restapis/" in value:
        return value.split("::", 1)[1]
    return None


def _stage_ids(stage: Resource) -> list:
    api, name = stage.props.get("restApi"), stage.props.get("stageName")
    path = (
        f"/restapis/{api}/stages/{name}" if isinstance(api, str) and isinstance(name, str) else None
    )
    return [stage.props.get("arn"), path]


def _undecided(associations: list, stages: Targets, apis: Targets) -> tuple[bool, set]:
    """Associations whose resource ARN is unknown and names no stage: (one of them may be for any
    stage, ids of the APIs whose stages one of them may be for)."""
    anywhere, of_apis = False, set()
    for association in associations:
        if not is_unknown(association.props.get("resourceArn")):
            continue
        if stages.named_by(association, "resourceArn", ()):
            continue
        linked = apis.named_by(association, "resourceArn", ())
        if linked:  # an ARN computed from the API's id and a stage name
            of_apis.update(id(api) for api in linked)
        elif not association.property_dependencies.get("resourceArn"):
            anywhere = True
    return anywhere, of_apis


def check_web_acls(resources: list, settings: dict):
    apis = Targets(of_types(resources, REST_API), lambda api: [api.props.get("id")])
    stages = Targets(of_types(resources, STAGE), _stage_ids)
    associations = of_types(resources, ASSOCIATION)
    protected = {
        id(stage)
        for association in associations
        for stage in stages.named_by(
            association,
            "resourceArn",
            [
                association.props.get("resourceArn"),
                _stage_path(association.props.get("resourceArn")),
            ],
        )
    }
    anywhere, of_apis = _undecided(associations, stages, apis)
    for stage in stages:
        if id(stage) in protected or anywhere:
            continue
        mine = apis.named_by(stage, "restApi")
        if not mine or any(id(api) in of_apis for api in mine):
            continue  # an API outside the stack or not known yet; or an association may be its
        if not any(_is_public(api) is True for api in mine):
            continue
        yield (
            stage,
            (
                f"{stage} of a public REST API has no web ACL: associate an aws.wafv2.WebAcl "
                "(scope REGIONAL) with aws.wafv2.WebAclAssociation(resource_arn=stage.arn, "
                "web_acl_arn=acl.arn)."
            ),
        )
    for distribution in of_types(resources, DISTRIBUTION):
        acl = distribution.props.get("webAclId")
        if is_unknown(acl) or (isinstance(acl, str) and acl):
            continue
        yield (
            distribution,
            (
                f"{distribution} has no web ACL (web_acl_id is empty): set web_acl_id to the ARN "
                "of a wafv2 WebAcl with scope CLOUDFRONT (created in us-east-1)."
            ),
        )


WEB_ACL = stack_rule(
    RuleInfo(
        name="web-acl-on-public-endpoints",
        description="Every stage of a public (EDGE or REGIONAL) REST API is associated with an "
        "AWS WAF web ACL, and every CloudFront distribution names one in web_acl_id.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Create an aws.wafv2.WebAcl (scope REGIONAL) and "
        "aws.wafv2.WebAclAssociation(resource_arn=stage.arn, web_acl_arn=acl.arn) for each "
        "stage; for a distribution, a WebAcl with scope CLOUDFRONT in us-east-1 and "
        "web_acl_id=acl.arn.",
    ),
    check_web_acls,
)

POLICIES = [WEB_ACL]
