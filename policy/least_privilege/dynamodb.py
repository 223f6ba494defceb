"""DynamoDB rules: tables can be restored. Advisory by default."""

from pulumi_policy import EnforcementLevel, Severity

from .props import dig
from .rule import Resource, RuleInfo, resource_rule

TABLE = "aws:dynamodb/table:Table"


def check_point_in_time_recovery(resource: Resource, settings: dict):
    enabled = dig(resource.props, "pointInTimeRecovery", "enabled")
    if enabled is None or enabled is False:
        yield (
            f"{resource} has no point-in-time recovery: a bad write or delete cannot be "
            "undone. Set point_in_time_recovery={'enabled': True}."
        )


POINT_IN_TIME_RECOVERY = resource_rule(
    RuleInfo(
        name="dynamodb-point-in-time-recovery",
        description="Every DynamoDB table has point-in-time recovery enabled.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Set point_in_time_recovery={'enabled': True} on the table.",
    ),
    [TABLE],
    check_point_in_time_recovery,
)

POLICIES = [POINT_IN_TIME_RECOVERY]
