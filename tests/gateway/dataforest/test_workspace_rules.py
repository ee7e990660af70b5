"""The AI workspace requests' validation (shared/contracts/dataforest.md §6, §8.1, §8.2, §8.6, §8.7):
every rule's exact message for the first failure, the order of the checks, the defaults, wrong types,
and XML bodies read through wire.parse_body giving what their JSON gives."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from services.gateway.dataforest.errors import DataForestError
from services.gateway.dataforest.wire import parse_body, render
from services.gateway.dataforest.workspace_operations import CREATE, SET_CONFIGURATION
from services.gateway.dataforest.workspace_rules import (
    CreateRequest,
    WorkspaceRules,
    configuration_request,
    create_request,
    id_request,
    list_request,
    name_request,
)
from torii.v1 import workspaces_pb2

RULES = WorkspaceRules()
ACCOUNT = "6COytUeFj7b8eOhq2L5zL"
IMAGE_RULE = 'must match "^(dataforest/)?([a-z0-9._-]{1,30}):([a-z0-9._-]{1,20})$"'
NAME_RULE = 'must match "^(?=.{1,15}$)[a-z](?:-?[a-z0-9])*$"'

# The seed's create request example (shared/seeds/002_…), as it is.
SEED_EXAMPLE: dict[str, Any] = {
    "accountId": ACCOUNT,
    "configuration": {
        "data": {
            "input": [{"hdfs": "string", "path": "string"}],
            "output": [{"hdfs": "string", "overwrite": True, "path": "string"}],
        },
        "docker": {"command": "ls", "image": "tensorflow:r2.3.1-py3", "workdir": "/root/"},
        "name": "test",
        "queueName": "gpu",
        "resource": {"cpuCount": 1, "gpuCount": 1, "gpuModel": "T4", "memoryMb": 1024},
        "userPackageUri": "string",
    },
    "description": "test",
    "name": "api-test",
}

# Every field of the create request with a value that passes.
FULL: dict[str, Any] = {
    "accountId": ACCOUNT,
    "name": "api-test",
    "description": "a workspace",
    "configuration": {
        "userPackageUri": "packages/train.tar.gz",
        "queueName": "gpu",
        "name": "trainer",
        "resource": {"cpuCount": 4, "gpuCount": 2, "gpuModel": "T4", "memoryMb": 8192},
        "docker": {
            "command": "python",
            "image": "dataforest/tensorflow:r2.3.1-py3",
            "args": "train.py --epochs 3",
            "env": {"PYTHONUNBUFFERED": "1", "_MODE": "train"},
            "exposeTcpPorts": [8888, 6006],
            "workdir": "/workspace",
        },
        "data": {
            "input": [{"hdfs": "user/test/input", "path": "/data/input"}, {"hdfs": "/shared/x", "path": "/data/x"}],
            "output": [{"hdfs": "user/test/output", "overwrite": True, "path": "/data/output"}],
        },
    },
}

MINIMAL: dict[str, Any] = {
    "accountId": ACCOUNT,
    "name": "api-test",
    "configuration": {"docker": {"image": "torii-python:3.11", "command": "python -m http.server"}},
}


def changed(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of body with the dotted path set to value, or removed when value is REMOVE."""
    result = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = result
    for key in parents:
        target = target.setdefault(key, {})
    if value is REMOVE:
        target.pop(last, None)
    else:
        target[last] = value
    return result


REMOVE = object()


def refusal(check: Callable[[], object]) -> str:
    with pytest.raises(DataForestError) as caught:
        check()
    assert caught.value.status == 400
    return caught.value.message


def create_refusal(body: dict[str, Any], rules: WorkspaceRules = RULES) -> str:
    return refusal(lambda: create_request(body, rules))


def message(path: str, value: str, reason: str) -> str:
    return f"invalid request parameter ({path}, '{value}'). {reason}"


# The seed's own cases


def test_the_seeds_failing_image_gets_the_seeds_message_in_english() -> None:
    body = changed(MINIMAL, "configuration.docker.image", "tensorflow/r2.3.1-py3")
    assert create_refusal(body) == (
        "invalid request parameter (configuration.docker.image, 'tensorflow/r2.3.1-py3'). "
        'must match "^(dataforest/)?([a-z0-9._-]{1,30}):([a-z0-9._-]{1,20})$"'
    )


@pytest.mark.parametrize(
    "image", ["tensorflow:r2.3.1-py3", "dataforest/tensorflow:r2.3.1-py3", "torii-python:3.11", "a:b"]
)
def test_images_of_the_pattern_pass(image: str) -> None:
    body = changed(MINIMAL, "configuration.docker.image", image)
    assert create_request(body, RULES).configuration.docker.image == image


