import asyncpg
import grpc
import pytest

from tests.registry.helpers import make_api, make_member, make_version, version_spec
from torii.v1 import apis_pb2
from torii.v1 import registry_service_pb2 as pb


async def rpc_error(call) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


@pytest.fixture
async def published(registry):
    version = await make_version(registry.stub, registry.admin_user_id)
    created = await make_api(registry.stub, registry.admin_user_id, version.model_version_id)
    return created.api


async def test_a_new_api_has_the_documented_defaults(registry, published):
    api = published
    assert api.status == apis_pb2.API_STATUS_BUILDING
    assert api.api_type == apis_pb2.API_TYPE_FORMAL
    assert api.instance_kind == apis_pb2.INSTANCE_KIND_CPU and api.instance_count == 1
    assert api.schedule.always and api.public and not api.locked
    assert [(r.cidr, r.action) for r in api.rules] == [("0.0.0.0/0", apis_pb2.RULE_ACTION_ALLOW)]
    assert api.url_path == f"/v1/serverless/classifiers/{api.api_id}/inference"
    assert api.trial_limit == 0 and api.created_at.seconds > 0
    fetched = await registry.stub.GetApi(pb.GetApiRequest(actor_user_id=registry.admin_user_id, api_id=api.api_id))
    assert fetched.api == api
    assert api.contract == apis_pb2.API_CONTRACT_NNC


async def test_a_prediction_one_classifier_has_its_contracts_url(registry):
    version = await make_version(registry.stub, registry.admin_user_id)
    created = await make_api(
        registry.stub, registry.admin_user_id, version.model_version_id, contract=apis_pb2.API_CONTRACT_PREDICTION_ONE
    )
    api = created.api
    assert api.contract == apis_pb2.API_CONTRACT_PREDICTION_ONE
    assert api.url_path == f"/v1/groups/{api.account_id}/classifiers/{api.api_id}/inference"


async def test_trial_apis_get_one_hundred_requests(registry):
    version = await make_version(registry.stub, registry.admin_user_id)
    created = await make_api(
        registry.stub, registry.admin_user_id, version.model_version_id, api_type=apis_pb2.API_TYPE_TRIAL
    )
    assert (created.api.trial_limit, created.api.trial_used) == (100, 0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"instance_kind": apis_pb2.INSTANCE_KIND_GPU}, "serverless APIs run on CPU"),
        (
            {"schedule": apis_pb2.Schedule(start_time="09:00", end_time="17:00", weekdays=[apis_pb2.WEEKDAY_MONDAY])},
            "only dedicated APIs take a schedule",
        ),
        ({"execution_type": apis_pb2.EXECUTION_TYPE_UNSPECIFIED}, "execution_type is required"),
        ({"name": " "}, "API name is required"),
        (
            {
                "execution_type": apis_pb2.EXECUTION_TYPE_DEDICATED,
                "schedule": apis_pb2.Schedule(start_time="09:00", end_time="17:00"),
            },
            "at least one weekday",
        ),
        (
            {
                "execution_type": apis_pb2.EXECUTION_TYPE_DEDICATED,
                "schedule": apis_pb2.Schedule(start_time="9am", end_time="17:00", weekdays=[apis_pb2.WEEKDAY_MONDAY]),
            },
            "HH:MM",
        ),
        ({"rules": [apis_pb2.AccessRule(cidr="10.0.0.1/8")]}, "did you mean 10.0.0.0/8"),
        ({"rules": [apis_pb2.AccessRule(cidr="not-an-address")]}, "not a valid IPv4 or IPv6 CIDR"),
    ],
)
async def test_invalid_api_settings_are_refused_and_nothing_is_stored(registry, fields, message):
    version = await make_version(registry.stub, registry.admin_user_id)
    error = await rpc_error(make_api(registry.stub, registry.admin_user_id, version.model_version_id, **fields))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in error.details()
    listed = await registry.stub.ListApis(pb.ListApisRequest(actor_user_id=registry.admin_user_id))
    assert list(listed.apis) == []


async def test_a_dedicated_gpu_api_on_a_schedule(registry):
    version = await make_version(registry.stub, registry.admin_user_id)
    schedule = apis_pb2.Schedule(
        start_time="22:00", end_time="06:00", weekdays=[apis_pb2.WEEKDAY_FRIDAY, apis_pb2.WEEKDAY_MONDAY]
    )
    created = await make_api(
        registry.stub,
        registry.admin_user_id,
        version.model_version_id,
        execution_type=apis_pb2.EXECUTION_TYPE_DEDICATED,
        instance_kind=apis_pb2.INSTANCE_KIND_GPU,
        instance_count=2,
        schedule=schedule,
        rules=[apis_pb2.AccessRule(cidr="2001:db8::/32"), apis_pb2.AccessRule(cidr="198.51.100.7", priority=1)],
    )
    api = created.api
    assert (api.schedule.start_time, api.schedule.end_time) == ("22:00", "06:00")
    assert list(api.schedule.weekdays) == [apis_pb2.WEEKDAY_MONDAY, apis_pb2.WEEKDAY_FRIDAY]
    assert api.url_path == f"/v1/dedicated/classifiers/{api.api_id}/inference"
    assert [r.cidr for r in api.rules] == ["2001:db8::/32", "198.51.100.7/32"]


