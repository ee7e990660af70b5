"""A published API as Prediction One's classifier object (contract §3.8), and its rules."""

from __future__ import annotations

import asyncio

from services.gateway.prediction_one.contract_errors import PredictionOneError, bad_request
from services.gateway.prediction_one.converters import timestamp_text
from services.gateway.serving.catalog import ApiCatalog
from services.policy.rules import distinct_rules, make_rule
from services.runtime.errors import InvalidArgument
from torii.v1 import apis_pb2

# The contract's classifier statuses. A stopped classifier is "terminated" (active false) and one
# being deleted "terminating"; a schedule does not apply to classifiers (they are serverless).
STATUS_WORDS = {
    apis_pb2.API_STATUS_BUILDING: "building",
    apis_pb2.API_STATUS_UPDATING: "updating",
    apis_pb2.API_STATUS_RUNNING: "running",
    apis_pb2.API_STATUS_STOPPED: "terminated",
    apis_pb2.API_STATUS_DELETING: "terminating",
    apis_pb2.API_STATUS_FAILED: "failed",
    apis_pb2.API_STATUS_OUTSIDE_SCHEDULE: "terminated",
}
API_TYPES = {"formal": apis_pb2.API_TYPE_FORMAL, "trial": apis_pb2.API_TYPE_TRIAL}
API_TYPE_NAMES = {value: key for key, value in API_TYPES.items()}
ORDERS = {"allow": apis_pb2.RULE_ACTION_ALLOW, "deny": apis_pb2.RULE_ACTION_DENY}
ORDER_NAMES = {value: key for key, value in ORDERS.items()}


def rules_from_contract(rules: object) -> list[apis_pb2.AccessRule]:
    """`rules: [{source, order, priority}]`, checked as the registry checks them, so a PATCH
    that would fail on its rules fails before it unlocks, stops or starts anything."""
    if not isinstance(rules, list):
        raise PredictionOneError(bad_request("rules must be a list of {source, order, priority}."))
    checked = []
    for number, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict) or not isinstance(rule.get("source"), str):
            raise PredictionOneError(bad_request(f"rules[{number}] needs source, a CIDR such as 0.0.0.0/0."))
        order = str(rule.get("order", "allow")).strip().lower()
        if order not in ORDERS:
            raise PredictionOneError(bad_request(f"rules[{number}].order must be allow or deny."))
        priority = rule.get("priority", 0)
        if isinstance(priority, bool):
            priority = None
        try:
            priority = int(str(priority))
        except (TypeError, ValueError):
            raise PredictionOneError(bad_request(f"rules[{number}].priority must be an integer.")) from None
        try:
            checked.append(make_rule(rule["source"], order, priority))
        except InvalidArgument as error:
            raise PredictionOneError(bad_request(f"rules[{number}]: {error}.")) from None
    try:
        distinct_rules(tuple(checked))
    except InvalidArgument as error:
        raise PredictionOneError(bad_request(f"{error}.")) from None
    return [
        apis_pb2.AccessRule(cidr=str(rule.network), action=ORDERS[rule.action.value], priority=rule.priority)
        for rule in checked
    ]


async def model_numbers(catalog: ApiCatalog, apis: list[apis_pb2.PublishedApi]) -> dict[str, int]:
    """model_version_id → its number (the contract's model_id), from the catalog's version cache."""
    ids = sorted({api.model_version_id for api in apis})
    versions = await asyncio.gather(*(catalog.version(version_id) for version_id in ids))
    return {version_id: version.number for version_id, version in zip(ids, versions, strict=True)}


def classifier_json(api: apis_pb2.PublishedApi, model_number: int, base_url: str, api_key: str | None = None) -> dict:
    """Keys are stored hashed: api_key is shown once, when the classifier is created, else null."""
    return {
        "classifier_id": api.api_id,
        "api_key": api_key,
        "version": str(model_number),
        "create_datetime": timestamp_text(api.created_at),
        "update_datetime": timestamp_text(api.updated_at),
        "model_id": model_number,
        "status": STATUS_WORDS.get(api.status, "building"),
        "url": f"{base_url}{api.url_path}",
        "active": api.status != apis_pb2.API_STATUS_STOPPED,
        "is_editable": not api.locked,
        "rules": [
            {"source": rule.cidr, "order": ORDER_NAMES.get(rule.action, "allow"), "priority": rule.priority}
            for rule in api.rules
        ],
        "api_type": API_TYPE_NAMES.get(api.api_type, "formal"),
        "trial_limit": api.trial_limit,
        "trial_used": api.trial_used,
        "status_message": api.status_message,
    }