@pytest.mark.parametrize(
    "image",
    [
        "tensorflow",
        "Tensorflow:1",
        "other/tensorflow:1",
        "dataforest/:1",
        "tensorflow:",
        f"{'a' * 31}:1",
        f"a:{'1' * 21}",
        "tensorflow:1\n",
        "",
    ],
)
def test_images_off_the_pattern_fail(image: str) -> None:
    body = changed(MINIMAL, "configuration.docker.image", image)
    assert create_refusal(body) == message("configuration.docker.image", image, IMAGE_RULE)


def test_the_seeds_request_example_is_refused_only_for_its_relative_container_paths() -> None:
    # §8.7: `path` is an absolute path in the container, and the example's is "string".
    assert create_refusal(SEED_EXAMPLE) == message(
        "configuration.data.input[0].path", "string", "must be an absolute path"
    )
    body = changed(
        SEED_EXAMPLE,
        "configuration.data",
        {
            "input": [{"hdfs": "string", "path": "/string"}],
            "output": [{"hdfs": "string", "overwrite": True, "path": "/string"}],
        },
    )
    configuration = create_request(body, RULES).configuration
    assert configuration.resource == workspaces_pb2.WorkspaceResource(
        cpu_count=1, gpu_count=1, gpu_model="T4", memory_mb=1024
    )
    assert [(item.source, item.path) for item in configuration.inputs] == [("string", "/string")]


def test_the_seeds_request_example_runs_on_the_cpu_queue_with_a_torii_image() -> None:
    body = copy.deepcopy(SEED_EXAMPLE)
    spec = body["configuration"]
    spec["docker"]["image"] = "torii-python:3.11"
    spec["queueName"] = "cpu"
    del spec["resource"]["gpuCount"]
    # §8.6: no GPU model on the cpu queue; §8.7: container paths are absolute.
    assert create_refusal(body) == message("configuration.resource.gpuModel", "T4", "must be null")
    del spec["resource"]["gpuModel"]
    spec["data"]["input"][0]["path"] = "/input"
    spec["data"]["output"][0]["path"] = "/output"

    request = create_request(body, RULES)

    assert request == CreateRequest(
        ACCOUNT,
        "api-test",
        "test",
        workspaces_pb2.WorkspaceConfiguration(
            queue_name="cpu",
            app_name="test",
            user_package_uri="string",
            resource=workspaces_pb2.WorkspaceResource(cpu_count=1, memory_mb=1024, gpu_count=0, gpu_model=""),
            docker=workspaces_pb2.WorkspaceDocker(image="torii-python:3.11", command="ls", workdir="/root/"),
            inputs=[workspaces_pb2.WorkspaceInput(source="string", path="/input")],
            outputs=[workspaces_pb2.WorkspaceOutput(path="/output", destination="string", overwrite=True)],
        ),
    )


# name and accountId (create and checkAvailableName)


@pytest.mark.parametrize("name", ["api-test", "a-b", "a1234567890123b", "a", "abc9", "a-1-b-2"])
def test_names_of_the_rule_pass(name: str) -> None:
    assert create_request(changed(MINIMAL, "name", name), RULES).name == name
    assert name_request({"accountId": ACCOUNT, "name": name}) == (ACCOUNT, name)


@pytest.mark.parametrize("name", ["a--b", "a-", "-a", "Abc", "9ab", "a" * 16, "", "a_b", "ab\n", "äb"])
def test_names_off_the_rule_fail(name: str) -> None:
    assert create_refusal(changed(MINIMAL, "name", name)) == message("name", name, NAME_RULE)
    assert refusal(lambda: name_request({"accountId": ACCOUNT, "name": name})) == message("name", name, NAME_RULE)


@pytest.mark.parametrize(
    ("account_id", "expected"),
    [
        (REMOVE, message("accountId", "null", "must not be null")),
        (None, message("accountId", "null", "must not be null")),
        ("a" * 23, message("accountId", "a" * 23, "size must be between 0 and 22")),
        ("6COytUeFj7b8-eOhq2L5z", message("accountId", "6COytUeFj7b8-eOhq2L5z", 'must match "^[0-9A-Za-z]{1,22}$"')),
        ("", message("accountId", "", 'must match "^[0-9A-Za-z]{1,22}$"')),
        (12345, message("accountId", "12345", "must be a string")),
    ],
)
def test_account_id_rules(account_id: object, expected: str) -> None:
    assert create_refusal(changed(MINIMAL, "accountId", account_id)) == expected
    body = changed({"accountId": ACCOUNT, "name": "api-test"}, "accountId", account_id)
    assert refusal(lambda: name_request(body)) == expected


def test_a_missing_name_is_null() -> None:
    assert create_refusal(changed(MINIMAL, "name", REMOVE)) == message("name", "null", "must not be null")
    assert refusal(lambda: name_request({"accountId": ACCOUNT})) == message("name", "null", "must not be null")


def test_description_is_optional_and_at_most_255_characters() -> None:
    assert create_request(MINIMAL, RULES).description == ""
    assert create_request(changed(MINIMAL, "description", "d" * 255), RULES).description == "d" * 255
    too_long = "d" * 256
    assert create_refusal(changed(MINIMAL, "description", too_long)) == message(
        "description", too_long, "size must be between 0 and 255"
    )


