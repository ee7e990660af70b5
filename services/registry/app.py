"""The registry's composition root: pool → stores → domain services → servicer → gRPC server."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from services.registry.chat_key_servicer import ChatKeyServicer
from services.registry.console_session_servicer import ConsoleSessionServicer
from services.registry.database_health import DatabaseHealth
from services.registry.domain.accounts import AccountService
from services.registry.domain.apis import ApiService
from services.registry.domain.chat_admission_service import ChatAdmissionService
from services.registry.domain.chat_keys import ChatKeyService
from services.registry.domain.console_session_types import BootstrapPassword, SessionLifetime
from services.registry.domain.console_sessions import ConsoleSessionService
from services.registry.domain.credential_lifecycle import CredentialService
from services.registry.domain.data_sets import DataSetService
from services.registry.domain.external_keys import ExternalKeyService
from services.registry.domain.models import ModelService
from services.registry.domain.ncp_keys import NcpKeyService
from services.registry.domain.trained_models import TrainedModelService
from services.registry.domain.training import TrainingJobService
from services.registry.domain.usage import UsageService
from services.registry.domain.workspace_types import Holding
from services.registry.domain.workspaces import WorkspaceService
from services.registry.migrations import apply_migrations
from services.registry.ncp_key_servicer import NcpKeyServicer
from services.registry.secret_box import SecretBox, load_data_key
from services.registry.servicer import RegistryServicer
from services.registry.settings import RegistrySettings
from services.registry.storage.accounts import AccountStore
from services.registry.storage.apis import ApiStore
from services.registry.storage.chat_admissions import ChatAdmissionStore
from services.registry.storage.chat_keys import ChatKeyStore
from services.registry.storage.console_sessions import ConsoleSessionStore
from services.registry.storage.credentials import CredentialStore
from services.registry.storage.data_sets import DataSetStore
from services.registry.storage.external_keys import ExternalKeyStore
from services.registry.storage.models import ModelStore
from services.registry.storage.ncp_keys import NcpKeyStore
from services.registry.storage.trained_models import TrainedModelStore
from services.registry.storage.training import TrainingJobStore
from services.registry.storage.usage import UsageStore
from services.registry.storage.workspaces import WorkspaceStore
from services.registry.training_servicer import TrainingRegistryServicer
from services.registry.watch import API_CHANNEL, WORKSPACE_CHANNEL, ChangeHub
from services.registry.workspace_servicer import WorkspaceServicer
from services.runtime.database import create_pool, is_database_unavailable
from services.runtime.grpc_server import GrpcServer, ServiceBinding
from services.runtime.logging import get_logger
from torii.v1 import (
    chat_key_service_pb2,
    chat_key_service_pb2_grpc,
    console_session_service_pb2,
    console_session_service_pb2_grpc,
    ncp_key_service_pb2,
    ncp_key_service_pb2_grpc,
    registry_service_pb2,
    registry_service_pb2_grpc,
    training_registry_service_pb2,
    training_registry_service_pb2_grpc,
    workspace_service_pb2,
    workspace_service_pb2_grpc,
)

log = get_logger("registry")

SERVICE_NAME = registry_service_pb2.DESCRIPTOR.services_by_name["RegistryService"].full_name
CHAT_KEY_SERVICE_NAME = chat_key_service_pb2.DESCRIPTOR.services_by_name["ChatKeyService"].full_name
CONSOLE_SESSION_SERVICE_NAME = console_session_service_pb2.DESCRIPTOR.services_by_name[
    "ConsoleSessionService"
].full_name
NCP_KEY_SERVICE_NAME = ncp_key_service_pb2.DESCRIPTOR.services_by_name["NcpKeyService"].full_name
WORKSPACE_SERVICE_NAME = workspace_service_pb2.DESCRIPTOR.services_by_name["WorkspaceService"].full_name
TRAINING_SERVICE_NAME = training_registry_service_pb2.DESCRIPTOR.services_by_name["TrainingRegistryService"].full_name


class RegistryApp:
    def __init__(self, settings: RegistrySettings) -> None:
        self.settings = settings
        self._pool: asyncpg.Pool | None = None
        self._hub: ChangeHub | None = None
        self._workspace_hub: ChangeHub | None = None
        self._server: GrpcServer | None = None
        self._database_health: DatabaseHealth | None = None

    async def start(self) -> int:
        """Migrate, build the services, serve; return the bound gRPC port."""
        settings = self.settings
        if not settings.database_url:
            raise RuntimeError("the registry needs TORII_DATABASE_URL (or DATABASE_URL)")
        self._pool = pool = await create_pool(settings.database_url, max_size=settings.database_pool_size)
        async with pool.acquire() as connection:
            await apply_migrations(connection)
        account_store = AccountStore(pool)
        model_store = ModelStore(pool)
        accounts = AccountService(account_store)
        apis = ApiService(account_store, model_store, ApiStore(pool))
        console_sessions = ConsoleSessionService(
            account_store,
            ConsoleSessionStore(pool),
            SessionLifetime(
                timedelta(hours=settings.console_session_hours),
                timedelta(minutes=settings.console_session_idle_minutes),
            ),
        )
        if settings.bootstrap_admin_token:
            await self._bootstrap_admin(accounts, console_sessions)
        self._hub = hub = ChangeHub(settings.database_url, API_CHANNEL)
        await hub.start()
        self._workspace_hub = workspace_hub = ChangeHub(settings.database_url, WORKSPACE_CHANNEL)
        await workspace_hub.start()
        servicer = RegistryServicer(
            accounts,
            ModelService(account_store, model_store),
            apis,
            UsageService(apis, UsageStore(pool)),
            hub,
            CredentialService(account_store, CredentialStore(pool)),
        )
        trained_models = TrainedModelStore(pool)
        training = TrainingRegistryServicer(
            ExternalKeyService(account_store, ExternalKeyStore(pool), trained_models, settings.external_key_ttl_s),
            TrainingJobService(account_store, TrainingJobStore(pool), trained_models),
            DataSetService(account_store, DataSetStore(pool)),
            TrainedModelService(account_store, trained_models),
        )
        chat_keys = ChatKeyServicer(
            ChatKeyService(account_store, ChatKeyStore(pool)), ChatAdmissionService(ChatAdmissionStore(pool))
        )
        box = SecretBox(lambda: load_data_key(settings.ncp_secrets_key.get_secret_value(), settings.data_dir))
        ncp_keys = NcpKeyServicer(NcpKeyService(account_store, NcpKeyStore(pool, box)))
        default_quota = Holding(
            settings.workspace_quota_workspaces,
            settings.workspace_quota_cpus,
            settings.workspace_quota_memory_mb,
            settings.workspace_quota_gpus,
        )
        workspaces = WorkspaceServicer(
            WorkspaceService(account_store, WorkspaceStore(pool), default_quota), workspace_hub
        )
        self._server = server = GrpcServer(
            [
                ServiceBinding(servicer, registry_service_pb2_grpc.add_RegistryServiceServicer_to_server, SERVICE_NAME),
                ServiceBinding(
                    training,
                    training_registry_service_pb2_grpc.add_TrainingRegistryServiceServicer_to_server,
                    TRAINING_SERVICE_NAME,
                ),
                ServiceBinding(
                    chat_keys, chat_key_service_pb2_grpc.add_ChatKeyServiceServicer_to_server, CHAT_KEY_SERVICE_NAME
                ),
                ServiceBinding(
                    ncp_keys, ncp_key_service_pb2_grpc.add_NcpKeyServiceServicer_to_server, NCP_KEY_SERVICE_NAME
                ),
                ServiceBinding(
                    ConsoleSessionServicer(console_sessions),
                    console_session_service_pb2_grpc.add_ConsoleSessionServiceServicer_to_server,
                    CONSOLE_SESSION_SERVICE_NAME,
                ),
                ServiceBinding(
                    workspaces,
                    workspace_service_pb2_grpc.add_WorkspaceServiceServicer_to_server,
                    WORKSPACE_SERVICE_NAME,
                ),
            ],
            service_token=settings.service_token.get_secret_value(),
            is_unavailable=is_database_unavailable,
        )
        port = await server.start(settings.host, settings.registry_port)
        self._database_health = DatabaseHealth(
            pool,
            server.set_serving,
            settings.database_probe_interval_s,
            settings.database_probe_timeout_s,
        )
        self._database_health.start()
        return port

    async def _bootstrap_admin(self, accounts: AccountService, console_sessions: ConsoleSessionService) -> None:
        """The first admin's token, replaced at every start, and console password, set until they change it."""
        admin = await accounts.bootstrap_admin(self.settings.bootstrap_admin_token)
        log.info("bootstrap_admin_ready", user_id=admin.user_id)
        password = self.settings.bootstrap_admin_password.get_secret_value()
        if not password:
            return
        outcome = await console_sessions.bootstrap_password(admin.user_id, password)
        if outcome is BootstrapPassword.CHANGED_BY_ADMIN:
            log.warning(
                "bootstrap_admin_password_left_alone",
                user_id=admin.user_id,
                reason="the admin has changed their console password; the one given does not sign in",
            )
        else:
            log.info("bootstrap_admin_password_ready", user_id=admin.user_id, outcome=outcome.value)

    async def stop(self) -> None:
        """Drain in-flight calls, end watch streams, then close the database."""
        if self._database_health is not None:
            await self._database_health.stop()
        for change_hub in (self._hub, self._workspace_hub):
            if change_hub is not None:
                await change_hub.stop()
        if self._server is not None:
            await self._server.stop(self.settings.shutdown_grace_s)
        if self._pool is not None:
            await self._pool.close()
