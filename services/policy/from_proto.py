"""Policy values from the protobuf messages the watch stream carries."""

from __future__ import annotations

import ipaddress
from datetime import datetime

from services.policy.access import AccessRule, RuleAction, decision_order
from services.policy.schedule import Schedule
from torii.v1 import apis_pb2


def schedule_of(api: apis_pb2.PublishedApi) -> Schedule:
    given = api.schedule
    if given.always or not api.HasField("schedule") or not given.start_time:
        return Schedule()
    return Schedule(
        False,
        datetime.strptime(given.start_time, "%H:%M").time(),
        datetime.strptime(given.end_time, "%H:%M").time(),
        tuple(int(day) for day in given.weekdays),
    )


def rules_of(api: apis_pb2.PublishedApi) -> tuple[AccessRule, ...]:
    """The API's rules in decision order, ready for is_allowed(..., ordered=True)."""
    return decision_order(
        AccessRule(
            ipaddress.ip_network(rule.cidr),
            RuleAction.DENY if rule.action == apis_pb2.RULE_ACTION_DENY else RuleAction.ALLOW,
            rule.priority,
        )
        for rule in api.rules
    )