# configuration and docker


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("configuration", REMOVE, message("configuration", "null", "must not be null")),
        ("configuration", None, message("configuration", "null", "must not be null")),
        ("configuration", [], message("configuration", "[]", "must be an object")),
        ("configuration", "gpu", message("configuration", "gpu", "must be an object")),
        ("configuration.docker", REMOVE, message("configuration.docker", "null", "must not be null")),
        ("configuration.docker", "x", message("configuration.docker", "x", "must be an object")),
        ("configuration.docker.image", REMOVE, message("configuration.docker.image", "null", "must not be null")),
        ("configuration.docker.image", 5, message("configuration.docker.image", "5", "must be a string")),
        ("configuration.docker.command", REMOVE, message("configuration.docker.command", "null", "must not be null")),
        ("configuration.docker.command", " ", message("configuration.docker.command", " ", "must not be blank")),
        ("configuration.docker.command", ["ls"], message("configuration.docker.command", '["ls"]', "must be a string")),
        (
            "configuration.docker.command",
            "ls\x00",
            message("configuration.docker.command", "ls\x00", "must not contain a NUL character"),
        ),
    ],
)
def test_configuration_and_docker_rules(path: str, value: object, expected: str) -> None:
    assert create_refusal(changed(MINIMAL, path, value)) == expected


def test_a_long_command_is_refused_by_the_operators_bound() -> None:
    rules = WorkspaceRules(max_command_length=10)
    assert create_request(changed(MINIMAL, "configuration.docker.command", "c" * 10), rules)
    assert create_refusal(changed(MINIMAL, "configuration.docker.command", "c" * 11), rules) == message(
        "configuration.docker.command", "c" * 11, "size must be between 0 and 10"
    )


# resource and queue (§6, §8.6)


@pytest.mark.parametrize(
    ("resource", "queue", "expected"),
    [
        ({"gpuCount": 0}, "gpu", ("gpuCount", "0", "must be greater than or equal to 1")),
        ({"gpuCount": 9}, "gpu", ("gpuCount", "9", "must be less than or equal to 8")),
        ({"gpuCount": 1}, "cpu", ("gpuCount", "1", "must be less than or equal to 0")),
        ({"gpuCount": -1}, "cpu", ("gpuCount", "-1", "must be greater than or equal to 0")),
        ({"cpuCount": 0}, "gpu", ("cpuCount", "0", "must be greater than or equal to 1")),
        ({"cpuCount": 65}, "gpu", ("cpuCount", "65", "must be less than or equal to 64")),
        ({"memoryMb": 0}, "cpu", ("memoryMb", "0", "must be greater than or equal to 1")),
        ({"memoryMb": 1_048_577}, "gpu", ("memoryMb", "1048577", "must be less than or equal to 1048576")),
        ({"gpuModel": "A100"}, "gpu", ("gpuModel", "A100", 'must match "T4|V100"')),
        ({"gpuModel": "t4"}, "gpu", ("gpuModel", "t4", 'must match "T4|V100"')),
        ({"gpuModel": "V100"}, "cpu", ("gpuModel", "V100", "must be null")),
    ],
)
def test_resource_rules(resource: dict[str, object], queue: str, expected: tuple[str, str, str]) -> None:
    body = changed(changed(MINIMAL, "configuration.resource", resource), "configuration.queueName", queue)
    field, value, reason = expected
    assert create_refusal(body) == message(f"configuration.resource.{field}", value, reason)


@pytest.mark.parametrize("queue", ["tpu", "GPU", ""])
def test_a_queue_the_operator_does_not_have_is_refused(queue: str) -> None:
    assert create_refusal(changed(MINIMAL, "configuration.queueName", queue)) == message(
        "configuration.queueName", str(queue), 'must match "gpu|cpu"'
    )