async def test_unknown_and_malformed_ids(registry):
    missing = "00000000-0000-0000-0000-000000000000"
    error = await rpc_error(
        registry.stub.GetApi(pb.GetApiRequest(actor_user_id=registry.admin_user_id, api_id=missing))
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND and missing in error.details()
    error = await rpc_error(registry.stub.StopApi(pb.StopApiRequest(actor_user_id=registry.admin_user_id, api_id="42")))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "not a valid id" in error.details()
    error = await rpc_error(make_api(registry.stub, registry.admin_user_id, missing))
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_delete_only_when_stopped(registry, published):
    admin, api_id = registry.admin_user_id, published.api_id
    error = await rpc_error(registry.stub.DeleteApi(pb.DeleteApiRequest(actor_user_id=admin, api_id=api_id)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and "stop API" in error.details()
    stopped = (await registry.stub.StopApi(pb.StopApiRequest(actor_user_id=admin, api_id=api_id))).api
    assert stopped.status == apis_pb2.API_STATUS_STOPPED
    await registry.stub.DeleteApi(pb.DeleteApiRequest(actor_user_id=admin, api_id=api_id))
    error = await rpc_error(registry.stub.GetApi(pb.GetApiRequest(actor_user_id=admin, api_id=api_id)))
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_lock_refuses_stop_delete_and_edits_until_an_admin_unlocks(registry, published):
    admin, api_id = registry.admin_user_id, published.api_id
    member = (await make_member(registry.stub, admin)).user.user_id
    locked = (await registry.stub.LockApi(pb.LockApiRequest(actor_user_id=member, api_id=api_id))).api
    assert locked.locked
    for call in (
        registry.stub.StopApi(pb.StopApiRequest(actor_user_id=admin, api_id=api_id)),
        registry.stub.UpdateApi(pb.UpdateApiRequest(actor_user_id=admin, api_id=api_id, public=False)),
        registry.stub.AddAccessRule(
            pb.AddAccessRuleRequest(actor_user_id=admin, api_id=api_id, rule=apis_pb2.AccessRule(cidr="10.0.0.0/8"))
        ),
    ):
        error = await rpc_error(call)
        assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and "locked" in error.details()
    error = await rpc_error(registry.stub.UnlockApi(pb.UnlockApiRequest(actor_user_id=member, api_id=api_id)))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED and "only an admin may unlock" in error.details()
    current = (await registry.stub.GetApi(pb.GetApiRequest(actor_user_id=admin, api_id=api_id))).api
    assert current.locked and current.status == apis_pb2.API_STATUS_BUILDING and current.public
    unlocked = (await registry.stub.UnlockApi(pb.UnlockApiRequest(actor_user_id=admin, api_id=api_id))).api
    assert not unlocked.locked
    stopped = (await registry.stub.StopApi(pb.StopApiRequest(actor_user_id=member, api_id=api_id))).api
    assert stopped.status == apis_pb2.API_STATUS_STOPPED


async def test_a_locked_stopped_api_cannot_be_deleted(registry, published):
    admin, api_id = registry.admin_user_id, published.api_id
    await registry.stub.StopApi(pb.StopApiRequest(actor_user_id=admin, api_id=api_id))
    await registry.stub.LockApi(pb.LockApiRequest(actor_user_id=admin, api_id=api_id))
    error = await rpc_error(registry.stub.DeleteApi(pb.DeleteApiRequest(actor_user_id=admin, api_id=api_id)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_start_after_stop_builds_again(registry, published):
    admin, api_id = registry.admin_user_id, published.api_id
    await registry.stub.StopApi(pb.StopApiRequest(actor_user_id=admin, api_id=api_id))
    started = (await registry.stub.StartApi(pb.StartApiRequest(actor_user_id=admin, api_id=api_id))).api
    assert started.status == apis_pb2.API_STATUS_BUILDING


async def test_changing_the_execution_type_changes_the_url(registry, published):
    changed = (
        await registry.stub.UpdateApi(
            pb.UpdateApiRequest(
                actor_user_id=registry.admin_user_id,
                api_id=published.api_id,
                execution_type=apis_pb2.EXECUTION_TYPE_DEDICATED,
                instance_kind=apis_pb2.INSTANCE_KIND_GPU,
            )
        )
    ).api
    assert changed.url_path != published.url_path
    assert changed.url_path.startswith("/v1/dedicated/")
    assert changed.instance_kind == apis_pb2.INSTANCE_KIND_GPU and changed.name == published.name


async def test_a_new_model_version_moves_a_running_api_to_updating(registry):
    admin = registry.admin_user_id
    first = await make_version(registry.stub, admin)
    api = (await make_api(registry.stub, admin, first.model_version_id)).api
    connection = await asyncpg.connect(registry.database_url)
    try:
        await connection.execute("UPDATE published_apis SET status = 'running' WHERE api_id = $1", api.api_id)
    finally:
        await connection.close()
    second = (
        await registry.stub.CreateModelVersion(
            pb.CreateModelVersionRequest(
                actor_user_id=admin, model_id=first.model_id, version=version_spec(artifact_uri="file:///tmp/v2.onnx")
            )
        )
    ).model_version
    assert second.version == 2
    request = pb.UpdateApiRequest(actor_user_id=admin, api_id=api.api_id, model_version_id=second.model_version_id)
    updated = (await registry.stub.UpdateApi(request)).api
    assert updated.status == apis_pb2.API_STATUS_UPDATING
    assert updated.model_version_id == second.model_version_id


async def test_access_rules_are_added_replaced_and_removed(registry, published):
    admin, api_id = registry.admin_user_id, published.api_id
    rule = apis_pb2.AccessRule(cidr="2001:db8::/48", action=apis_pb2.RULE_ACTION_DENY, priority=-1)
    api = (
        await registry.stub.AddAccessRule(pb.AddAccessRuleRequest(actor_user_id=admin, api_id=api_id, rule=rule))
    ).api
    assert [(r.cidr, r.action, r.priority) for r in api.rules] == [
        ("2001:db8::/48", apis_pb2.RULE_ACTION_DENY, -1),
        ("0.0.0.0/0", apis_pb2.RULE_ACTION_ALLOW, 0),
    ]
    rule.action = apis_pb2.RULE_ACTION_ALLOW
    api = (
        await registry.stub.AddAccessRule(pb.AddAccessRuleRequest(actor_user_id=admin, api_id=api_id, rule=rule))
    ).api
    assert len(api.rules) == 2 and api.rules[0].action == apis_pb2.RULE_ACTION_ALLOW
    api = (
        await registry.stub.RemoveAccessRule(
            pb.RemoveAccessRuleRequest(actor_user_id=admin, api_id=api_id, cidr="0.0.0.0/0")
        )
    ).api
    assert [r.cidr for r in api.rules] == ["2001:db8::/48"]
    error = await rpc_error(
        registry.stub.RemoveAccessRule(pb.RemoveAccessRuleRequest(actor_user_id=admin, api_id=api_id, cidr="0.0.0.0/0"))
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND
    error = await rpc_error(
        registry.stub.AddAccessRule(
            pb.AddAccessRuleRequest(actor_user_id=admin, api_id=api_id, rule=apis_pb2.AccessRule(cidr="300.1.1.1/32"))
        )
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_an_api_created_with_empty_rules_admits_nobody(registry):
    version = await make_version(registry.stub, registry.admin_user_id)
    created = await make_api(registry.stub, registry.admin_user_id, version.model_version_id, rules_given=True)
    assert list(created.api.rules) == []


async def test_members_cannot_touch_other_accounts_apis(registry, published):
    other = (
        await registry.stub.CreateAccount(pb.CreateAccountRequest(actor_user_id=registry.admin_user_id, name="acme"))
    ).account
    outsider = (await make_member(registry.stub, registry.admin_user_id, "olga", other.account_id)).user.user_id
    error = await rpc_error(registry.stub.StopApi(pb.StopApiRequest(actor_user_id=outsider, api_id=published.api_id)))
    assert error.code() == grpc.StatusCode.NOT_FOUND, "another account's API must not be told apart from none"
    listed = await registry.stub.ListApis(pb.ListApisRequest(actor_user_id=outsider))
    assert list(listed.apis) == []


async def test_extra_api_keys_are_issued_once(registry, published):
    key = (
        await registry.stub.CreateApiKey(
            pb.CreateApiKeyRequest(actor_user_id=registry.admin_user_id, api_id=published.api_id)
        )
    ).api_key
    assert key.secret.startswith(key.credential_id + ".") and len(key.secret) > 60


async def test_update_replaces_every_rule_at_once_and_refuses_duplicates(registry, published):
    actor = registry.admin_user_id
    rules = [
        apis_pb2.AccessRule(cidr="10.0.0.0/8", action=apis_pb2.RULE_ACTION_ALLOW, priority=1),
        apis_pb2.AccessRule(cidr="0.0.0.0/0", action=apis_pb2.RULE_ACTION_DENY, priority=2),
    ]
    changed = await registry.stub.UpdateApi(
        pb.UpdateApiRequest(actor_user_id=actor, api_id=published.api_id, rules=rules)
    )
    assert [(rule.cidr, rule.action, rule.priority) for rule in changed.api.rules] == [
        ("10.0.0.0/8", apis_pb2.RULE_ACTION_ALLOW, 1),
        ("0.0.0.0/0", apis_pb2.RULE_ACTION_DENY, 2),
    ]
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await registry.stub.UpdateApi(
            pb.UpdateApiRequest(actor_user_id=actor, api_id=published.api_id, rules=[rules[0], rules[0]])
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    emptied = await registry.stub.UpdateApi(
        pb.UpdateApiRequest(actor_user_id=actor, api_id=published.api_id, rules_given=True)
    )
    assert list(emptied.api.rules) == []
    untouched = await registry.stub.UpdateApi(
        pb.UpdateApiRequest(actor_user_id=actor, api_id=published.api_id, name="x")
    )
    assert list(untouched.api.rules) == []
