import asyncio

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.runtime.grpc_client import open_channel
from tests.registry.helpers import make_version
from tests.registry.training_helpers import (
    attach_learn,
    config,
    new_data_set,
    other_account_member,
    queued_job,
    rpc_error,
    trained_spec,
    trained_version,
)
from tests.service_token import SERVICE_TOKEN
from torii.v1 import models_pb2, tabular_pb2, training_pb2
from torii.v1 import registry_service_pb2 as registry_pb
from torii.v1 import training_registry_service_pb2 as pb


def create_request(actor, kind=training_pb2.TRAINING_JOB_KIND_TRAIN, base=0):
    return pb.CreateTrainingJobRequest(actor_user_id=actor, kind=kind, base_model_number=base)


async def claim(training, trainer_id="t1"):
    return await training.ClaimTrainingJob(pb.ClaimTrainingJobRequest(trainer_id=trainer_id))


async def test_a_training_job_goes_from_upload_to_a_registered_model_version(registry, training):
    admin = registry.admin_user_id
    job = (await training.CreateTrainingJob(create_request(admin))).job
    assert job.status == training_pb2.TRAINING_JOB_STATUS_AWAITING_DATA
    assert (job.owner_user_id, job.account_id) == (admin, registry.app_account_id)
    assert job.created_at.seconds > 0 and not job.HasField("started_at") and not job.HasField("finished_at")

    learn = await attach_learn(training, job.job_id)
    assert learn.data_set.data_set_id > 0 and learn.data_set.owner_user_id == admin
    assert learn.job.learn_data_set_id == learn.data_set.data_set_id
    evaluation = await training.AttachUpload(
        pb.AttachUploadRequest(
            job_id=job.job_id, slot=training_pb2.UPLOAD_SLOT_EVAL, data_set=new_data_set(name="eval.csv")
        )
    )
    assert evaluation.job.eval_data_set_id == evaluation.data_set.data_set_id != learn.data_set.data_set_id
    typed = await training.AttachUpload(
        pb.AttachUploadRequest(
            job_id=job.job_id, slot=training_pb2.UPLOAD_SLOT_COLUMN_TYPES, column_types_uri="file:///tmp/types.csv"
        )
    )
    assert typed.job.column_types_uri == "file:///tmp/types.csv" and not typed.HasField("data_set")

    submitted = (
        await training.SubmitTrainingJob(
            pb.SubmitTrainingJobRequest(actor_user_id=admin, job_id=job.job_id, model_name="iris", config=config())
        )
    ).job
    assert submitted.status == training_pb2.TRAINING_JOB_STATUS_QUEUED
    assert submitted.model_name == "iris" and submitted.config == config()

    claimed = (await claim(training, "trainer-a")).job
    assert claimed.job_id == job.job_id and claimed.status == training_pb2.TRAINING_JOB_STATUS_RUNNING
    assert claimed.attempts == 1 and claimed.HasField("started_at")
    assert not (await claim(training)).HasField("job"), "one queued job is claimed once"

    progress = training_pb2.TrainingProgress(phase="cross_validation", fold=1, percent=40)
    reported = await training.ReportTrainingProgress(
        pb.ReportTrainingProgressRequest(job_id=job.job_id, progress=progress)
    )
    assert reported.still_running
    got = (await training.GetTrainingJob(pb.GetTrainingJobRequest(actor_user_id=admin, job_id=job.job_id))).job
    assert got.progress == progress

    finished = await training.FinishTrainingJob(
        pb.FinishTrainingJobRequest(
            job_id=job.job_id, result_uri="file:///tmp/result.zip", model_version=trained_spec()
        )
    )
    version = finished.model_version
    assert version.training_job_id == job.job_id and version.number > 0 and version.version == 1
    assert version.preprocessing.tabular.training == config()
    assert finished.job.status == training_pb2.TRAINING_JOB_STATUS_FINISHED
    assert finished.job.model_version_id == version.model_version_id
    assert finished.job.model_number == version.number
    assert finished.job.result_uri == "file:///tmp/result.zip"
    assert finished.job.progress.percent == 100 and finished.job.HasField("finished_at")

    model = await registry.stub.GetModel(registry_pb.GetModelRequest(actor_user_id=admin, model_id=version.model_id))
    assert model.model.name == "iris" and [v.number for v in model.versions] == [version.number]