def test_the_operators_maxima_and_lists_are_the_ones_checked() -> None:
    rules = WorkspaceRules(
        queues=("gpu", "small", "large"),
        cpu_queues=("small",),
        gpu_models=("A100",),
        default_gpu_model="A100",
        max_cpu_count=8,
        max_memory_mb=32768,
        max_gpu_count=4,
    )
    body = changed(MINIMAL, "configuration.queueName", "large")
    assert create_request(body, rules).configuration.resource == workspaces_pb2.WorkspaceResource(
        cpu_count=1, memory_mb=15360, gpu_count=1, gpu_model="A100"
    )
    small = changed(MINIMAL, "configuration.queueName", "small")
    assert create_request(small, rules).configuration.resource.gpu_count == 0

    def refused(resource: dict[str, object]) -> str:
        return create_refusal(changed(body, "configuration.resource", resource), rules)

    assert refused({"cpuCount": 9}).endswith("). must be less than or equal to 8")
    assert refused({"memoryMb": 32769}).endswith("). must be less than or equal to 32768")
    assert refused({"gpuCount": 5}).endswith("). must be less than or equal to 4")
    assert refused({"gpuModel": "T4"}).endswith('). must match "A100"')
    assert create_refusal(changed(MINIMAL, "configuration.queueName", "cpu"), rules) == message(
        "configuration.queueName", "cpu", 'must match "gpu|small|large"'
    )


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ({"default_queue": "tpu"}, "default queue"),
        ({"default_gpu_model": "A100"}, "default GPU model"),
        ({"max_cpu_count": 0}, "max_cpu_count"),
        ({"max_memory_mb": 1024}, "max_memory_mb"),
        ({"max_memory_mb": 2**31}, "max_memory_mb"),
        ({"max_gpu_count": 0}, "max_gpu_count"),
    ],
)
def test_rules_that_contradict_themselves_are_refused(rules: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        WorkspaceRules(**rules)


def test_defaults_on_the_gpu_queue() -> None:
    configuration = create_request(MINIMAL, RULES).configuration
    assert configuration.queue_name == "gpu"
    assert configuration.resource == workspaces_pb2.WorkspaceResource(
        cpu_count=1, memory_mb=15360, gpu_count=1, gpu_model="V100"
    )


def test_defaults_on_the_cpu_queue() -> None:
    body = changed(MINIMAL, "configuration.queueName", "cpu")
    assert create_request(body, RULES).configuration.resource == workspaces_pb2.WorkspaceResource(
        cpu_count=1, memory_mb=15360, gpu_count=0, gpu_model=""
    )


def test_defaults_fill_in_a_resource_given_in_part() -> None:
    body = changed(MINIMAL, "configuration.resource", {"memoryMb": 2048})
    assert create_request(body, RULES).configuration.resource == workspaces_pb2.WorkspaceResource(
        cpu_count=1, memory_mb=2048, gpu_count=1, gpu_model="V100"
    )
    cpu = changed(changed(MINIMAL, "configuration.queueName", "cpu"), "configuration.resource.gpuCount", 0)
    assert create_request(cpu, RULES).configuration.resource.gpu_count == 0


def test_a_minimal_body_takes_every_default() -> None:
    assert create_request(MINIMAL, RULES) == CreateRequest(
        ACCOUNT,
        "api-test",
        "",
        workspaces_pb2.WorkspaceConfiguration(
            queue_name="gpu",
            resource=workspaces_pb2.WorkspaceResource(cpu_count=1, memory_mb=15360, gpu_count=1, gpu_model="V100"),
            docker=workspaces_pb2.WorkspaceDocker(image="torii-python:3.11", command="python -m http.server"),
        ),
    )


# docker's other fields


@pytest.mark.parametrize(
    ("ports", "expected"),
    [
        ([0], ("exposeTcpPorts[0]", "0", "must be greater than or equal to 1")),
        ([80, 65536], ("exposeTcpPorts[1]", "65536", "must be less than or equal to 65535")),
        ([80, "http"], ("exposeTcpPorts[1]", "http", "must be an integer")),
        ([80, True], ("exposeTcpPorts[1]", "true", "must be an integer")),
        ([80, 8.5], ("exposeTcpPorts[1]", "8.5", "must be an integer")),
        ([80, 443, 80], ("exposeTcpPorts[2]", "80", "must be unique")),
        (8888, ("exposeTcpPorts", "8888", "must be an array")),
        (
            list(range(1, 18)),
            ("exposeTcpPorts", orjson.dumps(list(range(1, 18))).decode(), "size must be between 0 and 16"),
        ),
    ],
)
def test_port_rules(ports: object, expected: tuple[str, str, str]) -> None:
    field, value, reason = expected
    body = changed(MINIMAL, "configuration.docker.exposeTcpPorts", ports)
    assert create_refusal(body) == message(f"configuration.docker.{field}", value, reason)


def test_ports_pass_within_the_bounds() -> None:
    ports = [1, 65535, *range(8000, 8014)]
    body = changed(MINIMAL, "configuration.docker.exposeTcpPorts", ports)
    assert list(create_request(body, RULES).configuration.docker.expose_tcp_ports) == ports


def test_arg_is_an_alias_of_args() -> None:
    assert create_request(changed(MINIMAL, "configuration.docker.args", "-v"), RULES).configuration.docker.args == "-v"
    assert create_request(changed(MINIMAL, "configuration.docker.arg", "-v"), RULES).configuration.docker.args == "-v"
    assert create_refusal(changed(MINIMAL, "configuration.docker.arg", 3)) == message(
        "configuration.docker.arg", "3", "must be a string"
    )
    both = changed(changed(MINIMAL, "configuration.docker.args", "-v"), "configuration.docker.arg", "-q")
    assert create_refusal(both) == message("configuration.docker.arg", "-q", "must be null when args is given")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ("A=1", ("env", "A=1", "must be an object")),
        ({"1A": "x"}, ("env", "1A", 'keys must match "^[A-Za-z_][A-Za-z0-9_]*$"')),
        ({"A-B": "x"}, ("env", "A-B", 'keys must match "^[A-Za-z_][A-Za-z0-9_]*$"')),
        ({"": "x"}, ("env", "", 'keys must match "^[A-Za-z_][A-Za-z0-9_]*$"')),
        ({"A" * 256: "x"}, ("env", "A" * 256, "key size must be between 1 and 255")),
        ({"A": 1}, ("env.A", "1", "must be a string")),
        ({"A": None}, ("env.A", "null", "must not be null")),
        ({"A": "a" * 32_769}, ("env.A", "a" * 32_769, "size must be between 0 and 32768")),
        ({"A": "a\x00b"}, ("env.A", "a\x00b", "must not contain a NUL character")),
    ],
)
def test_env_rules(env: object, expected: tuple[str, str, str]) -> None:
    field, value, reason = expected
    body = changed(MINIMAL, "configuration.docker.env", env)
    assert create_refusal(body) == message(f"configuration.docker.{field}", value, reason)


