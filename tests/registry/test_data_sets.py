import grpc
import pytest

from tests.registry.training_helpers import (
    attach_learn,
    other_account_member,
    queued_job,
    rpc_error,
)
from torii.v1 import training_pb2
from torii.v1 import training_registry_service_pb2 as pb


async def upload(training, actor, *names):
    """One job awaiting its data, with each name uploaded in turn; returns the data sets."""
    job = (
        await training.CreateTrainingJob(
            pb.CreateTrainingJobRequest(actor_user_id=actor, kind=training_pb2.TRAINING_JOB_KIND_TRAIN)
        )
    ).job
    return job, [
        (await attach_learn(training, job.job_id, name=name, artifact_uri=f"file:///d/{name}")).data_set
        for name in names
    ]


def listing(actor, offset=0, limit=0):
    return pb.ListDataSetsRequest(actor_user_id=actor, page=pb.Page(offset=offset, limit=limit))


async def test_data_sets_are_listed_newest_first_in_pages(registry, training):
    admin = registry.admin_user_id
    _, made = await upload(training, admin, "a.csv", "b.csv", "c.csv")
    first = await training.ListDataSets(listing(admin, limit=2))
    assert [d.name for d in first.data_sets] == ["c.csv", "b.csv"]
    assert (first.page.offset, first.page.limit, first.page.total) == (0, 2, 3)
    rest = await training.ListDataSets(listing(admin, offset=2, limit=2))
    assert [d.data_set_id for d in rest.data_sets] == [made[0].data_set_id]
    default = await training.ListDataSets(listing(admin))
    assert default.page.limit == 30 and len(default.data_sets) == 3
    assert (await training.ListDataSets(listing(admin, limit=5000))).page.limit == 1000
    for request in (listing(admin, offset=-1), listing(admin, limit=-1)):
        assert (await rpc_error(training.ListDataSets(request))).code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_data_set_keeps_what_the_trainer_recorded(registry, training):
    admin = registry.admin_user_id
    _, [made] = await upload(training, admin, "iris.csv")
    got = (await training.GetDataSet(pb.GetDataSetRequest(actor_user_id=admin, data_set_id=made.data_set_id))).data_set
    assert got == made
    assert (got.account_id, got.owner_user_id, got.extension) == (registry.app_account_id, admin, "csv")
    assert (got.column_count, got.data_count, got.size_bytes) == (5, 150, 4551)
    assert got.artifact_uri == "file:///d/iris.csv" and got.created_at.seconds > 0


async def test_data_sets_belong_to_their_account(registry, training):
    admin = registry.admin_user_id
    _, [made] = await upload(training, admin, "iris.csv")
    outsider = await other_account_member(registry)
    _, [theirs] = await upload(training, outsider, "theirs.csv")
    assert [d.name for d in (await training.ListDataSets(listing(outsider))).data_sets] == ["theirs.csv"]
    assert {d.name for d in (await training.ListDataSets(listing(admin))).data_sets} == {"iris.csv", "theirs.csv"}
    for call in (
        training.GetDataSet(pb.GetDataSetRequest(actor_user_id=outsider, data_set_id=made.data_set_id)),
        training.DeleteDataSet(pb.DeleteDataSetRequest(actor_user_id=outsider, data_set_id=made.data_set_id)),
    ):
        assert (await rpc_error(call)).code() == grpc.StatusCode.NOT_FOUND
    service = await training.GetDataSet(pb.GetDataSetRequest(data_set_id=theirs.data_set_id))
    assert service.data_set.owner_user_id == outsider


@pytest.mark.parametrize("data_set_id", [0, -3])
async def test_a_data_set_id_is_required(registry, training, data_set_id):
    error = await rpc_error(training.GetDataSet(pb.GetDataSetRequest(data_set_id=data_set_id)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_deleting_a_data_set_returns_its_artifact_and_jobs_keep_going(registry, training):
    admin = registry.admin_user_id
    job = await queued_job(training, admin)
    learn_id = job.learn_data_set_id
    deleted = await training.DeleteDataSet(pb.DeleteDataSetRequest(actor_user_id=admin, data_set_id=learn_id))
    assert deleted.artifact_uri == "file:///tmp/data/iris.csv"
    error = await rpc_error(training.GetDataSet(pb.GetDataSetRequest(actor_user_id=admin, data_set_id=learn_id)))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    got = (await training.GetTrainingJob(pb.GetTrainingJobRequest(job_id=job.job_id))).job
    assert got.status == training_pb2.TRAINING_JOB_STATUS_QUEUED and got.learn_data_set_id == 0
    claimed = (await training.ClaimTrainingJob(pb.ClaimTrainingJobRequest(trainer_id="t1"))).job
    assert claimed.job_id == job.job_id
    error = await rpc_error(training.DeleteDataSet(pb.DeleteDataSetRequest(actor_user_id=admin, data_set_id=learn_id)))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    error = await rpc_error(training.DeleteDataSet(pb.DeleteDataSetRequest(data_set_id=learn_id)))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
