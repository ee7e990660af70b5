import asyncpg
import grpc

from services.registry.migrations import apply_migrations, migration_files
from tests.registry.helpers import SHA, make_api, make_version
from tests.registry.training_helpers import (
    config,
    other_account_member,
    rpc_error,
    trained_version,
)
from torii.v1 import apis_pb2, tabular_pb2
from torii.v1 import registry_service_pb2 as registry_pb
from torii.v1 import training_registry_service_pb2 as pb


def listing(actor, offset=0, limit=0):
    return pb.ListTrainedModelsRequest(actor_user_id=actor, page=pb.Page(offset=offset, limit=limit))


async def test_uploaded_versions_get_numbers_too_but_are_not_trained_models(registry, training):
    admin = registry.admin_user_id
    first = await make_version(registry.stub, admin, "a")
    second = await make_version(registry.stub, admin, "b")
    assert 0 < first.number < second.number and first.training_job_id == second.training_job_id == ""
    fetched = await registry.stub.GetModelVersion(
        registry_pb.GetModelVersionRequest(model_version_id=first.model_version_id)
    )
    assert fetched.model_version.number == first.number
    listed = await training.ListTrainedModels(listing(admin))
    assert list(listed.models) == [] and listed.page.total == 0
    error = await rpc_error(
        training.GetTrainedModel(pb.GetTrainedModelRequest(actor_user_id=admin, model_number=first.number))
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_trained_models_are_listed_newest_first_with_their_settings(registry, training):
    admin = registry.admin_user_id
    await make_version(registry.stub, admin, "uploaded")
    made = [(await trained_version(training, admin, name)) for name in ("iris", "wine", "iris")]
    listed = await training.ListTrainedModels(listing(admin, limit=2))
    assert [m.model_version.number for m in listed.models] == [
        made[2].model_version.number,
        made[1].model_version.number,
    ]
    assert (listed.page.limit, listed.page.total) == (2, 3)
    newest = listed.models[0]
    assert newest.model_name == "iris" and newest.owner_user_id == admin and not newest.in_use
    assert newest.config == config() and newest.problem_type == tabular_pb2.PROBLEM_TYPE_MULTI_CLASSIFICATION
    assert newest.model_version == made[2].model_version and newest.updated_at.seconds > 0
    rest = await training.ListTrainedModels(listing(admin, offset=2))
    assert [m.model_name for m in rest.models] == ["iris"]
    error = await rpc_error(training.ListTrainedModels(listing(admin, limit=-1)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_trained_models_belong_to_their_account(registry, training):
    admin = registry.admin_user_id
    version = (await trained_version(training, admin)).model_version
    outsider = await other_account_member(registry)
    assert list((await training.ListTrainedModels(listing(outsider))).models) == []
    for call in (
        training.GetTrainedModel(pb.GetTrainedModelRequest(actor_user_id=outsider, model_number=version.number)),
        training.DeleteTrainedModel(pb.DeleteTrainedModelRequest(actor_user_id=outsider, model_number=version.number)),
    ):
        assert (await rpc_error(call)).code() == grpc.StatusCode.NOT_FOUND
    got = await training.GetTrainedModel(pb.GetTrainedModelRequest(actor_user_id=admin, model_number=version.number))
    assert got.model.model_version.model_version_id == version.model_version_id
    error = await rpc_error(training.GetTrainedModel(pb.GetTrainedModelRequest(actor_user_id=admin, model_number=0)))
    assert (error.code(), error.details()) == (grpc.StatusCode.INVALID_ARGUMENT, "Model id is required.")


async def test_a_model_in_use_is_not_deleted_and_one_out_of_use_is(registry, training):
    admin = registry.admin_user_id
    finished = await trained_version(training, admin)
    version = finished.model_version
    api = (await make_api(registry.stub, admin, version.model_version_id)).api
    got = await training.GetTrainedModel(pb.GetTrainedModelRequest(actor_user_id=admin, model_number=version.number))
    assert got.model.in_use
    error = await rpc_error(
        training.DeleteTrainedModel(pb.DeleteTrainedModelRequest(actor_user_id=admin, model_number=version.number))
    )
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION

    await registry.stub.StopApi(registry_pb.StopApiRequest(actor_user_id=admin, api_id=api.api_id))
    await registry.stub.DeleteApi(registry_pb.DeleteApiRequest(actor_user_id=admin, api_id=api.api_id))
    deleted = await training.DeleteTrainedModel(
        pb.DeleteTrainedModelRequest(actor_user_id=admin, model_number=version.number)
    )
    assert deleted.artifact_uri == version.artifact_uri
    error = await rpc_error(
        training.GetTrainedModel(pb.GetTrainedModelRequest(actor_user_id=admin, model_number=version.number))
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND
    job = (await training.GetTrainingJob(pb.GetTrainingJobRequest(job_id=finished.job.job_id))).job
    assert job.model_version_id == "" and job.model_number == 0 and job.result_uri == finished.job.result_uri


async def test_a_version_an_api_is_moving_off_is_still_in_use(registry, training):
    admin = registry.admin_user_id
    old = (await trained_version(training, admin)).model_version
    new = (await trained_version(training, admin)).model_version
    api = (await make_api(registry.stub, admin, old.model_version_id)).api
    await registry.stub.ReportDeployment(
        registry_pb.ReportDeploymentRequest(
            api_id=api.api_id, model_version_id=old.model_version_id, status=apis_pb2.API_STATUS_RUNNING
        )
    )
    await registry.stub.UpdateApi(
        registry_pb.UpdateApiRequest(actor_user_id=admin, api_id=api.api_id, model_version_id=new.model_version_id)
    )
    got = await training.GetTrainedModel(pb.GetTrainedModelRequest(actor_user_id=admin, model_number=old.number))
    assert got.model.in_use, "the API still serves the old version until the new one is deployed"


async def test_versions_made_before_numbering_are_numbered_in_the_order_they_were_made(database_url):
    rows = 3
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for number, name, sql in migration_files()[:2]:
            await connection.execute(sql)
            await connection.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", number, name)
        account = await connection.fetchval(
            "INSERT INTO accounts (account_id, name) VALUES (gen_random_uuid(), 'a') RETURNING account_id"
        )
        model = await connection.fetchval(
            "INSERT INTO models (model_id, account_id, name) VALUES (gen_random_uuid(), $1, 'm') RETURNING model_id",
            account,
        )
        for version in range(rows, 0, -1):  # inserted newest first: numbers follow created_at, not row order
            await connection.execute(
                "INSERT INTO model_versions (model_version_id, model_id, version, format, artifact_uri, sha256,"
                " size_bytes, signature, preprocessing, created_at)"
                " VALUES (gen_random_uuid(), $1, $2, 'onnx', 'file:///m', $3, 1, '{}', '{}',"
                "         now() - make_interval(mins => 10 - $2))",
                model,
                version,
                SHA,
            )
        await apply_migrations(connection)
        numbered = await connection.fetch("SELECT version, number FROM model_versions ORDER BY version")
        assert [(row["version"], row["number"]) for row in numbered] == [(v, v) for v in range(1, rows + 1)]
        next_number = await connection.fetchval(
            "INSERT INTO model_versions (model_version_id, model_id, version, format, artifact_uri, sha256,"
            " size_bytes, signature, preprocessing) VALUES (gen_random_uuid(), $1, 99, 'onnx', 'file:///m', $2, 1,"
            " '{}', '{}') RETURNING number",
            model,
            SHA,
        )
        assert next_number == rows + 1
    finally:
        await connection.close()