def test_env_is_bounded_in_count() -> None:
    env = {f"V{index}": "x" for index in range(101)}
    body = changed(MINIMAL, "configuration.docker.env", env)
    assert create_refusal(body).endswith("). size must be between 0 and 100")
    del env["V100"]
    assert (
        dict(create_request(changed(MINIMAL, "configuration.docker.env", env), RULES).configuration.docker.env) == env
    )


@pytest.mark.parametrize("workdir", ["", "/", "/root/", "/work dir"])
def test_workdir_is_absolute_or_empty(workdir: str) -> None:
    body = changed(MINIMAL, "configuration.docker.workdir", workdir)
    assert create_request(body, RULES).configuration.docker.workdir == workdir


@pytest.mark.parametrize("workdir", ["root", "./x", "~/x"])
def test_a_relative_workdir_is_refused(workdir: str) -> None:
    body = changed(MINIMAL, "configuration.docker.workdir", workdir)
    assert create_refusal(body) == message("configuration.docker.workdir", workdir, "must be an absolute path")


def test_app_name_and_package_are_bounded_text() -> None:
    assert create_refusal(changed(MINIMAL, "configuration.name", 3)) == message(
        "configuration.name", "3", "must be a string"
    )
    long_uri = "p" * 1025
    assert create_refusal(changed(MINIMAL, "configuration.userPackageUri", long_uri)) == message(
        "configuration.userPackageUri", long_uri, "size must be between 0 and 1024"
    )


# data (§8.7)


@pytest.mark.parametrize("hdfs", ["user/test/input", "/user/test/input", "a", "./a", "a/./b", "a..b/c", "hdfs://k/a"])
def test_storage_paths_inside_the_storage_pass(hdfs: str) -> None:
    body = changed(MINIMAL, "configuration.data", {"input": [{"hdfs": hdfs, "path": "/in"}]})
    assert create_request(body, RULES).configuration.inputs[0].source == hdfs


@pytest.mark.parametrize("hdfs", ["..", "../x", "a/../../x", "/a/..", "", "/", ".", "./", "//", "a\x00b"])
def test_storage_paths_outside_the_storage_are_refused(hdfs: str) -> None:
    inputs = changed(MINIMAL, "configuration.data", {"input": [{"hdfs": hdfs, "path": "/in"}]})
    assert create_refusal(inputs) == message(
        "configuration.data.input[0].hdfs", hdfs, "must be a path inside the storage"
    )
    outputs = changed(
        MINIMAL, "configuration.data", {"output": [{"hdfs": "ok", "path": "/o"}, {"hdfs": hdfs, "path": "/o"}]}
    )
    assert create_refusal(outputs) == message(
        "configuration.data.output[1].hdfs", hdfs, "must be a path inside the storage"
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("x", ("data", "x", "must be an object")),
        ({"input": {"hdfs": "a", "path": "/a"}}, ("data.input", '{"hdfs":"a","path":"/a"}', "must be an array")),
        ({"input": ["a"]}, ("data.input[0]", "a", "must be an object")),
        ({"input": [{"path": "/a"}]}, ("data.input[0].hdfs", "null", "must not be null")),
        ({"input": [{"hdfs": "a"}]}, ("data.input[0].path", "null", "must not be null")),
        ({"input": [{"hdfs": "a", "path": "a"}]}, ("data.input[0].path", "a", "must be an absolute path")),
        (
            {"input": [{"hdfs": "h" * 1025, "path": "/a"}]},
            ("data.input[0].hdfs", "h" * 1025, "size must be between 0 and 1024"),
        ),
        (
            {"input": [{"hdfs": "a", "path": "/" * 1025}]},
            ("data.input[0].path", "/" * 1025, "size must be between 0 and 1024"),
        ),
        (
            {"output": [{"hdfs": "a", "path": "/a", "overwrite": "yes"}]},
            ("data.output[0].overwrite", "yes", "must be a boolean"),
        ),
        (
            {"output": [{"hdfs": "a", "path": "/a", "overwrite": 1}]},
            ("data.output[0].overwrite", "1", "must be a boolean"),
        ),
        ({"output": [{"hdfs": "a", "path": "out"}]}, ("data.output[0].path", "out", "must be an absolute path")),
    ],
)
def test_data_rules(data: object, expected: tuple[str, str, str]) -> None:
    field, value, reason = expected
    assert create_refusal(changed(MINIMAL, "configuration.data", data)) == message(
        f"configuration.{field}", value, reason
    )


