"""Reading a function's role and what the guard recorded about it, in sandbox tests."""

import json


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