async def test_training_the_same_name_again_makes_a_new_version_of_that_model(registry, training):
    admin = registry.admin_user_id
    first = (await trained_version(training, admin, "iris")).model_version
    second = (await trained_version(training, admin, "iris")).model_version
    other = (await trained_version(training, admin, "wine")).model_version
    assert second.model_id == first.model_id and (first.version, second.version) == (1, 2)
    assert other.model_id != first.model_id
    assert first.number < second.number < other.number


async def test_a_new_upload_replaces_the_slot_and_keeps_the_earlier_data_set(registry, training):
    admin = registry.admin_user_id
    job = (await training.CreateTrainingJob(create_request(admin))).job
    first = (await attach_learn(training, job.job_id, name="old.csv")).data_set
    second = await attach_learn(training, job.job_id, name="new.csv", extension=".TSV")
    assert second.job.learn_data_set_id == second.data_set.data_set_id != first.data_set_id
    assert second.data_set.extension == "tsv"
    kept = await training.GetDataSet(pb.GetDataSetRequest(data_set_id=first.data_set_id))
    assert kept.data_set.name == "old.csv"


@pytest.mark.parametrize(
    ("request_fields", "code", "message"),
    [
        ({"slot": training_pb2.UPLOAD_SLOT_UNSPECIFIED, "data_set": new_data_set()}, "INVALID_ARGUMENT", "slot"),
        ({"slot": training_pb2.UPLOAD_SLOT_LEARN}, "INVALID_ARGUMENT", "data_set"),
        (
            {"slot": training_pb2.UPLOAD_SLOT_LEARN, "data_set": new_data_set(extension="xlsx")},
            "INVALID_ARGUMENT",
            "xlsx",
        ),
        ({"slot": training_pb2.UPLOAD_SLOT_LEARN, "data_set": new_data_set(sha256="x")}, "INVALID_ARGUMENT", "sha256"),
        ({"slot": training_pb2.UPLOAD_SLOT_LEARN, "data_set": new_data_set(name=" ")}, "INVALID_ARGUMENT", "name"),
        ({"slot": training_pb2.UPLOAD_SLOT_COLUMN_TYPES}, "INVALID_ARGUMENT", "column_types_uri"),
    ],
)
async def test_bad_uploads_are_refused(registry, training, request_fields, code, message):
    job = (await training.CreateTrainingJob(create_request(registry.admin_user_id))).job
    error = await rpc_error(training.AttachUpload(pb.AttachUploadRequest(job_id=job.job_id, **request_fields)))
    assert error.code() == getattr(grpc.StatusCode, code) and message in error.details()


async def test_uploads_and_submissions_need_a_job_awaiting_its_data(registry, training):
    admin = registry.admin_user_id
    job = await queued_job(training, admin)
    error = await rpc_error(attach_learn(training, job.job_id))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    error = await rpc_error(
        training.SubmitTrainingJob(
            pb.SubmitTrainingJobRequest(actor_user_id=admin, job_id=job.job_id, model_name="iris", config=config())
        )
    )
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    error = await rpc_error(attach_learn(training, "00000000-0000-0000-0000-000000000000"))
    assert error.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("model_name", "given_config", "upload", "code", "message"),
    [
        ("iris", config(), False, "FAILED_PRECONDITION", "learning data"),
        ("", config(), True, "INVALID_ARGUMENT", "model name"),
        ("iris", None, True, "INVALID_ARGUMENT", "config"),
        ("iris", config(target_column=""), True, "INVALID_ARGUMENT", "target_column"),
        ("iris", config(problem_type=tabular_pb2.PROBLEM_TYPE_UNSPECIFIED), True, "INVALID_ARGUMENT", "problem_type"),
    ],
)
async def test_submitting_a_train_job_needs_data_a_name_and_a_config(
    registry, training, model_name, given_config, upload, code, message
):
    admin = registry.admin_user_id
    job = (await training.CreateTrainingJob(create_request(admin))).job
    if upload:
        await attach_learn(training, job.job_id)
    error = await rpc_error(
        training.SubmitTrainingJob(
            pb.SubmitTrainingJobRequest(
                actor_user_id=admin, job_id=job.job_id, model_name=model_name, config=given_config
            )
        )
    )
    assert error.code() == getattr(grpc.StatusCode, code) and message in error.details()
    got = (await training.GetTrainingJob(pb.GetTrainingJobRequest(job_id=job.job_id))).job
    assert got.status == training_pb2.TRAINING_JOB_STATUS_AWAITING_DATA


