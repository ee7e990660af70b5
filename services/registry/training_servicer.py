"""TrainingRegistryService over gRPC: each RPC converts the request, awaits the domain, converts the reply."""

from __future__ import annotations

from services.registry import converters
from services.registry import training_converters as convert
from services.registry.domain.data_sets import DataSetService
from services.registry.domain.external_keys import ExternalKeyService
from services.registry.domain.trained_models import TrainedModelService
from services.registry.domain.training import TrainingJobService
from torii.v1 import training_registry_service_pb2 as pb
from torii.v1 import training_registry_service_pb2_grpc


class TrainingRegistryServicer(training_registry_service_pb2_grpc.TrainingRegistryServiceServicer):
    def __init__(
        self,
        keys: ExternalKeyService,
        jobs: TrainingJobService,
        data_sets: DataSetService,
        trained_models: TrainedModelService,
    ) -> None:
        self._keys = keys
        self._jobs = jobs
        self._data_sets = data_sets
        self._trained = trained_models

    async def IssueExternalKey(self, request, context):
        purpose = convert.purpose_from_proto(request.purpose)
        issued, key = await self._keys.issue(request.actor_user_id, purpose, request.model_number)
        return pb.IssueExternalKeyResponse(
            api_key=converters.secret_to_proto(issued), key=convert.external_key_to_proto(key)
        )

    async def AuthenticateExternalKey(self, request, context):
        user, key = await self._keys.authenticate(request.api_key)
        return pb.AuthenticateExternalKeyResponse(
            user=converters.user_to_proto(user), key=convert.external_key_to_proto(key)
        )

    async def CreateTrainingJob(self, request, context):
        kind = convert.kind_from_proto(request.kind)
        job = await self._jobs.create(request.actor_user_id, kind, request.base_model_number)
        return pb.CreateTrainingJobResponse(job=convert.job_to_proto(job))

    async def GetTrainingJob(self, request, context):
        job = await self._jobs.get(request.actor_user_id, request.job_id)
        return pb.GetTrainingJobResponse(job=convert.job_to_proto(job))

    async def AttachUpload(self, request, context):
        slot = convert.slot_from_proto(request.slot)
        job, data_set = await self._jobs.attach(
            request.job_id, slot, convert.new_data_set_from_proto(request), request.column_types_uri
        )
        return pb.AttachUploadResponse(
            job=convert.job_to_proto(job), data_set=convert.data_set_to_proto(data_set) if data_set else None
        )

    async def SubmitTrainingJob(self, request, context):
        job = await self._jobs.submit(
            request.actor_user_id, request.job_id, request.model_name, convert.config_from_proto(request)
        )
        return pb.SubmitTrainingJobResponse(job=convert.job_to_proto(job))

    async def CancelTrainingJob(self, request, context):
        job = await self._jobs.cancel(request.actor_user_id, request.job_id)
        return pb.CancelTrainingJobResponse(job=convert.job_to_proto(job))

    async def ClaimTrainingJob(self, request, context):
        job = await self._jobs.claim(request.trainer_id)
        return pb.ClaimTrainingJobResponse(job=convert.job_to_proto(job) if job else None)

    async def ReportTrainingProgress(self, request, context):
        still_running = await self._jobs.report_progress(request.job_id, convert.progress_from_proto(request.progress))
        return pb.ReportTrainingProgressResponse(still_running=still_running)

    async def FinishTrainingJob(self, request, context):
        fields = converters.version_fields_from_proto(request.model_version)
        job, version = await self._jobs.finish(request.job_id, request.result_uri, fields)
        return pb.FinishTrainingJobResponse(
            job=convert.job_to_proto(job), model_version=converters.version_to_proto(version)
        )

    async def FailTrainingJob(self, request, context):
        job = await self._jobs.fail(request.job_id, request.message)
        return pb.FailTrainingJobResponse(job=convert.job_to_proto(job))

    async def RecoverTrainingJobs(self, request, context):
        requeued, failed = await self._jobs.recover(request.max_attempts)
        return pb.RecoverTrainingJobsResponse(
            requeued=[convert.job_to_proto(job) for job in requeued],
            failed=[convert.job_to_proto(job) for job in failed],
        )

    async def ListTrainingJobs(self, request, context):
        page = await self._jobs.list(request.actor_user_id, request.page.offset, request.page.limit)
        return pb.ListTrainingJobsResponse(
            jobs=[convert.job_to_proto(job) for job in page.items], page=convert.page_info_to_proto(page)
        )

    async def ListDataSets(self, request, context):
        page = await self._data_sets.list(request.actor_user_id, request.page.offset, request.page.limit)
        return pb.ListDataSetsResponse(
            data_sets=[convert.data_set_to_proto(data_set) for data_set in page.items],
            page=convert.page_info_to_proto(page),
        )

    async def GetDataSet(self, request, context):
        data_set = await self._data_sets.get(request.actor_user_id, request.data_set_id)
        return pb.GetDataSetResponse(data_set=convert.data_set_to_proto(data_set))

    async def DeleteDataSet(self, request, context):
        artifact_uri = await self._data_sets.delete(request.actor_user_id, request.data_set_id)
        return pb.DeleteDataSetResponse(artifact_uri=artifact_uri)

    async def ListTrainedModels(self, request, context):
        page = await self._trained.list(request.actor_user_id, request.page.offset, request.page.limit)
        return pb.ListTrainedModelsResponse(
            models=[convert.trained_model_to_proto(model) for model in page.items],
            page=convert.page_info_to_proto(page),
        )

    async def GetTrainedModel(self, request, context):
        model = await self._trained.get(request.actor_user_id, request.model_number)
        return pb.GetTrainedModelResponse(model=convert.trained_model_to_proto(model))

    async def DeleteTrainedModel(self, request, context):
        artifact_uri = await self._trained.delete(request.actor_user_id, request.model_number)
        return pb.DeleteTrainedModelResponse(artifact_uri=artifact_uri)
