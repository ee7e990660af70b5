"""RegistryService over gRPC: each RPC converts the request, awaits the domain, converts the reply."""

from __future__ import annotations

from services.registry import converters as convert
from services.registry import credential_converters
from services.registry.domain.accounts import AccountService
from services.registry.domain.apis import ApiService
from services.registry.domain.credential_lifecycle import CredentialService
from services.registry.domain.models import ModelService
from services.registry.domain.usage import UsageService
from services.registry.watch import ChangeHub, drain
from services.runtime.errors import Unavailable
from torii.v1 import registry_service_pb2 as pb
from torii.v1 import registry_service_pb2_grpc


class RegistryServicer(registry_service_pb2_grpc.RegistryServiceServicer):
    def __init__(
        self,
        accounts: AccountService,
        models: ModelService,
        apis: ApiService,
        usage: UsageService,
        hub: ChangeHub,
        credentials: CredentialService,
    ) -> None:
        self._accounts = accounts
        self._models = models
        self._apis = apis
        self._usage = usage
        self._hub = hub
        self._credentials = credentials

    async def CreateAccount(self, request, context):
        account = await self._accounts.create_account(request.actor_user_id, request.name)
        return pb.CreateAccountResponse(account=convert.account_to_proto(account))

    async def CreateUser(self, request, context):
        role = convert.role_from_proto(request.role)
        user, token = await self._accounts.create_user(request.actor_user_id, request.account_id, request.name, role)
        return pb.CreateUserResponse(user=convert.user_to_proto(user), token=convert.secret_to_proto(token))

    async def ListUsers(self, request, context):
        users = await self._accounts.list_users(request.actor_user_id, request.account_id)
        return pb.ListUsersResponse(users=[convert.user_to_proto(user) for user in users])

    async def CreateUserToken(self, request, context):
        token = await self._accounts.create_user_token(request.actor_user_id, request.user_id)
        return pb.CreateUserTokenResponse(token=convert.secret_to_proto(token))

    async def AuthenticateToken(self, request, context):
        user = await self._accounts.authenticate(request.token)
        return pb.AuthenticateTokenResponse(user=convert.user_to_proto(user))

    async def ListCredentials(self, request, context):
        found = await self._credentials.list(request.actor_user_id, request.account_id, request.user_id)
        return pb.ListCredentialsResponse(credentials=[credential_converters.credential_to_proto(c) for c in found])

    async def RevokeCredential(self, request, context):
        await self._credentials.revoke(request.actor_user_id, request.credential_id)
        return pb.RevokeCredentialResponse()

    async def SetCredentialExpiry(self, request, context):
        expires_at = credential_converters.expiry_from_proto(request)
        credential = await self._credentials.set_expiry(request.actor_user_id, request.credential_id, expires_at)
        return pb.SetCredentialExpiryResponse(credential=credential_converters.credential_to_proto(credential))

    async def CreateModel(self, request, context):
        fields = convert.version_fields_from_proto(request.first_version)
        model, version = await self._models.create_model(
            request.actor_user_id, request.account_id, request.name, fields
        )
        return pb.CreateModelResponse(
            model=convert.model_to_proto(model), model_version=convert.version_to_proto(version)
        )

    async def CreateModelVersion(self, request, context):
        fields = convert.version_fields_from_proto(request.version)
        version = await self._models.create_version(request.actor_user_id, request.model_id, fields)
        return pb.CreateModelVersionResponse(model_version=convert.version_to_proto(version))

    async def GetModel(self, request, context):
        model, versions = await self._models.get_model(request.actor_user_id, request.model_id)
        return pb.GetModelResponse(
            model=convert.model_to_proto(model), versions=[convert.version_to_proto(v) for v in versions]
        )

    async def ListModels(self, request, context):
        models = await self._models.list_models(request.actor_user_id, request.account_id)
        return pb.ListModelsResponse(models=[convert.model_to_proto(model) for model in models])

    async def GetModelVersion(self, request, context):
        version = await self._models.get_version(request.model_version_id)
        return pb.GetModelVersionResponse(model_version=convert.version_to_proto(version))

    async def CreateApi(self, request, context):
        api, key = await self._apis.create(request.actor_user_id, convert.api_spec_from_proto(request))
        return pb.CreateApiResponse(api=convert.api_to_proto(api), api_key=convert.secret_to_proto(key))

    async def GetApi(self, request, context):
        api = await self._apis.get(request.actor_user_id, request.api_id)
        return pb.GetApiResponse(api=convert.api_to_proto(api))

    async def ListApis(self, request, context):
        apis = await self._apis.list(request.actor_user_id, request.account_id)
        return pb.ListApisResponse(apis=[convert.api_to_proto(api) for api in apis])

    async def UpdateApi(self, request, context):
        changes = convert.api_changes_from_proto(request)
        api = await self._apis.update(request.actor_user_id, request.api_id, changes)
        return pb.UpdateApiResponse(api=convert.api_to_proto(api))

    async def StopApi(self, request, context):
        api = await self._apis.stop(request.actor_user_id, request.api_id)
        return pb.StopApiResponse(api=convert.api_to_proto(api))

    async def StartApi(self, request, context):
        api = await self._apis.start(request.actor_user_id, request.api_id)
        return pb.StartApiResponse(api=convert.api_to_proto(api))

    async def LockApi(self, request, context):
        api = await self._apis.lock(request.actor_user_id, request.api_id)
        return pb.LockApiResponse(api=convert.api_to_proto(api))

    async def UnlockApi(self, request, context):
        api = await self._apis.unlock(request.actor_user_id, request.api_id)
        return pb.UnlockApiResponse(api=convert.api_to_proto(api))

    async def DeleteApi(self, request, context):
        await self._apis.delete(request.actor_user_id, request.api_id)
        return pb.DeleteApiResponse()

    async def AddAccessRule(self, request, context):
        api = await self._apis.put_rule(request.actor_user_id, request.api_id, convert.rule_from_proto(request.rule))
        return pb.AddAccessRuleResponse(api=convert.api_to_proto(api))

    async def RemoveAccessRule(self, request, context):
        api = await self._apis.remove_rule(request.actor_user_id, request.api_id, request.cidr)
        return pb.RemoveAccessRuleResponse(api=convert.api_to_proto(api))

    async def CreateApiKey(self, request, context):
        key = await self._apis.create_key(request.actor_user_id, request.api_id)
        return pb.CreateApiKeyResponse(api_key=convert.secret_to_proto(key))

    async def ReserveTrialRequest(self, request, context):
        granted, used, limit = await self._apis.reserve_trial_request(request.api_id)
        return pb.ReserveTrialRequestResponse(granted=granted, used=used, limit=limit)

    async def ReleaseTrialRequest(self, request, context):
        used, limit = await self._apis.release_trial_request(request.api_id)
        return pb.ReleaseTrialRequestResponse(used=used, limit=limit)

    async def RecordUsage(self, request, context):
        await self._usage.record(
            [convert.usage_from_proto(item) for item in request.increments],
            request.flush_id,
            credential_converters.key_uses_from_proto(request),
            [convert.chat_tokens_from_proto(item) for item in request.chat_tokens],
        )
        return pb.RecordUsageResponse()

    async def GetUsage(self, request, context):
        days, chat_tokens = await self._usage.days(
            request.actor_user_id, request.api_id, request.from_day, request.to_day
        )
        return pb.GetUsageResponse(
            days=[convert.usage_to_proto(day) for day in days],
            chat_tokens=[convert.chat_tokens_to_proto(tokens) for tokens in chat_tokens],
        )

    async def ReportDeployment(self, request, context):
        api, applied = await self._apis.report_deployment(
            request.api_id, request.model_version_id, convert.status_from_proto(request.status), request.status_message
        )
        return pb.ReportDeploymentResponse(api=convert.api_to_proto(api), applied=applied)

    async def WatchApis(self, request, context):
        if not self._hub.listening:
            raise Unavailable("the registry is reconnecting to its change feed; watch again shortly")
        async with self._hub.subscribe() as changes:
            for api, keys in await self._apis.snapshot():
                yield self._upserted(api, keys)
            yield pb.WatchApisResponse(type=pb.WATCH_EVENT_TYPE_SYNCED)
            while True:
                api_ids, lost = drain(changes, await changes.get())
                for api_id in api_ids:
                    current = await self._apis.current(api_id)
                    if current is None:
                        yield pb.WatchApisResponse(type=pb.WATCH_EVENT_TYPE_DELETED, api_id=api_id)
                    else:
                        yield self._upserted(*current)
                if lost:
                    raise Unavailable("the registry lost its change feed; watch again")

    @staticmethod
    def _upserted(api, keys):
        return pb.WatchApisResponse(
            type=pb.WATCH_EVENT_TYPE_UPSERTED,
            api_id=api.api_id,
            api=convert.api_to_proto(api),
            keys=convert.key_digests_to_proto(keys),
        )