def test_data_lists_are_bounded() -> None:
    rules = WorkspaceRules(max_inputs=2, max_outputs=1)
    item = {"hdfs": "a", "path": "/a"}
    assert create_refusal(changed(MINIMAL, "configuration.data", {"input": [item] * 3}), rules).endswith(
        "). size must be between 0 and 2"
    )
    assert create_refusal(changed(MINIMAL, "configuration.data", {"output": [item] * 2}), rules).startswith(
        "invalid request parameter (configuration.data.output, '["
    )
    assert (
        len(create_request(changed(MINIMAL, "configuration.data", {"input": [item] * 2}), rules).configuration.inputs)
        == 2
    )


def test_overwrite_defaults_to_false() -> None:
    body = changed(MINIMAL, "configuration.data", {"output": [{"hdfs": "out", "path": "/out"}]})
    assert create_request(body, RULES).configuration.outputs[0] == workspaces_pb2.WorkspaceOutput(
        path="/out", destination="out", overwrite=False
    )


def test_every_field_reaches_the_configuration() -> None:
    request = create_request(FULL, RULES)
    assert request.account_id == ACCOUNT
    assert request.name == "api-test"
    assert request.description == "a workspace"
    assert request.configuration == workspaces_pb2.WorkspaceConfiguration(
        queue_name="gpu",
        app_name="trainer",
        user_package_uri="packages/train.tar.gz",
        resource=workspaces_pb2.WorkspaceResource(cpu_count=4, memory_mb=8192, gpu_count=2, gpu_model="T4"),
        docker=workspaces_pb2.WorkspaceDocker(
            image="dataforest/tensorflow:r2.3.1-py3",
            command="python",
            args="train.py --epochs 3",
            env={"PYTHONUNBUFFERED": "1", "_MODE": "train"},
            expose_tcp_ports=[8888, 6006],
            workdir="/workspace",
        ),
        inputs=[
            workspaces_pb2.WorkspaceInput(source="user/test/input", path="/data/input"),
            workspaces_pb2.WorkspaceInput(source="/shared/x", path="/data/x"),
        ],
        outputs=[workspaces_pb2.WorkspaceOutput(path="/data/output", destination="user/test/output", overwrite=True)],
    )


def test_fields_outside_the_contract_are_ignored() -> None:
    body = changed(changed(MINIMAL, "extra", {"a": 1}), "configuration.docker.privileged", True)
    assert create_request(body, RULES) == create_request(MINIMAL, RULES)


# Order: the first failure in §6's order (then the module's documented order) is the one reported


@pytest.mark.parametrize(
    ("failures", "reported"),
    [
        ({"accountId": "-", "name": "-"}, "accountId"),
        ({"name": "-", "description": "d" * 256}, "name"),
        ({"description": "d" * 256, "configuration": None}, "description"),
        ({"name": "-", "configuration.docker.image": "bad"}, "name"),
        ({"configuration.docker.image": "bad", "configuration.docker.command": None}, "configuration.docker.image"),
        ({"configuration.docker.command": None, "configuration.resource.gpuCount": 9}, "configuration.docker.command"),
        (
            {"configuration.resource.gpuCount": 9, "configuration.resource.cpuCount": 0},
            "configuration.resource.gpuCount",
        ),
        (
            {"configuration.resource.cpuCount": 0, "configuration.resource.memoryMb": 0},
            "configuration.resource.cpuCount",
        ),
        (
            {"configuration.resource.memoryMb": 0, "configuration.resource.gpuModel": "X"},
            "configuration.resource.memoryMb",
        ),
        ({"configuration.resource.gpuModel": "X", "configuration.queueName": "tpu"}, "configuration.resource.gpuModel"),
        ({"configuration.resource.gpuCount": 9, "configuration.queueName": "tpu"}, "configuration.resource.gpuCount"),
        ({"configuration.queueName": "tpu", "configuration.docker.exposeTcpPorts": [0]}, "configuration.queueName"),
        (
            {"configuration.docker.exposeTcpPorts": [0], "configuration.docker.args": 1},
            "configuration.docker.exposeTcpPorts[0]",
        ),
        ({"configuration.docker.args": 1, "configuration.docker.env": "x"}, "configuration.docker.args"),
        ({"configuration.docker.env": "x", "configuration.docker.workdir": "w"}, "configuration.docker.env"),
        ({"configuration.docker.workdir": "w", "configuration.name": 1}, "configuration.docker.workdir"),
        ({"configuration.name": 1, "configuration.userPackageUri": 1}, "configuration.name"),
        ({"configuration.userPackageUri": 1, "configuration.data": 1}, "configuration.userPackageUri"),
        ({"configuration.data": {"input": [{"hdfs": ".."}], "output": [1]}}, "configuration.data.input[0].hdfs"),
    ],
)
def test_the_first_failure_in_order_is_reported(failures: dict[str, object], reported: str) -> None:
    body = MINIMAL
    for path, value in failures.items():
        body = changed(body, path, value)
    assert create_refusal(body).startswith(f"invalid request parameter ({reported}, ")


