"""Reading a function's role and what the guard recorded about it, in sandbox tests."""

import json

from tools.sandbox import scenarios


def role_policy(sandbox, function) -> tuple:
    """(policy name, document) of the function role's one inline policy, as deployed."""
    iam = sandbox.client("iam")
    role = function.role_arn.rsplit("/", 1)[-1]
    (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    return name, json.loads(document) if isinstance(document, str) else document


def statements_that_allowed(sandbox, function, since: int = 0) -> set:
    """Sids of the statements that allowed at least one of the function's calls."""
    return {
        ref.sid
        for call in sandbox.guard.calls[since:]
        if call.identity.function == function.name
        for _, decision in call.needs
        if decision.allowed
        for ref in decision.deciding
    }


def _actions(statement: dict) -> set:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def put_role_policy(sandbox, function, name: str, policy: dict) -> None:
    role = function.role_arn.rsplit("/", 1)[-1]
    sandbox.client("iam").put_role_policy(
        RoleName=role, PolicyName=name, PolicyDocument=json.dumps(policy)
    )


def unnecessary_statements(sandbox, scenario, run_id: str) -> list:
    """(Sid, actions denied meanwhile) of each statement whose removal the story survives, or
    whose removal makes it fail without denying any of the statement's own actions."""
    function = sandbox.function(scenario.pipeline)
    name, policy = role_policy(sandbox, function)
    found = []
    for index, statement in enumerate(policy["Statement"]):
        others = policy["Statement"][:index] + policy["Statement"][index + 1 :]
        put_role_policy(sandbox, function, name, dict(policy, Statement=others))
        calls_before = len(sandbox.guard.calls)
        try:
            outcome = scenarios.tell(sandbox, scenario, f"{run_id}x{index}")
        finally:
            put_role_policy(sandbox, function, name, policy)
            sandbox.settle()  # what the mutated run left behind is handled before the next
        denied = {
            need.action
            for call in sandbox.guard.calls[calls_before:]
            if call.identity.function == function.name
            for need, decision in call.needs
            if not decision.allowed
        }
        if outcome.ok or not denied & _actions(statement):
            found.append((statement["Sid"], sorted(denied)))
    return found
