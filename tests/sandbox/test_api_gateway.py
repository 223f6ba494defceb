"""API Gateway as the sandbox plays it for the notes API: what the gateway answers before the
function is reached (unknown route, missing token, a body its model refuses, a method it may
not invoke the function for), and what it makes of the function's answer."""

import pytest

from tools.sandbox.runtime import Invocation


@pytest.fixture(scope="module")
def api(sandbox):
    return sandbox.api("notesApi")


@pytest.fixture(scope="module")
def user(sandbox):
    return sandbox.sign_in(sandbox.outputs["notesApiUserPoolId"], "gateway-test@example.com")


@pytest.fixture
def site(sandbox):
    return {"Origin": sandbox.outputs["notesApiSiteUrl"]}


def test_a_route_no_resource_declares_is_missing_authentication_token(api, user):
    answer = api.request("GET", "/users", user)
    assert (answer.status, answer.json()) == (403, {"message": "Missing Authentication Token"})
    assert api.request("PATCH", "/notes", user).status == 403


def test_without_a_token_the_authorizer_refuses_with_headers_the_site_can_read(api, site):
    answer = api.request("GET", "/notes", headers=site)
    assert (answer.status, answer.json()) == (401, {"message": "Unauthorized"})
    assert answer.headers["Access-Control-Allow-Origin"] == site["Origin"]


def test_a_user_of_another_pool_is_not_authorized(sandbox, api):
    cognito = sandbox.client("cognito-idp")
    other = cognito.create_user_pool(PoolName="elsewhere")["UserPool"]["Id"]
    stranger = sandbox.sign_in(other, "stranger@example.com")
    assert api.request("GET", "/notes", stranger).status == 401


def test_a_body_the_model_refuses_never_reaches_the_function(sandbox, api, user, site):
    function = sandbox.function("notesApi").name
    invocations = len(sandbox.journal.of("invoke", function))

    extra = api.request("POST", "/notes", user, {"Note": "hi", "UserId": "someone"}, headers=site)
    empty = api.request("POST", "/notes", user, {"Note": ""})
    not_json = api.request("POST", "/notes", user, "{not json")

    assert extra.status == 400 and "'UserId' was unexpected" in extra.json()["message"]
    assert extra.headers["Access-Control-Allow-Origin"] == site["Origin"]
    assert empty.status == 400 and "non-empty" in empty.json()["message"]
    assert (not_json.status, not_json.json()) == (400, {"message": "Invalid request body"})
    assert len(sandbox.journal.of("invoke", function)) == invocations


def test_preflight_needs_no_token_and_answers_allowed_origins_only(api):
    local = api.request("OPTIONS", "/notes/7", headers={"Origin": "http://localhost:8000"})
    assert local.status == 204
    assert local.headers["Access-Control-Allow-Origin"] == "http://localhost:8000"
    foreign = api.request("OPTIONS", "/notes", headers={"Origin": "https://evil.example"})
    assert foreign.status == 204 and "Access-Control-Allow-Origin" not in foreign.headers


def test_the_gateway_may_invoke_the_function_only_as_its_permissions_say(sandbox, api, user):
    function = sandbox.function("notesApi")
    kept = list(function.policy)
    function.policy[:] = [s for s in kept if "/GET/notes" not in str(s.get("Condition"))]
    try:
        refused = api.request("GET", "/notes", user)
    finally:
        function.policy[:] = kept
    assert (refused.status, refused.json()) == (500, {"message": "Internal server error"})
    assert "API Gateway may not invoke it" in sandbox.journal.of("problem", function.name)[-1].text
    assert api.request("GET", "/notes", user).status == 200


def test_an_answer_that_is_not_a_proxy_response_is_a_bad_gateway(sandbox, api, user, monkeypatch):
    def broken(function_name, event):
        return Invocation(function_name, "request", event, ok=True, result={"notes": []})

    monkeypatch.setattr(sandbox, "invoke", broken)
    answer = api.request("GET", "/notes", user)
    assert (answer.status, answer.json()) == (502, {"message": "Internal server error"})


def test_the_function_gets_the_callers_claims_and_the_path_parameters(
    sandbox, api, user, monkeypatch
):
    seen = []
    real = sandbox.invoke

    def spy(function_name, event):
        seen.append(event)
        return real(function_name, event)

    monkeypatch.setattr(sandbox, "invoke", spy)
    api.request("PUT", "/notes/42", user, {"Note": "x"}, query={"dry": "1"})
    (event,) = seen
    assert event["resource"] == "/notes/{noteId}"
    assert event["pathParameters"] == {"noteId": "42"}
    assert event["requestContext"]["authorizer"]["claims"]["sub"] == user["claims"]["sub"]
    assert (
        event["requestContext"]["stage"] == "dev"
        and event["requestContext"]["path"] == "/dev/notes/42"
    )
    assert event["queryStringParameters"] == {"dry": "1"}