def test_gpu_count_zero_on_an_unknown_queue_leaves_the_error_to_the_queue() -> None:
    # Which GPU count is right depends on the queue: while the queue is wrong, its error is the one reported.
    body = changed(changed(MINIMAL, "configuration.queueName", "tpu"), "configuration.resource.gpuCount", 0)
    assert create_refusal(body) == message("configuration.queueName", "tpu", 'must match "gpu|cpu"')
    with_model = changed(body, "configuration.resource.gpuModel", "T4")
    assert create_refusal(with_model) == message("configuration.queueName", "tpu", 'must match "gpu|cpu"')


# Wrong types


@pytest.mark.parametrize(
    ("path", "value", "shown", "reason"),
    [
        ("configuration.resource", [1], "[1]", "must be an object"),
        ("configuration.resource", "big", "big", "must be an object"),
        ("configuration.resource.cpuCount", "4", "4", "must be an integer"),
        ("configuration.resource.cpuCount", True, "true", "must be an integer"),
        ("configuration.resource.cpuCount", 1.5, "1.5", "must be an integer"),
        ("configuration.resource.memoryMb", {"gb": 15}, '{"gb":15}', "must be an integer"),
        ("configuration.resource.gpuCount", [1], "[1]", "must be an integer"),
        ("configuration.resource.gpuModel", 4, "4", "must be a string"),
        ("configuration.queueName", ["gpu"], '["gpu"]', "must be a string"),
        ("description", {"text": "x"}, '{"text":"x"}', "must be a string"),
        ("name", ["api-test"], '["api-test"]', "must be a string"),
        ("configuration.docker.workdir", False, "false", "must be a string"),
    ],
)
def test_wrong_types_are_refused_on_their_path(path: str, value: object, shown: str, reason: str) -> None:
    assert create_refusal(changed(MINIMAL, path, value)) == message(path, shown, reason)


def test_a_huge_integer_is_refused_by_its_range() -> None:
    body = changed(MINIMAL, "configuration.resource.cpuCount", 10**30)
    assert create_refusal(body) == message(
        "configuration.resource.cpuCount", str(10**30), "must be less than or equal to 64"
    )


# XML bodies (wire.parse_body with the operations' hints) read as their JSON


def xml_of(body: dict[str, Any], root: str = CREATE.request_root) -> bytes:
    raw, _ = render(body, root, xml=True)
    return raw


def parsed_xml(raw: bytes, operation: Any = CREATE) -> dict[str, Any]:
    return parse_body(
        raw, "application/xml", operation.request_root, list_paths=operation.list_paths, types=operation.types
    )


@pytest.mark.parametrize("body", [FULL, MINIMAL, changed(FULL, "configuration.docker.exposeTcpPorts", [8888])])
def test_an_xml_body_gives_what_its_json_gives(body: dict[str, Any]) -> None:
    from_json = create_request(parse_body(orjson.dumps(body), "application/json", CREATE.request_root), RULES)
    assert create_request(parsed_xml(xml_of(body)), RULES) == from_json


def test_the_seeds_xml_shape_reads_as_its_json() -> None:
    raw = f"""<?xml version="1.0" encoding="UTF-8"?>
<CreateAiWorkspaceRequest>
    <accountId>{ACCOUNT}</accountId>
    <configuration>
        <data>
            <input><hdfs>in</hdfs><path>/in</path></input>
            <output><hdfs>out</hdfs><overwrite>true</overwrite><path>/out</path></output>
        </data>
        <docker>
            <args>-v</args>
            <command>ls</command>
            <env><additionalProp>string</additionalProp></env>
            <exposeTcpPorts>8888</exposeTcpPorts>
            <image>tensorflow:r2.3.1-py3</image>
            <workdir>/root/</workdir>
        </docker>
        <name>test</name>
        <queueName>gpu</queueName>
        <resource><cpuCount>1</cpuCount><gpuCount>1</gpuCount><gpuModel>T4</gpuModel><memoryMb>1024</memoryMb></resource>
        <userPackageUri>string</userPackageUri>
    </configuration>
    <description>test</description>
    <name>api-test</name>
</CreateAiWorkspaceRequest>""".encode()
    as_json = {
        "accountId": ACCOUNT,
        "configuration": {
            "data": {
                "input": [{"hdfs": "in", "path": "/in"}],
                "output": [{"hdfs": "out", "overwrite": True, "path": "/out"}],
            },
            "docker": {
                "args": "-v",
                "command": "ls",
                "env": {"additionalProp": "string"},
                "exposeTcpPorts": [8888],
                "image": "tensorflow:r2.3.1-py3",
                "workdir": "/root/",
            },
            "name": "test",
            "queueName": "gpu",
            "resource": {"cpuCount": 1, "gpuCount": 1, "gpuModel": "T4", "memoryMb": 1024},
            "userPackageUri": "string",
        },
        "description": "test",
        "name": "api-test",
    }
    assert parsed_xml(raw) == as_json
    assert create_request(parsed_xml(raw), RULES) == create_request(as_json, RULES)


