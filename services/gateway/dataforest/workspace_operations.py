"""The AI workspace operations' names and XML shapes (shared/contracts/dataforest.md §3, §4, §8.5).

Request roots and response roots are §4's (setConfiguration's are Torii's choice there). What XML
leaves unsaid about a request (wire.parse_body) is the same for create and setConfiguration, the
two that carry a configuration; the answers' repeated elements are named as their JSON keys (§3:
`<contents>`, `<input>`, `<output>`, `<exposeTcpPorts>`, and the runtime extension's `<ports>`).
"""

from __future__ import annotations

from types import MappingProxyType

from services.gateway.dataforest.exchange import Operation

CONFIGURATION_LISTS = frozenset(
    {"configuration.data.input", "configuration.data.output", "configuration.docker.exposeTcpPorts"}
)
CONFIGURATION_TYPES: MappingProxyType[str, type[int] | type[bool]] = MappingProxyType(
    {
        "configuration.resource.cpuCount": int,
        "configuration.resource.gpuCount": int,
        "configuration.resource.memoryMb": int,
        "configuration.docker.exposeTcpPorts": int,
        "configuration.data.output.overwrite": bool,
    }
)
ANSWER_LIST_ITEMS = MappingProxyType(
    {name: name for name in ("contents", "input", "output", "exposeTcpPorts", "ports")}
)

CREATE = Operation(
    "CreateAiWorkspaceRequest",
    "CreateAiWorkspaceResponse",
    list_paths=CONFIGURATION_LISTS,
    types=CONFIGURATION_TYPES,
)
SET_CONFIGURATION = Operation(
    "SetAiWorkspaceConfigurationRequest",
    "SetAiWorkspaceConfigurationResponse",
    list_paths=CONFIGURATION_LISTS,
    types=CONFIGURATION_TYPES,
)
DELETE = Operation("DeleteAiWorkspaceRequest", "DeleteAiWorkspaceResponse")
GET_LIST = Operation("GetAiWorkspaceListRequest", "GetAiWorkspaceListResponse", list_items=ANSWER_LIST_ITEMS)
GET_DETAIL = Operation("GetAiWorkspaceDetailRequest", "GetAiWorkspaceDetailResponse", list_items=ANSWER_LIST_ITEMS)
GET_CONFIGURATION_LIST = Operation(
    "GetAiWorkspaceConfigurationListRequest",
    "GetAiWorkspaceConfigurationListResponse",
    list_items=ANSWER_LIST_ITEMS,
)
CHECK_AVAILABLE_NAME = Operation("CheckAiWorkspaceAvailableNameRequest", "CheckAiWorkspaceAvailableNameResponse")
