"""The AI workspace operations (§4): every request validated by §6's rules first (nothing is
stored when one fails), then decided by the registry's WorkspaceService for the key's account, its
refusals answered in the Data Forest layer's words (§7, §8.3, §8.11)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable
from typing import TypeVar

import grpc
from aiohttp import web

from services.gateway.app_keys import REGISTRY, SETTINGS
from services.gateway.dataforest import errors, workspace_answers, workspace_operations
from services.gateway.dataforest.exchange import DataForestCall, answer, read_call
from services.gateway.dataforest.workspace_rules import (
    WorkspaceRules,
    configuration_request,
    create_request,
    id_request,
    list_request,
    name_request,
)
from services.gateway.http_base.routing import Call
from services.policy.base62_ids import to_base62
from services.runtime.logging import get_logger
from torii.v1 import workspace_service_pb2 as wss
from torii.v1 import workspace_service_pb2_grpc

log = get_logger("dataforest")
T = TypeVar("T")
DEFAULT_GPU_MODEL = "V100"
"""§5's default, where the operator lists it."""


@functools.cache
def _rules_for(gpu_models: tuple[str, ...], max_cpu_count: int, max_memory_mb: int) -> WorkspaceRules:
    default_model = DEFAULT_GPU_MODEL if DEFAULT_GPU_MODEL in gpu_models else gpu_models[0]
    return WorkspaceRules(
        gpu_models=gpu_models,
        default_gpu_model=default_model,
        max_cpu_count=max_cpu_count,
        max_memory_mb=max_memory_mb,
    )


def _rules(call: DataForestCall) -> WorkspaceRules:
    """The operator's rules (gateway settings) over the contract's."""
    settings = call.request.app[SETTINGS]
    return _rules_for(
        tuple(settings.dataforest_gpu_models), settings.dataforest_max_cpu_count, settings.dataforest_max_memory_mb
    )


def _stub(call: DataForestCall) -> workspace_service_pb2_grpc.WorkspaceServiceStub:
    return call.request.app[REGISTRY].workspaces()


def _actor(call: DataForestCall) -> wss.WorkspaceActor:
    return wss.WorkspaceActor(key_account_id=call.account.account_id)


def _require_own_account(call: DataForestCall, account_id: str | None) -> None:
    """§8.3: an account the key may not use answers as one that does not exist."""
    if account_id is not None and account_id != to_base62(call.account.account_id):
        raise errors.not_allowed()


async def _decided(reply: Awaitable[T], *, name: str = "") -> T:
    try:
        return await reply
    except grpc.aio.AioRpcError as error:
        code = error.code()
        if code == grpc.StatusCode.ALREADY_EXISTS:
            raise errors.invalid_parameter("name", name, "already in use") from None
        if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
            raise errors.DataForestError(400, "exceeded limit on resource quota") from None
        if code == grpc.StatusCode.NOT_FOUND:
            raise errors.no_such_element() from None
        if code == grpc.StatusCode.PERMISSION_DENIED:
            raise errors.not_allowed() from None
        if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            raise errors.endpoint_error() from None
        log.warning("dataforest_registry_refused", code=code.name, details=error.details())
        raise errors.unexpected_error() from None


async def create(routed: Call) -> web.Response:
    call = await read_call(routed.request, workspace_operations.CREATE)
    wanted = create_request(call.body, _rules(call))
    _require_own_account(call, wanted.account_id)
    reply = await _decided(
        _stub(call).CreateWorkspace(
            wss.CreateWorkspaceRequest(
                actor=_actor(call),
                name=wanted.name,
                description=wanted.description,
                configuration=wanted.configuration,
            )
        ),
        name=wanted.name,
    )
    log.info("workspace_created", workspace_id=reply.workspace.workspace_id, name=wanted.name)
    return answer(call, workspace_answers.changed(reply.workspace.workspace_id), workspace_operations.CREATE)


async def set_configuration(routed: Call) -> web.Response:
    call = await read_call(routed.request, workspace_operations.SET_CONFIGURATION)
    workspace_id, configuration = configuration_request(call.body, _rules(call))
    await _decided(
        _stub(call).SetWorkspaceConfiguration(
            wss.SetWorkspaceConfigurationRequest(
                actor=_actor(call), workspace_id=workspace_id, configuration=configuration
            )
        )
    )
    return answer(call, workspace_answers.changed(workspace_id), workspace_operations.SET_CONFIGURATION)


async def delete(routed: Call) -> web.Response:
    call = await read_call(routed.request, workspace_operations.DELETE)
    workspace_id = id_request(call.body)
    await _decided(
        _stub(call).DeleteWorkspace(wss.DeleteWorkspaceRequest(actor=_actor(call), workspace_id=workspace_id))
    )
    log.info("workspace_deleted", workspace_id=workspace_id)
    return answer(call, workspace_answers.changed(workspace_id), workspace_operations.DELETE)


async def get_list(routed: Call) -> web.Response:
    call = await read_call(routed.request, workspace_operations.GET_LIST)
    _require_own_account(call, list_request(call.body))
    reply = await _decided(_stub(call).ListWorkspaces(wss.ListWorkspacesRequest(actor=_actor(call))))
    body = workspace_answers.workspace_list(reply.workspaces, call.account.name)
    return answer(call, body, workspace_operations.GET_LIST)


async def get_detail(routed: Call) -> web.Response:
    call = await read_call(routed.request, workspace_operations.GET_DETAIL)
    workspace_id = id_request(call.body)
    reply = await _decided(
        _stub(call).GetWorkspace(wss.GetWorkspaceRequest(actor=_actor(call), workspace_id=workspace_id))
    )
    body = workspace_answers.workspace_detail(reply.workspace, call.account.name)
    return answer(call, body, workspace_operations.GET_DETAIL)


async def get_configuration_list(routed: Call) -> web.Response:
    call = await read_call(routed.request, workspace_operations.GET_CONFIGURATION_LIST)
    workspace_id = id_request(call.body)
    reply = await _decided(
        _stub(call).ListWorkspaceConfigurations(
            wss.ListWorkspaceConfigurationsRequest(actor=_actor(call), workspace_id=workspace_id)
        )
    )
    body = workspace_answers.configuration_list(reply.configurations)
    return answer(call, body, workspace_operations.GET_CONFIGURATION_LIST)


async def check_available_name(routed: Call) -> web.Response:
    call = await read_call(routed.request, workspace_operations.CHECK_AVAILABLE_NAME)
    account_id, name = name_request(call.body)
    _require_own_account(call, account_id)
    reply = await _decided(_stub(call).CheckWorkspaceName(wss.CheckWorkspaceNameRequest(actor=_actor(call), name=name)))
    body = workspace_answers.available_name(reply.available)
    return answer(call, body, workspace_operations.CHECK_AVAILABLE_NAME)
