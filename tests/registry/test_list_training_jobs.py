"""ListTrainingJobs: an account's training jobs, newest first, in the pages ListDataSets uses."""

import grpc
import pytest

from tests.registry.training_helpers import other_account_member, queued_job, rpc_error
from torii.v1 import training_pb2
from torii.v1 import training_registry_service_pb2 as pb


def listing(actor: str, offset: int = 0, limit: int = 0) -> pb.ListTrainingJobsRequest:
    return pb.ListTrainingJobsRequest(actor_user_id=actor, page=pb.Page(offset=offset, limit=limit))


async def test_jobs_are_listed_newest_first_in_pages(registry, training):
    admin = registry.admin_user_id
    made = [await queued_job(training, admin, model_name=name) for name in ("a", "b", "c")]
    first = await training.ListTrainingJobs(listing(admin, limit=2))
    assert [job.model_name for job in first.jobs] == ["c", "b"]
    assert (first.page.offset, first.page.limit, first.page.total) == (0, 2, 3)
    rest = await training.ListTrainingJobs(listing(admin, offset=2, limit=2))
    assert [job.job_id for job in rest.jobs] == [made[0].job_id]
    default = await training.ListTrainingJobs(listing(admin))
    assert default.page.limit == 30 and len(default.jobs) == 3
    assert (await training.ListTrainingJobs(listing(admin, limit=5000))).page.limit == 1000


async def test_a_listed_job_is_the_job_get_answers(registry, training):
    admin = registry.admin_user_id
    job = await queued_job(training, admin)
    claimed = (await training.ClaimTrainingJob(pb.ClaimTrainingJobRequest(trainer_id="t1"))).job
    assert claimed.job_id == job.job_id
    progress = training_pb2.TrainingProgress(phase="cross_validation", fold=2, percent=40)
    await training.ReportTrainingProgress(pb.ReportTrainingProgressRequest(job_id=job.job_id, progress=progress))
    (listed,) = (await training.ListTrainingJobs(listing(admin))).jobs
    got = (await training.GetTrainingJob(pb.GetTrainingJobRequest(actor_user_id=admin, job_id=job.job_id))).job
    assert listed == got
    assert listed.status == training_pb2.TRAINING_JOB_STATUS_RUNNING and listed.progress == progress
    assert listed.started_at.seconds > 0


async def test_members_see_their_accounts_jobs_and_admins_every_one(registry, training):
    admin = registry.admin_user_id
    ours = await queued_job(training, admin, model_name="ours")
    outsider = await other_account_member(registry)
    theirs = await queued_job(training, outsider, model_name="theirs")
    seen = await training.ListTrainingJobs(listing(outsider))
    assert [job.job_id for job in seen.jobs] == [theirs.job_id] and seen.page.total == 1
    everything = await training.ListTrainingJobs(listing(admin))
    assert {job.job_id for job in everything.jobs} == {ours.job_id, theirs.job_id}


@pytest.mark.parametrize("offset, limit", [(-1, 0), (0, -1)])
async def test_a_negative_page_is_refused(registry, training, offset, limit):
    error = await rpc_error(training.ListTrainingJobs(listing(registry.admin_user_id, offset, limit)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_listing_needs_an_acting_user(registry, training):
    error = await rpc_error(training.ListTrainingJobs(listing("")))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
