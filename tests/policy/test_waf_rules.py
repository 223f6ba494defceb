"""web-acl-on-public-endpoints: public REST API stages and CloudFront distributions have a web ACL."""

import pytest

from tests.policy.harness import ACCOUNT, UNKNOWN, Res, check_stack, finding, only

RULE = "web-acl-on-public-endpoints"
REST_API = "aws:apigateway/restApi:RestApi"
STAGE = "aws:apigateway/stage:Stage"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
REGION = "eu-west-1"
ACL = f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/notes-api/a1b2c3d4-5678-90ab-cdef-1234567890ab"
CDN_ACL = f"arn:aws:wafv2:us-east-1:{ACCOUNT}:global/webacl/notes-site/a1b2c3d4-5678-90ab-cdef-0987654321ba"


def rest_api(name="notes-api", api_id="da2e78a4cd", types="REGIONAL"):
    outputs: dict = {"id": api_id, "arn": f"arn:aws:apigateway:{REGION}::/restapis/{api_id}"}
    if types is not None:
        outputs["endpointConfiguration"] = {"types": types}
    return Res(REST_API, name, outputs)


def stage(api: Res, name="notes-api-stage", stage_name="prod", linked=False):
    """A stage of `api`, naming it by id (linked: by dependency, its id unknown in preview)."""
    api_id = api.outputs["id"]
    arn = f"arn:aws:apigateway:{REGION}::/restapis/{api_id}/stages/{stage_name}"
    outputs = {
        "restApi": UNKNOWN if linked else api_id,
        "stageName": stage_name,
        "arn": UNKNOWN if linked else arn,
    }
    return Res(STAGE, name, outputs, {"restApi": [api]} if linked else {})


def association(resource_arn, depends=None, name="notes-api-web-acl"):
    return Res(
        ASSOCIATION,
        name,
        {"resourceArn": resource_arn, "webAclArn": ACL},
        {"resourceArn": depends} if depends else {},
    )


def distribution(name="notes-site", **extra):
    outputs = {
        "arn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/E99001865277E7",
        "viewerCertificate": {"cloudfrontDefaultCertificate": True},
        **extra,
    }
    return Res(DISTRIBUTION, name, outputs)


def waf_findings(pack, resources, config=None):
    return [v for v in check_stack(pack, resources, config) if v.policy == RULE]


# --- API stages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "types", ["REGIONAL", "EDGE", None, ["REGIONAL"]], ids=["regional", "edge", "default", "list"]
)
def test_a_stage_of_a_public_rest_api_without_a_web_acl_is_flagged(pack, types):
    # No endpoint type: API Gateway's default is EDGE, public as REGIONAL is.
    api = rest_api(types=types)
    notes = stage(api)
    violation = only(waf_findings(pack, [api, notes]), RULE)
    assert violation.urn == notes.urn and violation.enforcement == "advisory"
    assert finding(violation) == (
        "Stage 'notes-api-stage' of a public REST API has no web ACL: associate an "
        "aws.wafv2.WebAcl (scope REGIONAL) with aws.wafv2.WebAclAssociation("
        "resource_arn=stage.arn, web_acl_arn=acl.arn)."
    )


def test_a_stage_linked_to_its_api_by_dependency_during_preview_is_judged_too(pack):
    api = rest_api()
    notes = stage(api, linked=True)
    assert only(waf_findings(pack, [api, notes]), RULE).urn == notes.urn


@pytest.mark.parametrize("how", ["by-arn", "by-dependency-during-preview", "by-built-arn"])
def test_an_association_naming_the_stage_protects_it(pack, how):
    api = rest_api()
    if how == "by-arn":
        notes = stage(api)
        link = association(notes.outputs["arn"])
    elif how == "by-dependency-during-preview":
        notes = stage(api, linked=True)
        link = association(UNKNOWN, [notes])
    else:  # a new stage of an existing API: its ARN unknown, the association's written out
        notes = stage(api)
        notes.outputs["arn"] = UNKNOWN
        link = association(f"arn:aws:apigateway:{REGION}::/restapis/da2e78a4cd/stages/prod")
    assert waf_findings(pack, [api, notes, link]) == []


@pytest.mark.parametrize("types", ["PRIVATE", ["PRIVATE"]])
def test_stages_of_private_apis_need_no_web_acl(pack, types):
    # Private APIs are reachable only through an interface VPC endpoint.
    api = rest_api(types=types)
    assert waf_findings(pack, [api, stage(api)]) == []


def test_an_association_for_another_stage_does_not_count(pack):
    api = rest_api()
    prod, test = stage(api), stage(api, name="notes-api-test", stage_name="test")
    resources = [api, prod, test, association(test.outputs["arn"])]
    assert only(waf_findings(pack, resources), RULE).urn == prod.urn


@pytest.mark.parametrize(
    "case", ["endpoint-type-unknown", "api-not-in-stack", "unlinked-unknown-association"]
)
def test_what_cannot_be_known_during_preview_is_not_flagged(pack, case):
    api = rest_api()
    notes = stage(api)
    resources = [api, notes]
    if case == "endpoint-type-unknown":
        api.outputs["endpointConfiguration"] = {"types": UNKNOWN}
    elif case == "api-not-in-stack":
        resources = [notes]  # an API of another stack, looked up by id: its type is not known
    else:
        resources.append(association(UNKNOWN))
    assert waf_findings(pack, resources) == []


def test_an_unknown_association_computed_from_an_api_may_be_for_its_stages_only(pack):
    # resource_arn=Output.concat("arn:...::/restapis/", api.id, "/stages/prod"), first preview.
    notes, other = rest_api(), rest_api("other-api", "f00ba47e11")
    notes_stage, other_stage = stage(notes), stage(other, name="other-api-stage")
    link = association(UNKNOWN, [notes])
    violations = waf_findings(pack, [notes, other, notes_stage, other_stage, link])
    assert only(violations, RULE).urn == other_stage.urn


def test_http_api_stages_are_left_out(pack):
    # HTTP APIs cannot take AWS WAF (API Gateway Developer Guide, "Choose between REST APIs and
    # HTTP APIs": AWS WAF, REST API yes, HTTP API no).
    http_stage = Res(
        "aws:apigatewayv2/stage:Stage", "http-stage", {"apiId": "a1b2c3", "name": "$default"}
    )
    assert waf_findings(pack, [http_stage]) == []


def test_a_stage_can_be_exempted(pack):
    api = rest_api()
    config = {RULE: {"exemptResources": ["notes-api-*"]}}
    assert waf_findings(pack, [api, stage(api)], config) == []


# --- distributions -----------------------------------------------------------------------------


@pytest.mark.parametrize("web_acl", [None, ""], ids=["not-set", "empty"])
def test_a_distribution_without_a_web_acl_is_flagged(pack, web_acl):
    site = distribution(**({} if web_acl is None else {"webAclId": web_acl}))
    violation = only(waf_findings(pack, [site]), RULE)
    assert violation.urn == site.urn
    assert finding(violation) == (
        "Distribution 'notes-site' has no web ACL (web_acl_id is empty): set web_acl_id to the "
        "ARN of a wafv2 WebAcl with scope CLOUDFRONT (created in us-east-1)."
    )


@pytest.mark.parametrize("web_acl", [CDN_ACL, UNKNOWN], ids=["arn", "unknown-during-preview"])
def test_a_distribution_naming_a_web_acl_passes(pack, web_acl):
    assert waf_findings(pack, [distribution(webAclId=web_acl)]) == []