@pytest.mark.parametrize(
    ("path", "xml_text", "expected"),
    [
        (
            "configuration.resource.cpuCount",
            "four",
            message("configuration.resource.cpuCount", "four", "must be an integer"),
        ),
        (
            "configuration.resource.gpuCount",
            "1.0",
            message("configuration.resource.gpuCount", "1.0", "must be an integer"),
        ),
        (
            "configuration.docker.exposeTcpPorts",
            "http",
            message("configuration.docker.exposeTcpPorts[0]", "http", "must be an integer"),
        ),
        ("configuration.docker.env", "A=1", message("configuration.docker.env", "A=1", "must be an object")),
        ("configuration.resource", "", message("configuration.resource", "", "must be an object")),
    ],
)
def test_xml_text_where_a_type_was_expected_is_refused_as_in_json(path: str, xml_text: str, expected: str) -> None:
    body = changed(MINIMAL, path, xml_text)
    assert create_refusal(parsed_xml(xml_of(body))) == expected
    json_value: object = [xml_text] if path.endswith("exposeTcpPorts") else xml_text
    assert create_refusal(changed(MINIMAL, path, json_value)) == expected


def test_an_output_overwrite_in_xml_is_a_boolean_only_for_true_and_false() -> None:
    body = changed(MINIMAL, "configuration.data", {"output": [{"hdfs": "o", "path": "/o", "overwrite": "yes"}]})
    assert create_refusal(parsed_xml(xml_of(body))) == message(
        "configuration.data.output[0].overwrite", "yes", "must be a boolean"
    )
    body["configuration"]["data"]["output"][0]["overwrite"] = False
    assert create_request(parsed_xml(xml_of(body)), RULES).configuration.outputs[0].overwrite is False


def test_set_configuration_reads_xml_as_create_does() -> None:
    body = {"id": "YPIolVXWcPTcCs9dNi89Gn", "configuration": FULL["configuration"]}
    from_xml = configuration_request(parsed_xml(xml_of(body, SET_CONFIGURATION.request_root), SET_CONFIGURATION), RULES)
    assert from_xml == ("YPIolVXWcPTcCs9dNi89Gn", create_request(FULL, RULES).configuration)


# id, setConfiguration, checkAvailableName, getList


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, message("id", "null", "must not be null")),
        ({"id": None}, message("id", "null", "must not be null")),
        ({"id": "Y" * 23}, message("id", "Y" * 23, "size must be between 0 and 22")),
        ({"id": "YPIolVXW/Ts9dNi89Gn"}, message("id", "YPIolVXW/Ts9dNi89Gn", 'must match "^[0-9A-Za-z]{1,22}$"')),
        ({"id": ""}, message("id", "", 'must match "^[0-9A-Za-z]{1,22}$"')),
        ({"id": 42}, message("id", "42", "must be a string")),
    ],
)
def test_id_rules(body: dict[str, Any], expected: str) -> None:
    assert refusal(lambda: id_request(body)) == expected
    assert refusal(lambda: configuration_request({**body, "configuration": None}, RULES)) == expected


def test_an_id_passes_as_it_is() -> None:
    assert id_request({"id": "YPIolVXWcPTcCs9dNi89Gn"}) == "YPIolVXWcPTcCs9dNi89Gn"


def test_set_configuration_checks_the_id_then_the_configuration() -> None:
    assert refusal(lambda: configuration_request({"id": "a"}, RULES)) == message(
        "configuration", "null", "must not be null"
    )
    body = {"id": "a", "configuration": changed(MINIMAL, "configuration.queueName", "cpu")["configuration"]}
    workspace_id, configuration = configuration_request(body, RULES)
    assert workspace_id == "a"
    assert configuration.queue_name == "cpu"
    assert configuration.resource.gpu_count == 0


def test_list_request_takes_an_optional_account() -> None:
    assert list_request({}) is None
    assert list_request({"search": {}}) is None
    assert list_request({"search": {"accountId": ACCOUNT}}) == ACCOUNT
    assert refusal(lambda: list_request({"search": "x"})) == message("search", "x", "must be an object")
    assert refusal(lambda: list_request({"search": {"accountId": "a" * 23}})) == message(
        "search.accountId", "a" * 23, "size must be between 0 and 22"
    )