async def test_creating_a_job_needs_an_actor_and_a_kind(registry, training):
    error = await rpc_error(training.CreateTrainingJob(create_request("")))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    error = await rpc_error(training.CreateTrainingJob(create_request(registry.admin_user_id, kind=0)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_another_accounts_job_answers_as_missing(registry, training):
    job = await queued_job(training, registry.admin_user_id)
    outsider = await other_account_member(registry)
    for call in (
        training.GetTrainingJob(pb.GetTrainingJobRequest(actor_user_id=outsider, job_id=job.job_id)),
        training.CancelTrainingJob(pb.CancelTrainingJobRequest(actor_user_id=outsider, job_id=job.job_id)),
    ):
        assert (await rpc_error(call)).code() == grpc.StatusCode.NOT_FOUND
    service = await training.GetTrainingJob(pb.GetTrainingJobRequest(job_id=job.job_id))
    assert service.job.job_id == job.job_id
    error = await rpc_error(training.CancelTrainingJob(pb.CancelTrainingJobRequest(job_id=job.job_id)))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED, "cancelling acts for a user"


async def test_cancelling_stops_a_running_job_and_finished_jobs_stay_as_they_are(registry, training):
    admin = registry.admin_user_id
    job = await queued_job(training, admin)
    await claim(training)
    cancelled = await training.CancelTrainingJob(pb.CancelTrainingJobRequest(actor_user_id=admin, job_id=job.job_id))
    assert cancelled.job.status == training_pb2.TRAINING_JOB_STATUS_CANCELLED and cancelled.job.HasField("finished_at")
    reported = await training.ReportTrainingProgress(
        pb.ReportTrainingProgressRequest(
            job_id=job.job_id, progress=training_pb2.TrainingProgress(phase="fitting", percent=80)
        )
    )
    assert not reported.still_running
    got = (await training.GetTrainingJob(pb.GetTrainingJobRequest(job_id=job.job_id))).job
    assert got.progress.phase == "", "a cancelled job keeps no more progress"
    for call in (
        training.CancelTrainingJob(pb.CancelTrainingJobRequest(actor_user_id=admin, job_id=job.job_id)),
        training.FinishTrainingJob(
            pb.FinishTrainingJobRequest(job_id=job.job_id, result_uri="file:///r.zip", model_version=trained_spec())
        ),
        training.FailTrainingJob(pb.FailTrainingJobRequest(job_id=job.job_id, message="late")),
    ):
        assert (await rpc_error(call)).code() == grpc.StatusCode.FAILED_PRECONDITION

    waiting = (await training.CreateTrainingJob(create_request(admin))).job
    cancelled = await training.CancelTrainingJob(
        pb.CancelTrainingJobRequest(actor_user_id=admin, job_id=waiting.job_id)
    )
    assert cancelled.job.status == training_pb2.TRAINING_JOB_STATUS_CANCELLED


async def test_trainers_claim_the_oldest_job_and_never_the_same_one(registry, training):
    admin = registry.admin_user_id
    jobs = [await queued_job(training, admin, f"m{i}") for i in range(3)]
    first = (await claim(training)).job
    assert first.job_id == jobs[0].job_id
    answers = await asyncio.gather(*(claim(training, f"t{i}") for i in range(4)))
    claimed = [answer.job.job_id for answer in answers if answer.HasField("job")]
    assert sorted(claimed) == sorted(job.job_id for job in jobs[1:])


async def test_finishing_needs_a_running_job_and_a_valid_version(registry, training):
    admin = registry.admin_user_id
    job = await queued_job(training, admin)
    spec = trained_spec()
    error = await rpc_error(
        training.FinishTrainingJob(
            pb.FinishTrainingJobRequest(job_id=job.job_id, result_uri="file:///r.zip", model_version=spec)
        )
    )
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, "a queued job is not finished"
    await claim(training)
    for request in (
        pb.FinishTrainingJobRequest(
            job_id=job.job_id, result_uri="file:///r.zip", model_version=trained_spec(sha256="x")
        ),
        pb.FinishTrainingJobRequest(
            job_id=job.job_id, result_uri="file:///r.zip", model_version=trained_spec(signature=models_pb2.Signature())
        ),
        pb.FinishTrainingJobRequest(job_id=job.job_id, model_version=spec),
    ):
        assert (await rpc_error(training.FinishTrainingJob(request))).code() == grpc.StatusCode.INVALID_ARGUMENT
    got = (await training.GetTrainingJob(pb.GetTrainingJobRequest(job_id=job.job_id))).job
    assert got.status == training_pb2.TRAINING_JOB_STATUS_RUNNING and not got.model_version_id
    models = await registry.stub.ListModels(registry_pb.ListModelsRequest(actor_user_id=admin))
    assert list(models.models) == [], "nothing is registered for a refused finish"


async def test_progress_must_be_a_percentage(registry, training):
    job = await queued_job(training, registry.admin_user_id)
    await claim(training)
    error = await rpc_error(
        training.ReportTrainingProgress(
            pb.ReportTrainingProgressRequest(job_id=job.job_id, progress=training_pb2.TrainingProgress(percent=101))
        )
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_failed_job_says_why(registry, training):
    job = await queued_job(training, registry.admin_user_id)
    await claim(training)
    failed = await training.FailTrainingJob(
        pb.FailTrainingJobRequest(job_id=job.job_id, message="target has one class")
    )
    assert failed.job.status == training_pb2.TRAINING_JOB_STATUS_FAILED
    assert failed.job.message == "target has one class" and failed.job.HasField("finished_at")


async def test_recovery_requeues_running_jobs_until_they_use_up_their_attempts(registry, training):
    admin = registry.admin_user_id
    once = await queued_job(training, admin, "once")
    await claim(training)
    twice = await queued_job(training, admin, "twice")
    await claim(training)
    recovered = await training.RecoverTrainingJobs(pb.RecoverTrainingJobsRequest(max_attempts=2))
    assert sorted(job.job_id for job in recovered.requeued) == sorted([once.job_id, twice.job_id])
    assert all(job.status == training_pb2.TRAINING_JOB_STATUS_QUEUED for job in recovered.requeued)
    assert list(recovered.failed) == []

    again = (await claim(training)).job
    assert again.job_id == once.job_id and again.attempts == 2
    recovered = await training.RecoverTrainingJobs(pb.RecoverTrainingJobsRequest(max_attempts=2))
    assert list(recovered.requeued) == []
    [failed] = recovered.failed
    assert failed.job_id == once.job_id and failed.status == training_pb2.TRAINING_JOB_STATUS_FAILED
    assert failed.message == "the trainer stopped while training, 2 times; giving up"
    assert (await claim(training)).job.job_id == twice.job_id
    error = await rpc_error(training.RecoverTrainingJobs(pb.RecoverTrainingJobsRequest(max_attempts=0)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_retrain_job_reuses_the_base_versions_settings_and_model(registry, training):
    admin = registry.admin_user_id
    base = (await trained_version(training, admin, "iris")).model_version
    job = (
        await training.CreateTrainingJob(create_request(admin, training_pb2.TRAINING_JOB_KIND_RETRAIN, base.number))
    ).job
    assert job.kind == training_pb2.TRAINING_JOB_KIND_RETRAIN
    assert job.base_model_version_id == base.model_version_id
    assert job.model_name == "iris" and job.config == config()

    await attach_learn(training, job.job_id, name="more.csv")
    # The trainer submits a retrain once its file has arrived: no actor, no config.
    submitted = (await training.SubmitTrainingJob(pb.SubmitTrainingJobRequest(job_id=job.job_id))).job
    assert submitted.status == training_pb2.TRAINING_JOB_STATUS_QUEUED and submitted.config == config()
    await claim(training)
    finished = await training.FinishTrainingJob(
        pb.FinishTrainingJobRequest(job_id=job.job_id, result_uri="file:///r.zip", model_version=trained_spec())
    )
    assert finished.model_version.model_id == base.model_id and finished.model_version.version == 2
    assert finished.job.model_number == finished.model_version.number != base.number


async def test_a_retrain_job_needs_a_trained_version_of_the_account(registry, training):
    admin = registry.admin_user_id
    retrain = training_pb2.TRAINING_JOB_KIND_RETRAIN
    error = await rpc_error(training.CreateTrainingJob(create_request(admin, retrain, 0)))
    assert (error.code(), error.details()) == (grpc.StatusCode.INVALID_ARGUMENT, "Model id is required.")
    error = await rpc_error(training.CreateTrainingJob(create_request(admin, retrain, 999_999)))
    assert (error.code(), error.details()) == (grpc.StatusCode.NOT_FOUND, "This model may be deleted.")
    base = (await trained_version(training, admin)).model_version
    outsider = await other_account_member(registry)
    error = await rpc_error(training.CreateTrainingJob(create_request(outsider, retrain, base.number)))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    uploaded = await make_version(registry.stub, admin, "uploaded")
    error = await rpc_error(training.CreateTrainingJob(create_request(admin, retrain, uploaded.number)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_retrain_whose_base_was_deleted_cannot_finish(registry, training):
    admin = registry.admin_user_id
    base = (await trained_version(training, admin)).model_version
    job = (
        await training.CreateTrainingJob(create_request(admin, training_pb2.TRAINING_JOB_KIND_RETRAIN, base.number))
    ).job
    await attach_learn(training, job.job_id)
    await training.SubmitTrainingJob(pb.SubmitTrainingJobRequest(job_id=job.job_id))
    await claim(training)
    await training.DeleteTrainedModel(pb.DeleteTrainedModelRequest(actor_user_id=admin, model_number=base.number))
    error = await rpc_error(
        training.FinishTrainingJob(
            pb.FinishTrainingJobRequest(job_id=job.job_id, result_uri="file:///r.zip", model_version=trained_spec())
        )
    )
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_the_registry_serves_training_next_to_its_registry_service(registry):
    channel = open_channel(registry.address, default_timeout_s=10, service_token=SERVICE_TOKEN)
    try:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("torii.v1.RegistryService", "torii.v1.TrainingRegistryService"):
            reply = await stub.Check(health_pb2.HealthCheckRequest(service=service))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        await channel.close()


async def test_a_retrain_job_reads_the_column_types_its_base_was_trained_with(registry, training):
    admin = registry.admin_user_id
    job = (
        await training.CreateTrainingJob(
            pb.CreateTrainingJobRequest(actor_user_id=admin, kind=training_pb2.TRAINING_JOB_KIND_TRAIN)
        )
    ).job
    await attach_learn(training, job.job_id)
    await training.AttachUpload(
        pb.AttachUploadRequest(
            job_id=job.job_id, slot=training_pb2.UPLOAD_SLOT_COLUMN_TYPES, column_types_uri="file:///types/base.csv"
        )
    )
    await training.SubmitTrainingJob(
        pb.SubmitTrainingJobRequest(actor_user_id=admin, job_id=job.job_id, model_name="iris", config=config())
    )
    await claim(training)
    base = (
        await training.FinishTrainingJob(
            pb.FinishTrainingJobRequest(job_id=job.job_id, result_uri="file:///r.zip", model_version=trained_spec())
        )
    ).model_version
    retrain = (
        await training.CreateTrainingJob(create_request(admin, training_pb2.TRAINING_JOB_KIND_RETRAIN, base.number))
    ).job
    assert retrain.column_types_uri == "file:///types/base.csv"
    again = (
        await training.CreateTrainingJob(
            create_request(
                admin,
                training_pb2.TRAINING_JOB_KIND_RETRAIN,
                (await trained_version(training, admin)).model_version.number,
            )
        )
    ).job
    assert again.column_types_uri == ""  # its base had no column-info file
