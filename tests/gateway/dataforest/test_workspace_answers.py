"""The AI workspace answers' shapes (shared/contracts/dataforest.md §4, §5, §8.5, §8.10), in JSON and,
through wire.render with the operations' list items, in XML."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from xml.etree import ElementTree

import orjson
import pytest
from google.protobuf import timestamp_pb2

from services.gateway.dataforest.wire import render
from services.gateway.dataforest.workspace_answers import (
    available_name,
    changed,
    configuration_json,
    configuration_list,
    image_version,
    runtime_json,
    timestamp_text,
    workspace_detail,
    workspace_item,
    workspace_list,
)
from services.gateway.dataforest.workspace_operations import (
    GET_CONFIGURATION_LIST,
    GET_DETAIL,
    GET_LIST,
)
from services.gateway.dataforest.workspace_rules import WorkspaceRules, create_request
from services.policy.base62_ids import to_base62
from torii.v1 import workspaces_pb2

ACCOUNT_UUID = "0b8c3b5e-6a8e-4a3e-9a55-6b1f3a7d9c21"
WORKSPACE_ID = "YPIolVXWcPTcCs9dNi89Gn"


def timestamp(text: str) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(datetime.fromisoformat(text))
    return stamp


CONFIGURATION = workspaces_pb2.WorkspaceConfiguration(
    queue_name="gpu",
    app_name="trainer",
    user_package_uri="packages/train.tar.gz",
    resource=workspaces_pb2.WorkspaceResource(cpu_count=4, memory_mb=8192, gpu_count=1, gpu_model="T4"),
    docker=workspaces_pb2.WorkspaceDocker(
        image="dataforest/tensorflow:r2.3.1-py3",
        command="python",
        args="train.py",
        env={"MODE": "train", "A": "1"},
        expose_tcp_ports=[8888, 6006],
        workdir="/workspace",
    ),
    inputs=[workspaces_pb2.WorkspaceInput(source="user/in", path="/data/in")],
    outputs=[workspaces_pb2.WorkspaceOutput(path="/data/out", destination="user/out", overwrite=True)],
)

CONFIGURATION_JSON: dict[str, Any] = {
    "data": {
        "input": [{"hdfs": "user/in", "path": "/data/in"}],
        "output": [{"hdfs": "user/out", "overwrite": True, "path": "/data/out"}],
    },
    "docker": {
        "args": "train.py",
        "command": "python",
        "env": {"A": "1", "MODE": "train"},
        "exposeTcpPorts": [8888, 6006],
        "image": "dataforest/tensorflow:r2.3.1-py3",
        "workdir": "/workspace",
    },
    "name": "trainer",
    "queueName": "gpu",
    "resource": {"cpuCount": 4, "gpuCount": 1, "gpuModel": "T4", "memoryMb": 8192},
    "userPackageUri": "packages/train.tar.gz",
}


def workspace(**status: Any) -> workspaces_pb2.Workspace:
    return workspaces_pb2.Workspace(
        workspace_id=WORKSPACE_ID,
        account_id=ACCOUNT_UUID,
        name="api-test",
        description="a workspace",
        configuration=CONFIGURATION,
        generation=2,
        created_at=timestamp("2023-05-15T02:23:55.752+00:00"),
        modified_at=timestamp("2023-05-16T10:00:01.000999+00:00"),
        status=workspaces_pb2.WorkspaceStatus(**status),
    )


RUNNING = {
    "state": workspaces_pb2.WORKSPACE_STATE_RUNNING,
    "message": "running since 2023-05-16",
    "ports": [
        workspaces_pb2.PublishedPort(container_port=8888, host="runner-1", host_port=32768),
        workspaces_pb2.PublishedPort(container_port=6006, host="runner-1", host_port=32769),
    ],
    "started_at": timestamp("2023-05-16T10:00:05.5+00:00"),
}


# Times (§8.10)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        ("2023-05-15T02:23:55.752+00:00", "2023-05-15T02:23:55.752Z"),
        ("2023-05-15T02:23:55+00:00", "2023-05-15T02:23:55.000Z"),
        ("2023-05-15T02:23:55.999999+00:00", "2023-05-15T02:23:55.999Z"),
        ("2023-05-15T11:23:55.001+09:00", "2023-05-15T02:23:55.001Z"),
    ],
)
def test_times_are_utc_with_milliseconds_and_z(moment: str, text: str) -> None:
    assert timestamp_text(timestamp(moment)) == text


@pytest.mark.parametrize(
    ("image", "version"),
    [("tensorflow:r2.3.1-py3", "r2.3.1-py3"), ("dataforest/torii-python:3.11", "3.11"), ("untagged", "")],
)
def test_the_image_version_is_its_tag(image: str, version: str) -> None:
    assert image_version(image) == version


# List (AiWorkspaceResponse)


def test_a_list_item_has_the_documented_fields() -> None:
    assert workspace_item(workspace(), "torii-admin") == {
        "accountName": "torii-admin",
        "createdAt": "2023-05-15T02:23:55.752Z",
        "description": "a workspace",
        "disabled": False,
        "id": WORKSPACE_ID,
        "imageVersion": "r2.3.1-py3",
        "modifiedAt": "2023-05-16T10:00:01.000Z",
        "name": "api-test",
    }


def test_the_list_counts_its_contents_and_says_success() -> None:
    second = workspace()
    second.workspace_id, second.name = "2mUVZaHseGadiNFAg5MHjk", "second"
    body = workspace_list([workspace(), second], "torii-admin")
    assert [item["name"] for item in body["contents"]] == ["api-test", "second"]
    assert {key: body[key] for key in ("message", "success", "total")} == {
        "message": "success",
        "success": True,
        "total": 2,
    }
    assert workspace_list([], "torii-admin") == {"contents": [], "message": "success", "success": True, "total": 0}


def test_the_list_in_xml_repeats_contents() -> None:
    raw, _ = render(
        workspace_list([workspace(), workspace()], "a"),
        GET_LIST.response_root,
        xml=True,
        list_items=GET_LIST.list_items,
    )
    root = ElementTree.fromstring(raw)
    assert root.tag == "GetAiWorkspaceListResponse"
    assert [child.tag for child in root] == ["contents", "contents", "message", "success", "total"]
    assert root.findtext("contents/createdAt") == "2023-05-15T02:23:55.752Z"
    assert root.findtext("contents/disabled") == "false"
    assert root.findtext("total") == "2"


# Detail (GetAiWorkspaceDetailResponse and the runtime extension)


def test_the_detail_has_the_documented_fields_contents_as_an_array_and_the_runtime() -> None:
    assert workspace_detail(workspace(**RUNNING), "torii-admin") == {
        "success": True,
        "message": "success",
        "id": WORKSPACE_ID,
        "name": "api-test",
        "accountId": to_base62(ACCOUNT_UUID),
        "accountName": "torii-admin",
        "description": "a workspace",
        "imageVersion": "r2.3.1-py3",
        "createdAt": "2023-05-15T02:23:55.752Z",
        "modifiedAt": "2023-05-16T10:00:01.000Z",
        "contents": [
            {
                "configuration": CONFIGURATION_JSON,
                "createdAt": "2023-05-16T10:00:01.000Z",
                "modifiedAt": "2023-05-16T10:00:01.000Z",
            }
        ],
        "runtime": {
            "state": "RUNNING",
            "message": "running since 2023-05-16",
            "exitCode": None,
            "ports": [
                {"containerPort": 8888, "host": "runner-1", "hostPort": 32768},
                {"containerPort": 6006, "host": "runner-1", "hostPort": 32769},
            ],
            "startedAt": "2023-05-16T10:00:05.500Z",
            "finishedAt": None,
            "logTail": "",
        },
    }


def test_a_workspace_no_runner_reported_on_is_pending() -> None:
    assert runtime_json(workspaces_pb2.WorkspaceStatus()) == {
        "state": "PENDING",
        "message": "",
        "exitCode": None,
        "ports": [],
        "startedAt": None,
        "finishedAt": None,
        "logTail": "",
    }


def test_an_ended_workspace_shows_its_exit_code_even_zero_and_its_end() -> None:
    for code in (0, 137):
        status = workspaces_pb2.WorkspaceStatus(
            state=workspaces_pb2.WORKSPACE_STATE_FAILED if code else workspaces_pb2.WORKSPACE_STATE_SUCCEEDED,
            exit_code=code,
            started_at=timestamp("2023-05-16T10:00:05+00:00"),
            finished_at=timestamp("2023-05-16T11:00:05.25+00:00"),
        )
        runtime = runtime_json(status)
        assert runtime["exitCode"] == code
        assert runtime["state"] == ("FAILED" if code else "SUCCEEDED")
        assert runtime["finishedAt"] == "2023-05-16T11:00:05.250Z"


@pytest.mark.parametrize(
    ("state", "name"),
    [
        (workspaces_pb2.WORKSPACE_STATE_QUEUED, "QUEUED"),
        (workspaces_pb2.WORKSPACE_STATE_STARTING, "STARTING"),
        (workspaces_pb2.WORKSPACE_STATE_DELETING, "DELETING"),
        # A state newer than this gateway (proto3 enums keep unknown numbers).
        (cast(workspaces_pb2.WorkspaceState, 99), "STATE_99"),
    ],
)
def test_states_are_named_without_the_proto_prefix(state: workspaces_pb2.WorkspaceState, name: str) -> None:
    assert runtime_json(workspaces_pb2.WorkspaceStatus(state=state))["state"] == name


def test_the_detail_in_json_leaves_out_what_is_unset() -> None:
    raw, content_type = render(workspace_detail(workspace(**RUNNING), "a"), GET_DETAIL.response_root, xml=False)
    body = orjson.loads(raw)
    assert content_type.startswith("application/json")
    assert "exitCode" not in body["runtime"]
    assert "finishedAt" not in body["runtime"]
    assert isinstance(body["contents"], list)


def test_the_detail_in_xml() -> None:
    raw, content_type = render(
        workspace_detail(workspace(**RUNNING), "torii-admin"),
        GET_DETAIL.response_root,
        xml=True,
        list_items=GET_DETAIL.list_items,
    )
    assert content_type.startswith("application/xml")
    root = ElementTree.fromstring(raw)
    assert root.tag == "GetAiWorkspaceDetailResponse"
    assert [child.tag for child in root] == [
        "success",
        "message",
        "id",
        "name",
        "accountId",
        "accountName",
        "description",
        "imageVersion",
        "createdAt",
        "modifiedAt",
        "contents",
        "runtime",
    ]
    docker = root.find("contents/configuration/docker")
    assert docker is not None
    assert [port.text for port in docker.findall("exposeTcpPorts")] == ["8888", "6006"]
    assert {child.tag: child.text for child in docker.findall("env/*")} == {"A": "1", "MODE": "train"}
    assert [element.findtext("path") for element in root.findall("contents/configuration/data/input")] == ["/data/in"]
    assert root.findtext("contents/configuration/data/output/overwrite") == "true"
    assert [(port.findtext("containerPort"), port.findtext("hostPort")) for port in root.findall("runtime/ports")] == [
        ("8888", "32768"),
        ("6006", "32769"),
    ]
    assert root.find("runtime/exitCode") is None


# Configurations


def test_a_configuration_is_shown_in_the_examples_shape() -> None:
    assert configuration_json(CONFIGURATION) == CONFIGURATION_JSON


def test_empty_optional_text_is_left_out_so_that_the_configuration_can_be_sent_again() -> None:
    rules = WorkspaceRules()
    body = {
        "accountId": "6COytUeFj7b8eOhq2L5zL",
        "name": "cpu-only",
        "configuration": {"queueName": "cpu", "docker": {"image": "torii-python:3.11", "command": "ls"}},
    }
    configuration = create_request(body, rules).configuration
    shown = configuration_json(configuration)
    assert shown == {
        "data": {"input": [], "output": []},
        "docker": {
            "args": None,
            "command": "ls",
            "env": {},
            "exposeTcpPorts": [],
            "image": "torii-python:3.11",
            "workdir": None,
        },
        "name": None,
        "queueName": "cpu",
        "resource": {"cpuCount": 1, "gpuCount": 0, "gpuModel": None, "memoryMb": 15360},
        "userPackageUri": None,
    }
    again = create_request({**body, "configuration": orjson.loads(render(shown, "c", xml=False)[0])}, rules)
    assert again.configuration == configuration


def test_a_full_configuration_survives_being_shown_and_sent_again() -> None:
    body = {"accountId": "6COytUeFj7b8eOhq2L5zL", "name": "again", "configuration": CONFIGURATION_JSON}
    assert create_request(body, WorkspaceRules()).configuration == CONFIGURATION


def test_the_configuration_list() -> None:
    older = workspaces_pb2.WorkspaceConfigurationRecord(
        configuration=workspaces_pb2.WorkspaceConfiguration(
            queue_name="cpu",
            resource=workspaces_pb2.WorkspaceResource(cpu_count=1, memory_mb=15360),
            docker=workspaces_pb2.WorkspaceDocker(image="torii-python:3.11", command="ls"),
        ),
        generation=1,
        created_at=timestamp("2023-05-15T02:36:35.618+00:00"),
        modified_at=timestamp("2023-05-15T02:36:35.618+00:00"),
    )
    current = workspaces_pb2.WorkspaceConfigurationRecord(
        configuration=CONFIGURATION,
        generation=2,
        created_at=timestamp("2023-05-16T10:00:01+00:00"),
        modified_at=timestamp("2023-05-16T10:00:02+00:00"),
    )
    body = configuration_list([older, current])
    assert body["message"] == "success"
    assert body["success"] is True
    assert body["total"] == 2
    assert body["contents"][1] == {
        "configuration": CONFIGURATION_JSON,
        "createdAt": "2023-05-16T10:00:01.000Z",
        "modifiedAt": "2023-05-16T10:00:02.000Z",
    }
    assert body["contents"][0]["configuration"]["queueName"] == "cpu"

    raw, _ = render(body, GET_CONFIGURATION_LIST.response_root, xml=True, list_items=GET_CONFIGURATION_LIST.list_items)
    root = ElementTree.fromstring(raw)
    assert root.tag == "GetAiWorkspaceConfigurationListResponse"
    assert [child.tag for child in root] == ["contents", "contents", "message", "success", "total"]
    assert root.findtext("contents/createdAt") == "2023-05-15T02:36:35.618Z"
    # The cpu configuration has no gpuModel at all, not an empty one.
    assert [element.findtext("configuration/resource/gpuModel") for element in root.findall("contents")] == [None, "T4"]


def test_configuration_list_of_none_is_empty() -> None:
    assert configuration_list([]) == {"contents": [], "message": "success", "success": True, "total": 0}


# Changes and names (§8.5: no message on create, delete and setConfiguration)


def test_a_change_answers_id_and_success_only() -> None:
    assert changed(WORKSPACE_ID) == {"id": WORKSPACE_ID, "success": True}
    raw, _ = render(changed(WORKSPACE_ID), "CreateAiWorkspaceResponse", xml=True)
    assert raw.endswith(
        f"<CreateAiWorkspaceResponse><id>{WORKSPACE_ID}</id><success>true</success></CreateAiWorkspaceResponse>".encode()
    )


@pytest.mark.parametrize("available", [True, False])
def test_available_name(available: bool) -> None:
    assert available_name(available) == {"availableName": available, "message": "success", "success": True}
